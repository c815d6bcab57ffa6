"""Streaming readers for batch labelling: JSON lines, CSV/TSV and Parquet, optionally
gzip- or zstd-compressed.

The format comes from the file name (``posts.jsonl.gz``) or ``input_format``; compression
is recognised by its magic bytes, whatever the name says. Readers hold one chunk in memory
at a time and yield :class:`~netral_nlp.batch.RawChunk` objects that carry their resume
position: the byte offset in the decompressed stream for JSONL and CSV (a plain file is
``seek``-ed to it, a compressed one is decompressed and skipped), and the number of rows
for Parquet (whole row groups are skipped through the file's metadata).

Rows are numbered from 1: JSONL rows are line numbers (blank lines are skipped, not
rows), CSV rows are records after the header (a quoted field may span lines), Parquet
rows are positions in the file.
"""

from __future__ import annotations

import contextlib
import csv
import gzip
import io
import os
import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, Iterator

from .labeler import EXCERPT_CHARS, RawChunk, RowError
from ..errors import DataError, MissingDependencyError
from .writers import split_suffixes

GZIP_MAGIC = b"\x1f\x8b"
ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"
PARQUET_MAGIC = b"PAR1"
DEFAULT_MAX_LINE_BYTES = 32 * 1024 * 1024
_BUFFER = 1 << 20
_SURROGATE = re.compile("[\udc80-\udcff]")


@dataclass(frozen=True)
class InputInfo:
    """What a source file is: path, format, compression and size on disk."""

    path: Path
    fmt: str
    compression: str | None
    size: int


def detect_input(path: str | os.PathLike[str], fmt: str | None = None) -> InputInfo:
    """Inspect ``path``: format from ``fmt`` or the name, compression from the magic bytes."""
    p = Path(os.fspath(path)).expanduser()
    if not p.exists():
        raise FileNotFoundError(f"{p}: no such file")
    if p.is_dir():
        raise IsADirectoryError(f"{p}: is a folder, expected a file")
    with open(p, "rb") as fh:
        magic = fh.read(4)
    compression = "gzip" if magic[:2] == GZIP_MAGIC else "zstd" if magic == ZSTD_MAGIC else None
    named, _ = split_suffixes(p)
    if magic == PARQUET_MAGIC and fmt is None:
        named = "parquet"
    fmt = fmt or named
    if fmt is None:
        raise DataError(f"{p}: cannot tell the input format from the name; use a .jsonl, .csv, .tsv or .parquet "
                        "name (optionally + .gz or .zst) or pass input_format")
    if fmt not in ("jsonl", "csv", "tsv", "parquet"):
        raise DataError(f"unknown input format {fmt!r}; expected jsonl, csv, tsv or parquet")
    if fmt == "parquet" and compression is None and magic != PARQUET_MAGIC:
        raise DataError(f"{p}: not a Parquet file (it does not start with PAR1)")
    return InputInfo(p, fmt, compression, p.stat().st_size)


@contextlib.contextmanager
def open_stream(info: InputInfo) -> Iterator[tuple[BinaryIO, BinaryIO]]:
    """``(decompressed stream, raw file)``; ``raw.tell()`` measures progress on disk."""
    raw = open(info.path, "rb", buffering=_BUFFER)
    try:
        if info.compression == "gzip":
            stream: Any = io.BufferedReader(gzip.GzipFile(fileobj=raw, mode="rb"), buffer_size=_BUFFER)
        elif info.compression == "zstd":
            try:
                import zstandard
            except ImportError as exc:  # pragma: no cover - zstandard is a core dependency
                raise MissingDependencyError("reading .zst files", "zstd", "zstandard") from exc
            reader = zstandard.ZstdDecompressor().stream_reader(raw, read_across_frames=True)
            stream = io.BufferedReader(reader, buffer_size=_BUFFER)
        else:
            stream = raw
        yield stream, raw
    finally:
        raw.close()


