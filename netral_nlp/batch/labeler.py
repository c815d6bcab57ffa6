"""Pure per-chunk labelling logic shared by every batch engine (in-process, worker
processes, Ray actors).

A reader cuts the input into :class:`RawChunk` objects (raw JSON lines, or records, with
their row numbers); :class:`ChunkLabeler` turns one chunk into a :class:`ChunkResult`
holding the encoded output rows and the error rows. No file or network I/O happens here.

Every row of a chunk ends up in exactly one of the two outputs. Each distinct text is
labelled once: a bounded LRU cache keyed by a 128-bit BLAKE2b digest of the raw text
(skips normalisation for copy-paste duplicates) and another keyed by the digest of the
*normalised* text (retweets, changed links or mentions) serve the repeats; duplicates inside
a chunk are scored once as well.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..models.classifier import TopicClassifier, Threshold
from ..models.fastlinear import make_scorer
from ..quantify.histogram import ScoreHistogram
from .cache import BoundedCache, entry_bytes
from .writers import OutputLayout, encode_rows

MISSING: Any = object()
"""Sentinel: a field path that does not exist in a record."""

EXCERPT_CHARS = 200
DEFAULT_CACHE_BYTES = 128 * 1024 * 1024
"""Byte bound of each duplicate cache (besides its entry count, ``cache_size``)."""
SCORE_BATCH_CHARS = 2_000_000
"""Texts go to the model in batches of at most this many characters (at least one text),
so the model's working memory is bounded however long the texts of a chunk are."""


@dataclass(frozen=True)
class RowError:
    """A row a reader could not even turn into a record (bad CSV row, line too long...)."""

    reason: str
    excerpt: str = ""


@dataclass
class RawChunk:
    """A run of consecutive input rows, as read.

    Attributes:
        rows: 1-based row number of each item (JSONL: the line number).
        items: per row, a raw JSON line (``bytes``), a parsed record (``dict``, from CSV or
            Parquet) or a :class:`RowError`.
        position: where the row after this chunk starts (reader-specific, JSON-able): what
            a checkpoint stores to resume from.
        progress: progress units (bytes of the file as stored, or rows) consumed so far.
        blank: blank lines skipped inside this chunk (not rows).
        damage: set on the last chunk of a damaged input (what was wrong, where); the rows
            before it are all in this or earlier chunks.
    """

    rows: list[int]
    items: list[Any]
    position: dict[str, Any]
    progress: int
    blank: int = 0
    damage: str | None = None


@dataclass
class ChunkResult:
    """The encoded outcome of one chunk plus its counters."""

    payload: Any
    errors: bytes
    position: dict[str, Any]
    progress: int
    rows: int = 0
    labelled: int = 0
    failed: int = 0
    cached: int = 0
    truncated: int = 0
    blank: int = 0
    reasons: dict[str, int] = field(default_factory=dict)
    histogram: ScoreHistogram | None = None
    """Scores and flags of the labelled rows (what prevalence estimates need)."""
    damage: str | None = None
    """Set when the chunk is the last of a damaged input (see :attr:`RawChunk.damage`)."""


@dataclass(frozen=True)
class FieldSpec:
    """Which fields hold the text (joined with ``joiner`` when several) and the id.

    A name is looked up as a literal key first, then as a dotted path into nested objects
    (``user.profile.bio``; a numeric part indexes a list: ``entities.0.text``).
    """

    text_fields: tuple[str, ...] = ("text",)
    id_field: str | None = None
    joiner: str = "\n"

    def __post_init__(self) -> None:
        if isinstance(self.text_fields, str):
            object.__setattr__(self, "text_fields", (self.text_fields,))
        if not self.text_fields or not all(isinstance(f, str) and f.strip(".") for f in self.text_fields):
            raise ValueError(f"text_field must name at least one field, got {self.text_fields!r}")
        if self.id_field is not None and (not isinstance(self.id_field, str) or not self.id_field.strip(".")):
            raise ValueError(f"id_field must be a field name or None, got {self.id_field!r}")

    @property
    def top_level(self) -> list[str]:
        """First path component of every field used (the columns a columnar reader needs)."""
        names = list(self.text_fields) + ([self.id_field] if self.id_field else [])
        return list(dict.fromkeys(n.split(".")[0] for n in names))


