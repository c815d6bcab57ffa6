"""``suggest``: pick the posts of a dump whose labels would help the model most.

Streams the dump (JSONL, CSV/TSV, Parquet, optionally gzip/zstd, as ``label_dump`` reads
it) and keeps a bounded candidate pool: for each topic, the ``pool_factor × n`` texts
closest to its threshold so far (one entry per distinct normalised text). At the end the
topics are weighted by how rarely the model flags them in this dump, and ``n`` texts are
chosen for uncertainty and diversity (the method: :mod:`netral_nlp.training.selection`).
The result is written as a labelling sheet (:mod:`netral_nlp.training.corrections`):
pre-filled with the model's guesses, its scores and the words that drove them.
"""

from __future__ import annotations

import heapq
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Iterator, Sequence

import numpy as np

from ..batch.labeler import FieldSpec, RowError, extract_text, get_field, MISSING, parse_json_line
from ..batch.readers import detect_input, read_chunks
from ..errors import DataError
from ..models.classifier import Threshold, TopicClassifier, as_text_list
from ..models.fastlinear import make_scorer
from ..models.loading import load
from .corrections import read_corrections, write_sheet
from .selection import diverse_pick, near_topics, priority, topic_weights, uncertainty

EXPLAIN_WORDS = 5


@dataclass
class Suggestions:
    """What :func:`suggest` chose, and what it read.

    Attributes:
        rows: one dict per chosen text, most urgent first: ``id``, ``row`` (1-based input
            row), ``text``, ``labels`` (the model's guess), ``scores``, ``near_threshold``
            (topics it is unsure about), ``priority``, ``explanation``.
        labels: the model's topic ids.
        read / scored / skipped: input rows read, texts scored, rows skipped (no usable
            text; ``skip_reasons`` counts them by reason). Texts empty after normalisation,
            texts in ``exclude`` and repeats of a text already among the candidates are read
            but neither scored nor candidates.
        flag_rates / weights: per topic, the share of scored texts the model flags and the
            weight that rarity gives the topic.
    """

    rows: list[dict[str, Any]]
    labels: list[str]
    read: int = 0
    scored: int = 0
    skipped: int = 0
    skip_reasons: dict[str, int] = field(default_factory=dict)
    flag_rates: dict[str, float] = field(default_factory=dict)
    weights: dict[str, float] = field(default_factory=dict)
    sheet: Path | None = None

    def __len__(self) -> int:
        return len(self.rows)


@dataclass
class _Candidate:
    row: int
    id: Any
    text: str
    normed: str
    scores: np.ndarray
    refs: int = 0


class CandidatePool:
    """Per topic, the ``size`` candidates with the highest uncertainty seen so far."""

    def __init__(self, n_topics: int, size: int) -> None:
        self.size = size
        self.items: dict[str, _Candidate] = {}
        self.heaps: list[list[tuple[float, int, str]]] = [[] for _ in range(n_topics)]

    def floor(self) -> np.ndarray:
        """Per topic, the uncertainty a newcomer must beat (0 while the pool is not full)."""
        return np.array([h[0][0] if len(h) >= self.size else -1.0 for h in self.heaps])

    def offer(self, cand: _Candidate, u: np.ndarray, topics: Iterable[int]) -> None:
        if cand.normed in self.items:
            return  # the same text is already a candidate
        for t in topics:
            heap, item = self.heaps[t], (float(u[t]), -cand.row, cand.normed)
            if len(heap) < self.size:
                heapq.heappush(heap, item)
            elif item > heap[0]:
                self._release(heapq.heapreplace(heap, item)[2])
            else:
                continue
            cand.refs += 1
            self.items[cand.normed] = cand

    def _release(self, key: str) -> None:
        cand = self.items[key]
        cand.refs -= 1
        if cand.refs == 0:
            del self.items[key]