def _skip_to(stream: BinaryIO, info: InputInfo, offset: int) -> None:
    if not offset:
        return
    if info.compression is None:
        stream.seek(offset)
        return
    left = offset
    while left:
        got = len(stream.read(min(left, _BUFFER)))
        if not got:
            raise DataError(f"{info.path}: shorter than the checkpoint position; the input changed")
        left -= got


def read_chunks(info: InputInfo, position: dict[str, Any] | None, chunk_rows: int, *,
                columns: list[str] | None = None, max_line_bytes: int = DEFAULT_MAX_LINE_BYTES) -> Iterator[RawChunk]:
    """Chunks of at most ``chunk_rows`` rows from ``position`` (``None``: the start).

    Args:
        columns: Parquet columns to read (``None``: all).
        max_line_bytes: a JSONL line or CSV record longer than this becomes an error row
            (its bytes are skipped without being held in memory).
    """
    if info.fmt == "jsonl":
        return _jsonl_chunks(info, position or {}, chunk_rows, max_line_bytes)
    if info.fmt in ("csv", "tsv"):
        return _csv_chunks(info, position or {}, chunk_rows, max_line_bytes)
    return _parquet_chunks(info, position or {}, chunk_rows, columns)


def _jsonl_chunks(info: InputInfo, pos: dict[str, Any], chunk_rows: int, max_line: int) -> Iterator[RawChunk]:
    offset, line_no = int(pos.get("offset", 0)), int(pos.get("next_row", 1)) - 1
    with open_stream(info) as (stream, raw):
        _skip_to(stream, info, offset)
        rows: list[int] = []
        items: list[Any] = []
        blank = 0
        readline = stream.readline
        while True:
            line = readline(max_line + 1)
            if not line:
                break
            offset += len(line)
            line_no += 1
            if len(line) > max_line and not line.endswith(b"\n"):
                size = len(line)
                while line and not line.endswith(b"\n"):
                    line = readline(_BUFFER)
                    offset += len(line)
                    size += len(line)
                rows.append(line_no)
                items.append(RowError(f"line too long: more than {max_line} bytes ({size})"))
            elif line.isspace():
                blank += 1
            else:
                rows.append(line_no)
                items.append(line)
            if len(items) >= chunk_rows:
                yield RawChunk(rows, items, {"offset": offset, "next_row": line_no + 1}, raw.tell(), blank)
                rows, items, blank = [], [], 0
        yield RawChunk(rows, items, {"offset": offset, "next_row": line_no + 1}, raw.tell(), blank)


def _csv_chunks(info: InputInfo, pos: dict[str, Any], chunk_rows: int, max_line: int) -> Iterator[RawChunk]:
    offset, row = int(pos.get("offset", 0)), int(pos.get("next_row", 1)) - 1
    header: list[str] | None = pos.get("header")
    delimiter = "\t" if info.fmt == "tsv" else ","
    consumed = [offset]
    if csv.field_size_limit() < max_line:  # process-wide setting of the csv module; only ever raised
        csv.field_size_limit(max_line)
    with open_stream(info) as (stream, raw):
        _skip_to(stream, info, offset)

        lines = _CsvLines(stream, max_line, consumed)
        reader = csv.reader(lines, delimiter=delimiter)
        if header is None:
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
        n_cols = len(header)
        rows: list[int] = []
        items: list[Any] = []
        blank = 0
        while True:
            try:
                values = next(reader)
            except StopIteration:
                break
            except (csv.Error, _LineTooLong) as exc:
                row += 1
                rows.append(row)
                items.append(RowError(f"invalid CSV: {exc}" if isinstance(exc, csv.Error) else str(exc)))
                continue
            if not values:
                blank += 1
                continue
            row += 1
            rows.append(row)
            joined = ",".join(values)
            if _SURROGATE.search(joined):
                items.append(RowError("invalid UTF-8: undecodable bytes in the record", _excerpt(joined)))
            elif len(values) != n_cols:
                items.append(RowError(f"wrong number of CSV fields: {len(values)}, header has {n_cols}",
                                      _excerpt(joined)))
            else:
                items.append(dict(zip(header, values)))
            if len(items) >= chunk_rows:
                yield RawChunk(rows, items, {"offset": consumed[0], "next_row": row + 1, "header": header},
                               raw.tell(), blank)
                rows, items, blank = [], [], 0
        yield RawChunk(rows, items, {"offset": consumed[0], "next_row": row + 1, "header": header}, raw.tell(), blank)


