"""Choosing per-topic decision thresholds on held-out (dev) data."""

from __future__ import annotations

import numpy as np

DEFAULT_GRID = np.round(np.arange(0.05, 0.951, 0.01), 2)


def tune_thresholds(
    y_true: np.ndarray,
    proba: np.ndarray,
    grid: np.ndarray = DEFAULT_GRID,
    default: float = 0.5,
) -> np.ndarray:
    """Per-column threshold from ``grid`` that maximises F1 on ``(y_true, proba)``.

    Ties go to the threshold closest to ``default`` (more stable than the extremes).
    A column with no positive example keeps ``default``. The F1 of every grid value comes
    from one ``sklearn.metrics.precision_recall_curve`` per column (a grid value predicts
    what the smallest score at or above it predicts).

    Args:
        y_true: 0/1 matrix ``(n, k)``.
        proba: scores ``(n, k)``.
        grid: candidate thresholds.
    Returns:
        array of ``k`` thresholds.
    """
    y_true = np.asarray(y_true).astype(int)
    proba = np.asarray(proba, dtype=float)
    if y_true.shape != proba.shape or y_true.ndim != 2:
        raise ValueError(f"y_true {y_true.shape} and proba {proba.shape} must be equal 2-D shapes")
    grid = np.asarray(grid, dtype=float)
    out = np.full(y_true.shape[1], default, dtype=float)
    for j in range(y_true.shape[1]):
        if y_true[:, j].sum() == 0:
            continue
        f1s = grid_f1(y_true[:, j], proba[:, j], grid)
        best = np.flatnonzero(np.isclose(f1s, f1s.max()))
        out[j] = float(grid[best[np.argmin(np.abs(grid[best] - default))]])
    return out


def grid_f1(y: np.ndarray, scores: np.ndarray, grid: np.ndarray) -> np.ndarray:
    """F1 of ``scores >= t`` against ``y`` for every ``t`` in ``grid`` (0 where nothing is predicted)."""
    from sklearn.metrics import precision_recall_curve

    precision, recall, cuts = precision_recall_curve(y, scores)
    p, r = precision[:-1], recall[:-1]  # aligned with cuts (ascending distinct scores)
    f1 = np.divide(2 * p * r, p + r, out=np.zeros_like(p), where=(p + r) > 0)
    at = np.searchsorted(cuts, grid, side="left")  # first score >= t
    return np.where(at < len(cuts), f1[np.minimum(at, len(cuts) - 1)], 0.0)


__all__ = ["DEFAULT_GRID", "grid_f1", "tune_thresholds"]
