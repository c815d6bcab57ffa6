"""The ``"ray"`` engine of :func:`~netral_nlp.label_dump`: the local engine's file-to-file
job on a Ray Data actor pool (:class:`~.distributed.RayLabeler`).

The file is read sequentially by one streaming read task on the driver's node (row
numbers and every reader check are kept), actors label the chunks anywhere in the cluster,
and the driver writes ``dst`` and the errors file in input order: the output is identical
to the local engine's (except that ``keep_fields`` always keeps the input as one JSON
``input`` object/column). No resume: rerun the whole file. A damaged input is reported
like the local engine does (the last chunk read carries the damage to the driver).

The pool is sized so the pipeline can run: each actor holds ``num_cpus`` CPUs (and
``num_gpus`` GPUs) for its whole life and the read task needs one more CPU, so a pool that
takes every CPU would wait forever for the reader. Such a request is refused up front with
the cluster's CPU count.
"""

from __future__ import annotations

import json
import logging
from typing import Any, Iterator

from ..errors import DamagedInputError, DataError
from ..quantify.histogram import ScoreHistogram
from .distributed import RayLabeler, _actor_pool, _default_actors, _from_ipc, ensure_ray
from .labeler import RowError
from .options import DumpJob
from .prevalence import add_prevalence
from .readers import DEFAULT_MAX_LINE_BYTES
from .summary import DumpSummary
from .writers import OutputLayout, parquet_schema

READER_CPUS = 1
"""CPUs the read task asks Ray for (Ray Data's default for a read task)."""


def _datasource(info: Any, chunk_rows: int, max_line_bytes: int, max_chunk_bytes: int) -> Any:
    """A one-task Ray datasource streaming ``info`` through :func:`netral_nlp.batch.readers.read_chunks`."""
    from ray.data import Datasource, ReadTask

    class DumpDatasource(Datasource):
        supports_distributed_reads = False  # the file is on the driver's machine

        def estimate_inmemory_data_size(self) -> int:
            return info.size

        def get_read_tasks(self, parallelism: int, *args: Any, **kwargs: Any) -> list[Any]:
            return [ReadTask(lambda: _raw_tables(info, chunk_rows, max_line_bytes, max_chunk_bytes), _metadata(info))]

    return DumpDatasource()


def _metadata(info: Any) -> Any:
    import inspect

    from ray.data.block import BlockMetadata

    wanted = {"num_rows": None, "size_bytes": info.size, "exec_stats": None, "input_files": [str(info.path)],
              "schema": None}
    params = inspect.signature(BlockMetadata.__init__).parameters
    return BlockMetadata(**{k: v for k, v in wanted.items() if k in params})


def _raw_tables(info: Any, chunk_rows: int, max_line_bytes: int, max_chunk_bytes: int) -> Iterator[Any]:
    """The input as Arrow tables of raw rows; the last one carries the input's damage, if
    any, in ``__damage`` (one chunk of look-ahead, so it rides on rows that exist)."""
    from .readers import read_chunks

    previous = None
    for chunk in read_chunks(info, None, chunk_rows, max_line_bytes=max_line_bytes, max_chunk_bytes=max_chunk_bytes):
        if chunk.damage and not chunk.rows and previous is None:
            raise DamagedInputError(f"{info.path}: damaged input, {chunk.damage}; no row could be read")
        if chunk.rows:
            if previous is not None:
                yield _raw_table(*previous)
            previous = (chunk, None)
        if chunk.damage:
            assert previous is not None
            previous = (previous[0], chunk.damage)
    if previous is not None:
        yield _raw_table(*previous)


def _raw_table(chunk: Any, damage: str | None) -> Any:
    import pyarrow as pa

    schema = pa.schema([("__row", pa.int64()), ("__raw", pa.binary()), ("__error", pa.string()),
                        ("__excerpt", pa.string()), ("__damage", pa.string())])
    raws, errs, excerpts = [], [], []
    for item in chunk.items:
        if isinstance(item, RowError):
            raws.append(None)
            errs.append(item.reason)
            excerpts.append(item.excerpt)
        else:
            raws.append(item if isinstance(item, bytes)
                        else json.dumps(item, ensure_ascii=False, default=str).encode("utf-8", "surrogatepass"))
            errs.append(None)
            excerpts.append(None)
    columns = [pa.array(chunk.rows, pa.int64()), pa.array(raws, pa.binary()), pa.array(errs, pa.string()),
               pa.array(excerpts, pa.string()), pa.array([damage] * len(chunk.rows), pa.string())]
    return pa.table(columns, schema=schema)


