"""Choosing per-topic decision thresholds on held-out (dev) data."""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.metrics import f1_score

DEFAULT_GRID = np.round(np.arange(0.05, 0.951, 0.01), 2)


def tune_thresholds(
    y_true: np.ndarray,
    proba: np.ndarray,
    grid: np.ndarray = DEFAULT_GRID,
    default: float = 0.5,
    sample_weight: Any = None,
) -> np.ndarray:
    """Per-column threshold that maximises F1 on ``(y_true, proba)``.

    Ties go to the threshold closest to ``default`` (more stable than the extremes).
    A column with no positive example keeps ``default``.

    Args:
        y_true: 0/1 matrix ``(n, k)``.
        proba: scores ``(n, k)``.
        grid: candidate thresholds.
        sample_weight: optional weights ``(n,)`` or ``(n, k)`` (weighted F1); rows weighted
            0 in a column do not count for that column (their label is unknown there).
    Returns:
        array of ``k`` thresholds.
    """
    y_true = np.asarray(y_true).astype(int)
    proba = np.asarray(proba, dtype=float)
    if y_true.shape != proba.shape or y_true.ndim != 2:
        raise ValueError(f"y_true {y_true.shape} and proba {proba.shape} must be equal 2-D shapes")
    weights = _column_weights(sample_weight, y_true.shape)
    out = np.full(y_true.shape[1], default, dtype=float)
    for j in range(y_true.shape[1]):
        w = None if weights is None else weights[:, j]
        keep = slice(None) if w is None else w > 0
        y, p, w = y_true[keep, j], proba[keep, j], None if w is None else w[keep]
        if y.sum() == 0:
            continue
        f1s = np.array([f1_score(y, p >= t, sample_weight=w, zero_division=0.0) for t in grid])
        best = np.flatnonzero(np.isclose(f1s, f1s.max()))
        out[j] = float(grid[best[np.argmin(np.abs(grid[best] - default))]])
    return out


def _column_weights(sample_weight: Any, shape: tuple[int, int]) -> np.ndarray | None:
    if sample_weight is None:
        return None
    w = np.asarray(sample_weight, dtype=float)
    if w.ndim == 1 and len(w) == shape[0]:
        w = np.repeat(w[:, None], shape[1], axis=1)
    if w.shape != shape or (w < 0).any():
        raise ValueError(f"sample_weight must be non-negative, of shape ({shape[0]},) or {shape}; got {w.shape}")
    return w


__all__ = ["tune_thresholds", "DEFAULT_GRID"]