def get_field(record: Any, name: str) -> Any:
    """The value at ``name`` (literal key or dotted path) in ``record``, or :data:`MISSING`."""
    if isinstance(record, dict) and name in record:
        return record[name]
    cur = record
    for part in name.split("."):
        if isinstance(cur, dict):
            cur = cur.get(part, MISSING)
        elif isinstance(cur, list) and part.isdigit() and int(part) < len(cur):
            cur = cur[int(part)]
        else:
            return MISSING
        if cur is MISSING:
            return MISSING
    return cur


def extract_text(record: dict[str, Any], spec: FieldSpec) -> tuple[str | None, str | None]:
    """``(text, None)``, or ``(None, reason)`` when no usable text is there.

    With several fields, missing or null ones are skipped (a post without a title is still
    labelled from its body); it is an error only when none has a value. A value that is not
    a string is always an error.
    """
    if len(spec.text_fields) == 1:
        name = spec.text_fields[0]
        value = get_field(record, name)
        if isinstance(value, str):
            return value, None
        return None, _text_problem(name, value)
    parts = []
    for name in spec.text_fields:
        value = get_field(record, name)
        if value is MISSING or value is None:
            continue
        if not isinstance(value, str):
            return None, _text_problem(name, value)
        parts.append(value)
    if not parts:
        return None, f"missing text: none of the fields {list(spec.text_fields)} has a value"
    return spec.joiner.join(parts), None


def _text_problem(name: str, value: Any) -> str:
    if value is MISSING:
        return f"missing text: no field {name!r}"
    if value is None:
        return f"missing text: field {name!r} is null"
    return f"text not a string: field {name!r} is {type(value).__name__}"


def parse_json_line(line: bytes) -> tuple[dict[str, Any] | None, str | None]:
    """A JSON-lines record, or ``(None, reason)`` for bad UTF-8, bad JSON or a non-object."""
    try:
        rec = json.loads(line)
    except UnicodeDecodeError as exc:
        return None, f"invalid UTF-8: {exc.reason} at byte {exc.start}"
    except json.JSONDecodeError as exc:
        return None, f"invalid JSON: {exc.msg} (column {exc.colno})"
    except (ValueError, RecursionError) as exc:
        return None, f"invalid JSON: {exc}"
    if not isinstance(rec, dict):
        return None, f"not a JSON object: got {type(rec).__name__}"
    return rec, None


def _digest(text: str, person: bytes) -> bytes:
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16, person=person).digest()


