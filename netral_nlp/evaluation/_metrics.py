"""Small helpers of :mod:`netral_nlp.evaluation`: shaping inputs for scikit-learn's metrics,
the bin counts of ``calibration_curve``, and Markdown tables."""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np


def multilabel_inputs(y_true: np.ndarray, y_pred: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Label matrices as scikit-learn's multilabel-indicator input. A one-topic report
    (shape ``(n, 1)``) would be read as binary classes 0/1, so it gets an all-zero second
    column: that column has no TP/FP/FN and changes neither per-topic, micro nor samples
    figures (callers slice it off and use :func:`avg_for` for macro)."""
    if y_true.shape[1] == 1:
        pad = np.zeros_like(y_true)
        return np.hstack([y_true, pad]), np.hstack([y_pred, pad])
    return y_true, y_pred


def avg_for(average: str, y_true: np.ndarray) -> str:
    """With one topic the macro average is that topic's figure, i.e. the micro average."""
    return "micro" if average == "macro" and y_true.shape[1] == 1 else average


def bin_counts(p: np.ndarray, n_bins: int, strategy: str) -> np.ndarray:
    """Number of scores in each non-empty bin, with the exact binning of ``calibration_curve``."""
    if strategy == "quantile":
        bins = np.percentile(p, np.linspace(0, 1, n_bins + 1) * 100)
    else:
        bins = np.linspace(0.0, 1.0, n_bins + 1)
    total = np.bincount(np.searchsorted(bins[1:-1], p), minlength=n_bins)
    return total[total != 0]


def md_table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    def fmt(v: Any) -> str:
        return f"{v:.3f}" if isinstance(v, (float, np.floating)) else str(v)

    head = "| " + " | ".join(headers) + " |\n|---|" + "---:|" * (len(headers) - 1) + "\n"
    return head + "".join("| " + " | ".join(fmt(v) for v in row) + " |\n" for row in rows)


__all__ = ["multilabel_inputs", "avg_for", "bin_counts", "md_table"]
