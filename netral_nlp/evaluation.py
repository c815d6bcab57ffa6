"""Evaluating a topic classifier on labelled data: :func:`evaluate` → :class:`EvaluationReport`.

All figures come from :mod:`sklearn.metrics`; nothing is re-implemented here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Sequence

import numpy as np
from sklearn.metrics import accuracy_score, f1_score, precision_recall_fscore_support

from .classifier import Threshold, TopicClassifier, as_text_list

if TYPE_CHECKING:
    import pandas as pd


@dataclass
class EvaluationReport:
    """Scores of one model on one labelled data set.

    Attributes:
        labels: topic ids (column order).
        texts: the evaluated texts.
        y_true: 0/1 matrix ``(n, k)`` of gold labels.
        proba: model scores ``(n, k)``.
        thresholds: the per-topic thresholds used to turn scores into labels.
    """

    labels: list[str]
    texts: list[str]
    y_true: np.ndarray
    proba: np.ndarray
    thresholds: np.ndarray
    model_name: str = ""
    data_name: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def y_pred(self) -> np.ndarray:
        """0/1 matrix of predicted labels."""
        return (self.proba >= self.thresholds).astype(int)

    # ------------------------------------------------------------------ headline metrics
    def per_topic(self) -> list[dict[str, Any]]:
        """One dict per topic: precision, recall, f1, support (gold positives), predicted."""
        p, r, f, s = precision_recall_fscore_support(self.y_true, self.y_pred, zero_division=0.0)
        pred = self.y_pred.sum(axis=0)
        return [
            {"topic": t, "precision": float(p[j]), "recall": float(r[j]), "f1": float(f[j]),
             "support": int(s[j]), "predicted": int(pred[j])}
            for j, t in enumerate(self.labels)
        ]

    def _f1(self, average: str) -> float:
        return float(f1_score(self.y_true, self.y_pred, average=average, zero_division=0.0))

    @property
    def micro_f1(self) -> float:
        return self._f1("micro")

    @property
    def macro_f1(self) -> float:
        return self._f1("macro")

    @property
    def samples_f1(self) -> float:
        """Per-text F1 averaged over texts (a text with no gold and no predicted topic counts 1)."""
        return float(f1_score(self.y_true, self.y_pred, average="samples", zero_division=1.0))

    @property
    def exact_match(self) -> float:
        """Share of texts whose predicted label set equals the gold set."""
        return float(accuracy_score(self.y_true, self.y_pred))

    def summary(self) -> dict[str, float]:
        return {
            "n_texts": len(self.texts),
            "micro_f1": self.micro_f1,
            "macro_f1": self.macro_f1,
            "samples_f1": self.samples_f1,
            "exact_match": self.exact_match,
        }

    # ------------------------------------------------------------------ export
    def to_dict(self) -> dict[str, Any]:
        return {"model": self.model_name, "data": self.data_name, "summary": self.summary(),
                "per_topic": self.per_topic()}

    def to_frame(self) -> "pd.DataFrame":
        """Per-topic table as a pandas DataFrame (index: topic), plus micro/macro rows."""
        import pandas as pd

        rows = self.per_topic()
        p, r, f, _ = precision_recall_fscore_support(self.y_true, self.y_pred, average="micro", zero_division=0.0)
        rows.append({"topic": "micro avg", "precision": p, "recall": r, "f1": f,
                     "support": int(self.y_true.sum()), "predicted": int(self.y_pred.sum())})
        p, r, f, _ = precision_recall_fscore_support(self.y_true, self.y_pred, average="macro", zero_division=0.0)
        rows.append({"topic": "macro avg", "precision": p, "recall": r, "f1": f,
                     "support": int(self.y_true.sum()), "predicted": int(self.y_pred.sum())})
        return pd.DataFrame(rows).set_index("topic")

    def to_markdown(self) -> str:
        head = "| topic | precision | recall | F1 | support |\n|---|---:|---:|---:|---:|\n"
        body = "".join(
            f"| {idx} | {row.precision:.3f} | {row.recall:.3f} | {row.f1:.3f} | {int(row.support)} |\n"
            for idx, row in self.to_frame().iterrows()
        )
        s = self.summary()
        tail = (f"\n{s['n_texts']} texts · micro-F1 {s['micro_f1']:.3f} · macro-F1 {s['macro_f1']:.3f} · "
                f"samples-F1 {s['samples_f1']:.3f} · exact match {s['exact_match']:.3f}\n")
        return head + body + tail


def evaluate(
    model: TopicClassifier,
    data: Any = "test",
    threshold: Threshold = None,
    batch_size: int | None = None,
) -> EvaluationReport:
    """Evaluate ``model`` on labelled data.

    Args:
        model: any :class:`TopicClassifier`.
        data: ``"train"``/``"dev"``/``"test"`` (a split of the project corpus), a
            ``datasets.Dataset`` or pandas DataFrame with ``text`` and ``labels`` columns,
            or a ``(texts, label_lists)`` pair.
        threshold: as in :meth:`TopicClassifier.predict`.
    """
    texts, label_lists, name = _resolve_data(data)
    y_true = model.taxonomy.binarize(label_lists).astype(int)
    proba = model.predict_proba(texts, batch_size=batch_size)
    return EvaluationReport(
        labels=model.labels, texts=texts, y_true=y_true, proba=proba,
        thresholds=model.resolve_thresholds(threshold), model_name=type(model).__name__, data_name=name,
    )


def _resolve_data(data: Any) -> tuple[list[str], list[Sequence[str]], str]:
    if isinstance(data, str):
        from .corpus import iter_corpus

        recs = list(iter_corpus(data))
        return [r["text"] for r in recs], [r["labels"] for r in recs], f"corpus:{data}"
    if isinstance(data, tuple) and len(data) == 2:
        texts = as_text_list(data[0])
        return texts, list(data[1]), "data"
    if hasattr(data, "column_names") or hasattr(data, "columns"):
        return as_text_list(list(data["text"])), list(data["labels"]), "data"
    raise TypeError("data must be a corpus split name, a (texts, labels) pair, a Dataset or a DataFrame")


__all__ = ["evaluate", "EvaluationReport"]
