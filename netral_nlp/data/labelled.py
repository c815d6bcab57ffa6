"""Labelled data in every shape users bring it: :func:`load_labelled` → :class:`LabelledData`.

Sources: the project corpus (``"corpus"``, ``"corpus:dev"``), a ``datasets.Dataset``, a
pandas DataFrame, a list of dicts, a ``(texts, label_lists)`` pair, or a CSV / JSONL /
JSON / Parquet file. Labels may be

* a **list column** (default name ``labels``): a list per row, a JSON list string
  (``'["hoaks", "politik_uang"]'``) or a string split on ``;``, ``|`` or ``,``;
  an empty list / empty cell means "no topic";
* **one 0/1 column per topic** (``label_columns=[...]``, the column names are the topic ids);
* a **single-label column** (default name ``label``): one topic id per row.

Every problem raises :class:`~netral_nlp.errors.DataError` naming the row and column.
"""

from __future__ import annotations

import difflib
import json
import math
import os
import random
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping, Sequence

import numpy as np

from ..errors import DataError
from ..labels.taxonomy import DEFAULT_TAXONOMY, Taxonomy
from .corpus import SPLITS, iter_corpus
from .jsonl import iter_jsonl

LABEL_FORMATS = ("list", "columns", "single")
_SPLIT_CHARS = (";", "|", ",")
_TRUE = {"1", "1.0", "true", "yes", "y"}
_FALSE = {"0", "0.0", "false", "no", "n", ""}


@dataclass
class LabelledData:
    """Texts with their topic labels.

    Attributes:
        texts: the raw texts.
        labels: one list of topic ids per text (``[]`` = no topic).
        taxonomy: the label set (its order is the column order of :attr:`y`).
        label_format: ``"list"``, ``"columns"`` or ``"single"`` (how the labels were given).
        name: a short description of the source, used in messages and model cards.
        extra: more per-row columns; ``extra["ids"]`` holds the source's ``id`` column
            (the corpus record ids) when it has one.
    """

    texts: list[str]
    labels: list[list[str]]
    taxonomy: Taxonomy
    label_format: str = "list"
    name: str = "data"
    extra: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if len(self.texts) != len(self.labels):
            raise DataError(f"{self.name}: {len(self.texts)} texts but {len(self.labels)} label rows")

    def __len__(self) -> int:
        return len(self.texts)

    @property
    def y(self) -> np.ndarray:
        """0/1 matrix ``(n, len(taxonomy))``."""
        return self.taxonomy.binarize(self.labels).astype(np.int64)

    @property
    def is_single_label(self) -> bool:
        """True when every row has exactly one label."""
        return all(len(labels) == 1 for labels in self.labels)

    def subset(self, indices: Sequence[int], name: str | None = None) -> "LabelledData":
        return LabelledData(
            [self.texts[i] for i in indices], [list(self.labels[i]) for i in indices], self.taxonomy,
            self.label_format, name or self.name,
        )

    def split(self, fraction: float, seed: int = 42) -> tuple["LabelledData", "LabelledData"]:
        """A seeded random ``(rest, held_out)`` split, ``held_out`` holding ``fraction`` of the rows."""
        try:
            rest, held = holdout_indices(len(self), fraction, seed)
        except DataError as exc:
            raise DataError(f"{self.name}: {exc}") from None
        return self.subset(rest, f"{self.name} (train part)"), self.subset(held, f"{self.name} (held-out part)")


def holdout_indices(n: int, fraction: float, seed: int = 42) -> tuple[list[int], list[int]]:
    """The row indices ``(rest, held_out)`` of :meth:`LabelledData.split`, each sorted.

    Raises:
        ValueError: ``fraction`` outside (0, 1).
        DataError: too few rows to keep at least one on each side.
    """
    if not 0.0 < fraction < 1.0:
        raise ValueError(f"fraction must lie strictly between 0 and 1, got {fraction}")
    order = list(range(n))
    random.Random(seed).shuffle(order)
    n_out = max(1, int(round(n * fraction)))
    if n_out >= n:
        raise DataError(f"too few rows ({n}) to hold out {fraction:.0%} for evaluation")
    return sorted(order[n_out:]), sorted(order[:n_out])


