"""The model's behaviour on labelled texts, which every adjusted estimator needs:
:class:`PrevalenceCalibration`, stored as ``prevalence.json`` in the model folder.

It holds the model's scores on the labelled texts (by default the corpus dev split, which no
model is trained on) and their gold labels, so the true and false positive rates can be read
at any threshold and the score distributions of positives and negatives are at hand. A model
folder without the file still works: :func:`calibration_for` scores the corpus dev split on the
fly (a second or so for the TF-IDF model) and keeps the result on the model object.

A few short texts are stored with their scores (``probe``): when the model no longer gives
those scores (retrained weights, another precision) the stored figures are stale and are
recomputed.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence

import numpy as np

from ..data.corpus import iter_corpus
from ..errors import DataError
from ..models.classifier import Threshold, TopicClassifier, write_prevalence
from .estimators import DevBehaviour

FORMAT = 1
SOURCE_CORPUS_DEV = "corpus:dev"
PROBE_TEXTS = 3
PROBE_TOLERANCE = 0.02
SCORE_DIGITS = 4


@dataclass
class PrevalenceCalibration:
    """Scores ``(n, k)`` of a model on ``n`` labelled texts and their 0/1 ``labels`` ``(n, k)``.

    Attributes:
        topics: column order (the model's topics).
        scores / labels: the model's scores and the gold labels.
        source: where the texts came from (``"corpus:dev"``).
        probe: ``[{"text": ..., "scores": [...]}]``, a few texts to check the scores still hold.
        created: Unix time of the fit.
    """

    topics: list[str]
    scores: np.ndarray
    labels: np.ndarray
    source: str = SOURCE_CORPUS_DEV
    probe: list[dict[str, Any]] = field(default_factory=list)
    created: float = 0.0
    _behaviour: dict[Any, Any] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        self.scores = np.asarray(self.scores, dtype=np.float64)
        self.labels = np.asarray(self.labels, dtype=np.int8)
        shape = (len(self.scores), len(self.topics))
        if self.scores.ndim != 2 or self.scores.shape != shape or self.labels.shape != shape:
            raise DataError(f"calibration scores {self.scores.shape} and labels {self.labels.shape} "
                            f"do not match {len(self.topics)} topics")

    @property
    def n(self) -> int:
        return len(self.scores)

    def behaviour(self, clf: TopicClassifier, threshold: Threshold = None) -> dict[str, DevBehaviour | None]:
        """Per topic, the model's scores and flags on the positives and negatives (flags as
        ``clf.decide`` makes them at ``threshold``); ``None`` for a topic without both.
        Kept per threshold, so that estimates over many groups reuse their fits."""
        key = tuple(clf.resolve_thresholds(threshold).tolist()) + (clf.multi_label,)
        if key not in self._behaviour:
            self._behaviour[key] = self._behaviour_at(clf, threshold)
        return self._behaviour[key]

    def _behaviour_at(self, clf: TopicClassifier, threshold: Threshold) -> dict[str, DevBehaviour | None]:
        flags = np.zeros(self.scores.shape, dtype=bool)
        col = {t: i for i, t in enumerate(self.topics)}
        for r, labs in enumerate(clf.decide(self.scores, threshold)):
            for t in labs:
                flags[r, col[t]] = True
        out: dict[str, DevBehaviour | None] = {}
        for i, topic in enumerate(self.topics):
            pos = self.labels[:, i] == 1
            if pos.all() or not pos.any():
                out[topic] = None
                continue
            out[topic] = DevBehaviour(self.scores[pos, i], self.scores[~pos, i], flags[pos, i], flags[~pos, i])
        return out

    def rates(self, clf: TopicClassifier, threshold: Threshold = None) -> dict[str, dict[str, float]]:
        """``{topic: {"tpr", "fpr", "positives", "negatives"}}`` at ``threshold``."""
        return {t: {"tpr": b.tpr, "fpr": b.fpr, "positives": len(b.pos_scores), "negatives": len(b.neg_scores)}
                for t, b in self.behaviour(clf, threshold).items() if b is not None}

    def to_dict(self) -> dict[str, Any]:
        return {"format": FORMAT, "source": self.source, "created": self.created, "topics": self.topics,
                "n": self.n, "scores": np.round(self.scores, SCORE_DIGITS).tolist(),
                "labels": self.labels.tolist(), "probe": self.probe}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "PrevalenceCalibration":
        if data.get("format") != FORMAT:
            raise DataError(f"prevalence figures of format {data.get('format')!r}; this version reads {FORMAT}")
        try:
            return cls(list(data["topics"]), np.array(data["scores"], dtype=np.float64).reshape(-1, len(data["topics"])),
                       np.array(data["labels"]).reshape(-1, len(data["topics"])), str(data.get("source", "")),
                       list(data.get("probe") or []), float(data.get("created") or 0.0))
        except (KeyError, TypeError, ValueError) as exc:
            raise DataError(f"corrupt prevalence figures ({exc})") from exc

    def matches(self, clf: TopicClassifier) -> bool:
        """Whether these figures belong to ``clf``: same topics, and the probe texts still get
        their stored scores."""
        if list(clf.labels) != self.topics:
            return False
        if not self.probe:
            return True
        got = clf.predict_proba([p["text"] for p in self.probe])
        want = np.array([p["scores"] for p in self.probe], dtype=np.float64)
        return got.shape == want.shape and bool(np.allclose(got, want, atol=PROBE_TOLERANCE))


def fit_calibration(clf: TopicClassifier, texts: Sequence[str] | None = None,
                    labels: Sequence[Sequence[str]] | None = None, source: str | None = None,
                    batch_size: int | None = None) -> PrevalenceCalibration:
    """Score labelled texts with ``clf`` (default: the corpus dev split).

    Raises:
        DataError: no labelled texts, or a model topic the texts never carry.
    """
    if texts is None:
        records = list(iter_corpus("dev"))
        texts, labels = [r["text"] for r in records], [r["labels"] for r in records]
        source = source or SOURCE_CORPUS_DEV
    texts = list(texts)
    if labels is None or len(labels) != len(texts):
        raise ValueError("give labels for every text")
    if not texts:
        raise DataError("no labelled texts to fit the prevalence figures on")
    topics = list(clf.labels)
    y = np.array([[int(t in labs) for t in topics] for labs in labels], dtype=np.int8)
    scores = clf.predict_proba(list(texts), batch_size=batch_size)
    order = np.argsort([len(t) for t in texts], kind="stable")
    probe = [{"text": texts[i], "scores": np.round(scores[i], SCORE_DIGITS).tolist()}
             for i in order[:PROBE_TEXTS] if texts[i].strip()]
    return PrevalenceCalibration(topics, np.round(scores, SCORE_DIGITS), y, source or "user data", probe, time.time())


def calibration_for(clf: TopicClassifier, fit_missing: bool = True) -> PrevalenceCalibration | None:
    """The model's figures: from its folder's ``prevalence.json`` when they still match the
    model, else fitted on the corpus dev split (kept on the model as ``clf.prevalence_``).
    ``None`` when they are missing and ``fit_missing`` is false, or the model's topics are not
    the corpus's."""
    if clf.prevalence_ is not None:
        try:
            cal = PrevalenceCalibration.from_dict(clf.prevalence_)
        except DataError:
            cal = None
        if cal is not None and cal.matches(clf):
            return cal
    if not fit_missing:
        return None
    records = list(iter_corpus("dev"))
    if not set(clf.labels) <= {t for r in records for t in r["labels"]}:
        return None
    cal = fit_calibration(clf, [r["text"] for r in records], [r["labels"] for r in records], SOURCE_CORPUS_DEV)
    clf.prevalence_ = cal.to_dict()
    return cal


def save_calibration(clf: TopicClassifier, folder: Any, calibration: PrevalenceCalibration) -> None:
    """Attach ``calibration`` to ``clf`` and write it into the model ``folder``."""
    from pathlib import Path

    clf.prevalence_ = calibration.to_dict()
    write_prevalence(Path(folder), clf.prevalence_)


__all__ = ["PrevalenceCalibration", "fit_calibration", "calibration_for", "save_calibration", "SOURCE_CORPUS_DEV"]
