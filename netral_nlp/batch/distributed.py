"""Batch labelling on Ray Data, for when one machine is not enough
(``pip install "netral-nlp[ray]"``).

Two entry points, both built on the same :class:`~netral_nlp.batch.ChunkLabeler` as the
local engine (same fields, errors, duplicate cache and output encoding):

* :func:`label_dataset_ray`: label a ``ray.data.Dataset`` you already have (e.g.
  ``ray.data.read_parquet("s3://bucket/dump/")`` on a cluster). ``map_batches`` runs an
  actor pool; each actor loads the model once. The result is a dataset with ``id``,
  ``labels``, ``score_<topic>``, ``truncated`` and ``error`` (null for labelled rows) that
  you write with Ray (``.write_parquet(folder)``) or filter on ``error``.
* ``label_dump(src, dst, engine="ray")`` (:mod:`.ray_dump`): the same file-to-file job as
  the local engine, on these actors. No resume: rerun the whole file.

The model must be a name, a hub id, or a folder that exists on every node.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from .labeler import ChunkLabeler, FieldSpec, RawChunk, RowError
from ..models.classifier import Threshold
from ..errors import MissingDependencyError
from .writers import OutputLayout, parquet_schema

RAW_SCHEMA_COLUMNS = ("__row", "__raw", "__error", "__excerpt")


def _ray() -> Any:
    try:
        import ray
        import ray.data  # noqa: F401
    except ImportError as exc:
        raise MissingDependencyError("Distributed labelling (engine='ray')", "ray", "ray[data]") from exc
    return ray


def ensure_ray(quiet: bool = True) -> Any:
    """Import Ray and connect: to ``RAY_ADDRESS`` / a running cluster, else a local instance.

    ``quiet``: Ray's Python log lines (start-up, token set-up) at error level only; the
    workers' output is never forwarded to this process. (``RAY_BACKEND_LOG_LEVEL`` is left
    alone: setting it makes the C++ core print one more line, announcing the level.)
    """
    ray = _ray()
    if not ray.is_initialized():
        ray.init(include_dashboard=False, ignore_reinit_error=True, log_to_driver=False,
                 logging_level=logging.ERROR if quiet else logging.INFO)
    return ray


class RayLabeler:
    """Ray Data actor: loads the model once, then labels batches (pyarrow tables).

    ``mode="rows"``: one output row per input row (see :func:`label_dataset_ray`).
    ``mode="chunks"``: one output row per batch holding the encoded output bytes, error
    rows and counters (used by ``label_dump(engine="ray")``).
    """

    def __init__(self, model: str, spec: dict[str, Any], layout: dict[str, Any], mode: str, *,
                 threshold: Threshold = None, cache_size: int = 100_000, max_text_chars: int = 50_000,
                 batch_size: int | None = None, model_kwargs: dict[str, Any] | None = None,
                 keep_types: dict[str, str] | None = None, row_field: str | None = None) -> None:
        from ..models.loading import load

        self.clf = load(model, **(model_kwargs or {}))
        self.spec = FieldSpec(tuple(spec["text_fields"]), spec.get("id_field"), spec.get("joiner", "\n"))
        self.layout = OutputLayout(**{**layout, "labels": tuple(self.clf.labels),
                                      "keep_columns": tuple(layout.get("keep_columns", ()))})
        self.mode = mode
        self.row_field = row_field
        self.keep_types = keep_types
        self.labeler = ChunkLabeler(self.clf, self.spec, self.layout, threshold=threshold, cache_size=cache_size,
                                    max_text_chars=max_text_chars, batch_size=batch_size)

    def __call__(self, batch: Any) -> Any:
        if self.mode == "chunks":
            return self._chunk(batch)
        return self._rows(batch)

    def _chunk(self, batch: Any) -> Any:
        import pyarrow as pa

        cols = batch.to_pydict()
        items: list[Any] = [RowError(e, x or "") if e is not None else raw
                            for raw, e, x in zip(cols["__raw"], cols["__error"], cols["__excerpt"])]
        damage = next((d for d in cols.get("__damage", ()) if d), None)
        res = self.labeler(RawChunk(list(cols["__row"]), items, {}, 0, damage=damage))
        payload = res.payload
        if self.layout.fmt == "parquet":
            payload = _ipc_bytes(pa.Table.from_pydict(payload, schema=parquet_schema(self.layout, self._types())))
        return pa.table({
            "payload": pa.array([payload], pa.binary()), "errors": pa.array([res.errors], pa.binary()),
            "counters": [json.dumps({"rows": res.rows, "labelled": res.labelled, "failed": res.failed,
                                     "cached": res.cached, "truncated": res.truncated, "reasons": res.reasons,
                                     "histogram": res.histogram.to_dict() if res.histogram is not None else None,
                                     "damage": res.damage})],
        })

    def _rows(self, batch: Any) -> Any:
        import pyarrow as pa
        import pyarrow.compute  # noqa: F401

        records = batch.to_pylist()
        res = self.labeler(RawChunk(list(range(len(records))), records, {}, 0))  # row = position in the batch
        schema = parquet_schema(self.layout, self._types())
        labelled = pa.Table.from_pydict(res.payload, schema=schema)
        errors = [json.loads(line) for line in res.errors.decode("utf-8").splitlines()]
        failed_cols: dict[str, list[Any]] = {"row": [e["row"] for e in errors]}
        if self.layout.with_id:
            failed_cols["id"] = [None if e["id"] is None else str(e["id"]) for e in errors]
        for c in self.layout.keep_columns:  # an error row still shows its input
            failed_cols[f"input.{c}"] = [records[e["row"]].get(c) for e in errors]
        failed = pa.Table.from_pydict(failed_cols, schema=pa.schema([f for f in schema if f.name in failed_cols]))
        out = pa.concat_tables([labelled, _pad(failed, schema)])
        out = out.append_column("error", pa.array([None] * labelled.num_rows + [e["reason"] for e in errors], pa.string()))
        out = out.take(pa.compute.sort_indices(out.column("row")))  # back to input order
        if self.row_field:
            from .labeler import MISSING, get_field

            values = [get_field(r, self.row_field) for r in records]
            order = out.column("row").to_pylist()
            rows = pa.array([None if values[i] is MISSING else values[i] for i in order])
            return out.set_column(0, pa.field("row", rows.type), rows)
        return out.drop_columns(["row"])

    def _types(self) -> dict[str, Any] | None:
        if not self.keep_types:
            return None
        import pyarrow as pa

        return {k: pa.type_for_alias(v) if isinstance(v, str) else v for k, v in self.keep_types.items()}


def _pad(table: Any, schema: Any) -> Any:
    """``table`` with the missing columns of ``schema`` added as nulls, in schema order."""
    import pyarrow as pa

    cols = [table.column(f.name) if f.name in table.column_names else pa.nulls(table.num_rows, f.type)
            for f in schema]
    return pa.Table.from_arrays(cols, schema=schema)


def _ipc_bytes(table: Any) -> bytes:
    import pyarrow as pa

    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    return sink.getvalue().to_pybytes()


def _from_ipc(data: bytes) -> dict[str, list[Any]]:
    import pyarrow as pa

    return pa.ipc.open_stream(data).read_all().to_pydict()


def label_dataset_ray(
    ds: Any,
    model: str = "default",
    text_field: str | list[str] = "text",
    id_field: str | None = None,
    *,
    keep_fields: bool = False,
    row_field: str | None = None,
    threshold: Threshold = None,
    cache_size: int = 100_000,
    max_text_chars: int = 50_000,
    score_digits: int = 4,
    batch_size: int = 1024,
    model_batch_size: int | None = None,
    concurrency: int | tuple[int, int] | None = None,
    num_cpus: float = 1,
    num_gpus: float = 0,
    model_kwargs: dict[str, Any] | None = None,
) -> Any:
    """Label a ``ray.data.Dataset`` of records with an actor pool (one model per actor).

    Args:
        ds: a Ray dataset whose rows hold the text field(s) (nested paths allowed).
        model: a name, hub id or folder present on every node (not a loaded model).
        keep_fields: also carry the input columns (as ``input.<name>``, types kept).
        row_field: a column holding row numbers to copy as ``row`` (else no ``row`` column).
        batch_size: rows per ``map_batches`` call (large buffers let transformer models
            length-sort); ``model_batch_size``: texts per forward pass.
        concurrency: actors (default: one per cluster CPU, or per GPU with ``num_gpus``).
        num_cpus / num_gpus: resources of each actor.

    Returns:
        a lazy ``ray.data.Dataset`` with ``id`` (with ``id_field``), ``labels``,
        ``score_<topic>``, ``truncated``, ``error`` (null unless the row could not be
        labelled, then the reason) and ``input.*`` with ``keep_fields``.
    """
    ray = _ray()
    texts = [text_field] if isinstance(text_field, str) else list(text_field)
    if not isinstance(model, str):
        raise TypeError("model must be a name, hub id or folder path: each Ray actor loads its own copy")
    keep_columns: list[str] = []
    keep_types: dict[str, Any] | None = None
    if keep_fields:
        schema = ds.schema()
        keep_columns = [n for n in schema.names if n != row_field]
        keep_types = {n: t for n, t in zip(schema.names, schema.types) if n in keep_columns}
    spec = {"text_fields": texts, "id_field": id_field}
    layout = {"fmt": "parquet", "labels": (), "with_id": id_field is not None,
              "keep": "columns" if keep_fields else "none", "keep_columns": keep_columns, "score_digits": score_digits}
    return ds.map_batches(
        RayLabeler, batch_size=batch_size, batch_format="pyarrow",
        compute=_actor_pool(ray, concurrency or _default_actors(ray, num_gpus)),
        num_cpus=num_cpus, num_gpus=num_gpus or None,
        fn_constructor_args=(model, spec, layout, "rows"),
        fn_constructor_kwargs=dict(threshold=threshold, cache_size=cache_size, max_text_chars=max_text_chars,
                                   batch_size=model_batch_size, model_kwargs=model_kwargs, keep_types=keep_types,
                                   row_field=row_field),
    )


def _actor_pool(ray: Any, size: int | tuple[int, int]) -> Any:
    """An actor pool of ``size`` actors (or ``(min, max)`` to autoscale)."""
    if isinstance(size, tuple):
        return ray.data.ActorPoolStrategy(min_size=size[0], max_size=size[1])
    return ray.data.ActorPoolStrategy(size=int(size))


def _default_actors(ray: Any, num_gpus: float) -> int:
    res = ray.cluster_resources()
    if num_gpus:
        return max(1, int(res.get("GPU", 1) // num_gpus))
    return max(1, int(res.get("CPU", 2)) - 1)  # one CPU stays with the reader


__all__ = ["label_dataset_ray", "RayLabeler", "ensure_ray"]
