"""``label_dump``: label a whole social-media dump or news crawl, file to file.

Streaming (memory stays flat whatever the file size), every input row accounted for
(a labelled row in ``dst`` or an error row in the errors file), resumable after Ctrl-C, a
crash or ``kill -9``, and fast: each distinct normalised text is labelled once, the
TF-IDF default model runs in worker processes, transformer models get large buffers to
length-sort.

Files next to ``dst`` while a run is in progress: ``dst.partial`` (or ``dst.parts/`` for
Parquet), ``<errors>.partial`` and ``dst.checkpoint.json``. A checkpoint is written
atomically (temporary file, fsync, rename) every ``checkpoint_rows`` rows or
``checkpoint_seconds`` seconds and records the input position, the row counters and the
byte offsets of both outputs; ``resume=True`` truncates whatever was written after it and
continues, so the final files equal those of an uninterrupted run. At the end the partial
files are renamed into place and the checkpoint is removed.

A run holds a lock on its output and errors file (``<file>.lock``, see :mod:`.locks`), so a
second run on the same files is refused instead of mixing rows; it refuses before reading
when two of its files are one file, and never replaces an existing output or errors file
without ``overwrite``. A compressed or Parquet input found cut short or corrupt part-way
ends the run with :class:`~netral_nlp.DamagedInputError` once every row read before the
damage is written.
"""

from __future__ import annotations

import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

from .labeler import ChunkLabeler, FieldSpec
from ..models.classifier import Threshold, TopicClassifier
from ..models.fingerprint import file_digest, model_digest
from ..errors import DamagedInputError, DataError
from .executors import available_cpus, make_executor
from .locks import OutputLock
from .readers import (DEFAULT_MAX_CHUNK_BYTES, DEFAULT_MAX_LINE_BYTES, InputInfo, csv_header, detect_input,
                      parquet_schema_of, read_chunks)
from .resume import DumpPaths, RunOutputs, finish_run, prepare_run
from .summary import COUNTERS, DumpSummary, damage_message
from .writers import OutputLayout, ParquetSink, detect_output, parquet_schema