class ChunkLabeler:
    """Callable ``RawChunk -> ChunkResult``; holds the model, the scorer and the caches.

    Args:
        clf: the model.
        spec: text and id fields.
        layout: how output rows are encoded (see :class:`~netral_nlp.batch.writers.OutputLayout`).
        threshold: passed to :meth:`TopicClassifier.decide`.
        cache_size: entries of each duplicate cache (0 disables caching).
        max_text_chars: longer texts are cut to this many characters before labelling and
            flagged ``truncated`` in the output (0 = no cap).
        batch_size: texts per model call (``None``: the model's default).
    """

    def __init__(
        self,
        clf: TopicClassifier,
        spec: FieldSpec,
        layout: OutputLayout,
        threshold: Threshold = None,
        cache_size: int = 100_000,
        max_text_chars: int = 50_000,
        batch_size: int | None = None,
    ) -> None:
        self.clf = clf
        self.spec = spec
        self.layout = layout
        self.max_text_chars = max_text_chars
        clf.resolve_thresholds(threshold)  # fail early on a bad threshold
        self.threshold = threshold
        self._score = make_scorer(clf, batch_size=batch_size)
        self._empty = ((), tuple(0.0 for _ in clf.labels))
        # every entry has the same shape: a 16-byte digest -> (labels, scores)
        size = entry_bytes(_digest("", b"raw"), (tuple(clf.labels), self._empty[1]))
        self._raw = BoundedCache(cache_size, DEFAULT_CACHE_BYTES, lambda key, value: size)
        self._norm = BoundedCache(cache_size, DEFAULT_CACHE_BYTES, lambda key, value: size)
        self._keep_records = layout.keep != "none"

    def __call__(self, chunk: RawChunk) -> ChunkResult:
        res = ChunkResult(payload=None, errors=b"", position=chunk.position, progress=chunk.progress,
                          rows=len(chunk.items), blank=chunk.blank, damage=chunk.damage)
        err_lines: list[str] = []
        done: list[list[Any]] = []  # [row, id, value-or-pending-index, truncated, record]
        pending: list[str] = []
        pending_at: dict[bytes, int] = {}
        pending_raw: list[list[bytes]] = []
        normalize = self.clf.normalizer
        for row, item in zip(chunk.rows, chunk.items):
            if isinstance(item, RowError):
                self._fail(res, err_lines, row, None, item.reason, item.excerpt)
                continue
            if isinstance(item, bytes):
                rec, problem = parse_json_line(item)
                if rec is None:
                    excerpt = item[:EXCERPT_CHARS].decode("utf-8", "replace").rstrip("\r\n")
                    self._fail(res, err_lines, row, None, problem or "", excerpt)
                    continue
            else:
                rec = item
            rid = None
            if self.spec.id_field is not None:
                rid = get_field(rec, self.spec.id_field)
                rid = None if rid is MISSING else rid
            text, problem = extract_text(rec, self.spec)
            if text is None:
                self._fail(res, err_lines, row, rid, problem or "", _record_excerpt(rec))
                continue
            cut = bool(self.max_text_chars) and len(text) > self.max_text_chars
            if cut:
                text = text[: self.max_text_chars]
                res.truncated += 1
            rkey = _digest(text, b"raw")
            value = self._raw.get(rkey)
            if value is not None:
                res.cached += 1
            else:
                normed = normalize(text)
                if not normed:
                    value = self._empty
                    self._raw.put(rkey, value)
                else:
                    nkey = _digest(normed, b"norm")
                    value = self._norm.get(nkey)
                    if value is not None:
                        res.cached += 1
                        self._raw.put(rkey, value)
                    else:
                        idx = pending_at.get(nkey)
                        if idx is None:
                            idx = pending_at[nkey] = len(pending)
                            pending.append(normed)
                            pending_raw.append([rkey])
                        else:
                            res.cached += 1
                            pending_raw[idx].append(rkey)
                        value = idx
            done.append([row, rid, value, cut, rec if self._keep_records else None])
        if pending:
            values = self._label(pending)
            for nkey, idx in pending_at.items():
                self._norm.put(nkey, values[idx])
                for rkey in pending_raw[idx]:
                    self._raw.put(rkey, values[idx])
            for entry in done:
                if isinstance(entry[2], int):
                    entry[2] = values[entry[2]]
        res.labelled = len(done)
        res.histogram = ScoreHistogram(list(self.clf.labels))
        res.histogram.add_labelled([entry[2][1] for entry in done], [entry[2][0] for entry in done])
        res.payload = encode_rows(self.layout, done)
        res.errors = ("\n".join(err_lines) + "\n").encode("utf-8", "replace") if err_lines else b""
        return res

    def _label(self, texts: list[str]) -> list[tuple[tuple[str, ...], tuple[float, ...]]]:
        out: list[tuple[tuple[str, ...], tuple[float, ...]]] = []
        for batch in char_batches(texts, SCORE_BATCH_CHARS):
            scores = np.asarray(self._score(batch), dtype=np.float64)
            labels = self.clf.decide(scores, self.threshold)
            rounded = np.round(scores, self.layout.score_digits).tolist()
            out.extend((tuple(lab), tuple(row)) for lab, row in zip(labels, rounded))
        return out

    @staticmethod
    def _fail(res: ChunkResult, lines: list[str], row: int, rid: Any, reason: str, excerpt: str) -> None:
        res.failed += 1
        category = reason.split(":", 1)[0]
        res.reasons[category] = res.reasons.get(category, 0) + 1
        lines.append(json.dumps({"row": row, "id": rid, "reason": reason, "excerpt": excerpt},
                                ensure_ascii=False, default=str))


def char_batches(texts: list[str], max_chars: int) -> list[list[str]]:
    """``texts`` cut into consecutive batches of at most ``max_chars`` characters (a longer
    text is a batch of its own)."""
    batches: list[list[str]] = []
    current: list[str] = []
    size = 0
    for text in texts:
        if current and size + len(text) > max_chars:
            batches.append(current)
            current, size = [], 0
        current.append(text)
        size += len(text)
    if current:
        batches.append(current)
    return batches


def _record_excerpt(rec: dict[str, Any]) -> str:
    try:
        text = json.dumps(rec, ensure_ascii=False, default=str)
    except (TypeError, ValueError, RecursionError):
        text = repr(rec)
    return text[:EXCERPT_CHARS]


__all__ = [
    "RawChunk",
    "ChunkResult",
    "RowError",
    "FieldSpec",
    "ChunkLabeler",
    "BoundedCache",
    "get_field",
    "extract_text",
    "parse_json_line",
    "MISSING",
]
