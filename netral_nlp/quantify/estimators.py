"""Prevalence estimators for one topic, with bootstrap intervals (pure numpy).

A dump is seen through its :class:`~.histogram.ScoreHistogram` row for the topic (flag count,
score bins with their mean score); the model's behaviour through its scores and flags on
labelled texts where the truth is known (:class:`DevBehaviour`, the corpus dev split).

* ``cc``: classify and count, the share of flagged rows. Biased whenever the dump's base
  rate differs from the training data's: at a 1 % base rate a 5 % false-positive rate
  alone makes it read about 6 %.
* ``acc``: adjusted classify and count (Forman 2008), ``(cc - fpr) / (tpr - fpr)``.
* ``pacc``: probabilistic ACC (Bella et al. 2010): the same with mean scores in place of flags.
* ``em``: the EM prior adjustment of Saerens, Latinne and Decaestecker (2002) on scores
  recalibrated to the labelled texts by Platt scaling (as Alexandari et al. 2020 recommend).

These are the formulas of ``quapy`` (``quapy.functional.solve_adjustment_binary``,
``quapy.method.aggregative.EMQ.EM``; tests/test_prevalence.py checks that both give the
same numbers). quapy is not used at run time: its estimators take one score per item, not the
weighted score bins of a streamed dump, and ``import quapy`` loads torch and matplotlib.

The interval is a percentile bootstrap over both the dump and the labelled texts: with a large
dump the uncertainty of the model's error rates dominates. PACC and EM resample the dump's score
bins and the labelled positives and negatives (separately, as weights on their score levels); CC and ACC draw the flag share and
the true / false positive rates from their Jeffreys posteriors, which stay honest when a count
is 0. It cannot see a shift between the labelled
texts and the dump (a model that misreads a new kind of text): see benchmarks/bench_prevalence.py
for the errors measured on real posts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np

METHODS = ("cc", "acc", "pacc", "em")
DEFAULT_METHOD = "em"
EM_MAX_ITER = 1000
EM_TOL = 1e-6
_EPS = 1e-6


@dataclass
class DevBehaviour:
    """The model on labelled texts for one topic: scores and flags of positives and negatives."""

    pos_scores: np.ndarray
    neg_scores: np.ndarray
    pos_flags: np.ndarray
    neg_flags: np.ndarray
    cache: dict[Any, Any] = field(default_factory=dict, repr=False, compare=False)
    """Platt fits by (replicates, seed): the same for every set of rows estimated with them."""

    def __post_init__(self) -> None:
        self.pos_scores = np.asarray(self.pos_scores, dtype=np.float64)
        self.neg_scores = np.asarray(self.neg_scores, dtype=np.float64)
        self.pos_flags = np.asarray(self.pos_flags, dtype=bool)
        self.neg_flags = np.asarray(self.neg_flags, dtype=bool)
        if not len(self.pos_scores) or not len(self.neg_scores):
            raise ValueError("the labelled texts need at least one positive and one negative for the topic")
        self.levels, self.pos_counts, self.neg_counts, self.level_logits = _levels(self.pos_scores, self.neg_scores)

    @property
    def tpr(self) -> float:
        return float(self.pos_flags.mean())

    @property
    def fpr(self) -> float:
        return float(self.neg_flags.mean())

    def memo(self, key: Any, compute: Callable[[], Any]) -> Any:
        if key not in self.cache:
            self.cache[key] = compute()
        return self.cache[key]


LEVEL_STEP = 0.05
"""Dev scores are grouped by their logit in steps of this size (each group keeps its exact mean
score and logit): the bootstrap then resamples a few hundred weighted levels, not every text."""


def _levels(pos: np.ndarray, neg: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """``(mean score, positives, negatives, mean logit)`` per level of the dev scores."""
    scores = np.concatenate([pos, neg])
    x = logit(scores)
    keys, inverse = np.unique(np.round(x / LEVEL_STEP).astype(np.int64), return_inverse=True)
    n = len(keys)
    is_pos = np.concatenate([np.ones(len(pos), bool), np.zeros(len(neg), bool)])
    pos_counts = np.bincount(inverse[is_pos], minlength=n)
    neg_counts = np.bincount(inverse[~is_pos], minlength=n)
    total = pos_counts + neg_counts
    return (np.bincount(inverse, weights=scores, minlength=n) / total, pos_counts, neg_counts,
            np.bincount(inverse, weights=x, minlength=n) / total)


def check_method(method: str) -> str:
    if method not in METHODS:
        raise ValueError(f"unknown prevalence method {method!r}; choose one of {list(METHODS)}")
    return method


def estimate_topic(method: str, counts: np.ndarray, means: np.ndarray, flags: int, dev: DevBehaviour | None,
                   n_boot: int = 500, seed: int = 0, level: float = 0.95) -> tuple[float, float, float]:
    """``(estimate, low, high)`` of the topic's share of the rows behind ``counts``.

    Args:
        counts / means: rows per score bin and their mean score (:meth:`ScoreHistogram.topic`).
        flags: rows flagged with the topic.
        dev: the model's behaviour on labelled texts (needed by every method but ``cc``).
        n_boot: bootstrap replicates (0: no interval, ``low = high = estimate``).
    """
    check_method(method)
    counts = np.asarray(counts, dtype=np.int64)
    n = int(counts.sum())
    if n == 0:
        raise ValueError("no rows to estimate a share from")
    if method != "cc" and dev is None:
        raise ValueError(f"method {method!r} needs the model's behaviour on labelled texts")
    point = float(_estimate(method, counts[None, :], means, np.array([flags]), dev, None, None, None)[0])
    if n_boot <= 0:
        return point, point, point
    if method in ("cc", "acc"):
        reps = _rates_replicates(method, n, flags, dev, n_boot, np.random.default_rng(seed))
    else:
        assert dev is not None
        dev_rng, dump_rng = np.random.default_rng([seed, 1]), np.random.default_rng([seed, 2])
        n_pos, n_neg = int(dev.pos_counts.sum()), int(dev.neg_counts.sum())
        pos_w = dev_rng.multinomial(n_pos, dev.pos_counts / n_pos, size=n_boot)
        neg_w = dev_rng.multinomial(n_neg, dev.neg_counts / n_neg, size=n_boot)
        boot_counts = dump_rng.multinomial(n, counts / n, size=n_boot)
        reps = _estimate(method, boot_counts, means, np.zeros(n_boot), dev, pos_w, neg_w, (n_boot, seed))
    tail = (1 - level) / 2 * 100
    low, high = np.percentile(reps, [tail, 100 - tail])
    return point, float(min(low, point)), float(max(high, point))


def _rates_replicates(method: str, n: int, flags: int, dev: DevBehaviour | None, n_boot: int,
                      rng: np.random.Generator) -> np.ndarray:
    """Replicates of CC / ACC: the flag share and the error rates drawn from their Jeffreys
    posteriors ``Beta(k + 1/2, n - k + 1/2)``, which stay honest when a count is 0 (a plain
    resample of 0 false positives in the dev texts would always give 0)."""
    share = rng.beta(flags + 0.5, n - flags + 0.5, size=n_boot)
    if method == "cc":
        return share
    assert dev is not None
    tp, npos = int(dev.pos_flags.sum()), len(dev.pos_flags)
    fp, nneg = int(dev.neg_flags.sum()), len(dev.neg_flags)
    tpr = rng.beta(tp + 0.5, npos - tp + 0.5, size=n_boot)
    fpr = rng.beta(fp + 0.5, nneg - fp + 0.5, size=n_boot)
    return adjust(share, tpr, fpr)


def _estimate(method: str, counts: np.ndarray, means: np.ndarray, flags: np.ndarray, dev: DevBehaviour | None,
              pos_w: np.ndarray | None, neg_w: np.ndarray | None, key: Any) -> np.ndarray:
    """Estimates for ``R`` replicates: ``counts`` ``(R, B)``, ``flags`` ``(R,)``; the dev texts
    reweighted by ``pos_w``/``neg_w`` ``(R, levels)`` (``None``: as they are), ``key`` names
    that resample (its Platt fits are reused)."""
    n = counts.sum(axis=1).astype(np.float64)
    if method == "cc":
        return flags / n
    assert dev is not None
    if method == "acc":
        return adjust(flags / n, np.array([dev.tpr]), np.array([dev.fpr]))
    pos_w = dev.pos_counts[None, :] if pos_w is None else pos_w
    neg_w = dev.neg_counts[None, :] if neg_w is None else neg_w
    n_pos, n_neg = pos_w.sum(axis=1), neg_w.sum(axis=1)
    if method == "pacc":
        return adjust(counts @ means / n, pos_w @ dev.levels / n_pos, neg_w @ dev.levels / n_neg)
    a, b = dev.memo(("platt", key), lambda: platt_fit(dev.level_logits, pos_w, neg_w))
    posteriors = sigmoid(a[:, None] * logit(means)[None, :] + b[:, None])
    prior = float(n_pos[0] / (n_pos[0] + n_neg[0]))
    return em_prior(posteriors, counts, prior)


def adjust(observed: np.ndarray, tpr: np.ndarray, fpr: np.ndarray) -> np.ndarray:
    """``(observed - fpr) / (tpr - fpr)`` clipped to [0, 1] (quapy's ``solve_adjustment_binary``)."""
    den = np.asarray(tpr - fpr, dtype=np.float64)
    den = np.where(den == 0, 1e-8, den)
    return np.clip((observed - fpr) / den, 0.0, 1.0)


def logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(np.asarray(p, dtype=np.float64), _EPS, 1 - _EPS)
    return np.log(p / (1 - p))


def sigmoid(z: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * z))


