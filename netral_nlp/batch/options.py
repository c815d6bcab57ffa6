"""The options of :func:`~netral_nlp.batch.dump.label_dump` (:class:`DumpOptions`) and one
prepared run handed to an engine (:class:`DumpJob`)."""

from __future__ import annotations

import os
from dataclasses import dataclass, fields
from typing import Any, Mapping

from ..models.classifier import Threshold
from ..quantify.estimators import DEFAULT_METHOD, check_method
from .labeler import FieldSpec
from .readers import DEFAULT_MAX_CHUNK_BYTES, DEFAULT_MAX_LINE_BYTES, InputInfo
from .resume import DumpPaths


@dataclass
class DumpOptions:
    """Every keyword option of :func:`~netral_nlp.label_dump` (pass ``options=DumpOptions(...)``
    or the same names as keyword arguments; keyword arguments win).

    Attributes:
        keep_fields: also copy every input field into the output (under ``input``).
        errors_path: where error rows go (default: ``<dst stem>.errors.jsonl``).
        input_format / output_format: ``"jsonl"``, ``"csv"``, ``"tsv"`` or ``"parquet"``
            (default: from the file names).
        threshold: ``None`` (the model's tuned thresholds), one float or ``{topic: float}``.
        resume: continue an interrupted run from its checkpoint.
        overwrite: replace an existing ``dst`` and errors file (and any stale checkpoint).
        workers: labelling processes (default: one per CPU, up to 8, for the TF-IDF model;
            1 for other models, which use their own threads).
        chunk_size: rows per work unit (default 2,000; 1,024 for non-TF-IDF models).
        batch_size: texts per model call for transformer models.
        cache_size: distinct texts remembered by each duplicate cache (0 disables it).
        max_text_chars: longer texts are cut to this length, labelled and flagged
            ``truncated``; ``0`` = no cap.
        max_line_bytes: a longer JSONL line / CSV line is an error row ("line too long").
        max_chunk_bytes: a work unit also ends after this many input bytes (default 8 MiB),
            so memory is bounded by bytes, not only by rows.
        score_digits: decimals kept in the written scores.
        checkpoint_rows / checkpoint_seconds: how often a checkpoint is written.
        progress: show a progress bar (rows/s, ETA) on stderr (default ``None``: off, a library
            call is quiet unless asked; ``netral-nlp label`` turns it on unless ``-q``).
        joiner: joins the parts of several text fields.
        engine: ``"local"``, or ``"ray"`` to label with a Ray Data actor pool (see
            :mod:`netral_nlp.batch.distributed`; no resume); more in :mod:`.engines`.
        model_kwargs: passed to :func:`netral_nlp.load` (e.g. ``precision="int8"``).
        ray_options: for ``engine="ray"``: ``concurrency``, ``num_cpus``, ``num_gpus``,
            ``batch_size`` of the actor pool.
        prevalence: how the summary estimates each topic's share of the dump: ``"em"``,
            ``"pacc"``, ``"acc"`` or ``"cc"`` (see :func:`netral_nlp.estimate_prevalence`);
            ``None`` for none.
    """

    keep_fields: bool = False
    errors_path: str | os.PathLike[str] | None = None
    input_format: str | None = None
    output_format: str | None = None
    threshold: Threshold = None
    resume: bool = False
    overwrite: bool = False
    workers: int | None = None
    chunk_size: int | None = None
    batch_size: int | None = None
    cache_size: int = 100_000
    max_text_chars: int = 50_000
    max_line_bytes: int = DEFAULT_MAX_LINE_BYTES
    max_chunk_bytes: int = DEFAULT_MAX_CHUNK_BYTES
    score_digits: int = 4
    checkpoint_rows: int = 100_000
    checkpoint_seconds: float = 30.0
    progress: bool | None = None
    joiner: str = "\n"
    engine: str = "local"
    model_kwargs: dict[str, Any] | None = None
    ray_options: dict[str, Any] | None = None
    prevalence: str | None = DEFAULT_METHOD

    @classmethod
    def build(cls, options: "DumpOptions | None", overrides: Mapping[str, Any]) -> "DumpOptions":
        """``options`` (default: all defaults) with the keyword arguments ``overrides`` applied."""
        known = {f.name for f in fields(cls)}
        for name in overrides:
            if name not in known:
                raise TypeError(f"label_dump() got an unexpected keyword argument {name!r}")
        values = {f.name: getattr(options, f.name) for f in fields(cls)} if options is not None else {}
        values.update(overrides)
        return cls(**values)

    def check(self) -> None:
        """Raise ``ValueError`` for a counting option that is not a positive integer or bad digits."""
        for name in ("chunk_size", "workers", "checkpoint_rows", "max_line_bytes", "max_chunk_bytes"):
            value = getattr(self, name)
            if value is not None and (not isinstance(value, int) or value < 1):
                raise ValueError(f"{name} must be a positive integer, got {value!r}")
        if not isinstance(self.score_digits, int) or not 0 <= self.score_digits <= 15:
            raise ValueError(f"score_digits must be an integer in [0, 15], got {self.score_digits!r}")
        if self.prevalence is not None:
            check_method(self.prevalence)


@dataclass
class DumpJob:
    """One checked run, as :func:`~netral_nlp.label_dump` hands it to an engine."""

    info: InputInfo
    paths: DumpPaths
    spec: FieldSpec
    model: Any
    out_fmt: str
    out_comp: str | None
    options: DumpOptions


__all__ = ["DumpOptions", "DumpJob"]
