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

Whatever the engine, a run holds a lock on its output and errors file (``<file>.lock``,
see :mod:`.locks`), so a second run on the same files is refused instead of mixing rows;
it refuses before reading when two of its files are one file, and never replaces an
existing output or errors file without ``overwrite``. A compressed or Parquet input found
cut short or corrupt part-way ends the run with :class:`~netral_nlp.DamagedInputError`
once every row read before the damage is written.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Sequence

from ..errors import DamagedInputError
from ..models.classifier import TopicClassifier
from .engines import get_engine
from .labeler import FieldSpec
from .locks import OutputLock
from .options import DumpJob, DumpOptions
from .readers import detect_input
from .resume import DumpPaths
from .summary import COUNTERS, DumpSummary, damage_message
from .writers import detect_output


def label_dump(
    src: str | os.PathLike[str],
    dst: str | os.PathLike[str],
    model: str | os.PathLike[str] | TopicClassifier = "default",
    text_field: str | Sequence[str] = "text",
    id_field: str | None = None,
    *,
    options: DumpOptions | None = None,
    **kwargs: Any,
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
        options: a :class:`~netral_nlp.batch.options.DumpOptions`; every option can also be
            given as a keyword argument (``keep_fields``, ``errors_path``, ``input_format``,
            ``output_format``, ``threshold``, ``resume``, ``overwrite``, ``workers``,
            ``chunk_size``, ``batch_size``, ``cache_size``, ``max_text_chars``,
            ``max_line_bytes``, ``max_chunk_bytes``, ``score_digits``, ``checkpoint_rows``,
            ``checkpoint_seconds``, ``progress``, ``joiner``, ``engine``, ``model_kwargs``,
            ``ray_options``, ``prevalence``; see :class:`DumpOptions` for each), which wins over ``options``.

    Returns:
        a :class:`DumpSummary`; its ``prevalence`` holds each topic's estimated share of the
        dump with a 95 % interval next to the raw flag count (method ``options.prevalence``,
        default ``"em"``; see :func:`netral_nlp.estimate_prevalence`).

    Raises:
        FileNotFoundError, DataError (unreadable input, unknown format, missing column, an
        existing ``dst`` or errors file without ``overwrite``/``resume``, two of the run's
        files being one file, a checkpoint that does not match the input, model or options).
        OutputLockedError (a :class:`DataError`): another live run writes ``dst`` or the
        errors file. DamagedInputError (a :class:`DataError`): the input is cut short or
        corrupt part-way; raised after the rows read before the damage are written and the
        files are in place, with the run's summary as ``.summary``.
    """
    opts = DumpOptions.build(options, kwargs)
    job = _prepare(src, dst, model, text_field, id_field, opts)
    engine = get_engine(opts.engine)
    with OutputLock([job.paths.dst, job.paths.errors]):
        summary = engine(job)
    if summary.input_damage:
        raise DamagedInputError(damage_message(summary), summary)
    return summary


def _prepare(src: str | os.PathLike[str], dst: str | os.PathLike[str], model: Any, text_field: str | Sequence[str],
             id_field: str | None, opts: DumpOptions) -> DumpJob:
    """Check the files and the options; the job every engine runs."""
    texts = (text_field,) if isinstance(text_field, str) else tuple(text_field)
    spec = FieldSpec(texts, id_field, opts.joiner)
    info = detect_input(src, opts.input_format)
    dst_path = Path(os.fspath(dst)).expanduser()
    out_fmt, out_comp = detect_output(dst_path, opts.output_format)
    errors_path = Path(os.fspath(opts.errors_path)).expanduser() if opts.errors_path else None
    paths = DumpPaths.for_output(dst_path, errors_path)
    if not dst_path.parent.is_dir():
        raise FileNotFoundError(f"{dst_path.parent}: no such folder for the output")
    paths.check_distinct(info.path)
    opts.check()
    return DumpJob(info, paths, spec, model, out_fmt, out_comp, opts)


__all__ = ["label_dump", "DumpSummary", "DumpOptions", "DumpPaths", "COUNTERS"]