def suggest(
    model: str | os.PathLike[str] | TopicClassifier,
    source: str | os.PathLike[str] | Sequence[str],
    n: int = 200,
    *,
    topics: Sequence[str] | None = None,
    text_field: str | Sequence[str] = "text",
    id_field: str | None = None,
    exclude: str | os.PathLike[str] | Iterable[str] | None = None,
    output: str | os.PathLike[str] | None = None,
    pool_factor: int = 5,
    threshold: Threshold = None,
    seed: int = 0,
    chunk_rows: int = 2000,
    progress: bool = False,
) -> Suggestions:
    """Choose ``n`` texts to label (uncertainty + diversity) from a dump or a list of texts.

    Args:
        model: ``"default"``, a model folder (see :func:`netral_nlp.load`) or a loaded model.
        source: a dump file (``.jsonl``, ``.csv``, ``.tsv``, ``.parquet``, optionally ``.gz``
            or ``.zst``) or a list of texts.
        n: how many texts to choose.
        topics: only look for uncertainty on these topics (default: all of the model's).
        text_field / id_field: as in :func:`netral_nlp.label_dump` (default id: the
            record's ``id`` field when it has one).
        exclude: texts not to suggest again: an earlier labelling sheet (CSV) or texts.
        output: write the labelling sheet (CSV) here.
        pool_factor: candidates kept per topic, and clustered, as a multiple of ``n``.
        threshold: as in :meth:`TopicClassifier.predict` (default: the model's thresholds).
        seed: seeds the clustering.
        progress: a progress bar on stderr.

    Raises:
        DataError: unknown topic, unreadable input, ``n`` < 1; FileNotFoundError.
    """
    if int(n) < 1 or int(pool_factor) < 1:
        raise ValueError(f"n and pool_factor must be at least 1, got n={n}, pool_factor={pool_factor}")
    clf = model if isinstance(model, TopicClassifier) else load(model)
    focus = _focus(clf, topics)
    thresholds = clf.resolve_thresholds(threshold)
    skip = _excluded(exclude, clf)
    pool = CandidatePool(len(clf.labels), int(pool_factor) * int(n))
    out = Suggestions([], clf.labels)
    flags = np.zeros(len(clf.labels))
    score = make_scorer(clf)
    for batch in _batches(source, text_field, id_field, chunk_rows, out, progress):
        for c in batch:
            c.normed = clf.normalizer(c.text)
        batch = [c for c in batch if c.normed and c.normed not in skip and c.normed not in pool.items]
        if not batch:
            continue
        proba = np.asarray(score([c.normed for c in batch]), dtype=np.float64)
        out.scored += len(batch)
        flags += (proba >= thresholds).sum(axis=0)
        u = uncertainty(proba, thresholds, clf.multi_label)
        above = (u > pool.floor()) & focus
        for i in np.flatnonzero(above.any(axis=1)):
            batch[i].scores = proba[i]
            pool.offer(batch[i], u[i], np.flatnonzero(above[i]))
    weights = topic_weights(flags, out.scored)
    out.flag_rates = {t: float(f / max(out.scored, 1)) for t, f in zip(clf.labels, flags)}
    out.weights = {t: float(w) for t, w, on in zip(clf.labels, weights, focus) if on}
    out.rows = _choose(clf, list(pool.items.values()), thresholds, weights, focus, int(n), int(pool_factor), seed,
                       threshold)
    if output is not None:
        out.sheet = write_sheet(output, out.rows, clf.taxonomy)
    return out


def _choose(clf: TopicClassifier, cands: list[_Candidate], thresholds: np.ndarray, weights: np.ndarray,
            focus: np.ndarray, n: int, pool_factor: int, seed: int, threshold: Threshold) -> list[dict[str, Any]]:
    """The ``n`` rows: most uncertain ``pool_factor × n``, then one per weighted cluster."""
    if not cands:
        return []
    proba = np.vstack([c.scores for c in cands])
    u = uncertainty(proba, thresholds, clf.multi_label)
    prio = priority(u, weights, focus)
    top = np.argsort(-prio, kind="stable")[: pool_factor * n]
    picked = top[diverse_pick(_features(clf, [cands[i].text for i in top]), prio[top], n, seed)]
    rows = []
    for i, labels, near in zip(picked, clf.decide(proba[picked], threshold),
                               near_topics(u[picked], weights, focus, clf.labels)):
        c = cands[i]
        rows.append({"id": c.id, "row": c.row, "text": c.text, "labels": labels,
                     "scores": dict(zip(clf.labels, map(float, c.scores))), "near_threshold": near,
                     "priority": float(prio[i]), "explanation": _explain(clf, c.text, labels, near)})
    return rows


