"""Evaluating a topic classifier on labelled data: :func:`evaluate` → :class:`EvaluationReport`.

The report holds the gold labels, the model's scores and the thresholds, and derives
everything from them on demand: per-topic precision / recall / F1, micro / macro /
samples F1, exact match, per-topic confusion counts, label co-occurrence, calibration
(expected calibration error, reliability curves), a threshold sweep with the best
threshold per topic, and the misclassified texts. Every figure comes from
:mod:`sklearn.metrics` / :func:`sklearn.calibration.calibration_curve`; nothing is
re-implemented here. Plots live in :mod:`netral_nlp.evaluation.plots` (matplotlib, imported lazily).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Sequence

import numpy as np
from sklearn.calibration import calibration_curve
from sklearn.metrics import (
    accuracy_score,
    brier_score_loss,
    f1_score,
    multilabel_confusion_matrix,
    precision_recall_fscore_support,
)

from ._metrics import avg_for as _avg
from ._metrics import bin_counts as _bin_counts
from ._metrics import md_table as _md_table
from ._metrics import multilabel_inputs as _ml
from ..models.classifier import Threshold, TopicClassifier, as_text_list
from ..errors import DataError
from .plots import PlotsMixin
from ..labels.thresholds import DEFAULT_GRID, tune_thresholds

if TYPE_CHECKING:
    import pandas as pd

ERROR_KINDS = ("all", "fp", "fn")


@dataclass
class EvaluationReport(PlotsMixin):
    """Scores of one model on one labelled data set.

    Attributes:
        labels: topic ids (column order).
        texts: the evaluated texts.
        y_true: 0/1 matrix ``(n, k)`` of gold labels.
        proba: model scores ``(n, k)``.
        thresholds: the per-topic thresholds used to turn scores into labels.
        model_name / data_name: short descriptions used in titles and exports.
    """

    labels: list[str]
    texts: list[str]
    y_true: np.ndarray
    proba: np.ndarray
    thresholds: np.ndarray
    model_name: str = ""
    data_name: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.y_true = np.asarray(self.y_true).astype(int)
        self.proba = np.asarray(self.proba, dtype=np.float64)
        self.thresholds = np.broadcast_to(np.asarray(self.thresholds, dtype=np.float64), (len(self.labels),)).copy()
        expected = (len(self.texts), len(self.labels))
        if self.y_true.shape != expected or self.proba.shape != expected:
            raise ValueError(f"y_true {self.y_true.shape} and proba {self.proba.shape} must both have shape {expected}")

    @property
    def y_pred(self) -> np.ndarray:
        """0/1 matrix of predicted labels."""
        return (self.proba >= self.thresholds).astype(int)

    def _col(self, topic: str) -> int:
        try:
            return self.labels.index(topic)
        except ValueError:
            raise KeyError(f"unknown topic {topic!r}; this report has {self.labels}") from None

    # ------------------------------------------------------------------ headline metrics
    def per_topic(self) -> list[dict[str, Any]]:
        """One dict per topic: precision, recall, f1, support (gold positives), predicted."""
        k = len(self.labels)
        p, r, f, s = (v[:k] for v in precision_recall_fscore_support(*_ml(self.y_true, self.y_pred), zero_division=0.0))
        pred = self.y_pred.sum(axis=0)
        return [
            {"topic": t, "precision": float(p[j]), "recall": float(r[j]), "f1": float(f[j]),
             "support": int(s[j]), "predicted": int(pred[j])}
            for j, t in enumerate(self.labels)
        ]

    def _f1(self, average: str) -> float:
        return float(f1_score(*_ml(self.y_true, self.y_pred), average=_avg(average, self.y_true), zero_division=0.0))

    @property
    def micro_f1(self) -> float:
        return self._f1("micro")

    @property
    def macro_f1(self) -> float:
        return self._f1("macro")

    @property
    def samples_f1(self) -> float:
        """Per-text F1 averaged over texts (a text with no gold and no predicted topic counts 1)."""
        return float(f1_score(*_ml(self.y_true, self.y_pred), average="samples", zero_division=1.0))

    @property
    def exact_match(self) -> float:
        """Share of texts whose predicted label set equals the gold set."""
        return float(accuracy_score(*_ml(self.y_true, self.y_pred)))

    def summary(self) -> dict[str, float]:
        return {
            "n_texts": len(self.texts),
            "micro_f1": self.micro_f1,
            "macro_f1": self.macro_f1,
            "samples_f1": self.samples_f1,
            "exact_match": self.exact_match,
        }

    # ------------------------------------------------------------------ counts
    def confusion(self) -> "pd.DataFrame":
        """Per-topic confusion counts: DataFrame indexed by topic, columns ``tp, fp, fn, tn``
        (from :func:`sklearn.metrics.multilabel_confusion_matrix`)."""
        import pandas as pd

        mcm = multilabel_confusion_matrix(*_ml(self.y_true, self.y_pred))[: len(self.labels)]
        rows = {t: {"tp": int(m[1, 1]), "fp": int(m[0, 1]), "fn": int(m[1, 0]), "tn": int(m[0, 0])}
                for t, m in zip(self.labels, mcm)}
        return pd.DataFrame.from_dict(rows, orient="index")[["tp", "fp", "fn", "tn"]].rename_axis("topic")

    def cooccurrence(self, which: str = "gold") -> "pd.DataFrame":
        """Topic × topic counts of texts carrying both labels (diagonal: texts with the topic).

        Args:
            which: ``"gold"`` (the reference labels) or ``"predicted"``.
        """
        import pandas as pd

        if which not in ("gold", "predicted"):
            raise ValueError(f"which must be 'gold' or 'predicted', got {which!r}")
        y = self.y_true if which == "gold" else self.y_pred
        counts = y.T @ y
        return pd.DataFrame(counts.astype(int), index=self.labels, columns=self.labels).rename_axis(which)

    # ------------------------------------------------------------------ calibration
    def _scores_for(self, topic: str | None) -> tuple[np.ndarray, np.ndarray]:
        if topic is None:  # every (text, topic) cell pooled
            return self.y_true.ravel(), self.proba.ravel()
        j = self._col(topic)
        return self.y_true[:, j], self.proba[:, j]

    def reliability(self, topic: str | None = None, n_bins: int = 10, strategy: str = "uniform") -> "pd.DataFrame":
        """Reliability curve (:func:`sklearn.calibration.calibration_curve`) of one topic, or of
        all (text, topic) cells pooled when ``topic`` is ``None``.

        Returns a DataFrame with one row per non-empty bin: ``mean_predicted`` (mean score),
        ``fraction_positive`` (share of gold positives) and ``count`` (cells in the bin).
        """
        import pandas as pd

        y, p = self._scores_for(topic)
        frac_pos, mean_pred = calibration_curve(y, p, n_bins=n_bins, strategy=strategy)
        count = _bin_counts(p, n_bins, strategy)
        return pd.DataFrame({"mean_predicted": mean_pred, "fraction_positive": frac_pos, "count": count})

    def expected_calibration_error(self, topic: str | None = None, n_bins: int = 10, strategy: str = "uniform") -> float:
        """ECE: the count-weighted mean gap between :meth:`reliability`'s two columns."""
        curve = self.reliability(topic, n_bins=n_bins, strategy=strategy)
        if curve.empty:
            return 0.0
        gap = (curve["fraction_positive"] - curve["mean_predicted"]).abs()
        return float((gap * curve["count"]).sum() / curve["count"].sum())

    def calibration(self, n_bins: int = 10, strategy: str = "uniform") -> "pd.DataFrame":
        """Per-topic ``ece`` and ``brier`` score (plus an ``all`` row over every cell pooled)."""
        import pandas as pd

        rows = {}
        for topic in [*self.labels, None]:
            y, p = self._scores_for(topic)
            rows["all" if topic is None else topic] = {
                "ece": self.expected_calibration_error(topic, n_bins=n_bins, strategy=strategy),
                "brier": float(brier_score_loss(y, p, pos_label=1)) if len(y) else float("nan"),
                "positives": int(y.sum()),
            }
        return pd.DataFrame.from_dict(rows, orient="index").rename_axis("topic")

    # ------------------------------------------------------------------ thresholds
    def threshold_sweep(self, grid: Sequence[float] | None = None) -> "pd.DataFrame":
        """Precision, recall and F1 of every topic at each threshold of ``grid``.

        Returns a long DataFrame with columns ``topic, threshold, precision, recall, f1, predicted``.
        """
        import pandas as pd

        grid = np.asarray(DEFAULT_GRID if grid is None else grid, dtype=np.float64)
        k = len(self.labels)
        prec, rec, f1, npred = (np.zeros((k, len(grid))) for _ in range(4))
        for i, t in enumerate(grid):
            pred = (self.proba >= t).astype(int)
            scores = precision_recall_fscore_support(*_ml(self.y_true, pred), zero_division=0.0)
            prec[:, i], rec[:, i], f1[:, i] = (v[:k] for v in scores[:3])
            npred[:, i] = pred.sum(axis=0)
        return pd.DataFrame({"topic": np.repeat(self.labels, len(grid)), "threshold": np.tile(grid, k),
                             "precision": prec.ravel(), "recall": rec.ravel(), "f1": f1.ravel(),
                             "predicted": npred.ravel().astype(int)})

    def best_thresholds(self, grid: Sequence[float] | None = None) -> "pd.DataFrame":
        """For each topic, the current threshold and F1 next to the F1-best threshold on this data
        (chosen exactly as :func:`netral_nlp.tune_thresholds` does: ties go to the value nearest 0.5).

        Columns: ``threshold, f1, best_threshold, best_f1``. Tuning on the data you report on
        is optimistic: use the best thresholds of a dev set on a separate test set.
        """
        import pandas as pd

        grid = np.asarray(DEFAULT_GRID if grid is None else grid, dtype=np.float64)
        best = tune_thresholds(self.y_true, self.proba, grid=grid)
        k = len(self.labels)
        current_f1 = f1_score(*_ml(self.y_true, self.y_pred), average=None, zero_division=0.0)[:k]
        best_f1 = f1_score(*_ml(self.y_true, (self.proba >= best).astype(int)), average=None, zero_division=0.0)[:k]
        return pd.DataFrame(
            {"threshold": self.thresholds, "f1": current_f1, "best_threshold": best, "best_f1": best_f1},
            index=pd.Index(self.labels, name="topic"),
        )

    # ------------------------------------------------------------------ error analysis
    def errors(self, topic: str | None = None, kind: str = "all") -> "pd.DataFrame":
        """The misclassified texts with their scores, most confident mistakes first.

        Args:
            topic: only mistakes on this topic (default: a text counts when its predicted
                label set differs from the gold set).
            kind: ``"all"``, ``"fp"`` (a topic predicted but not gold) or ``"fn"`` (a gold
                topic missed).

        Returns a DataFrame indexed by the text's position in the evaluated data, with
        columns ``text, gold, predicted, missed, spurious, margin`` and one score column
        per topic. ``margin`` is the largest distance between a wrong cell's score and its
        threshold (how confidently the model erred).
        """
        import pandas as pd

        if kind not in ERROR_KINDS:
            raise ValueError(f"kind must be one of {ERROR_KINDS}, got {kind!r}")
        y, yp = self.y_true.astype(bool), self.y_pred.astype(bool)
        fp, fn = yp & ~y, y & ~yp
        if topic is not None:
            mask = np.zeros_like(fp)
            mask[:, self._col(topic)] = True
            fp, fn = fp & mask, fn & mask
        wrong = {"all": fp | fn, "fp": fp, "fn": fn}[kind]
        rows = np.flatnonzero(wrong.any(axis=1))
        margin = np.where(wrong, np.abs(self.proba - self.thresholds), 0.0).max(axis=1)
        names = np.array(self.labels, dtype=object)

        def pick(matrix: np.ndarray, i: int) -> list[str]:
            return list(names[matrix[i]])

        frame = pd.DataFrame(
            {
                "text": [self.texts[i] for i in rows],
                "gold": [pick(y, i) for i in rows],
                "predicted": [pick(yp, i) for i in rows],
                "missed": [pick(y & ~yp, i) for i in rows],
                "spurious": [pick(yp & ~y, i) for i in rows],
                "margin": margin[rows],
                **{t: self.proba[rows, j] for j, t in enumerate(self.labels)},
            },
            index=pd.Index(rows, name="row"),
        )
        return frame.sort_values("margin", ascending=False, kind="stable")

    # ------------------------------------------------------------------ export
    def to_dict(self) -> dict[str, Any]:
        conf = self.confusion()
        best = self.best_thresholds()
        cal = self.calibration()
        per_topic = self.per_topic()
        for row in per_topic:
            t = row["topic"]
            row.update({k: int(conf.at[t, k]) for k in ("tp", "fp", "fn", "tn")})
            row.update({"ece": float(cal.at[t, "ece"]), "best_threshold": float(best.at[t, "best_threshold"]),
                        "best_f1": float(best.at[t, "best_f1"]), "threshold": float(best.at[t, "threshold"])})
        return {"model": self.model_name, "data": self.data_name, "summary": self.summary(),
                "ece": float(cal.at["all", "ece"]), "per_topic": per_topic}

    def to_frame(self) -> "pd.DataFrame":
        """Per-topic table as a pandas DataFrame (index: topic), plus micro/macro/samples rows."""
        import pandas as pd

        rows = self.per_topic()
        for average in ("micro", "macro", "samples"):
            zero = 1.0 if average == "samples" else 0.0
            p, r, f, _ = precision_recall_fscore_support(*_ml(self.y_true, self.y_pred), average=_avg(average, self.y_true),
                                                         zero_division=zero)
            rows.append({"topic": f"{average} avg", "precision": float(p), "recall": float(r), "f1": float(f),
                         "support": int(self.y_true.sum()), "predicted": int(self.y_pred.sum())})
        return pd.DataFrame(rows).set_index("topic")

    def to_markdown(self, details: bool = False) -> str:
        """Markdown: the per-topic table and a summary line; ``details`` adds the confusion
        counts, calibration and best thresholds."""
        frame = self.to_frame()
        out = _md_table(["topic", "precision", "recall", "F1", "support"],
                        [[i, r.precision, r.recall, r.f1, int(r.support)] for i, r in frame.iterrows()])
        s = self.summary()
        out += (f"\n{s['n_texts']} texts · micro-F1 {s['micro_f1']:.3f} · macro-F1 {s['macro_f1']:.3f} · "
                f"samples-F1 {s['samples_f1']:.3f} · exact match {s['exact_match']:.3f}\n")
        if details:
            conf, cal, best = self.confusion(), self.calibration(), self.best_thresholds()
            rows = [[t, *conf.loc[t].tolist(), cal.at[t, "ece"], best.at[t, "threshold"], best.at[t, "f1"],
                     best.at[t, "best_threshold"], best.at[t, "best_f1"]] for t in self.labels]
            out += "\n" + _md_table(["topic", "TP", "FP", "FN", "TN", "ECE", "threshold", "F1", "best threshold",
                                     "F1 at best"], rows)
        return out


