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
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, Iterator

from .compressed import BUFFER as _BUFFER
from .compressed import damage_of, skip_to
from .compressed import open_stream as _open_stream
from .csv_reader import csv_chunks
from .labeler import EXCERPT_CHARS, RawChunk, RowError
from ..errors import DamagedInputError, DataError
from .writers import split_suffixes

GZIP_MAGIC = b"\x1f\x8b"
ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"
PARQUET_MAGIC = b"PAR1"
DEFAULT_MAX_LINE_BYTES = 32 * 1024 * 1024
DEFAULT_MAX_CHUNK_BYTES = 8 * 1024 * 1024
"""A chunk ends after this many input bytes even if it has fewer than ``chunk_rows`` rows,
so memory is bounded by bytes whatever the size of the rows."""


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
    """``(decompressed stream, raw file)``; ``raw.tell()`` measures progress on disk.
    Damage in a compressed stream ends it early: see :func:`~.compressed.damage_of`."""
    with _open_stream(info.path, info.compression) as pair:
        yield pair


def _skip_to(stream: BinaryIO, info: InputInfo, offset: int) -> None:
    skip_to(stream, info.path, info.compression, offset)


def read_chunks(info: InputInfo, position: dict[str, Any] | None, chunk_rows: int, *,
                columns: list[str] | None = None, max_line_bytes: int = DEFAULT_MAX_LINE_BYTES,
                max_chunk_bytes: int = DEFAULT_MAX_CHUNK_BYTES) -> Iterator[RawChunk]:
    """Chunks of at most ``chunk_rows`` rows and about ``max_chunk_bytes`` input bytes from
    ``position`` (``None``: the start).

    Args:
        columns: Parquet columns to read (``None``: all).
        max_line_bytes: a JSONL line or CSV record longer than this becomes an error row
            (its bytes are skipped without being held in memory).
        max_chunk_bytes: a chunk ends once its rows hold this many bytes (at least one row).

    The last chunk's ``damage`` is set when a compressed (or Parquet) input turned out to be
    cut short or corrupt: every row before the damage has been yielded; a last line cut in
    the middle is an error row ("input cut short").
    """
    if info.fmt == "jsonl":
        return _jsonl_chunks(info, position or {}, chunk_rows, max_line_bytes, max_chunk_bytes)
    if info.fmt in ("csv", "tsv"):
        return csv_chunks(info, position or {}, chunk_rows, max_line_bytes, max_chunk_bytes)
    return _parquet_chunks(info, position or {}, chunk_rows, columns, max_chunk_bytes)


def _jsonl_chunks(info: InputInfo, pos: dict[str, Any], chunk_rows: int, max_line: int,
                  max_bytes: int) -> Iterator[RawChunk]:
    offset, line_no = int(pos.get("offset", 0)), int(pos.get("next_row", 1)) - 1
    with open_stream(info) as (stream, raw):
        _skip_to(stream, info, offset)
        rows: list[int] = []
        items: list[Any] = []
        blank = size = 0
        readline = stream.readline
        while True:
            line = readline(max_line + 1)
            if not line:
                break
            offset += len(line)
            line_no += 1
            size += len(line)
            if len(line) > max_line and not line.endswith(b"\n"):
                skipped = len(line)
                while line and not line.endswith(b"\n"):
                    line = readline(_BUFFER)
                    offset += len(line)
                    skipped += len(line)
                rows.append(line_no)
                items.append(RowError(f"line too long: more than {max_line} bytes ({skipped})"))
            elif line.isspace():
                blank += 1
            else:
                rows.append(line_no)
                items.append(_cut_short(line) if not line.endswith(b"\n") and damage_of(stream) else line)
            if len(items) >= chunk_rows or size >= max_bytes:
                yield RawChunk(rows, items, {"offset": offset, "next_row": line_no + 1}, raw.tell(), blank)
                rows, items, blank, size = [], [], 0, 0
        yield RawChunk(rows, items, {"offset": offset, "next_row": line_no + 1}, raw.tell(), blank,
                       damage=damage_of(stream))


def _cut_short(line: bytes) -> RowError:
    """The last line of a damaged stream, cut in the middle."""
    excerpt = line[:EXCERPT_CHARS].decode("utf-8", "replace")
    return RowError(f"input cut short: the last line read is incomplete ({len(line):,} bytes, no line end)", excerpt)


def csv_header(info: InputInfo) -> list[str]:
    """The header of a CSV/TSV file (to validate field names before labelling)."""
    for chunk in csv_chunks(info, {}, 1, DEFAULT_MAX_LINE_BYTES, DEFAULT_MAX_CHUNK_BYTES):
        return list(chunk.position["header"])
    return []  # pragma: no cover