def load_labelled(
    source: Any,
    text_column: str = "text",
    label_columns: Sequence[str] | None = None,
    label_column: str | None = None,
    taxonomy: Taxonomy | Sequence[str] | None = None,
    *,
    allow_new_labels: bool = False,
) -> LabelledData:
    """Read labelled texts from any supported source (see the module docstring).

    Args:
        source: ``"corpus"`` / ``"corpus:train"`` / ``"corpus:dev"`` / ``"corpus:test"``, a
            ``datasets.Dataset``, a pandas DataFrame, a list of dicts, a ``(texts, label_lists)``
            pair, or a path to a ``.csv``, ``.jsonl``, ``.json`` or ``.parquet`` file.
        text_column: column holding the text.
        label_columns: 0/1 columns, one per topic (their names are the topic ids).
        label_column: a list column or a single-label column. When neither this nor
            ``label_columns`` is given: ``labels`` (list) if present, else ``label`` (single),
            else the taxonomy's topic ids as 0/1 columns if all are present.
        taxonomy: the label set (a :class:`Taxonomy` or topic ids). Default: the election
            taxonomy when every label belongs to it, otherwise the labels found, sorted
            (for 0/1 columns: the columns, in the given order).
        allow_new_labels: without ``taxonomy``, a label close to a known topic id or name
            (``"hoax"`` for ``hoaks``, ``"Money politics"``) is taken for a typo and raises
            :class:`DataError` ("did you mean 'hoaks'"); ``True`` accepts it as a new topic.

    Raises:
        DataError: missing column, empty or non-string text, unknown label, a label that looks
            like a misspelt topic, bad 0/1 value (the message names the row and column);
            FileNotFoundError for a missing file.
    """
    if isinstance(taxonomy, (list, tuple)):
        taxonomy = Taxonomy.from_labels(taxonomy)
    if isinstance(source, str) and (source == "corpus" or source.startswith("corpus:")):
        return _from_corpus(source, taxonomy)
    if isinstance(source, tuple) and len(source) == 2:
        texts, label_lists = list(source[0]), list(source[1])
        if len(texts) != len(label_lists):
            raise DataError(f"(texts, labels) pair: {len(texts)} texts but {len(label_lists)} label rows")
        rows = [{"text": t, "labels": lab} for t, lab in zip(texts, label_lists)]
        return _from_table(_Table.from_records(rows, "data"), "text", None, "labels", taxonomy, allow_new_labels)
    table = _as_table(source)
    return _from_table(table, text_column, label_columns, label_column, taxonomy, allow_new_labels)


# ---------------------------------------------------------------------------- sources
class _Table:
    """Columns as Python lists plus a function naming a row for error messages."""

    def __init__(self, columns: dict[str, list[Any]], name: str, where: Callable[[int], str]):
        self.columns, self.name, self.where = columns, name, where
        self.n_rows = len(next(iter(columns.values()))) if columns else 0

    @classmethod
    def from_records(cls, records: Sequence[Mapping[str, Any]], name: str,
                     where: Callable[[int], str] | None = None) -> "_Table":
        keys: dict[str, None] = {}
        for rec in records:
            keys.update(dict.fromkeys(rec))
        cols = {k: [rec.get(k) for rec in records] for k in keys}
        return cls(cols, name, where or (lambda i: f"{name}: row {i + 1}"))


def _as_table(source: Any) -> _Table:
    if hasattr(source, "column_names") and hasattr(source, "to_dict"):  # datasets.Dataset
        return _Table({c: list(source[c]) for c in source.column_names}, "Dataset",
                      lambda i: f"Dataset: row {i}")
    if hasattr(source, "columns") and hasattr(source, "iloc"):  # pandas DataFrame
        index = list(source.index)
        return _Table({str(c): source[c].tolist() for c in source.columns}, "DataFrame",
                      lambda i: f"DataFrame: row {index[i]!r}")
    if isinstance(source, (list, tuple)) and all(isinstance(r, Mapping) for r in source):
        return _Table.from_records(list(source), "records")
    if isinstance(source, (str, os.PathLike)):
        return _read_file(Path(source))
    raise TypeError(
        "labelled data must be 'corpus', a datasets.Dataset, a pandas DataFrame, a list of dicts, "
        f"a (texts, labels) pair or a .csv/.jsonl/.json/.parquet path, got {type(source).__name__}"
    )


