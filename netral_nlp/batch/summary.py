"""What a batch labelling run did: :class:`DumpSummary`, shared by every engine."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any

from ..quantify.histogram import ScoreHistogram
from .labeler import ChunkResult


@dataclass
class DumpSummary:
    """What a :func:`label_dump` run did. Counts include rows done before a resume.

    Attributes:
        rows_read: input rows (labelled + errors; blank lines are not rows).
        labelled: rows written to ``dst``.
        errors: rows written to the errors file.
        cached: labelled rows served from the duplicate cache (not sent to the model).
        truncated: labelled rows whose text was cut to ``max_text_chars``.
        blank_lines: blank lines skipped.
        resumed_rows: rows already done by earlier, interrupted runs.
        seconds: wall time of this run.
        error_reasons: error rows per reason (``"invalid JSON"``, ``"missing text"``...).
        histogram: scores and flags of every labelled row (resumed rows included), from which
            ``prevalence`` is estimated.
        prevalence: per-topic estimated share with its interval next to the raw flag count
            (:meth:`PrevalenceEstimate.to_dict`), or ``None`` with ``prevalence_note`` saying why.
        input_damage: ``None``, or why the input ended early (a compressed or Parquet file
            cut short or corrupt part-way): the counts cover the rows before the damage.
    """

    src: str
    dst: str
    errors_path: str
    rows_read: int = 0
    labelled: int = 0
    errors: int = 0
    cached: int = 0
    truncated: int = 0
    blank_lines: int = 0
    resumed_rows: int = 0
    seconds: float = 0.0
    workers: int = 1
    error_reasons: dict[str, int] = field(default_factory=dict)
    histogram: ScoreHistogram | None = field(default=None, repr=False)
    prevalence: dict[str, Any] | None = None
    prevalence_note: str = ""
    input_damage: str | None = None

    @property
    def rows_per_second(self) -> float:
        """Rows handled per second by this run (resumed rows excluded)."""
        return (self.rows_read - self.resumed_rows) / self.seconds if self.seconds > 0 else 0.0

    def errors_exceed(self, max_errors: float | None) -> bool:
        """Whether the error rows exceed a limit: a count (``>= 1``) or a fraction (``< 1``)."""
        if max_errors is None:
            return False
        if max_errors < 1:
            return self.rows_read > 0 and self.errors / self.rows_read > max_errors
        return self.errors > max_errors

    def to_dict(self) -> dict[str, Any]:
        out = {f.name: getattr(self, f.name) for f in fields(self) if f.name != "histogram"}
        out["error_reasons"] = dict(self.error_reasons)
        out["rows_per_second"] = round(self.rows_per_second, 1)
        return out

    def add(self, res: ChunkResult) -> None:
        self.rows_read += res.rows
        self.labelled += res.labelled
        self.errors += res.failed
        self.cached += res.cached
        self.truncated += res.truncated
        self.blank_lines += res.blank
        for k, v in res.reasons.items():
            self.error_reasons[k] = self.error_reasons.get(k, 0) + v
        self.add_histogram(res.histogram)
        if res.damage:
            self.input_damage = res.damage

    def add_histogram(self, hist: ScoreHistogram | None) -> None:
        if hist is None:
            return
        if self.histogram is None:
            self.histogram = ScoreHistogram(hist.topics, hist.n_bins)
        self.histogram.merge(hist)

    def counters(self) -> dict[str, Any]:
        """The counters a checkpoint stores (a copy)."""
        out: dict[str, Any] = {k: getattr(self, k) for k in COUNTERS}
        out["error_reasons"] = dict(self.error_reasons)
        out[HISTOGRAM] = self.histogram.to_dict() if self.histogram is not None else None
        return out

    def restore(self, counters: dict[str, Any]) -> None:
        """Take the counters of a checkpoint (a resumed run). A checkpoint written before the
        score histogram existed leaves ``histogram`` unset, so no estimate is made."""
        for name in COUNTERS:
            setattr(self, name, counters[name])
        self.resumed_rows = self.rows_read
        hist = counters.get(HISTOGRAM)
        self.histogram = ScoreHistogram.from_dict(hist) if hist else None
        if hist is None and self.labelled:
            self.prevalence_note = "resumed from a checkpoint without score histogram: no estimate"


def damage_message(summary: DumpSummary) -> str:
    """The one-line error for a run whose input was cut short or corrupt."""
    return (f"{summary.src}: damaged input, {summary.input_damage}. The {summary.rows_read:,} rows read before "
            f"the damage are accounted for ({summary.labelled:,} in {summary.dst}, {summary.errors:,} in "
            f"{summary.errors_path}); the rest of the file could not be read")


COUNTERS = ("rows_read", "labelled", "errors", "cached", "truncated", "blank_lines", "error_reasons")
HISTOGRAM = "histogram"


__all__ = ["DumpSummary", "COUNTERS", "damage_message"]
