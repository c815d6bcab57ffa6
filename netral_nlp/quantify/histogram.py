"""The part of a dump that quantification needs, kept in bounded memory: :class:`ScoreHistogram`.

Per topic: the number of rows flagged, a histogram of the scores over fixed bins and the sum
of the scores in each bin (so a bin's mean score is exact). That is all that classify-and-count,
adjusted and probabilistic counts and EM need, and it resamples for a bootstrap. Histograms of
chunks merge by addition, so every engine (worker processes, Ray actors) and a resumed run
(through its checkpoint) add up to the same figures as one pass over the file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence

import numpy as np

from ..errors import DataError

N_BINS = 100
"""Score bins of width 0.01 on [0, 1]."""


@dataclass
class ScoreHistogram:
    """Score distribution and flag counts of a set of rows, per topic.

    Attributes:
        topics: topic ids (row order of ``counts``/``sums``/``flags``).
        rows: rows added.
        flags: ``(k,)`` rows that carry each topic (the raw flag count).
        counts: ``(k, n_bins)`` rows whose score for the topic falls in each bin.
        sums: ``(k, n_bins)`` sum of those scores.
    """

    topics: list[str]
    n_bins: int = N_BINS
    rows: int = 0
    flags: np.ndarray = field(default=None)  # type: ignore[assignment]
    counts: np.ndarray = field(default=None)  # type: ignore[assignment]
    sums: np.ndarray = field(default=None)  # type: ignore[assignment]

    def __post_init__(self) -> None:
        k = len(self.topics)
        self.topics = list(self.topics)
        self.flags = np.zeros(k, np.int64) if self.flags is None else np.asarray(self.flags, np.int64)
        self.counts = np.zeros((k, self.n_bins), np.int64) if self.counts is None else np.asarray(self.counts, np.int64)
        self.sums = np.zeros((k, self.n_bins), np.float64) if self.sums is None else np.asarray(self.sums, np.float64)
        if self.flags.shape != (k,) or self.counts.shape != (k, self.n_bins) or self.sums.shape != self.counts.shape:
            raise DataError(f"histogram arrays do not match {k} topics x {self.n_bins} bins")

    def add(self, scores: np.ndarray, flagged: np.ndarray) -> None:
        """Add rows: ``scores`` ``(n, k)`` in [0, 1] and ``flagged`` ``(n, k)`` booleans."""
        scores = np.asarray(scores, dtype=np.float64)
        if scores.size == 0:
            return
        k = len(self.topics)
        if scores.ndim != 2 or scores.shape[1] != k or np.shape(flagged) != scores.shape:
            raise ValueError(f"expected scores and flags of shape (n, {k}), got {scores.shape} and {np.shape(flagged)}")
        idx = np.clip((scores * self.n_bins).astype(np.int64), 0, self.n_bins - 1)
        flat = idx + (np.arange(k) * self.n_bins)[None, :]
        size = k * self.n_bins
        self.counts += np.bincount(flat.ravel(), minlength=size).reshape(k, self.n_bins)
        self.sums += np.bincount(flat.ravel(), weights=scores.ravel(), minlength=size).reshape(k, self.n_bins)
        self.flags += np.asarray(flagged, dtype=bool).sum(axis=0)
        self.rows += scores.shape[0]

    def add_labelled(self, scores: Sequence[Sequence[float]], labels: Sequence[Sequence[str]]) -> None:
        """Add rows given as score lists and label lists (the output of ``decide``)."""
        if not len(scores):
            return
        col = {t: i for i, t in enumerate(self.topics)}
        flagged = np.zeros((len(scores), len(self.topics)), dtype=bool)
        for r, labs in enumerate(labels):
            for t in labs:
                flagged[r, col[t]] = True
        self.add(np.asarray(scores, dtype=np.float64), flagged)

    def merge(self, other: "ScoreHistogram") -> "ScoreHistogram":
        """Add another histogram of the same topics and bins into this one (returns self)."""
        if other.topics != self.topics or other.n_bins != self.n_bins:
            raise ValueError("cannot merge histograms of different topics or bins")
        self.rows += other.rows
        self.flags += other.flags
        self.counts += other.counts
        self.sums += other.sums
        return self

    def topic(self, name: str) -> tuple[np.ndarray, np.ndarray, int]:
        """``(counts, bin mean scores, flags)`` of one topic (empty bins: the bin centre)."""
        i = self.topics.index(name)
        counts = self.counts[i]
        centres = (np.arange(self.n_bins) + 0.5) / self.n_bins
        means = np.divide(self.sums[i], counts, out=centres.copy(), where=counts > 0)
        return counts, means, int(self.flags[i])

    def to_dict(self) -> dict[str, Any]:
        """JSON-able form (a checkpoint stores it)."""
        return {"topics": self.topics, "n_bins": self.n_bins, "rows": self.rows, "flags": self.flags.tolist(),
                "counts": self.counts.tolist(), "sums": np.round(self.sums, 6).tolist()}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "ScoreHistogram":
        try:
            return cls(list(data["topics"]), int(data["n_bins"]), int(data["rows"]), np.array(data["flags"]),
                       np.array(data["counts"]), np.array(data["sums"]))
        except (KeyError, TypeError, ValueError) as exc:
            raise DataError(f"corrupt score histogram ({exc})") from exc


__all__ = ["ScoreHistogram", "N_BINS"]