def _read_file(path: Path) -> _Table:
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no such file")
    suffix = path.suffix.lower()
    if suffix == ".csv":
        import pandas as pd

        try:
            frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        except (pd.errors.ParserError, UnicodeDecodeError) as exc:
            raise DataError(f"{path}: cannot parse CSV ({exc})") from exc
        return _Table({str(c): frame[c].tolist() for c in frame.columns}, str(path),
                      lambda i: f"{path}: line {i + 2}")
    if suffix in (".jsonl", ".ndjson"):
        records, lines = [], []
        for lineno, rec in iter_jsonl(path):
            records.append(rec)
            lines.append(lineno)
        return _Table.from_records(records, str(path), lambda i: f"{path}: line {lines[i]}")
    if suffix == ".json":
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise DataError(f"{path}: invalid JSON ({exc.msg})") from exc
        if not isinstance(data, list) or not all(isinstance(r, dict) for r in data):
            raise DataError(f"{path}: expected a JSON list of objects (or use .jsonl)")
        return _Table.from_records(data, str(path), lambda i: f"{path}: record {i + 1}")
    if suffix in (".parquet", ".pq"):
        import pandas as pd

        try:
            frame = pd.read_parquet(path)
        except Exception as exc:  # pyarrow raises several unrelated types for bad files
            raise DataError(f"{path}: cannot read Parquet ({exc})") from exc
        return _Table({str(c): frame[c].tolist() for c in frame.columns}, str(path),
                      lambda i: f"{path}: row {i + 1}")
    raise DataError(f"{path}: unsupported file type {suffix or '(none)'!r}; use .csv, .jsonl, .json or .parquet")


def _from_corpus(source: str, taxonomy: Taxonomy | None) -> LabelledData:
    split = source.partition(":")[2] or None
    if split is not None and split not in SPLITS:
        raise DataError(f"unknown corpus split {split!r} in {source!r}; use one of {SPLITS}")
    records = list(iter_corpus(split))
    tax = taxonomy or DEFAULT_TAXONOMY
    labels = [list(r["labels"]) for r in records]
    _check_known(labels, tax, lambda i: f"{source}: record {records[i].get('id', i)}")
    return LabelledData([r["text"] for r in records], labels, tax, "list", source,
                        extra={"ids": [r.get("id") for r in records]})


# ---------------------------------------------------------------------------- parsing
def _from_table(table: _Table, text_column: str, label_columns: Sequence[str] | None,
                label_column: str | None, taxonomy: Taxonomy | None, allow_new_labels: bool = False) -> LabelledData:
    cols = table.columns
    if text_column not in cols:
        raise DataError(f"{table.name}: no text column {text_column!r} (columns: {list(cols)})")
    texts = []
    for i, value in enumerate(cols[text_column]):
        if not isinstance(value, str):
            kind = "missing" if _is_missing(value) else f"a {type(value).__name__}, not a string"
            raise DataError(f"{table.where(i)}: column {text_column!r} is {kind}")
        if not value.strip():
            raise DataError(f"{table.where(i)}: column {text_column!r} is empty")
        texts.append(value)
    if label_columns is not None and label_column is not None:
        raise ValueError("give either label_columns (0/1 columns) or label_column, not both")
    if label_columns is None and label_column is None:
        if "labels" in cols:
            label_column = "labels"
        elif "label" in cols:
            label_column = "label"
        elif taxonomy is not None and all(t in cols for t in taxonomy.ids):
            label_columns = taxonomy.ids
        elif all(t in cols for t in DEFAULT_TAXONOMY.ids):
            label_columns = DEFAULT_TAXONOMY.ids
        else:
            raise DataError(
                f"{table.name}: no label column found (columns: {list(cols)}); expected 'labels' (a list "
                "per row), 'label' (one topic per row) or one 0/1 column per topic (label_columns=...)"
            )
    if label_columns is not None:
        label_columns = [str(c) for c in label_columns]
        missing = [c for c in label_columns if c not in cols]
        if missing:
            raise DataError(f"{table.name}: label columns {missing} not found (columns: {list(cols)})")
        labels = [[c for c in label_columns if _as_flag(cols[c][i], table.where(i), c)] for i in range(table.n_rows)]
        tax = taxonomy or (DEFAULT_TAXONOMY if set(label_columns) == set(DEFAULT_TAXONOMY.ids)
                           else Taxonomy.from_labels(label_columns))
        fmt = "columns"
    else:
        if label_column not in cols:
            raise DataError(f"{table.name}: no label column {label_column!r} (columns: {list(cols)})")
        labels = [_as_label_list(v, table.where(i), label_column) for i, v in enumerate(cols[label_column])]
        single = all(not _is_listlike(v) and not (isinstance(v, str) and _looks_like_list(v))
                     for v in cols[label_column])
        fmt = "single" if single else "list"
        if fmt == "single":
            for i, labs in enumerate(labels):
                if len(labs) != 1:
                    raise DataError(f"{table.where(i)}: single-label column {label_column!r} is empty")
        if taxonomy is None and not allow_new_labels:
            _check_typos(labels, table.where, label_column)
        tax = taxonomy or _infer_taxonomy(labels)
    _check_known(labels, tax, table.where)
    extra = {"ids": list(cols["id"])} if "id" in cols else {}
    return LabelledData(texts, labels, tax, fmt, table.name, extra=extra)