def label_dump(
    src: str | os.PathLike[str],
    dst: str | os.PathLike[str],
    model: str | os.PathLike[str] | TopicClassifier = "default",
    text_field: str | Sequence[str] = "text",
    id_field: str | None = None,
    *,
    keep_fields: bool = False,
    errors_path: str | os.PathLike[str] | None = None,
    input_format: str | None = None,
    output_format: str | None = None,
    threshold: Threshold = None,
    resume: bool = False,
    overwrite: bool = False,
    workers: int | None = None,
    chunk_size: int | None = None,
    batch_size: int | None = None,
    cache_size: int = 100_000,
    max_text_chars: int = 50_000,
    max_line_bytes: int = DEFAULT_MAX_LINE_BYTES,
    max_chunk_bytes: int = DEFAULT_MAX_CHUNK_BYTES,
    score_digits: int = 4,
    checkpoint_rows: int = 100_000,
    checkpoint_seconds: float = 30.0,
    progress: bool = True,
    joiner: str = "\n",
    engine: str = "local",
    model_kwargs: dict[str, Any] | None = None,
    ray_options: dict[str, Any] | None = None,
) -> DumpSummary:
    """Label every row of ``src`` into ``dst``; bad rows go to an errors file.

    Args:
        src: JSONL (``.jsonl``/``.ndjson``), CSV, TSV or Parquet file, optionally ``.gz``/``.zst``.
        dst: output file; its name picks the format (``.jsonl``, ``.csv``, ``.tsv``,
            ``.parquet``; JSONL/CSV/TSV may end in ``.gz`` or ``.zst``).
        model: ``"default"``, a model folder or hub id (see :func:`netral_nlp.load`), or a
            loaded :class:`TopicClassifier`.
        text_field: field holding the text; a dotted path reaches into nested objects
            (``"user.description"``); several fields are joined with ``joiner``.
        id_field: field copied to the output as ``id`` (rows always carry ``row``).
        keep_fields: also copy every input field into the output (under ``input``).
        errors_path: where error rows go (default: ``<dst stem>.errors.jsonl``).
        threshold: ``None`` (the model's tuned thresholds), one float or ``{topic: float}``.
        resume: continue an interrupted run from its checkpoint.
        overwrite: replace an existing ``dst`` (and any stale checkpoint).
        workers: labelling processes (default: one per CPU, up to 8, for the TF-IDF model;
            1 for other models, which use their own threads).
        chunk_size: rows per work unit (default 2,000; 1,024 for non-TF-IDF models).
        batch_size: texts per model call for transformer models.
        cache_size: distinct texts remembered by each duplicate cache (0 disables it).
        max_text_chars: longer texts are cut to this length, labelled and flagged
            ``truncated``; ``0`` = no cap.
        max_line_bytes: a longer JSONL line / CSV line is an error row ("line too long").
        max_chunk_bytes: a work unit also ends after this many input bytes, so memory is
            bounded by bytes, not only by rows.
        score_digits: decimals kept in the written scores.
        checkpoint_rows / checkpoint_seconds: how often a checkpoint is written.
        progress: show a progress bar (rows/s, ETA) on stderr.
        engine: ``"local"``, or ``"ray"`` to label with a Ray Data actor pool (see
            :mod:`netral_nlp.batch.distributed`; no resume).
        model_kwargs: passed to :func:`netral_nlp.load` (e.g. ``precision="int8"``).
        ray_options: for ``engine="ray"``: ``concurrency``, ``num_cpus``, ``num_gpus``,
            ``batch_size`` of the actor pool.

    Returns:
        a :class:`DumpSummary`.

    Raises:
        FileNotFoundError, DataError (unreadable input, unknown format, missing column, an
        existing ``dst`` or errors file without ``overwrite``/``resume``, two of the run's
        files being one file, a checkpoint that does not match the input, model or options).
        OutputLockedError (a :class:`DataError`): another live run writes ``dst`` or the
        errors file. DamagedInputError (a :class:`DataError`): the input is cut short or
        corrupt part-way; raised after the rows read before the damage are written and the
        files are in place, with the run's summary as ``.summary``.
    """
    texts = (text_field,) if isinstance(text_field, str) else tuple(text_field)
    spec = FieldSpec(texts, id_field, joiner)
    info = detect_input(src, input_format)
    dst_path = Path(os.fspath(dst)).expanduser()
    out_fmt, out_comp = detect_output(dst_path, output_format)
    paths = DumpPaths.for_output(dst_path, Path(os.fspath(errors_path)).expanduser() if errors_path else None)
    if not dst_path.parent.is_dir():
        raise FileNotFoundError(f"{dst_path.parent}: no such folder for the output")
    paths.check_distinct(info.path)
    _check_positive(chunk_size=chunk_size, workers=workers, checkpoint_rows=checkpoint_rows,
                    max_line_bytes=max_line_bytes, max_chunk_bytes=max_chunk_bytes)
    if not isinstance(score_digits, int) or not 0 <= score_digits <= 15:
        raise ValueError(f"score_digits must be an integer in [0, 15], got {score_digits!r}")
    if engine not in ("local", "ray"):
        raise ValueError(f"engine must be 'local' or 'ray', got {engine!r}")
    if engine == "ray" and resume:
        raise DataError("resume is not supported with engine='ray'; rerun the whole file")
    with OutputLock([paths.dst, paths.errors]):
        if engine == "ray":
            from .distributed import label_dump_ray

            summary = label_dump_ray(info, paths, spec, model, out_fmt, out_comp, keep_fields=keep_fields,
                                     threshold=threshold, overwrite=overwrite, cache_size=cache_size,
                                     max_text_chars=max_text_chars, score_digits=score_digits, batch_size=batch_size,
                                     model_kwargs=model_kwargs, ray_options=ray_options, progress=progress,
                                     max_chunk_bytes=max_chunk_bytes)
        else:
            options = _LocalOptions(keep_fields, threshold, resume, overwrite, workers, chunk_size, batch_size,
                                    cache_size, max_text_chars, max_line_bytes, max_chunk_bytes, score_digits,
                                    checkpoint_rows, checkpoint_seconds, progress, model_kwargs)
            summary = _label_local(info, paths, spec, model, out_fmt, out_comp, options)
    if summary.input_damage:
        raise DamagedInputError(damage_message(summary), summary)
    return summary


