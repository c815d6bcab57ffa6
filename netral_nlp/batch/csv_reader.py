"""Streaming CSV/TSV reader for batch labelling (see :func:`.readers.read_chunks`).

Rows are records after the header (a quoted field may span lines). Each record's
physical lines are tracked, so a quote that is never closed, which makes the ``csv``
module read every following line into one field, is reported as what it is, with the
lines it swallowed, instead of as one giant text or a confusing "invalid UTF-8".
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from typing import Any, BinaryIO, Iterator

from .compressed import BUFFER, damage_of, open_stream, skip_to
from .labeler import EXCERPT_CHARS, RawChunk, RowError
from ..errors import DataError

_SURROGATE = re.compile("[\udc80-\udcff]")


class _LineTooLong(Exception):
    pass


@dataclass
class _Span:
    """The physical lines of one record: first and last line number, quote characters seen,
    and whether the last line had no line end."""

    first: int
    last: int
    quotes: int
    open_end: bool


class _CsvLines:
    """Decoded lines for ``csv.reader``, counting bytes consumed and lines per record; a
    line longer than ``max_line`` is skipped and reported by raising :class:`_LineTooLong`
    (the iterator stays usable, and the reader starts a fresh record on the next call)."""

    def __init__(self, stream: BinaryIO, max_line: int, offset: int, line_no: int) -> None:
        self.stream, self.max_line = stream, max_line
        self.consumed, self.line_no = offset, line_no
        self._first = line_no + 1
        self._quotes = 0
        self._open_end = False

    def __iter__(self) -> "_CsvLines":
        return self

    def __next__(self) -> str:
        b = self.stream.readline(self.max_line + 1)
        if not b:
            raise StopIteration
        self.consumed += len(b)
        self.line_no += 1
        if len(b) > self.max_line and not b.endswith(b"\n"):
            size = len(b)
            while b and not b.endswith(b"\n"):
                b = self.stream.readline(BUFFER)
                self.consumed += len(b)
                size += len(b)
            raise _LineTooLong(f"line too long: more than {self.max_line} bytes ({size})")
        self._quotes += b.count(b'"')
        self._open_end = not b.endswith(b"\n")
        return b.decode("utf-8", "surrogateescape")

    def take_record(self) -> _Span:
        """The lines read since the previous call (one record's), and start the next."""
        span = _Span(self._first, self.line_no, self._quotes, self._open_end)
        self._first, self._quotes, self._open_end = self.line_no + 1, 0, False
        return span


def csv_chunks(info: Any, pos: dict[str, Any], chunk_rows: int, max_line: int, max_bytes: int) -> Iterator[RawChunk]:
    """Chunks of CSV/TSV records (see :func:`.readers.read_chunks`)."""
    offset, row = int(pos.get("offset", 0)), int(pos.get("next_row", 1)) - 1
    header: list[str] | None = pos.get("header")
    delimiter = "\t" if info.fmt == "tsv" else ","
    if csv.field_size_limit() < max_line:  # process-wide setting of the csv module; only ever raised
        csv.field_size_limit(max_line)
    with open_stream(info.path, info.compression) as (stream, raw):
        skip_to(stream, info.path, info.compression, offset)
        lines = _CsvLines(stream, max_line, offset, int(pos.get("line", 0)))
        reader = csv.reader(lines, delimiter=delimiter)
        if header is None:
            header = _read_header(info, reader)
            lines.take_record()
        n_cols = len(header)
        rows: list[int] = []
        items: list[Any] = []
        blank, start = 0, lines.consumed
        while True:
            try:
                values = next(reader)
                problem = None
            except StopIteration:
                break
            except (csv.Error, _LineTooLong) as exc:
                values, problem = None, f"invalid CSV: {exc}" if isinstance(exc, csv.Error) else str(exc)
            span = lines.take_record()
            if values == []:
                blank += 1
                continue
            row += 1
            rows.append(row)
            at_end = span.quotes % 2 == 1 and not stream.peek(1)
            items.append(_record(header, n_cols, values, problem, span, at_end, damage_of(stream)))
            if len(items) >= chunk_rows or lines.consumed - start >= max_bytes:
                yield RawChunk(rows, items, _position(lines, row, header), raw.tell(), blank)
                rows, items, blank, start = [], [], 0, lines.consumed
        yield RawChunk(rows, items, _position(lines, row, header), raw.tell(), blank, damage=damage_of(stream))


def _position(lines: _CsvLines, row: int, header: list[str]) -> dict[str, Any]:
    return {"offset": lines.consumed, "next_row": row + 1, "header": header, "line": lines.line_no}


def _read_header(info: Any, reader: Any) -> list[str]:
    try:
        header = next(reader)
    except StopIteration:
        header = []
    except (csv.Error, _LineTooLong) as exc:
        raise DataError(f"{info.path}: unreadable CSV header ({exc})") from exc
    if header:
        header[0] = header[0].lstrip("\ufeff")
    if not header or _SURROGATE.search("".join(header)):
        raise DataError(f"{info.path}: missing or non-UTF-8 CSV header")
    dupes = sorted({h for h in header if header.count(h) > 1})
    if dupes:
        raise DataError(f"{info.path}: duplicate CSV column names {dupes}")
    return header


def _record(header: list[str], n_cols: int, values: list[str] | None, problem: str | None, span: _Span,
            at_end: bool, damage: str | None) -> Any:
    """The record as a dict, or the :class:`RowError` that says what is wrong with it."""
    joined = ",".join(values) if values is not None else ""
    if span.open_end and damage:
        return RowError(f"input cut short: the last record read is incomplete (lines {span.first:,}-{span.last:,})",
                        _excerpt(joined))
    wrong_count = values is not None and len(values) != n_cols
    if span.last > span.first and (span.quotes % 2 or problem or wrong_count):
        # a quoted field that ran over several lines and then left the quotes unbalanced or
        # the record malformed: the lines after the opening quote were swallowed
        return RowError(_unterminated(span, values, n_cols, problem, at_end), _excerpt(joined))
    if problem is not None:
        return RowError(problem)
    assert values is not None
    if _SURROGATE.search(joined):
        return RowError("invalid UTF-8: undecodable bytes in the record", _excerpt(joined))
    if len(values) != n_cols:
        return RowError(f"wrong number of CSV fields: {len(values)}, header has {n_cols}", _excerpt(joined))
    return dict(zip(header, values))


def _unterminated(span: _Span, values: list[str] | None, n_cols: int, problem: str | None, at_end: bool) -> str:
    lines = f"lines {span.first:,}-{span.last:,}"
    if at_end:
        return (f"unterminated CSV quote: a quote opened on line {span.first:,} is never closed; {lines} "
                f"(to the end of the file) were read as this one record")
    why = (f" ({problem})" if problem else f" of {len(values or [])} fields (header has {n_cols})"
           if values is not None and len(values) != n_cols else "")
    return (f"unterminated CSV quote: a quote opened on line {span.first:,} is only closed on line {span.last:,}; "
            f"{lines} were read as this one record{why}")


def _excerpt(text: str) -> str:
    return text[:EXCERPT_CHARS].encode("utf-8", "replace").decode("utf-8")


__all__ = ["csv_chunks"]
