"""What a batch labelling run did: :class:`DumpSummary`, shared by every engine."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

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
        out = asdict(self)
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

    def counters(self) -> dict[str, Any]:
        """The counters a checkpoint stores (a copy)."""
        out: dict[str, Any] = {k: getattr(self, k) for k in COUNTERS}
        out["error_reasons"] = dict(self.error_reasons)
        return out


COUNTERS = ("rows_read", "labelled", "errors", "cached", "truncated", "blank_lines", "error_reasons")


__all__ = ["DumpSummary", "COUNTERS"]
