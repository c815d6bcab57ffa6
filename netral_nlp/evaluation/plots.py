"""Plots of an :class:`~netral_nlp.evaluation.EvaluationReport` (matplotlib, imported lazily).

Every function returns a :class:`matplotlib.figure.Figure` that is *not* left open in
pyplot's figure manager: a notebook shows it once (as the cell's value), a script saves
it with ``fig.savefig(...)``. The report's ``plot_*`` methods call these functions.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, Sequence

import numpy as np

from ..errors import MissingDependencyError

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.figure import Figure


class PlottableReport(Protocol):
    """What the plots read from a report (an :class:`~.report.EvaluationReport`)."""

    labels: list[str]
    model_name: str
    data_name: str

    @property
    def macro_f1(self) -> float: ...

    def _col(self, topic: str) -> int: ...

    def per_topic(self) -> list[dict[str, Any]]: ...

    def confusion(self) -> "pd.DataFrame": ...

    def cooccurrence(self, which: str = "gold") -> "pd.DataFrame": ...

    def reliability(self, topic: str | None = None, n_bins: int = 10, strategy: str = "uniform") -> "pd.DataFrame": ...

    def expected_calibration_error(self, topic: str | None = None, n_bins: int = 10,
                                   strategy: str = "uniform") -> float: ...

    def threshold_sweep(self, grid: Sequence[float] | None = None) -> "pd.DataFrame": ...

    def best_thresholds(self, grid: Sequence[float] | None = None) -> "pd.DataFrame": ...


def _pyplot() -> Any:
    try:
        import matplotlib.pyplot as plt
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise MissingDependencyError("plotting", "notebooks", "matplotlib") from exc
    return plt


def _done(fig: "Figure") -> "Figure":
    fig.tight_layout()
    _pyplot().close(fig)  # keep the figure, drop it from pyplot's manager (no double display)
    return fig


def _title(report: PlottableReport, what: str) -> str:
    where = " · ".join(x for x in (report.model_name, report.data_name) if x)
    return f"{what} ({where})" if where else what


def _grid(n: int, width: float = 3.4, height: float = 3.0, max_cols: int = 3) -> tuple["Figure", np.ndarray]:
    cols = min(max_cols, max(n, 1))
    rows = int(np.ceil(max(n, 1) / cols))
    fig, axes = _pyplot().subplots(rows, cols, figsize=(width * cols, height * rows), squeeze=False)
    for ax in axes.ravel()[n:]:
        ax.set_visible(False)
    return fig, axes.ravel()


def _check_topics(report: PlottableReport, topics: Sequence[str] | None) -> list[str]:
    topics = list(report.labels if topics is None else topics)
    for t in topics:
        report._col(t)  # raises KeyError naming the topic
    return topics


def plot_per_topic(report: PlottableReport) -> "Figure":
    """Grouped bars of precision, recall and F1 per topic."""
    plt = _pyplot()
    rows = report.per_topic()
    x = np.arange(len(rows))
    fig, ax = plt.subplots(figsize=(max(5.0, 1.5 * len(rows) + 2), 3.6))
    for k, (name, offset) in enumerate((("precision", -0.27), ("recall", 0.0), ("f1", 0.27))):
        values = [r[name] for r in rows]
        bars = ax.bar(x + offset, values, width=0.26, label=name, color=f"C{k}")
        ax.bar_label(bars, fmt="%.2f", fontsize=7, padding=1)
    ax.set_xticks(x, [f"{r['topic']}\n(n={r['support']})" for r in rows], fontsize=8)
    ax.set_ylim(0, 1.1)
    ax.set_ylabel("score")
    ax.legend(loc="lower right", fontsize=8)
    ax.set_title(_title(report, f"per topic · macro-F1 {report.macro_f1:.3f}"), fontsize=10)
    return _done(fig)


def plot_confusion(report: PlottableReport) -> "Figure":
    """One 2 × 2 confusion matrix per topic (rows: gold, columns: predicted)."""
    from sklearn.metrics import ConfusionMatrixDisplay

    conf = report.confusion()
    mcm = [np.array([[r.tn, r.fp], [r.fn, r.tp]]) for r in conf.itertuples()]
    fig, axes = _grid(len(report.labels), width=3.0, height=2.8)
    for ax, topic, matrix in zip(axes, report.labels, mcm):
        ConfusionMatrixDisplay(matrix, display_labels=["no", "yes"]).plot(ax=ax, colorbar=False, cmap="Blues",
                                                                          values_format="d")
        ax.set_title(topic, fontsize=9)
        ax.set_xlabel("predicted", fontsize=8)
        ax.set_ylabel("gold", fontsize=8)
    fig.suptitle(_title(report, "confusion per topic"), fontsize=10)
    return _done(fig)


def plot_cooccurrence(report: PlottableReport, which: str = "gold") -> "Figure":
    """Heat map of how often two topics are given to the same text (diagonal: topic totals)."""
    plt = _pyplot()
    counts = report.cooccurrence(which)
    k = len(report.labels)
    fig, ax = plt.subplots(figsize=(1.1 * k + 3, 0.9 * k + 2))
    im = ax.imshow(counts.to_numpy(), cmap="Oranges")
    ax.set_xticks(range(k), report.labels, rotation=35, ha="right", fontsize=8)
    ax.set_yticks(range(k), report.labels, fontsize=8)
    peak = max(int(counts.to_numpy().max()), 1)
    for i in range(k):
        for j in range(k):
            v = int(counts.iat[i, j])
            ax.text(j, i, str(v), ha="center", va="center", fontsize=8, color="white" if v > peak / 2 else "black")
    fig.colorbar(im, ax=ax, shrink=0.8)
    ax.set_title(_title(report, f"label co-occurrence ({which})"), fontsize=10)
    return _done(fig)


def plot_reliability(report: PlottableReport, topics: Sequence[str] | None = None, n_bins: int = 10) -> "Figure":
    """Reliability diagram: fraction of gold positives against mean score, per topic and pooled."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(5.2, 4.6))
    ax.plot([0, 1], [0, 1], ls="--", color="grey", lw=1, label="perfectly calibrated")
    for k, topic in enumerate([*_check_topics(report, topics), None]):
        curve = report.reliability(topic, n_bins=n_bins)
        ece = report.expected_calibration_error(topic, n_bins=n_bins)
        name = "all topics" if topic is None else topic
        style = {"color": "black", "lw": 2.2} if topic is None else {"color": f"C{k}", "lw": 1.2}
        ax.plot(curve["mean_predicted"], curve["fraction_positive"], marker="o", ms=3,
                label=f"{name} (ECE {ece:.3f})", **style)
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_xlabel("mean predicted score")
    ax.set_ylabel("fraction of gold positives")
    ax.legend(fontsize=7, loc="upper left")
    ax.set_title(_title(report, "reliability"), fontsize=10)
    return _done(fig)