# ---------------------------------------------------------------------------- evaluate()
def evaluate(
    model: TopicClassifier | str,
    data: Any = "test",
    threshold: Threshold = None,
    batch_size: int | None = None,
    *,
    topics: Sequence[str] | None = None,
    text_column: str = "text",
    label_column: str | None = None,
    label_columns: Sequence[str] | None = None,
) -> EvaluationReport:
    """Evaluate ``model`` on labelled data.

    Args:
        model: any :class:`TopicClassifier`, or a name / folder for :func:`netral_nlp.load`.
        data: ``"train"`` / ``"dev"`` / ``"test"`` (a split of the project corpus, also
            ``"corpus:test"``), a ``(texts, label_lists)`` pair, a
            :class:`~netral_nlp.data.LabelledData`, a ``datasets.Dataset`` or pandas
            DataFrame, or a path to a .csv / .jsonl / .json / .parquet file. Tables and
            files are read by :func:`netral_nlp.data.load_labelled` (every label format it
            knows: a list column, a single-label column, one 0/1 column per topic).
        threshold: as in :meth:`TopicClassifier.predict`.
        topics: report only these topics (e.g. ``["hoaks"]`` for data labelled for one topic);
            a topic with neither gold nor predicted texts scores F1 0 and drags the macro average.
        text_column / label_column / label_columns: passed to ``load_labelled``.

    Raises:
        DataError: malformed data or a label the model does not know.
    """
    if isinstance(model, (str, os.PathLike)):
        from ..models.loading import load

        model_name = os.fspath(model)
        model = load(model)
    else:
        model_name = type(model).__name__
    texts, label_lists, name = _resolve_data(model, data, text_column, label_column, label_columns)
    if not texts:
        raise DataError(f"{name}: no texts to evaluate")
    y_true = model.taxonomy.binarize(label_lists).astype(int)
    proba = model.predict_proba(texts, batch_size=batch_size)
    th = model.resolve_thresholds(threshold)
    labels = list(model.labels)
    if topics is not None:
        unknown = [t for t in topics if t not in labels]
        if unknown or not topics:
            raise ValueError(f"topics must be a non-empty subset of the model's topics {labels}, got {list(topics)}")
        cols = [labels.index(t) for t in topics]
        labels, y_true, proba, th = list(topics), y_true[:, cols], proba[:, cols], th[cols]
    return EvaluationReport(labels=labels, texts=texts, y_true=y_true, proba=proba, thresholds=th,
                            model_name=model_name, data_name=name)


