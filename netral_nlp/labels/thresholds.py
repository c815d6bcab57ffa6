"""Choosing per-topic decision thresholds on held-out (dev) data."""

from __future__ import annotations

import numpy as np
from sklearn.metrics import f1_score

DEFAULT_GRID = np.round(np.arange(0.05, 0.951, 0.01), 2)


def tune_thresholds(
    y_true: np.ndarray,
    proba: np.ndarray,
    grid: np.ndarray = DEFAULT_GRID,
    default: float = 0.5,
) -> np.ndarray:
    """Per-column threshold that maximises F1 on ``(y_true, proba)``.

    Ties go to the threshold closest to ``default`` (more stable than the extremes).
    A column with no positive example keeps ``default``.

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
    out = np.full(y_true.shape[1], default, dtype=float)
    for j in range(y_true.shape[1]):
        if y_true[:, j].sum() == 0:
            continue
        f1s = np.array(
            [f1_score(y_true[:, j], proba[:, j] >= t, zero_division=0.0) for t in grid]
        )
        best = np.flatnonzero(np.isclose(f1s, f1s.max()))
        out[j] = float(grid[best[np.argmin(np.abs(grid[best] - default))]])
    return out


__all__ = ["tune_thresholds", "DEFAULT_GRID"]