def platt_fit(x: np.ndarray, pos_w: np.ndarray, neg_w: np.ndarray, iters: int = 50,
              l2: float = 1e-4) -> tuple[np.ndarray, np.ndarray]:
    """Platt scaling ``P(y=1 | x) = sigmoid(a x + b)`` on points ``x`` ``(L,)`` carrying
    ``pos_w`` positives and ``neg_w`` negatives each, for every row of the weights ``(R, L)``
    at once (Newton's method on the log-likelihood, a tiny L2 penalty on ``a``). Written out
    because a bootstrap needs hundreds of these 2-parameter fits."""
    x = np.asarray(x, dtype=np.float64)[None, :]
    pos_w, neg_w = np.atleast_2d(pos_w).astype(np.float64), np.atleast_2d(neg_w).astype(np.float64)
    total = pos_w + neg_w
    a, b = np.ones(len(total)), np.zeros(len(total))
    for _ in range(iters):
        p = sigmoid(a[:, None] * x + b[:, None])
        r, w = pos_w - total * p, total * p * (1 - p)
        ga, gb = (r * x).sum(axis=1) - l2 * a, r.sum(axis=1)
        haa, hab, hbb = (w * x * x).sum(axis=1) + l2, (w * x).sum(axis=1), w.sum(axis=1) + 1e-12
        det = haa * hbb - hab * hab
        da, db = (hbb * ga - hab * gb) / det, (haa * gb - hab * ga) / det
        a, b = a + da, b + db
        if np.max(np.abs(da)) < 1e-6 and np.max(np.abs(db)) < 1e-6:
            break
    return a, b


def em_prior(posteriors: np.ndarray, counts: np.ndarray, prior: float) -> np.ndarray:
    """Saerens-Latinne-Decaestecker EM for ``R`` weighted sets: ``posteriors`` ``(R, B)`` (or
    ``(1, B)``) of a positive under the training ``prior``, ``counts`` ``(R, B)`` weights.
    Returns the estimated positive share of each set (quapy's ``EMQ.EM``, binary, weighted)."""
    prior = float(np.clip(prior, _EPS, 1 - _EPS))
    n = counts.sum(axis=1)
    q = np.full(len(counts), prior)
    post = np.broadcast_to(posteriors, counts.shape)
    for _ in range(EM_MAX_ITER):
        up = (q / prior)[:, None] * post
        down = ((1 - q) / (1 - prior))[:, None] * (1 - post)
        new = (counts * up / np.maximum(up + down, 1e-300)).sum(axis=1) / n
        done = np.max(np.abs(new - q)) < EM_TOL
        q = new
        if done:
            break
    return q


__all__ = ["METHODS", "DEFAULT_METHOD", "DevBehaviour", "estimate_topic", "adjust", "platt_fit", "em_prior",
           "check_method"]
