"""Resumable outputs of a batch-labelling run: file layout, checkpoints, finishing.

While a run is in progress it writes ``DST.partial`` (Parquet: ``DST.parts/``),
``ERRORS.partial`` and ``DST.checkpoint.json``. A checkpoint is written atomically
(temporary file, fsync, rename) after the outputs are flushed and fsynced; it records the
input position, the counters and the byte offsets of both outputs (Parquet: the number of
finished part files), all taken from one consistent state. Resuming truncates what was
written after it. Finishing renames the partial files into place, then drops the
checkpoint; every step is idempotent, so an interruption while finishing is resumed too.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .labeler import ChunkResult
from ..errors import DataError
from .writers import ByteSink, OutputLayout, ParquetSink, split_suffixes, write_json_atomic

CHECKPOINT_VERSION = 1


@dataclass(frozen=True)
class DumpPaths:
    """Every file a run reads or writes besides the input."""

    dst: Path
    errors: Path
    partial: Path
    errors_partial: Path
    parts: Path
    checkpoint: Path

    @classmethod
    def for_output(cls, dst: Path, errors: Path | None = None) -> "DumpPaths":
        """Paths for output ``dst``; the errors file defaults to ``<dst stem>.errors.jsonl``."""
        if errors is None:
            fmt, comp = split_suffixes(dst)
            stem = dst.name
            for known in (comp, fmt):
                if known:
                    stem = stem.rsplit(".", 1)[0]
            errors = dst.with_name(stem + ".errors.jsonl")
        return cls(dst, errors, dst.with_name(dst.name + ".partial"), errors.with_name(errors.name + ".partial"),
                   dst.with_name(dst.name + ".parts"), dst.with_name(dst.name + ".checkpoint.json"))


class RunOutputs:
    """The output and errors sinks plus the last consistent state a checkpoint may record."""

    def __init__(self, paths: DumpPaths, layout: OutputLayout, ckpt: dict[str, Any] | None, schema: Any) -> None:
        self.paths = paths
        self.parquet: ParquetSink | None = None
        self.out: ByteSink | None = None
        if schema is not None:
            self.parquet = ParquetSink(paths.parts, schema, ckpt["parts"] if ckpt else None)
        else:
            self.out = ByteSink(paths.partial, ckpt["out_offset"] if ckpt else None)
            if ckpt is None:
                self.out.write(layout.header())
        self.err = ByteSink(paths.errors_partial, ckpt["err_offset"] if ckpt else None)
        self._committed: tuple[Any, ...] = (
            ckpt["position"] if ckpt else {}, ckpt["progress"] if ckpt else 0,
            self.out.offset if self.out else 0, self.err.offset, dict(ckpt["counters"]) if ckpt else {},
        )
        self._closed = False

    def write(self, res: ChunkResult, counters: dict[str, Any]) -> None:
        """Append one chunk's rows and errors; ``counters`` are the totals including it."""
        if self.parquet is not None:
            self.parquet.write(res.payload)
        else:
            assert self.out is not None
            self.out.write(res.payload)
        self.err.write(res.errors)
        # one assignment: an interrupt never sees half of a chunk's state
        self._committed = (res.position, res.progress, self.out.offset if self.out else 0, self.err.offset, counters)

    def checkpoint(self, fingerprint: dict[str, Any], state: str = "running", interrupted: bool = False) -> None:
        """Flush, fsync and record the last consistent state (``state="finishing"`` at the end)."""
        if self._closed:
            return
        if interrupted and self.parquet is not None:
            return  # the open Parquet part may hold rows past the last state: keep the last checkpoint
        position, progress, out_offset, err_offset, counters = self._committed
        self.err.sync()
        if self.out is not None:
            self.out.sync()
        parts = self.parquet.sync() if self.parquet is not None else 0
        write_json_atomic(self.paths.checkpoint, {
            "version": CHECKPOINT_VERSION, "state": state, "options": fingerprint, "position": position,
            "progress": progress, "out_offset": out_offset, "err_offset": err_offset, "parts": parts,
            "counters": counters, "time": time.time(),
        })

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        for sink in (self.out, self.err, self.parquet):
            if sink is not None:
                sink.close()


def finish_run(paths: DumpPaths, out_fmt: str, parquet: ParquetSink | None) -> None:
    """Move finished outputs into place and drop the checkpoint (idempotent)."""
    if out_fmt == "parquet":
        if parquet is not None and paths.parts.exists():
            parquet.merge_into(paths.dst)
    elif paths.partial.exists():
        os.replace(paths.partial, paths.dst)
    if paths.errors_partial.exists():
        os.replace(paths.errors_partial, paths.errors)
    paths.checkpoint.unlink(missing_ok=True)


def prepare_run(paths: DumpPaths, fingerprint: dict[str, Any], *, resume: bool, overwrite: bool) -> dict[str, Any] | None:
    """Check what is on disk; return the checkpoint to resume from, or ``None`` for a fresh
    run (after removing the leftovers of an earlier one when ``overwrite``).

    Raises:
        DataError: an existing output or checkpoint without ``overwrite``/``resume``, an
            unreadable checkpoint, or one whose options differ from ``fingerprint``.
    """
    if resume and paths.checkpoint.exists():
        try:
            ckpt = json.loads(paths.checkpoint.read_text(encoding="utf-8"))
            if ckpt.get("version") != CHECKPOINT_VERSION:
                raise ValueError(f"version {ckpt.get('version')}")
        except (ValueError, OSError) as exc:
            raise DataError(f"{paths.checkpoint}: unreadable checkpoint ({exc}); start again with --overwrite") from exc
        old = ckpt["options"]
        changed = sorted(k for k in set(old) | set(fingerprint) if old.get(k) != fingerprint.get(k))
        if changed:
            raise DataError(f"cannot resume: {', '.join(changed)} changed since the interrupted run "
                            f"(checkpoint {paths.checkpoint}); rerun with the same options or use --overwrite")
        return ckpt
    if paths.checkpoint.exists() and not overwrite:
        raise DataError(f"{paths.checkpoint}: an interrupted run left a checkpoint; "
                        "pass --resume to continue it or --overwrite to start again")
    if paths.dst.is_dir():
        raise DataError(f"{paths.dst}: is a folder")
    if paths.dst.exists() and not overwrite:
        hint = " (it is complete: there is no checkpoint to resume)" if resume else ""
        raise DataError(f"{paths.dst}: already exists{hint}; pass --overwrite to replace it")
    for stale in (paths.checkpoint, paths.partial, paths.errors_partial):
        stale.unlink(missing_ok=True)
    if paths.parts.exists():
        shutil.rmtree(paths.parts)
    return None


__all__ = ["DumpPaths", "RunOutputs", "finish_run", "prepare_run", "CHECKPOINT_VERSION"]
