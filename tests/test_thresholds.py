"""``tune_thresholds`` (one precision-recall curve per topic) against the per-threshold loop it replaced."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import f1_score

from netral_nlp.labels.thresholds import DEFAULT_GRID, grid_f1, tune_thresholds


def loop_thresholds(y_true: np.ndarray, proba: np.ndarray, grid: np.ndarray = DEFAULT_GRID,
                    default: float = 0.5) -> np.ndarray:
    """The former implementation: one ``f1_score`` per grid value, ties to the value nearest ``default``."""
    out = np.full(y_true.shape[1], default, dtype=float)
    for j in range(y_true.shape[1]):
        if y_true[:, j].sum() == 0:
            continue
        f1s = np.array([f1_score(y_true[:, j], proba[:, j] >= t, zero_division=0.0) for t in grid])
        best = np.flatnonzero(np.isclose(f1s, f1s.max()))
        out[j] = float(grid[best[np.argmin(np.abs(grid[best] - default))]])
    return out


@pytest.mark.parametrize("seed", range(12))
def test_same_thresholds_as_the_loop_on_random_data(seed: int):
    rng = np.random.default_rng(seed)
    n, k = int(rng.integers(3, 120)), int(rng.integers(1, 4))
    y = (rng.random((n, k)) < rng.uniform(0.05, 0.6)).astype(int)
    proba = rng.random((n, k))
    if seed % 3 == 1:
        proba = np.round(proba, 2)  # scores on the grid: ties between scores and thresholds
    elif seed % 3 == 2:
        proba = np.round(proba, 1)  # few distinct scores: many equal F1 values (the tie rule decides)
    if seed % 8 == 0:
        y[:, 0] = 0  # a topic without positives keeps the default
    np.testing.assert_array_equal(tune_thresholds(y, proba), loop_thresholds(y, proba))


def test_grid_f1_equals_f1_score_at_each_threshold():
    rng = np.random.default_rng(1)
    y, scores = (rng.random(200) < 0.3).astype(int), np.round(rng.random(200), 2)
    expected = [f1_score(y, scores >= t, zero_division=0.0) for t in DEFAULT_GRID]
    np.testing.assert_allclose(grid_f1(y, scores, DEFAULT_GRID), expected, atol=1e-12)
    assert grid_f1(np.array([1, 0]), np.array([0.01, 0.02]), DEFAULT_GRID).max() == 0.0  # nothing predicted


def test_shape_mismatch_is_an_error():
    with pytest.raises(ValueError, match="equal 2-D shapes"):
        tune_thresholds(np.zeros((3, 2)), np.zeros((3, 1)))