@dataclass(frozen=True)
class _LocalOptions:
    """The ``label_dump`` arguments the local engine uses (see there)."""

    keep_fields: bool
    threshold: Threshold
    resume: bool
    overwrite: bool
    workers: int | None
    chunk_size: int | None
    batch_size: int | None
    cache_size: int
    max_text_chars: int
    max_line_bytes: int
    max_chunk_bytes: int
    score_digits: int
    checkpoint_rows: int
    checkpoint_seconds: float
    progress: bool
    model_kwargs: dict[str, Any] | None


def _fingerprint(info: InputInfo, paths: DumpPaths, spec: FieldSpec, model: Any, out: tuple[str, str | None],
                 o: _LocalOptions) -> dict[str, Any]:
    """What a checkpoint must match to be resumed: input (name, size, time and content),
    model (name and files), output format and every option that changes the output."""
    return {
        "src": str(info.path.resolve()), "src_size": info.size, "src_mtime_ns": info.path.stat().st_mtime_ns,
        "src_digest": file_digest(info.path), "input_format": info.fmt, "output": list(out),
        "errors": str(paths.errors.resolve()),
        "model": model if isinstance(model, str) else os.fspath(model) if isinstance(model, os.PathLike)
        else f"<{type(model).__name__}>", "model_digest": model_digest(model),
        "model_kwargs": _jsonable(o.model_kwargs or {}), "text_fields": list(spec.text_fields),
        "id_field": spec.id_field, "joiner": spec.joiner, "keep_fields": o.keep_fields,
        "threshold": _jsonable(o.threshold), "score_digits": o.score_digits, "max_text_chars": o.max_text_chars,
    }


def _label_local(info: InputInfo, paths: DumpPaths, spec: FieldSpec, model: Any, out_fmt: str,
                 out_comp: str | None, o: _LocalOptions) -> DumpSummary:
    """The local engine: in-process or forked workers, checkpointed, resumable."""
    keep_cols, keep_types = _input_columns(info, spec, o.keep_fields)
    fingerprint = _fingerprint(info, paths, spec, model, (out_fmt, out_comp), o)
    ckpt = prepare_run(paths, fingerprint, resume=o.resume, overwrite=o.overwrite)
    summary = DumpSummary(str(info.path), str(paths.dst), str(paths.errors))
    if ckpt is not None:
        for name in COUNTERS:
            setattr(summary, name, ckpt["counters"][name])
        summary.resumed_rows = summary.rows_read

    clf = _load_model(model, o.model_kwargs)
    from ..models.linear import LinearTopicClassifier

    is_linear = isinstance(clf, LinearTopicClassifier)
    workers = o.workers
    if workers is None:
        workers = min(available_cpus(), 8) if is_linear else 1
    elif workers > 1 and not is_linear:
        raise ValueError("workers > 1 is only for the TF-IDF model; other models use threads in one process")
    keep = "none" if not o.keep_fields else "columns" if keep_cols is not None and out_fmt != "jsonl" else "record"
    layout = OutputLayout(out_fmt, tuple(clf.labels), spec.id_field is not None, keep, tuple(keep_cols or ()),
                          out_comp, o.score_digits)
    labeler = ChunkLabeler(clf, spec, layout, threshold=o.threshold, cache_size=o.cache_size,
                           max_text_chars=o.max_text_chars, batch_size=o.batch_size)
    summary.workers = workers
    schema = parquet_schema(layout, keep_types) if out_fmt == "parquet" else None
    if ckpt is not None and ckpt["state"] == "finishing":  # interrupted while moving files into place
        parts = ParquetSink(paths.parts, schema, ckpt["parts"]) if schema is not None and paths.parts.exists() else None
        finish_run(paths, out_fmt, parts)
        return summary
    run = RunOutputs(paths, layout, ckpt, schema)
    columns = None if o.keep_fields or info.fmt != "parquet" else spec_columns(info, spec)
    chunks = read_chunks(info, ckpt["position"] if ckpt else None, o.chunk_size or (2_000 if is_linear else 1_024),
                         columns=columns, max_line_bytes=o.max_line_bytes, max_chunk_bytes=o.max_chunk_bytes)
    bar = _progress_bar(info, ckpt, o.progress)
    executor = make_executor(labeler, workers)
    started = time.perf_counter()
    last_ckpt, rows_at_ckpt = started, summary.rows_read
    try:
        for res in executor.map(chunks):
            summary.add(res)
            run.write(res, summary.counters())
            bar.update(res.progress - bar.n)
            elapsed = time.perf_counter() - started
            rate = (summary.rows_read - summary.resumed_rows) / elapsed if elapsed else 0.0
            bar.set_postfix_str(f"{summary.rows_read:,} rows, {rate:,.0f} rows/s, {summary.errors:,} errors",
                                refresh=False)
            now = time.perf_counter()
            if summary.rows_read - rows_at_ckpt >= o.checkpoint_rows or now - last_ckpt >= o.checkpoint_seconds:
                run.checkpoint(fingerprint)
                last_ckpt, rows_at_ckpt = now, summary.rows_read
        run.checkpoint(fingerprint, state="finishing")
        run.close()
        finish_run(paths, out_fmt, run.parquet)
    except KeyboardInterrupt:
        run.checkpoint(fingerprint, interrupted=True)
        raise
    finally:
        executor.close()
        bar.close()
        run.close()
    summary.seconds = time.perf_counter() - started
    return summary


