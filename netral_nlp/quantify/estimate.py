"""Per-topic shares of a set of rows with their intervals: :func:`estimate_shares` →
:class:`PrevalenceEstimate` (one :class:`TopicShare` per topic)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Mapping

from ..models.classifier import Threshold, TopicClassifier
from .calibration import PrevalenceCalibration, calibration_for
from .estimators import DEFAULT_METHOD, check_method, estimate_topic
from .histogram import ScoreHistogram

DEFAULT_BOOTSTRAP = 500


@dataclass
class TopicShare:
    """One topic: the raw flag count and the estimated share with its interval.

    Attributes:
        flagged / flagged_share: rows the model labelled with the topic, and their share.
        share / low / high: the estimated share of rows about the topic and its interval
            (``None`` when it could not be estimated; ``note`` says why).
    """

    topic: str
    flagged: int
    flagged_share: float | None
    share: float | None
    low: float | None
    high: float | None
    note: str = ""


@dataclass
class PrevalenceEstimate:
    """What :func:`netral_nlp.estimate_prevalence` returns.

    Attributes:
        method: ``"cc"``, ``"acc"``, ``"pacc"`` or ``"em"``.
        rows: rows the shares are of.
        topics: one :class:`TopicShare` per topic, in the model's order.
        level: coverage of the intervals (0.95).
        calibration: the labelled texts the model's error rates come from.
        skipped: input rows left out (no usable text).
    """

    method: str
    rows: int
    topics: list[TopicShare]
    level: float = 0.95
    calibration: str = ""
    skipped: int = 0

    def __getitem__(self, topic: str) -> TopicShare:
        for share in self.topics:
            if share.topic == topic:
                return share
        raise KeyError(topic)

    def to_dict(self) -> dict[str, Any]:
        return {"method": self.method, "rows": self.rows, "level": self.level, "calibration": self.calibration,
                "skipped": self.skipped, "topics": [asdict(t) for t in self.topics]}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "PrevalenceEstimate":
        return cls(data["method"], int(data["rows"]), [TopicShare(**t) for t in data["topics"]],
                   float(data.get("level", 0.95)), str(data.get("calibration", "")), int(data.get("skipped", 0)))

    def __str__(self) -> str:
        skipped = f", {self.skipped:,} rows without text skipped" if self.skipped else ""
        lines = [f"{self.rows:,} rows{skipped}, method {self.method}, {self.level:.0%} intervals ({self.calibration})"]
        for t in self.topics:
            flagged = f"{t.flagged:,} flagged" + (f" ({t.flagged_share:.2%})" if t.flagged_share is not None else "")
            est = (f"{t.share:.2%} [{t.low:.2%}, {t.high:.2%}]" if t.share is not None and t.low is not None
                   and t.high is not None else f"n/a ({t.note})")
            lines.append(f"  {t.topic:<24} {est:<28} {flagged}")
        return "\n".join(lines)


def estimate_shares(hist: ScoreHistogram, clf: TopicClassifier, method: str = DEFAULT_METHOD,
                    threshold: Threshold = None, n_boot: int = DEFAULT_BOOTSTRAP, seed: int = 0, level: float = 0.95,
                    calibration: PrevalenceCalibration | None = None) -> PrevalenceEstimate:
    """Estimate every topic's share of the rows behind ``hist``.

    Args:
        hist: the rows' scores and flags (flags made with ``threshold``).
        clf: the model that scored them.
        method: ``"em"`` (default), ``"pacc"``, ``"acc"`` or ``"cc"``.
        threshold: the threshold the flags were made with (``None``: the model's).
        n_boot: bootstrap replicates for the intervals.
        calibration: the model's figures on labelled texts (default: :func:`calibration_for`).
    """
    check_method(method)
    if hist.topics != list(clf.labels):
        raise ValueError(f"histogram topics {hist.topics} are not the model's {clf.labels}")
    if method != "cc" and calibration is None:
        calibration = calibration_for(clf)
    behaviour = calibration.behaviour(clf, threshold) if calibration is not None else {}
    source = f"{calibration.source}, {calibration.n} labelled texts" if calibration is not None else "none"
    shares = []
    for i, topic in enumerate(hist.topics):
        counts, means, flags = hist.topic(topic)
        dev = behaviour.get(topic)
        if hist.rows == 0:
            shares.append(TopicShare(topic, 0, None, None, None, None, "no rows"))
            continue
        flagged_share = flags / hist.rows
        if method != "cc" and dev is None:
            note = "no labelled texts for this topic" if calibration is not None else "no labelled texts for this model"
            shares.append(TopicShare(topic, flags, flagged_share, None, None, None, note))
            continue
        share, low, high = estimate_topic(method, counts, means, flags, dev, n_boot, seed + i, level)
        shares.append(TopicShare(topic, flags, flagged_share, share, low, high))
    return PrevalenceEstimate(method, hist.rows, shares, level, source)


__all__ = ["TopicShare", "PrevalenceEstimate", "estimate_shares", "DEFAULT_BOOTSTRAP"]