def _is_missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _is_listlike(value: Any) -> bool:
    return isinstance(value, (list, tuple, set, frozenset, np.ndarray))


def _looks_like_list(text: str) -> bool:
    s = text.strip()
    return s.startswith("[") or any(ch in s for ch in _SPLIT_CHARS)


def _as_label_list(value: Any, where: str, column: str) -> list[str]:
    if _is_missing(value):
        return []
    if _is_listlike(value):
        items = list(value)
    elif isinstance(value, str):
        s = value.strip()
        if s.startswith("["):
            try:
                items = json.loads(s)
            except json.JSONDecodeError as exc:
                raise DataError(f"{where}: column {column!r} holds an invalid JSON list ({exc.msg})") from exc
            if not isinstance(items, list):
                raise DataError(f"{where}: column {column!r} must hold a list of topic ids")
        else:
            sep = next((ch for ch in _SPLIT_CHARS if ch in s), None)
            items = s.split(sep) if sep else ([s] if s else [])
    else:
        raise DataError(f"{where}: column {column!r} holds a {type(value).__name__}; expected topic ids")
    out: list[str] = []
    for item in items:
        if not isinstance(item, str):
            raise DataError(f"{where}: column {column!r} holds a {type(item).__name__} label; expected topic ids")
        item = item.strip()
        if item and item not in out:
            out.append(item)
    return out


def _as_flag(value: Any, where: str, column: str) -> bool:
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, float, np.integer, np.floating)) and not _is_missing(value):
        if value in (0, 1):
            return bool(value)
    elif isinstance(value, str):
        s = value.strip().lower()
        if s in _TRUE or s in _FALSE:
            return s in _TRUE
    raise DataError(f"{where}: column {column!r} must be 0 or 1, got {value!r}")


def _infer_taxonomy(labels: Iterable[Sequence[str]]) -> Taxonomy:
    seen = sorted({lab for labs in labels for lab in labs})
    if set(seen) <= set(DEFAULT_TAXONOMY.ids):  # also when no text has a label
        return DEFAULT_TAXONOMY
    return Taxonomy.from_labels(seen)


def _check_known(labels: Sequence[Sequence[str]], taxonomy: Taxonomy, where: Callable[[int], str]) -> None:
    for i, labs in enumerate(labels):
        for lab in labs:
            if lab not in taxonomy:
                guess = suggest_topic(lab, taxonomy)
                hint = f"did you mean {guess!r}? " if guess else ""
                raise DataError(f"{where(i)}: unknown label {lab!r}; {hint}known: {taxonomy.ids}")


def suggest_topic(label: str, taxonomy: Taxonomy = DEFAULT_TAXONOMY) -> str | None:
    """The topic id that ``label`` most likely misspells (by id or display name), else ``None``."""
    names: dict[str, str] = {}
    for topic in taxonomy:
        for name in (topic.id, topic.name_id, topic.name_en, topic.id.replace("_", " ")):
            if name:
                names.setdefault(name.lower(), topic.id)
    key = label.strip().lower()
    if key in names:
        return names[key] if names[key] != label else None
    close = difflib.get_close_matches(key, list(names), n=1, cutoff=0.6)
    return names[close[0]] if close else None


def _check_typos(labels: Sequence[Sequence[str]], where: Callable[[int], str], column: str | None) -> None:
    """Labels outside the election taxonomy that look like one of its topics are typos, not new topics."""
    for i, labs in enumerate(labels):
        for lab in labs:
            if lab in DEFAULT_TAXONOMY:
                continue
            guess = suggest_topic(lab)
            if guess is not None:
                raise DataError(
                    f"{where(i)}: label {lab!r} in column {column!r} is not a topic id; did you mean {guess!r}? "
                    "For a new label set on purpose, pass taxonomy=[...] or allow_new_labels=True "
                    "(CLI: --taxonomy or --allow-new-labels)"
                )


__all__ = ["LabelledData", "load_labelled", "LABEL_FORMATS", "suggest_topic"]