@contextlib.contextmanager
def parquet_file(info: InputInfo) -> Iterator[Any]:
    """A ``pyarrow.parquet.ParquetFile``; a gzip/zstd-wrapped file is first decompressed
    to a temporary file (streamed, so memory stays flat).

    Raises:
        DamagedInputError: the file (or its compressed wrapping) is cut short or corrupt.
    """
    if info.compression is None:
        yield _open_parquet(info, info.path)
        return
    with tempfile.TemporaryDirectory(prefix="netral-nlp-") as tmp:
        target = Path(tmp) / "input.parquet"
        with open_stream(info) as (stream, _), open(target, "wb") as out:
            shutil.copyfileobj(stream, out, _BUFFER)
            damage = damage_of(stream)
        if damage:
            raise DamagedInputError(f"{info.path}: damaged input: {damage}; no row could be read")
        yield _open_parquet(info, target)


def _open_parquet(info: InputInfo, path: Path) -> Any:
    import pyarrow.parquet as pq

    try:
        return pq.ParquetFile(str(path))
    except (OSError, ValueError) as exc:  # pyarrow's ArrowInvalid is a ValueError
        raise DamagedInputError(f"{info.path}: damaged Parquet file ({exc}); no row could be read") from exc


def _parquet_chunks(info: InputInfo, pos: dict[str, Any], chunk_rows: int, columns: list[str] | None,
                    max_bytes: int) -> Iterator[RawChunk]:
    """Parquet rows in chunks of at most ``chunk_rows`` rows and about ``max_bytes`` bytes.

    Batches are sized from the file's metadata; a batch that decodes much wider than that
    (dictionary-encoded repeats) is cut into pieces and the reader restarts at the next
    row with batches sized from what was seen."""
    row = int(pos.get("offset", 0))
    damage = None
    with parquet_file(info) as pf:
        batch_rows = max(1, min(chunk_rows, int(max_bytes // _row_width(pf.metadata, row))))
        while damage is None:
            restart = False
            batches = _batches_from(pf, row, batch_rows, columns)
            while True:
                try:
                    batch = next(batches)
                except StopIteration:
                    break
                except (OSError, ValueError) as exc:  # a corrupt page or row group part-way through
                    damage = f"Parquet data corrupt after row {row:,} ({exc})"
                    break
                for piece in _pieces(batch, max_bytes):
                    items = piece.to_pylist()
                    rows = list(range(row + 1, row + len(items) + 1))
                    row += len(items)
                    yield RawChunk(rows, items, {"offset": row, "next_row": row + 1}, row)
                if batch.num_rows > 1 and batch.nbytes > 2 * max_bytes:
                    batch_rows = max(1, int(max_bytes * batch.num_rows // batch.nbytes))
                    restart = True
                    break
            if not restart:
                break
        yield RawChunk([], [], {"offset": row, "next_row": row + 1}, row, damage=damage)


def _row_width(meta: Any, done: int) -> float:
    """Widest bytes-per-row of the row groups from row ``done`` on (from the metadata)."""
    widest, seen = 1.0, 0
    for g in range(meta.num_row_groups):
        group = meta.row_group(g)
        if seen + group.num_rows > done:
            widest = max(widest, group.total_byte_size / max(1, group.num_rows))
        seen += group.num_rows
    return widest


def _batches_from(pf: Any, done: int, batch_rows: int, columns: list[str] | None) -> Iterator[Any]:
    """Record batches from row ``done`` on (whole row groups before it are skipped)."""
    meta = pf.metadata
    groups, seen = [], 0
    for g in range(meta.num_row_groups):
        n = meta.row_group(g).num_rows
        if not groups and seen + n <= done:
            seen += n
        else:
            groups.append(g)
    if not groups:
        return
    skip = done - seen
    for batch in pf.iter_batches(batch_size=batch_rows, row_groups=groups, columns=columns):
        if skip:
            cut = min(skip, batch.num_rows)
            batch, skip = batch.slice(cut), skip - cut
            if not batch.num_rows:
                continue
        yield batch


def _pieces(batch: Any, max_bytes: int) -> Iterator[Any]:
    """``batch`` sliced into pieces of about ``max_bytes`` (at least one row each)."""
    if batch.nbytes <= max_bytes or batch.num_rows <= 1:
        yield batch
        return
    step = max(1, int(max_bytes * batch.num_rows // batch.nbytes))
    for start in range(0, batch.num_rows, step):
        yield batch.slice(start, step)


def parquet_schema_of(info: InputInfo) -> Any:
    """The Arrow schema of a Parquet input."""
    with parquet_file(info) as pf:
        return pf.schema_arrow


def parquet_rows(info: InputInfo) -> int:
    with parquet_file(info) as pf:
        return int(pf.metadata.num_rows)


__all__ = ["InputInfo", "detect_input", "read_chunks", "open_stream", "csv_header", "parquet_schema_of",
           "parquet_rows", "parquet_file", "DEFAULT_MAX_LINE_BYTES", "DEFAULT_MAX_CHUNK_BYTES"]
