"""Output side of batch labelling: row encoding (pure) and resumable file sinks.

Formats: JSON lines, CSV, TSV (each optionally gzip- or zstd-compressed) and Parquet.

Resumability: a :class:`ByteSink` reports its byte offset at every checkpoint and is
truncated back to it on resume. Compressed output stays truncatable because every chunk
is compressed on its own into a complete gzip member or zstd frame; a file of concatenated
members/frames is a valid stream for every standard tool. Parquet cannot be appended to,
so :class:`ParquetSink` writes one part file per checkpoint interval and merges the parts
into the destination at the end.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

from ..errors import DataError

FORMAT_SUFFIXES = {".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "jsonl", ".csv": "csv", ".tsv": "tsv",
                   ".parquet": "parquet", ".pq": "parquet"}
COMPRESSION_SUFFIXES = {".gz": "gzip", ".gzip": "gzip", ".zst": "zstd", ".zstd": "zstd"}
FORMATS = ("jsonl", "csv", "tsv", "parquet")


def split_suffixes(path: Path) -> tuple[str | None, str | None]:
    """``(format, compression)`` implied by a file name (``None`` where it says nothing)."""
    suffixes = [s.lower() for s in path.suffixes]
    compression = COMPRESSION_SUFFIXES.get(suffixes[-1]) if suffixes else None
    if compression:
        suffixes = suffixes[:-1]
    fmt = FORMAT_SUFFIXES.get(suffixes[-1]) if suffixes else None
    return fmt, compression


def detect_output(path: Path, fmt: str | None = None) -> tuple[str, str | None]:
    """Output ``(format, compression)`` from ``fmt`` or the file name."""
    named, compression = split_suffixes(path)
    fmt = fmt or named
    if fmt not in FORMATS:
        raise DataError(f"{path}: cannot tell the output format from the name; use a .jsonl, .csv, .tsv or "
                        ".parquet name (optionally + .gz or .zst) or pass output_format")
    if fmt == "parquet" and compression:
        raise DataError(f"{path}: Parquet is compressed internally; drop the {path.suffix} suffix")
    return fmt, compression


@dataclass(frozen=True)
class OutputLayout:
    """Columns and encoding of the labelled output.

    Every row has ``row`` (input row number), ``id`` (when an id field is given),
    ``labels`` and the per-topic scores (JSONL: a ``scores`` object; CSV/Parquet: one
    ``score_<topic>`` column each), the ``truncated`` flag (JSONL: only when true) and,
    with ``keep`` set, the input: ``"record"`` keeps the whole record (JSONL: an ``input``
    object; CSV/Parquet: an ``input`` column of JSON text), ``"columns"`` keeps the input's
    columns as ``input.<name>`` (their Parquet types are kept when ``keep_types`` says so).
    """

    fmt: str
    labels: tuple[str, ...]
    with_id: bool = False
    keep: str = "none"
    keep_columns: tuple[str, ...] = ()
    compression: str | None = None
    score_digits: int = 4

    def columns(self) -> list[str]:
        cols = ["row"] + (["id"] if self.with_id else []) + ["labels"]
        cols += [f"score_{t}" for t in self.labels] + ["truncated"]
        if self.keep == "record":
            cols.append("input")
        elif self.keep == "columns":
            cols += [f"input.{c}" for c in self.keep_columns]
        return cols

    def header(self) -> bytes:
        """Bytes written once at the start of the file (CSV/TSV header; empty otherwise)."""
        if self.fmt not in ("csv", "tsv"):
            return b""
        buf = io.StringIO()
        csv.writer(buf, delimiter="\t" if self.fmt == "tsv" else ",", lineterminator="\n").writerow(self.columns())
        return compress(buf.getvalue().encode("utf-8"), self.compression)


_JSON = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), default=str)
_JSON_ASCII = json.JSONEncoder(ensure_ascii=True, separators=(",", ":"), default=str)


def encode_rows(layout: OutputLayout, rows: Sequence[Sequence[Any]]) -> Any:
    """Encode labelled rows ``[row, id, (labels, scores), truncated, record]``.

    Returns bytes (JSONL/CSV/TSV, compressed as configured) or, for Parquet, a dict of
    column lists.
    """
    if layout.fmt == "jsonl":
        return compress(_jsonl(layout, rows), layout.compression)
    if layout.fmt in ("csv", "tsv"):
        return compress(_csv(layout, rows), layout.compression)
    return _columns(layout, rows)


def _jsonl(layout: OutputLayout, rows: Sequence[Sequence[Any]]) -> bytes:
    labels = layout.labels
    dicts = []
    for row, rid, (lab, scores), cut, rec in rows:
        d: dict[str, Any] = {"row": row}
        if layout.with_id:
            d["id"] = rid
        d["labels"] = list(lab)
        d["scores"] = dict(zip(labels, scores))
        if cut:
            d["truncated"] = True
        if layout.keep != "none":
            d["input"] = rec
        dicts.append(d)
    lines = [_JSON.encode(d) for d in dicts]
    try:
        return ("\n".join(lines) + "\n").encode("utf-8") if lines else b""
    except UnicodeEncodeError:  # lone surrogates (legal in JSON escapes): write them escaped
        return "".join(_JSON_ASCII.encode(d) + "\n" for d in dicts).encode("ascii")


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return _JSON.encode(value)


def _csv(layout: OutputLayout, rows: Sequence[Sequence[Any]]) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf, delimiter="\t" if layout.fmt == "tsv" else ",", lineterminator="\n")
    for row, rid, (lab, scores), cut, rec in rows:
        out: list[Any] = [row]
        if layout.with_id:
            out.append(_cell(rid))
        out.append(";".join(lab))
        out.extend(scores)
        out.append("true" if cut else "false")
        if layout.keep == "record":
            out.append(_JSON.encode(rec))
        elif layout.keep == "columns":
            out.extend(_cell(rec.get(c)) for c in layout.keep_columns)
        w.writerow(out)
    return buf.getvalue().encode("utf-8", "replace")


def _columns(layout: OutputLayout, rows: Sequence[Sequence[Any]]) -> dict[str, list[Any]]:
    cols: dict[str, list[Any]] = {"row": [r[0] for r in rows]}
    if layout.with_id:
        cols["id"] = [None if r[1] is None else _cell(r[1]) for r in rows]
    cols["labels"] = [list(r[2][0]) for r in rows]
    for j, topic in enumerate(layout.labels):
        cols[f"score_{topic}"] = [r[2][1][j] for r in rows]
    cols["truncated"] = [bool(r[3]) for r in rows]
    if layout.keep == "record":
        cols["input"] = [_JSON.encode(r[4]) for r in rows]
    elif layout.keep == "columns":
        for c in layout.keep_columns:
            cols[f"input.{c}"] = [r[4].get(c) for r in rows]
    return cols


def compress(data: bytes, compression: str | None) -> bytes:
    """``data`` as one complete gzip member / zstd frame (unchanged when ``None`` or empty)."""
    if not data or compression is None:
        return data
    if compression == "gzip":
        return gzip.compress(data, compresslevel=6, mtime=0)
    import zstandard

    return zstandard.ZstdCompressor(level=3).compress(data)


class ByteSink:
    """An append-only output file that can be truncated back to a checkpointed offset."""

    def __init__(self, path: Path, resume_offset: int | None = None) -> None:
        self.path = path
        if resume_offset is None:
            self._fh = open(path, "wb")
        else:
            if not path.is_file() or path.stat().st_size < resume_offset:
                raise DataError(f"{path}: shorter than the checkpoint says ({resume_offset} bytes); "
                                "the partial output was modified or lost, start again with --overwrite")
            self._fh = open(path, "r+b")
            self._fh.truncate(resume_offset)
            self._fh.seek(resume_offset)
        self.offset = self._fh.tell()

    def write(self, data: bytes) -> None:
        if data:
            self._fh.write(data)
            self.offset += len(data)

    def sync(self) -> int:
        """Flush to disk; the returned offset is safe to record in a checkpoint."""
        self._fh.flush()
        os.fsync(self._fh.fileno())
        return self.offset

    def close(self) -> None:
        self._fh.close()


def parquet_schema(layout: OutputLayout, keep_types: dict[str, Any] | None = None) -> Any:
    """The Arrow schema of Parquet output (kept columns typed as in ``keep_types`` or text)."""
    import pyarrow as pa

    fields = [pa.field("row", pa.int64())]
    if layout.with_id:
        fields.append(pa.field("id", pa.string()))
    fields.append(pa.field("labels", pa.list_(pa.string())))
    fields += [pa.field(f"score_{t}", pa.float64()) for t in layout.labels]
    fields.append(pa.field("truncated", pa.bool_()))
    if layout.keep == "record":
        fields.append(pa.field("input", pa.string()))
    elif layout.keep == "columns":
        types = keep_types or {}
        fields += [pa.field(f"input.{c}", types.get(c, pa.string())) for c in layout.keep_columns]
    return pa.schema(fields)


class ParquetSink:
    """Parquet output written as numbered part files, merged into one file at the end."""

    def __init__(self, parts_dir: Path, schema: Any, resume_parts: int | None = None) -> None:
        self.parts_dir = parts_dir
        self.schema = schema
        self.parts = resume_parts or 0
        if resume_parts is None and parts_dir.exists():
            shutil.rmtree(parts_dir)
        parts_dir.mkdir(parents=True, exist_ok=True)
        for stale in parts_dir.iterdir():  # parts written after the last checkpoint
            if stale.suffix != ".parquet" or int(stale.stem.split("-")[-1]) > self.parts:
                stale.unlink()
        if len(list(parts_dir.glob("part-*.parquet"))) != self.parts:
            raise DataError(f"{parts_dir}: expected {self.parts} part files from the checkpoint; "
                            "the partial output was modified or lost, start again with --overwrite")
        self._writer: Any = None

    def _part(self, i: int) -> Path:
        return self.parts_dir / f"part-{i:06d}.parquet"

    def write(self, columns: dict[str, list[Any]]) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        if not columns.get("row"):
            return
        table = pa.Table.from_pydict(columns, schema=self.schema)
        if self._writer is None:
            self._writer = pq.ParquetWriter(str(self._part(self.parts + 1)) + ".tmp", self.schema)
        self._writer.write_table(table)

    def sync(self) -> int:
        """Close the current part (atomically renamed into place); returns parts written."""
        if self._writer is not None:
            self._writer.close()
            self._writer = None
            tmp = Path(str(self._part(self.parts + 1)) + ".tmp")
            _fsync_file(tmp)
            os.replace(tmp, self._part(self.parts + 1))
            self.parts += 1
        return self.parts

    def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
            self._writer = None

    def merge_into(self, dst: Path, row_group_rows: int = 100_000) -> None:
        """Concatenate the parts into ``dst`` (via a temporary file and a rename)."""
        import pyarrow as pa
        import pyarrow.parquet as pq

        tmp = dst.with_name(dst.name + ".tmp")
        with pq.ParquetWriter(str(tmp), self.schema) as writer:
            pending: list[Any] = []
            rows = 0
            for i in range(1, self.parts + 1):
                table = pq.read_table(self._part(i), schema=self.schema)
                pending.append(table)
                rows += table.num_rows
                if rows >= row_group_rows:
                    writer.write_table(pa.concat_tables(pending), row_group_size=row_group_rows)
                    pending, rows = [], 0
            if pending or self.parts == 0:
                writer.write_table(pa.concat_tables(pending) if pending else self.schema.empty_table())
        _fsync_file(tmp)
        os.replace(tmp, dst)
        shutil.rmtree(self.parts_dir)


def _fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_json_atomic(path: Path, obj: Any) -> None:
    """Write JSON to ``path`` atomically: temporary file, fsync, rename."""
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "w", encoding="utf-8") as fh:
        json.dump(obj, fh, ensure_ascii=False)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
    try:
        dir_fd = os.open(path.parent, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(dir_fd)
    except OSError:
        pass
    finally:
        os.close(dir_fd)


__all__ = ["OutputLayout", "encode_rows", "compress", "ByteSink", "ParquetSink", "parquet_schema",
           "detect_output", "split_suffixes", "write_json_atomic", "FORMATS"]