def _input_columns(info: InputInfo, spec: FieldSpec, keep: bool) -> tuple[list[str] | None, dict[str, Any] | None]:
    """Known input columns (CSV header, Parquet schema) and their Arrow types (Parquet);
    also checks that the text and id fields exist there."""
    if info.fmt == "jsonl":
        return None, None
    if info.fmt == "parquet":
        schema = parquet_schema_of(info)
        names, types = list(schema.names), {f.name: f.type for f in schema}
    else:
        names, types = csv_header(info), None
    for name in list(spec.text_fields) + ([spec.id_field] if spec.id_field else []):
        if name not in names and name.split(".")[0] not in names:
            raise DataError(f"{info.path}: no column {name!r} (columns: {names[:30]})")
    return names, types


def spec_columns(info: InputInfo, spec: FieldSpec) -> list[str]:
    """The Parquet columns a run needs when input fields are not kept."""
    names = list(parquet_schema_of(info).names)
    wanted = [n for n in spec.text_fields + ((spec.id_field,) if spec.id_field else ()) if n in names]
    return list(dict.fromkeys(wanted + [c for c in spec.top_level if c in names]))


def _load_model(model: Any, kwargs: dict[str, Any] | None) -> TopicClassifier:
    if isinstance(model, TopicClassifier):
        return model
    if isinstance(model, (str, os.PathLike)) or model is None:
        from ..models.loading import load

        return load(model, **(kwargs or {}))
    raise TypeError(f"model must be a name, a folder or a TopicClassifier, got {type(model).__name__}")


def _progress_bar(info: InputInfo, ckpt: dict[str, Any] | None, enabled: bool) -> Any:
    from tqdm.auto import tqdm

    by_rows = info.fmt == "parquet"
    total = None
    if by_rows:
        from .readers import parquet_rows

        total = parquet_rows(info)
    return tqdm(total=total if by_rows else info.size, initial=ckpt["progress"] if ckpt else 0,
                unit="rows" if by_rows else "B", unit_scale=True, unit_divisor=1000 if by_rows else 1024,
                desc="labelling", disable=not enabled, file=sys.stderr, dynamic_ncols=True, mininterval=0.5)


def _check_positive(**values: int | None) -> None:
    for name, value in values.items():
        if value is not None and (not isinstance(value, int) or value < 1):
            raise ValueError(f"{name} must be a positive integer, got {value!r}")


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return repr(value)


__all__ = ["label_dump", "DumpSummary", "DumpPaths", "COUNTERS"]
