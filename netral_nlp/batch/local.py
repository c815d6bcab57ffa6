"""The ``local`` engine of :func:`~netral_nlp.label_dump`: this machine, in-process or in
forked worker processes (:mod:`.executors`), resumable from checkpoints (:mod:`.resume`).

One run, step by step: :func:`_fingerprint` (what a checkpoint must match),
:func:`_start` (checkpoint and counters), :func:`_make_labeler` (model, output layout,
workers), then :func:`_label_chunks` (read → label → write, with checkpoints).
"""

from __future__ import annotations

import os
import sys
import time
from typing import Any

from ..errors import DataError
from ..models.classifier import TopicClassifier
from ..models.fingerprint import file_digest, model_digest
from .executors import available_cpus, make_executor
from .labeler import ChunkLabeler, FieldSpec
from .options import DumpJob
from .readers import InputInfo, csv_header, parquet_schema_of, read_chunks
from .resume import RunOutputs, finish_run, prepare_run
from .prevalence import add_prevalence
from .summary import DumpSummary
from .writers import OutputLayout, ParquetSink, parquet_schema


def label_local(job: DumpJob) -> DumpSummary:
    """Run ``job`` on this machine (the default engine)."""
    opts, info, paths = job.options, job.info, job.paths
    keep_cols, keep_types = _input_columns(info, job.spec, opts.keep_fields)
    fingerprint = _fingerprint(job)
    ckpt = prepare_run(paths, fingerprint, resume=opts.resume, overwrite=opts.overwrite)
    summary = _start(job, ckpt)
    clf = _load_model(job.model, opts.model_kwargs)
    labeler, layout, is_linear = _make_labeler(job, clf, keep_cols)
    workers = _workers(opts.workers, is_linear)
    summary.workers = workers
    schema = parquet_schema(layout, keep_types) if job.out_fmt == "parquet" else None
    if ckpt is not None and ckpt["state"] == "finishing":  # interrupted while moving files into place
        parts = ParquetSink(paths.parts, schema, ckpt["parts"]) if schema is not None and paths.parts.exists() else None
        finish_run(paths, job.out_fmt, parts)
        return add_prevalence(summary, clf, opts)
    run = RunOutputs(paths, layout, ckpt, schema)
    columns = None if opts.keep_fields or info.fmt != "parquet" else spec_columns(info, job.spec)
    chunks = read_chunks(info, ckpt["position"] if ckpt else None, opts.chunk_size or (2_000 if is_linear else 1_024),
                         columns=columns, max_line_bytes=opts.max_line_bytes, max_chunk_bytes=opts.max_chunk_bytes)
    _label_chunks(job, chunks, labeler, workers, run, summary, ckpt, fingerprint)
    return add_prevalence(summary, clf, opts)


def _fingerprint(job: DumpJob) -> dict[str, Any]:
    """What a checkpoint records about the run; resuming needs the same values: the input
    (name, size, time and content), the model (name and files), the output format and
    every option that changes the output."""
    opts, info, model = job.options, job.info, job.model
    return {
        "src": str(info.path.resolve()), "src_size": info.size, "src_mtime_ns": info.path.stat().st_mtime_ns,
        "src_digest": file_digest(info.path),
        "input_format": info.fmt, "output": [job.out_fmt, job.out_comp], "errors": str(job.paths.errors.resolve()),
        "model": model if isinstance(model, str) else os.fspath(model) if isinstance(model, os.PathLike)
        else f"<{type(model).__name__}>", "model_digest": model_digest(model),
        "model_kwargs": _jsonable(opts.model_kwargs or {}),
        "text_fields": list(job.spec.text_fields), "id_field": job.spec.id_field, "joiner": opts.joiner,
        "keep_fields": opts.keep_fields, "threshold": _jsonable(opts.threshold), "score_digits": opts.score_digits,
        "max_text_chars": opts.max_text_chars,
    }


def _start(job: DumpJob, ckpt: dict[str, Any] | None) -> DumpSummary:
    """The run's summary, carrying on the counters of a checkpoint."""
    summary = DumpSummary(str(job.info.path), str(job.paths.dst), str(job.paths.errors))
    if ckpt is not None:
        summary.restore(ckpt["counters"])
    return summary


def _make_labeler(job: DumpJob, clf: TopicClassifier,
                  keep_cols: list[str] | None) -> tuple[ChunkLabeler, OutputLayout, bool]:
    """The chunk labeller, the output layout, and whether the model is the TF-IDF one."""
    from ..models.linear import LinearTopicClassifier

    opts = job.options
    is_linear = isinstance(clf, LinearTopicClassifier)
    if opts.workers is not None and opts.workers > 1 and not is_linear:
        raise ValueError("workers > 1 is only for the TF-IDF model; other models use threads in one process")
    keep = ("none" if not opts.keep_fields else "columns" if keep_cols is not None and job.out_fmt != "jsonl"
            else "record")
    layout = OutputLayout(job.out_fmt, tuple(clf.labels), job.spec.id_field is not None, keep, tuple(keep_cols or ()),
                          job.out_comp, opts.score_digits)
    labeler = ChunkLabeler(clf, job.spec, layout, threshold=opts.threshold, cache_size=opts.cache_size,
                           max_text_chars=opts.max_text_chars, batch_size=opts.batch_size)
    return labeler, layout, is_linear


def _workers(workers: int | None, is_linear: bool) -> int:
    return (min(available_cpus(), 8) if is_linear else 1) if workers is None else workers


def _label_chunks(job: DumpJob, chunks: Any, labeler: ChunkLabeler, workers: int, run: RunOutputs,
                  summary: DumpSummary, ckpt: dict[str, Any] | None, fingerprint: dict[str, Any]) -> None:
    """Label every chunk, write it, checkpoint on time, and move the outputs into place."""
    opts = job.options
    bar = _progress_bar(job.info, ckpt, opts.progress)
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
            if summary.rows_read - rows_at_ckpt >= opts.checkpoint_rows or now - last_ckpt >= opts.checkpoint_seconds:
                run.checkpoint(fingerprint)
                last_ckpt, rows_at_ckpt = now, summary.rows_read
        run.checkpoint(fingerprint, state="finishing")
        run.close()
        finish_run(job.paths, job.out_fmt, run.parquet)
    except KeyboardInterrupt:
        run.checkpoint(fingerprint, interrupted=True)
        raise
    finally:
        executor.close()
        bar.close()
        run.close()
    summary.seconds = time.perf_counter() - started


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


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return repr(value)


__all__ = ["label_local", "spec_columns"]