def _resolve_data(
    model: TopicClassifier, data: Any, text_column: str, label_column: str | None,
    label_columns: Sequence[str] | None,
) -> tuple[list[str], list[Sequence[str]], str]:
    from ..data.corpus import SPLITS
    from ..data.labelled import LabelledData, load_labelled

    if isinstance(data, LabelledData):
        return list(data.texts), list(data.labels), data.name
    if isinstance(data, tuple) and len(data) == 2:
        texts = as_text_list(data[0])
        label_lists = [[lab] if isinstance(lab, str) else list(lab) for lab in data[1]]
        if len(label_lists) != len(texts):
            raise DataError(f"(texts, labels) pair: {len(texts)} texts but {len(label_lists)} label rows")
        return texts, label_lists, "data"
    if isinstance(data, str) and data in SPLITS:
        data = f"corpus:{data}"
    if data is None or isinstance(data, (int, float, bytes)):
        raise TypeError("data must be a corpus split name, a (texts, labels) pair, a Dataset, a DataFrame "
                        f"or a file path, got {type(data).__name__}")
    loaded = load_labelled(data, text_column=text_column, label_column=label_column, label_columns=label_columns,
                           taxonomy=model.taxonomy)
    return loaded.texts, loaded.labels, loaded.name


__all__ = ["evaluate", "EvaluationReport", "ERROR_KINDS"]