def _features(clf: TopicClassifier, texts: list[str]) -> Any:
    """The model's own TF-IDF features, or character n-gram TF-IDF of the candidates."""
    if hasattr(clf, "features"):
        return clf.features(texts)
    from sklearn.feature_extraction.text import TfidfVectorizer

    return TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True).fit_transform(
        [clf.normalizer(t) for t in texts])


def _explain(clf: TopicClassifier, text: str, labels: list[str], near: list[str]) -> str:
    """``topic: word, word; topic: ...`` for the guessed topics and the uncertain ones."""
    topics = list(dict.fromkeys([*labels, *near]))
    try:
        words = clf.explain(text, top_k=EXPLAIN_WORDS, topics=topics)  # type: ignore[call-arg]
    except (NotImplementedError, TypeError):
        return ""
    return "; ".join(f"{t}: {', '.join(w for w, _ in words.get(t, [])) or '-'}" for t in topics)


def _focus(clf: TopicClassifier, topics: Sequence[str] | None) -> np.ndarray:
    if topics is None:
        return np.ones(len(clf.labels), dtype=bool)
    unknown = [t for t in topics if t not in clf.labels]
    if unknown or not topics:
        raise DataError(f"unknown topic(s) {unknown or list(topics)}; the model's topics are {clf.labels}")
    return np.array([t in topics for t in clf.labels])


def _excluded(exclude: Any, clf: TopicClassifier) -> set[str]:
    if exclude is None:
        return set()
    if isinstance(exclude, (str, os.PathLike)):
        texts = read_corrections(exclude, clf.taxonomy).texts
    else:
        texts = as_text_list(exclude, "exclude")
    return {clf.normalizer(t) for t in texts}


def _batches(source: Any, text_field: str | Sequence[str], id_field: str | None, chunk_rows: int,
             out: Suggestions, progress: bool) -> Iterator[list[_Candidate]]:
    """Candidates (not yet normalised nor scored) in chunks; bad rows are counted in ``out``."""
    if not isinstance(source, (str, os.PathLike)):
        yield from _text_batches(as_text_list(source, "source"), chunk_rows, out)
        return
    spec = FieldSpec((text_field,) if isinstance(text_field, str) else tuple(text_field), id_field)
    info = detect_input(source)
    bar = _bar(progress, info.size)
    for chunk in read_chunks(info, None, chunk_rows, columns=None):
        batch = []
        for row, item in zip(chunk.rows, chunk.items):
            out.read += 1
            rec, problem = _record(item)
            text = None
            if rec is not None:
                text, problem = extract_text(rec, spec)
            if text is None:
                _skip(out, problem or "unreadable row")
                continue
            rid = get_field(rec, id_field or "id")
            batch.append(_Candidate(row, None if rid is MISSING else rid, text, "", np.empty(0)))
        bar.update(chunk.progress - bar.n)
        yield batch
    bar.close()


def _text_batches(texts: list[str], chunk_rows: int, out: Suggestions) -> Iterator[list[_Candidate]]:
    for start in range(0, len(texts), chunk_rows):
        part = texts[start:start + chunk_rows]
        out.read += len(part)
        yield [_Candidate(start + i + 1, None, t, "", np.empty(0)) for i, t in enumerate(part)]


def _record(item: Any) -> tuple[dict[str, Any] | None, str | None]:
    if isinstance(item, RowError):
        return None, item.reason
    if isinstance(item, bytes):
        return parse_json_line(item)
    return item, None


def _skip(out: Suggestions, reason: str) -> None:
    out.skipped += 1
    kind = reason.split(":", 1)[0]
    out.skip_reasons[kind] = out.skip_reasons.get(kind, 0) + 1


def _bar(progress: bool, total: int) -> Any:
    from tqdm.auto import tqdm

    return tqdm(total=total, unit="B", unit_scale=True, desc="suggest", disable=not progress, leave=False)
