"""How much of a dump is about each topic: :func:`estimate_prevalence`, and the estimate in
the summary of :func:`~netral_nlp.label_dump` (:func:`add_prevalence`).

Both stream: only a :class:`~netral_nlp.quantify.ScoreHistogram` of the scores is kept, so
memory does not grow with the input. The estimators and their intervals are in
:mod:`netral_nlp.quantify`.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any, Iterable, Sequence

from ..errors import DataError
from ..models.classifier import Threshold, TopicClassifier, as_text_list
from ..quantify.estimate import DEFAULT_BOOTSTRAP, PrevalenceEstimate, estimate_shares
from ..quantify.estimators import DEFAULT_METHOD, check_method
from ..quantify.histogram import ScoreHistogram
from .labeler import ChunkLabeler, FieldSpec
from .options import DumpOptions
from .readers import detect_input, read_chunks
from .summary import DumpSummary
from .writers import OutputLayout

TEXT_BATCH = 10_000


def estimate_prevalence(
    model: str | os.PathLike[str] | TopicClassifier,
    texts_or_file: Sequence[str] | str | os.PathLike[str],
    method: str = DEFAULT_METHOD,
    *,
    text_field: str | Sequence[str] = "text",
    input_format: str | None = None,
    threshold: Threshold = None,
    n_boot: int = DEFAULT_BOOTSTRAP,
    seed: int = 0,
    level: float = 0.95,
) -> PrevalenceEstimate:
    """Estimate each topic's share of a collection of texts, with a bootstrap interval.

    Args:
        model: ``"default"``, a model folder or a loaded :class:`TopicClassifier`.
        texts_or_file: a list of texts, or the path of a dump (JSONL, CSV, TSV or Parquet,
            optionally .gz/.zst, as for :func:`~netral_nlp.label_dump`).
        method: ``"em"`` (default; EM prior adjustment on recalibrated scores), ``"pacc"``
            (probabilistic adjusted count), ``"acc"`` (adjusted count) or ``"cc"`` (the raw
            share of flagged texts). benchmarks/bench_prevalence.py compares them.
        text_field: field(s) holding the text in a file.
        threshold: thresholds for the flags (default: the model's).
        n_boot: bootstrap replicates for the interval (0: none).
        level: coverage of the interval.

    Returns:
        a :class:`~netral_nlp.quantify.PrevalenceEstimate`; rows of a file without usable text
        are left out and counted in its ``skipped``.

    Raises:
        FileNotFoundError / DataError: an unreadable file; ValueError: an unknown method.
    """
    check_method(method)
    clf = _load(model)
    clf.resolve_thresholds(threshold)
    if isinstance(texts_or_file, (str, os.PathLike)):
        hist, skipped = _file_histogram(clf, texts_or_file, text_field, input_format, threshold)
    else:
        hist, skipped = _texts_histogram(clf, texts_or_file, threshold), 0
    out = estimate_shares(hist, clf, method, threshold, n_boot=n_boot, seed=seed, level=level)
    out.skipped = skipped
    return out


def add_prevalence(summary: DumpSummary, clf: TopicClassifier, opts: DumpOptions) -> DumpSummary:
    """Put the estimate of every topic's share into a finished run's summary (``opts.prevalence``
    names the method; ``None`` skips it). A failure here never fails the labelling: the summary
    then says why in ``prevalence_note``."""
    if opts.prevalence is None or summary.histogram is None or summary.prevalence_note:
        return summary
    if opts.progress and clf.prevalence_ is None and opts.prevalence != "cc":
        print("topic shares: scoring the corpus dev split for the model's error rates (no prevalence.json)",
              file=sys.stderr)
    try:
        estimate = estimate_shares(summary.histogram, clf, opts.prevalence, opts.threshold)
    except (DataError, ValueError, OSError) as exc:
        summary.prevalence_note = f"no estimate: {exc}"
        return summary
    summary.prevalence = estimate.to_dict()
    return summary


def _load(model: Any) -> TopicClassifier:
    if isinstance(model, TopicClassifier):
        return model
    from ..models.loading import load

    return load(model)


def _texts_histogram(clf: TopicClassifier, texts: Iterable[str], threshold: Threshold) -> ScoreHistogram:
    items = as_text_list(texts)
    hist = ScoreHistogram(list(clf.labels))
    for start in range(0, len(items), TEXT_BATCH):
        scores = clf.predict_proba(items[start:start + TEXT_BATCH])
        hist.add_labelled(scores, clf.decide(scores, threshold))
    return hist


def _file_histogram(clf: TopicClassifier, path: str | os.PathLike[str], text_field: str | Sequence[str],
                    input_format: str | None, threshold: Threshold) -> tuple[ScoreHistogram, int]:
    info = detect_input(Path(os.fspath(path)), input_format)
    spec = FieldSpec((text_field,) if isinstance(text_field, str) else tuple(text_field))
    labeler = ChunkLabeler(clf, spec, OutputLayout("jsonl", tuple(clf.labels)), threshold=threshold)
    hist, skipped = ScoreHistogram(list(clf.labels)), 0
    for chunk in read_chunks(info, None, 2_000):
        res = labeler(chunk)
        skipped += res.failed
        if res.histogram is not None:
            hist.merge(res.histogram)
    return hist, skipped


__all__ = ["estimate_prevalence", "add_prevalence"]