def plot_threshold_sweep(report: PlottableReport, topics: Sequence[str] | None = None) -> "Figure":
    """Precision, recall and F1 against the threshold, one panel per topic; the dashed line
    marks the model's threshold, the dotted one the F1-best threshold on this data."""
    topics = _check_topics(report, topics)
    sweep = report.threshold_sweep()
    best = report.best_thresholds()
    fig, axes = _grid(len(topics))
    for ax, topic in zip(axes, topics):
        part = sweep[sweep["topic"] == topic]
        for k, name in enumerate(("precision", "recall", "f1")):
            ax.plot(part["threshold"], part[name], color=f"C{k}", lw=1.8 if name == "f1" else 1.0, label=name)
        ax.axvline(best.at[topic, "threshold"], color="black", ls="--", lw=1,
                   label=f"model {best.at[topic, 'threshold']:.2f} (F1 {best.at[topic, 'f1']:.2f})")
        ax.axvline(best.at[topic, "best_threshold"], color="C3", ls=":", lw=1.4,
                   label=f"best {best.at[topic, 'best_threshold']:.2f} (F1 {best.at[topic, 'best_f1']:.2f})")
        ax.set_ylim(0, 1.02)
        ax.set_title(topic, fontsize=9)
        ax.set_xlabel("threshold", fontsize=8)
        ax.legend(fontsize=6, loc="lower left")
    fig.suptitle(_title(report, "threshold sweep"), fontsize=10)
    return _done(fig)


class PlotsMixin:
    """The plotting methods of :class:`~netral_nlp.evaluation.EvaluationReport`."""

    def plot_per_topic(self) -> "Figure":
        """Grouped bars of precision, recall and F1 per topic."""
        return plot_per_topic(self)  # type: ignore[arg-type]

    def plot_confusion(self) -> "Figure":
        """One 2 × 2 confusion matrix per topic."""
        return plot_confusion(self)  # type: ignore[arg-type]

    def plot_cooccurrence(self, which: str = "gold") -> "Figure":
        """Heat map of topic co-occurrence (``"gold"`` or ``"predicted"``)."""
        return plot_cooccurrence(self, which=which)  # type: ignore[arg-type]

    def plot_reliability(self, topics: Sequence[str] | None = None, n_bins: int = 10) -> "Figure":
        """Reliability diagram per topic and pooled, with each curve's ECE."""
        return plot_reliability(self, topics=topics, n_bins=n_bins)  # type: ignore[arg-type]

    def plot_threshold_sweep(self, topics: Sequence[str] | None = None) -> "Figure":
        """Precision / recall / F1 against the threshold, one panel per topic."""
        return plot_threshold_sweep(self, topics=topics)  # type: ignore[arg-type]

    def save_plots(self, directory: str | os.PathLike[str], fmt: str = "png", dpi: int = 110) -> list[Path]:
        """Write every plot to ``directory`` (created if needed); returns the file paths."""
        return save_plots(self, directory, fmt=fmt, dpi=dpi)  # type: ignore[arg-type]


PLOTS = {
    "per_topic": plot_per_topic,
    "confusion": plot_confusion,
    "cooccurrence_gold": lambda r: plot_cooccurrence(r, "gold"),
    "cooccurrence_predicted": lambda r: plot_cooccurrence(r, "predicted"),
    "reliability": plot_reliability,
    "threshold_sweep": plot_threshold_sweep,
}
"""File stem → plotting function, the set written by :func:`save_plots`."""


def save_plots(report: PlottableReport, directory: str | os.PathLike[str], fmt: str = "png",
               dpi: int = 110) -> list[Path]:
    """Write every plot in :data:`PLOTS` to ``directory`` as ``<name>.<fmt>``; return the paths."""
    out_dir = Path(directory)
    if out_dir.exists() and not out_dir.is_dir():
        raise NotADirectoryError(f"{out_dir}: exists and is not a directory")
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, func in PLOTS.items():
        path = out_dir / f"{name}.{fmt}"
        func(report).savefig(path, dpi=dpi)
        paths.append(path)
    return paths


__all__ = ["PlotsMixin", "plot_per_topic", "plot_confusion", "plot_cooccurrence", "plot_reliability", "plot_threshold_sweep",
           "save_plots", "PLOTS"]