def check_pool_fits(ray: Any, size: int | tuple[int, int], num_cpus: float, num_gpus: float) -> None:
    """Refuse an actor pool that leaves no CPU for the read task (the run would hang).

    Raises:
        DataError: naming the cluster's CPUs (GPUs) and the largest pool that fits.
    """
    actors = size[0] if isinstance(size, tuple) else int(size)
    res = ray.cluster_resources()
    cpus, gpus = float(res.get("CPU", 0)), float(res.get("GPU", 0))
    need = actors * num_cpus + READER_CPUS
    if need > cpus + 1e-9:
        fits = int((cpus - READER_CPUS) // num_cpus) if num_cpus else 0
        advice = (f"use --ray-concurrency {fits} (ray_options concurrency) or fewer, or add nodes" if fits >= 1
                  else "add CPUs (ray start on more nodes)")
        raise DataError(f"the Ray cluster has {cpus:g} CPUs, but {actors} actors x {num_cpus:g} CPU plus "
                        f"{READER_CPUS} CPU for the reader need {need:g}: the run would wait forever; {advice}")
    if num_gpus and actors * num_gpus > gpus + 1e-9:
        raise DataError(f"the Ray cluster has {gpus:g} GPUs, but {actors} actors x {num_gpus:g} GPU need "
                        f"{actors * num_gpus:g}: the run would wait forever; use fewer actors")


def label_dump_ray(job: DumpJob) -> DumpSummary:
    """The ``"ray"`` engine of :func:`netral_nlp.label_dump` (see :mod:`.engines`)."""
    import time

    from .resume import finish_run, prepare_run
    from .writers import ByteSink, ParquetSink

    info, paths, spec, model, out_fmt, out_comp = job.info, job.paths, job.spec, job.model, job.out_fmt, job.out_comp
    o = job.options
    if o.resume:
        raise DataError("resume is not supported with engine='ray'; rerun the whole file")
    if not isinstance(model, str):
        raise TypeError("engine='ray' needs a model name, hub id or folder: each Ray actor loads its own copy")
    opts = dict(o.ray_options or {})
    ray = ensure_ray(quiet=not o.progress)
    num_gpus = float(opts.get("num_gpus", 0))
    pool = opts.get("concurrency") or _default_actors(ray, num_gpus)
    check_pool_fits(ray, pool, float(opts.get("num_cpus", 1)), num_gpus)
    prepare_run(paths, {}, resume=False, overwrite=o.overwrite)
    from ..models.loading import load

    clf = load(model, **(o.model_kwargs or {}))  # fail fast, on the driver, for a bad model
    labels = tuple(clf.labels)
    layout = OutputLayout(out_fmt, labels, spec.id_field is not None, "record" if o.keep_fields else "none", (),
                          out_comp, o.score_digits)
    layout_args = {"fmt": out_fmt, "labels": (), "with_id": layout.with_id, "keep": layout.keep,
                   "compression": out_comp, "score_digits": o.score_digits}
    spec_args = {"text_fields": list(spec.text_fields), "id_field": spec.id_field, "joiner": spec.joiner}
    ctx = ray.data.DataContext.get_current()
    saved = (ctx.execution_options.preserve_order, ctx.enable_progress_bars)
    ctx.execution_options.preserve_order = True
    ctx.enable_progress_bars = bool(o.progress)
    data_logger = logging.getLogger("ray.data")  # execution-plan and progress-bar notices
    data_level = data_logger.level
    if not o.progress:
        data_logger.setLevel(logging.ERROR)
    summary = DumpSummary(str(info.path), str(paths.dst), str(paths.errors))
    started = time.perf_counter()
    parquet = ParquetSink(paths.parts, parquet_schema(layout), None) if out_fmt == "parquet" else None
    out = None if parquet else ByteSink(paths.partial)
    err = ByteSink(paths.errors_partial)
    try:
        if out is not None:
            out.write(layout.header())
        ds = ray.data.read_datasource(_datasource(info, int(opts.get("batch_size", 1024)), DEFAULT_MAX_LINE_BYTES,
                                                  o.max_chunk_bytes))
        ds = ds.map_batches(
            RayLabeler, batch_size=None, batch_format="pyarrow",
            compute=_actor_pool(ray, pool),
            num_cpus=opts.get("num_cpus", 1), num_gpus=num_gpus or None,
            fn_constructor_args=(model, spec_args, layout_args, "chunks"),
            fn_constructor_kwargs=dict(threshold=o.threshold, cache_size=o.cache_size, max_text_chars=o.max_text_chars,
                                       batch_size=o.batch_size, model_kwargs=o.model_kwargs))
        for batch in ds.iter_batches(batch_size=None, batch_format="pyarrow"):
            columns = [batch.column(c).to_pylist() for c in ("payload", "errors", "counters")]
            for payload, errors, counters in zip(*columns):
                if parquet is not None:
                    parquet.write(_from_ipc(payload))
                else:
                    assert out is not None
                    out.write(payload)
                err.write(errors)
                c = json.loads(counters)
                summary.rows_read += c["rows"]
                summary.labelled += c["labelled"]
                summary.errors += c["failed"]
                summary.cached += c["cached"]
                summary.truncated += c["truncated"]
                for k, v in c["reasons"].items():
                    summary.error_reasons[k] = summary.error_reasons.get(k, 0) + v
                if c.get("histogram"):
                    summary.add_histogram(ScoreHistogram.from_dict(c["histogram"]))
                summary.input_damage = c.get("damage") or summary.input_damage
        if parquet is not None:
            parquet.sync()
        for sink in (out, err):
            if sink is not None:
                sink.sync()
                sink.close()
        finish_run(paths, out_fmt, parquet)
    except Exception as exc:
        cause = getattr(exc, "cause", None)
        if isinstance(cause, DamagedInputError):  # raised by the read task: no row was readable
            raise DamagedInputError(str(cause)) from exc
        if type(exc).__module__.startswith("ray"):
            first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise DataError(f"Ray labelling failed: {first}") from exc
        raise
    finally:
        ctx.execution_options.preserve_order, ctx.enable_progress_bars = saved
        data_logger.setLevel(data_level)
        for sink in (out, err, parquet):
            if sink is not None:
                sink.close()
    summary.seconds = time.perf_counter() - started
    summary.workers = pool[1] if isinstance(pool, tuple) else int(pool)
    return add_prevalence(summary, clf, o)


__all__ = ["label_dump_ray", "check_pool_fits", "READER_CPUS"]
