"""Which texts to label next: the scoring and selection behind :func:`~netral_nlp.suggest`.

The method (pure functions on score matrices and feature matrices, no I/O):

1. **Uncertainty per topic** (:func:`uncertainty`): how close a score is to the topic's
   decision threshold, in log-odds: ``u = exp(-|logit(p) - logit(threshold)|)``, 1 on the
   threshold, 0.5 one log-odds unit (ln 2) away. Measuring in log-odds makes topics with
   thresholds of 0.26 and 0.56 comparable. For a single-label (softmax) model it is
   ``1 - |p_t - max of the other scores|``.
2. **Rarer topics weigh more** (:func:`topic_weights`): weight ``sqrt(r_max / r_t)`` for a
   topic flagged in a share ``r_t`` of the input, clipped to ``[1, 4]``: a topic the model
   flags in 1 % of a dump where another is flagged in 16 % counts 4× as much, because
   random labelling would rarely meet it. A post's priority is ``max_t w_t · u_t``.
3. **Diversity** (:func:`diverse_pick`): among the ``pool_factor × n`` most uncertain
   texts, a k-means with ``n`` clusters weighted by priority on the model's features
   (TF-IDF, reduced to at most 100 dimensions by truncated SVD), and the text nearest each
   centre: the weighted-clustering variant of Zhdanov (2019), "Diverse mini-batch Active
   Learning", which avoids spending labels on fifty near-copies of one borderline post.

small-text (the maintained active-learning library) was considered: its uncertainty
strategies call a classifier wrapper and assume one softmax over classes, not per-topic
thresholds on precomputed scores, and importing it loads torch and transformers. The
clustering and SVD here are scikit-learn's.
"""

from __future__ import annotations

import warnings
from typing import Sequence

import numpy as np
import scipy.sparse as sp

WEIGHT_CAP = 4.0
SVD_DIMENSIONS = 100
GRAM_ROWS = 4000
_EPS = 1e-6


def uncertainty(proba: np.ndarray, thresholds: np.ndarray, multi_label: bool = True) -> np.ndarray:
    """Per-topic closeness to the decision boundary, in ``(0, 1]``, shape of ``proba``."""
    p = np.clip(np.asarray(proba, dtype=np.float64), _EPS, 1 - _EPS)
    if not multi_label:
        other = np.empty_like(p)
        for j in range(p.shape[1]):
            other[:, j] = np.delete(p, j, axis=1).max(axis=1) if p.shape[1] > 1 else 0.0
        return 1.0 - np.abs(p - other)
    th = np.clip(np.asarray(thresholds, dtype=np.float64), _EPS, 1 - _EPS)
    return np.exp(-np.abs(_logit(p) - _logit(th)))


def _logit(p: np.ndarray) -> np.ndarray:
    return np.log(p) - np.log1p(-p)


def topic_weights(flags: np.ndarray, n: int, cap: float = WEIGHT_CAP) -> np.ndarray:
    """``sqrt(r_max / r_t)`` clipped to ``[1, cap]``, with ``r_t = (flags_t + 1) / (n + 2)``."""
    rate = (np.asarray(flags, dtype=np.float64) + 1.0) / (n + 2.0)
    return np.clip(np.sqrt(rate.max() / rate), 1.0, cap)


def priority(u: np.ndarray, weights: np.ndarray, focus: np.ndarray) -> np.ndarray:
    """``max_t w_t u_t`` over the focus topics (a boolean mask)."""
    return (u[:, focus] * weights[focus]).max(axis=1)


def near_topics(u: np.ndarray, weights: np.ndarray, focus: np.ndarray, labels: Sequence[str]) -> list[list[str]]:
    """Per row, the focus topics it is uncertain about: the top one by ``w_t u_t``, and any
    other with ``u >= 0.5`` (within ln 2 log-odds of its threshold), most urgent first."""
    ids = np.flatnonzero(focus)
    out = []
    for row in u[:, ids]:
        order = np.argsort(-(row * weights[ids]), kind="stable")
        keep = [order[0]] + [j for j in order[1:] if row[j] >= 0.5]
        out.append([labels[ids[j]] for j in keep])
    return out


def diverse_pick(features: sp.spmatrix | np.ndarray, prio: np.ndarray, n: int, seed: int = 0) -> np.ndarray:
    """Indices of ``n`` rows: one per cluster of a priority-weighted k-means (nearest the
    centre), most urgent first. All rows when there are no more than ``n``."""
    from sklearn.cluster import KMeans
    from sklearn.exceptions import ConvergenceWarning

    prio = np.asarray(prio, dtype=np.float64)
    m = len(prio)
    if m <= n:
        return np.argsort(-prio, kind="stable")
    X = _reduce(features, seed)
    with warnings.catch_warnings():  # fewer distinct rows than clusters: empty clusters are filled below
        warnings.simplefilter("ignore", ConvergenceWarning)
        km = KMeans(n_clusters=n, n_init=1, random_state=seed).fit(X, sample_weight=np.maximum(prio, _EPS))
    dist = np.linalg.norm(X - km.cluster_centers_[km.labels_], axis=1)
    picked = []
    for c in range(n):
        members = np.flatnonzero(km.labels_ == c)
        if len(members):
            picked.append(members[np.argmin(dist[members])])
    if len(picked) < n:  # empty clusters: fill with the most urgent rows left
        rest = [i for i in np.argsort(-prio, kind="stable") if i not in set(picked)]
        picked.extend(rest[: n - len(picked)])
    picked = np.asarray(picked)
    return picked[np.argsort(-prio[picked], kind="stable")]


def _reduce(features: sp.spmatrix | np.ndarray, seed: int) -> np.ndarray:
    """Rows L2-normalised, projected on their top principal directions (uncentred, at most
    :data:`SVD_DIMENSIONS`), normalised again: cosine geometry in a few dense dimensions.

    Up to :data:`GRAM_ROWS` rows this is exact, from the eigenvectors of the rows' Gram
    matrix (fast for a few thousand rows); beyond, scikit-learn's randomized truncated SVD.
    """
    from sklearn.decomposition import TruncatedSVD
    from sklearn.preprocessing import normalize

    X = normalize(sp.csr_matrix(features) if sp.issparse(features) else np.asarray(features, dtype=np.float64))
    if X.shape[0] <= GRAM_ROWS:
        gram = X @ X.T
        values, vectors = np.linalg.eigh(gram.toarray() if sp.issparse(gram) else gram)
        keep = np.argsort(-values)[:SVD_DIMENSIONS]
        keep = keep[values[keep] > 1e-9]
        Z = vectors[:, keep] * np.sqrt(values[keep]) if len(keep) else np.ones((X.shape[0], 1))
    else:
        Z = TruncatedSVD(min(SVD_DIMENSIONS, X.shape[1] - 1), random_state=seed).fit_transform(X)
    return normalize(np.asarray(Z, dtype=np.float64))


__all__ = ["uncertainty", "topic_weights", "priority", "near_topics", "diverse_pick", "WEIGHT_CAP"]