class _LineTooLong(Exception):
    pass


class _CsvLines:
    """Decoded lines for ``csv.reader``, counting bytes consumed; a line longer than
    ``max_line`` is skipped and reported by raising :class:`_LineTooLong` (the iterator
    stays usable, and the reader starts a fresh record on the next call)."""

    def __init__(self, stream: BinaryIO, max_line: int, consumed: list[int]) -> None:
        self.stream, self.max_line, self.consumed = stream, max_line, consumed

    def __iter__(self) -> "_CsvLines":
        return self

    def __next__(self) -> str:
        b = self.stream.readline(self.max_line + 1)
        if not b:
            raise StopIteration
        self.consumed[0] += len(b)
        if len(b) > self.max_line and not b.endswith(b"\n"):
            size = len(b)
            while b and not b.endswith(b"\n"):
                b = self.stream.readline(_BUFFER)
                self.consumed[0] += len(b)
                size += len(b)
            raise _LineTooLong(f"line too long: more than {self.max_line} bytes ({size})")
        return b.decode("utf-8", "surrogateescape")


def csv_header(info: InputInfo) -> list[str]:
    """The header of a CSV/TSV file (to validate field names before labelling)."""
    for chunk in _csv_chunks(info, {}, 1, DEFAULT_MAX_LINE_BYTES):
        return list(chunk.position["header"])
    return []  # pragma: no cover


@contextlib.contextmanager
def parquet_file(info: InputInfo) -> Iterator[Any]:
    """A ``pyarrow.parquet.ParquetFile``; a gzip/zstd-wrapped file is first decompressed
    to a temporary file (streamed, so memory stays flat)."""
    import pyarrow.parquet as pq

    if info.compression is None:
        yield pq.ParquetFile(str(info.path))
        return
    with tempfile.TemporaryDirectory(prefix="netral-nlp-") as tmp:
        target = Path(tmp) / "input.parquet"
        with open_stream(info) as (stream, _), open(target, "wb") as out:
            shutil.copyfileobj(stream, out, _BUFFER)
        yield pq.ParquetFile(str(target))


def _parquet_chunks(info: InputInfo, pos: dict[str, Any], chunk_rows: int, columns: list[str] | None) -> Iterator[RawChunk]:
    done = int(pos.get("offset", 0))
    with parquet_file(info) as pf:
        meta = pf.metadata
        groups, seen = [], 0
        for g in range(meta.num_row_groups):
            n = meta.row_group(g).num_rows
            if not groups and seen + n <= done:
                seen += n  # whole row group already labelled
            else:
                groups.append(g)
        skip = done - seen
        row = done
        if groups:
            for batch in pf.iter_batches(batch_size=chunk_rows, row_groups=groups, columns=columns):
                if skip:
                    cut = min(skip, batch.num_rows)
                    batch, skip = batch.slice(cut), skip - cut
                    if not batch.num_rows:
                        continue
                items = batch.to_pylist()
                rows = list(range(row + 1, row + len(items) + 1))
                row += len(items)
                yield RawChunk(rows, items, {"offset": row, "next_row": row + 1}, row)
        yield RawChunk([], [], {"offset": row, "next_row": row + 1}, row)


def parquet_schema_of(info: InputInfo) -> Any:
    """The Arrow schema of a Parquet input."""
    with parquet_file(info) as pf:
        return pf.schema_arrow


def parquet_rows(info: InputInfo) -> int:
    with parquet_file(info) as pf:
        return int(pf.metadata.num_rows)


def _excerpt(text: str) -> str:
    return text[:EXCERPT_CHARS].encode("utf-8", "replace").decode("utf-8")


__all__ = ["InputInfo", "detect_input", "read_chunks", "open_stream", "csv_header", "parquet_schema_of",
           "parquet_rows", "parquet_file", "DEFAULT_MAX_LINE_BYTES"]
