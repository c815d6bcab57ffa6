"""The result type of :meth:`TopicClassifier.predict`."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Prediction:
    """Topics assigned to one text.

    Attributes:
        labels: ids of the topics whose score reached the threshold, highest score first;
            an empty list means "no topic".
        scores: every topic id of the model → its score in [0, 1], in column order.
    """

    labels: list[str] = field(default_factory=list)
    scores: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"labels": list(self.labels), "scores": dict(self.scores)}

    def __contains__(self, topic_id: object) -> bool:
        return topic_id in self.labels


__all__ = ["Prediction"]
