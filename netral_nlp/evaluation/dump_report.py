"""Reading a labelled dump for the HTML report: :func:`aggregate_labelled` → :class:`DumpAggregate`.

One pass over the labelled JSONL that ``label`` writes (``.jsonl``, optionally ``.gz``), in
bounded memory whatever its length: rows are parsed and added to score histograms in batches
(overall, per day of ``date_field``, per value of ``by``), and a reservoir keeps a few flagged
posts per topic for the examples. Memory is the histograms (8 KB each; at most
:data:`MAX_GROUPS` groups and :data:`MAX_DAYS` days, the rest counted as "(other)" / skipped)
plus one batch of rows.
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
import os
import random
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator, Sequence

import numpy as np

from ..errors import DataError
from ..quantify.histogram import ScoreHistogram

BATCH = 10_000
MAX_GROUPS = 2_000
MAX_DAYS = 20_000
OTHER = "(other)"
EXCERPT = 2_000


@dataclass
class Example:
    """A sampled flagged post."""

    row: Any
    text: str
    score: float
    labels: list[str]


@dataclass
class DumpAggregate:
    """What the report shows of a labelled file.

    Attributes:
        overall: scores and flags of every readable row.
        by_day: per calendar day (UTC) of ``date_field``.
        by_group: per value of the ``by`` field (at most :data:`MAX_GROUPS`; the rest in "(other)").
        examples: per topic, a uniform sample of the rows flagged with it.
        unreadable: lines that are not labelled rows, by reason.
        no_date / no_group: rows without a usable date / group value.
    """

    topics: list[str]
    overall: ScoreHistogram
    by_day: dict[dt.date, ScoreHistogram] = field(default_factory=dict)
    by_group: dict[str, ScoreHistogram] = field(default_factory=dict)
    examples: dict[str, list[Example]] = field(default_factory=dict)
    unreadable: Counter = field(default_factory=Counter)
    no_date: int = 0
    no_group: int = 0
    no_text: int = 0


def lookup(row: dict[str, Any], name: str) -> Any:
    """A field of a labelled row: the row's own (``id``, ``row``...), else the kept input
    (``input.<name>``), dotted paths allowed. ``None`` when absent."""
    for base in (row, row.get("input")):
        cur: Any = base
        for part in name.split("."):
            cur = cur.get(part) if isinstance(cur, dict) else None
            if cur is None:
                break
        if cur is not None:
            return cur
    return None


def open_labelled(path: str | os.PathLike[str]) -> Iterator[tuple[int, str]]:
    """``(line number, line)`` of a labelled JSONL file (plain or gzip)."""
    p = Path(os.fspath(path)).expanduser()
    if not p.is_file():
        raise FileNotFoundError(f"{p}: no such file")
    with open(p, "rb") as fh:
        gz = fh.read(2) == b"\x1f\x8b"
    if not gz and p.suffix.lower() not in (".jsonl", ".ndjson", ".json"):
        raise DataError(f"{p}: the report reads the JSONL output of `netral-nlp label` (.jsonl or .jsonl.gz)")
    opener = gzip.open if gz else open
    with opener(p, "rt", encoding="utf-8", errors="replace") as fh:  # type: ignore[operator]
        yield from enumerate(fh, 1)


class _Reservoir:
    """Per topic, a uniform sample of ``k`` flagged rows (Algorithm R)."""

    def __init__(self, topics: Sequence[str], k: int, seed: int) -> None:
        self.k, self.rng = k, random.Random(seed)
        self.seen = dict.fromkeys(topics, 0)
        self.items: dict[str, list[Example]] = {t: [] for t in topics}

    def offer(self, topic: str, make: Any) -> None:
        self.seen[topic] += 1
        n, items = self.seen[topic], self.items[topic]
        if len(items) < self.k:
            items.append(make())
        else:
            j = self.rng.randrange(n)
            if j < self.k:
                items[j] = make()


class _Batch:
    def __init__(self) -> None:
        self.scores: list[list[float]] = []
        self.labels: list[list[str]] = []
        self.days: list[dt.date | None] = []
        self.groups: list[str | None] = []
        self.raw_dates: list[Any] = []


def aggregate_labelled(path: str | os.PathLike[str], topics: Sequence[str], *, date_field: str | None = None,
                       by: str | None = None, text_field: str = "text", examples: int = 5, seed: int = 0,
                       progress: Any = None) -> DumpAggregate:
    """Stream a labelled file into a :class:`DumpAggregate` (see the module docstring).

    Raises:
        FileNotFoundError, DataError: no such file, not JSONL, or no labelled row in it.
    """
    topics = list(topics)
    agg = DumpAggregate(topics, ScoreHistogram(topics))
    sample = _Reservoir(topics, examples, seed)
    batch = _Batch()
    for lineno, line in open_labelled(path):
        if progress is not None:
            progress.update(len(line))
        if not line.strip():
            continue
        row = _parse(line, topics, agg.unreadable)
        if row is None:
            continue
        scores = [float(row["scores"][t]) for t in topics]
        batch.scores.append(scores)
        batch.labels.append(list(row["labels"]))
        if date_field:
            batch.raw_dates.append(lookup(row, date_field))
        if by:
            value = lookup(row, by)
            batch.groups.append(None if value is None or value == "" else str(value))
        for topic in row["labels"]:
            if topic in sample.seen:
                sample.offer(topic, lambda r=row, t=topic, s=scores: _example(r, t, s, topics, text_field, agg))
        if len(batch.scores) >= BATCH:
            _flush(agg, batch, date_field, by)
            batch = _Batch()
    _flush(agg, batch, date_field, by)
    if agg.overall.rows == 0:
        reasons = ", ".join(f"{n} {r}" for r, n in agg.unreadable.most_common(3)) or "empty file"
        raise DataError(f"{path}: no labelled rows to report on ({reasons})")
    agg.examples = sample.items
    return agg


def _parse(line: str, topics: list[str], unreadable: Counter) -> dict[str, Any] | None:
    try:
        row = json.loads(line)
    except json.JSONDecodeError:
        unreadable["invalid JSON"] += 1
        return None
    if not isinstance(row, dict) or not isinstance(row.get("scores"), dict) or not isinstance(row.get("labels"), list):
        unreadable["not a labelled row (no scores / labels)"] += 1
        return None
    if any(not isinstance(row["scores"].get(t), (int, float)) for t in topics):
        unreadable["scores lack a topic of the model"] += 1
        return None
    return row


def _example(row: dict[str, Any], topic: str, scores: list[float], topics: list[str], text_field: str,
             agg: DumpAggregate) -> Example:
    text = lookup(row, text_field)
    if not isinstance(text, str):
        agg.no_text += 1
        text = ""
    return Example(row.get("id", row.get("row")), text[:EXCERPT], scores[topics.index(topic)], list(row["labels"]))


def _flush(agg: DumpAggregate, batch: _Batch, date_field: str | None, by: str | None) -> None:
    if not batch.scores:
        return
    scores = np.asarray(batch.scores, dtype=np.float64)
    col = {t: i for i, t in enumerate(agg.topics)}
    flags = np.zeros(scores.shape, dtype=bool)
    for r, labs in enumerate(batch.labels):
        for t in labs:
            if t in col:
                flags[r, col[t]] = True
    agg.overall.add(scores, flags)
    if date_field:
        days = parse_days(batch.raw_dates)
        agg.no_date += sum(d is None for d in days)
        _add_groups(agg.by_day, days, scores, flags, agg.topics, MAX_DAYS, None)
    if by:
        agg.no_group += sum(g is None for g in batch.groups)
        _add_groups(agg.by_group, batch.groups, scores, flags, agg.topics, MAX_GROUPS, OTHER)


def _add_groups(target: dict[Any, ScoreHistogram], keys: Sequence[Any], scores: np.ndarray, flags: np.ndarray,
                topics: list[str], limit: int, overflow: str | None) -> None:
    rows: dict[Any, list[int]] = {}
    for i, key in enumerate(keys):
        if key is None:
            continue
        if key not in target and key not in rows and len(target) + len(rows) >= limit:
            if overflow is None:
                continue
            key = overflow
        rows.setdefault(key, []).append(i)
    for key, idx in rows.items():
        hist = target.get(key)
        if hist is None:
            hist = target[key] = ScoreHistogram(topics)
        hist.add(scores[idx], flags[idx])


def parse_days(values: Sequence[Any]) -> list[dt.date | None]:
    """Calendar days (UTC) of date values: ISO 8601 strings, Unix times (seconds or
    milliseconds) or any format pandas reads (``Wed Oct 10 20:19:24 +0000 2018``)."""
    import pandas as pd

    out: list[dt.date | None] = [None] * len(values)
    text_idx, text_vals = [], []
    for i, v in enumerate(values):
        if isinstance(v, bool) or v is None or v == "":
            continue
        if isinstance(v, (int, float)):
            seconds = v / 1000 if abs(v) > 1e11 else v
            try:
                out[i] = dt.datetime.fromtimestamp(seconds, dt.timezone.utc).date()
            except (OverflowError, OSError, ValueError):
                pass
        elif isinstance(v, str):
            text_idx.append(i)
            text_vals.append(v)
    if text_vals:
        series = pd.Series(text_vals, dtype=object)
        parsed = pd.to_datetime(series, errors="coerce", utc=True, format="ISO8601")
        missing = parsed.isna().to_numpy()
        if missing.any():
            parsed[missing] = pd.to_datetime(series[missing], errors="coerce", utc=True, format="mixed")
        for i, ts in zip(text_idx, parsed):
            if not pd.isna(ts):
                out[i] = ts.date()
    return out


__all__ = ["DumpAggregate", "Example", "aggregate_labelled", "lookup", "parse_days", "open_labelled"]
