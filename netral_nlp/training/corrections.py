"""The labelling sheet of the analyst's loop: written by :func:`~netral_nlp.suggest`, edited
in a spreadsheet, read back by :func:`~netral_nlp.update_model`.

Columns, in order::

    id, row, text, <one 0/1 column per topic>, score_<topic> ..., near_threshold, explanation

The topic columns are pre-filled with the model's guesses; the person labelling corrects
them. Only ``text`` and the topic columns are read back: ``id``, ``row``, the scores,
``near_threshold``, ``explanation`` and a free ``note`` column are ignored. A topic column
may be deleted: the corrections then say nothing about that topic (it is left out of that
topic's training and evaluation). Any other column is an error, as are an empty text, a
cell that is not 0 or 1 (``true``/``false``/``yes``/``no`` are accepted, as spreadsheets
write them) and one text given twice with different labels.

The file is UTF-8 with a byte-order mark, so that spreadsheet programs open it as UTF-8;
on reading, the delimiter (``,``, ``;`` or tab: spreadsheets in Indonesian locales save
with ``;``) is detected from the header.
"""

from __future__ import annotations

import csv
import io
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from ..errors import DataError
from ..labels.taxonomy import Taxonomy
from ..text.normalize import normalize

SCORE_PREFIX = "score_"
IGNORED_COLUMNS = ("id", "row", "near_threshold", "explanation", "note")
_TRUE = {"1", "1.0", "true", "yes", "y"}
_FALSE = {"0", "0.0", "false", "no", "n"}


@dataclass
class Corrections:
    """Labelled texts read from a labelling sheet.

    Attributes:
        texts: the texts, in file order (repeated texts kept once).
        y: 0/1 matrix ``(n, len(taxonomy))``; columns of topics not in the sheet are 0.
        topics: the topic ids the sheet labels (its topic columns).
        taxonomy: the model's label set (column order of ``y``).
        ids: the ``id`` column (``None`` where absent).
        name: where the corrections came from (for messages).
    """

    texts: list[str]
    y: np.ndarray
    topics: list[str]
    taxonomy: Taxonomy
    ids: list[str | None]
    name: str = "corrections"

    def __len__(self) -> int:
        return len(self.texts)

    @property
    def mask(self) -> np.ndarray:
        """Boolean ``(len(taxonomy),)``: which topics the sheet labels."""
        return np.array([t in self.topics for t in self.taxonomy.ids])

    def subset(self, indices: Sequence[int]) -> "Corrections":
        return Corrections([self.texts[i] for i in indices], self.y[list(indices)], list(self.topics),
                           self.taxonomy, [self.ids[i] for i in indices], self.name)


def write_sheet(path: str | os.PathLike[str], rows: Sequence[dict[str, Any]], taxonomy: Taxonomy) -> Path:
    """Write suggestion rows (dicts with ``id``, ``row``, ``text``, ``labels``, ``scores``,
    ``near_threshold``, ``explanation``) as a labelling sheet."""
    path = Path(path)
    if path.parent and not path.parent.exists():
        raise FileNotFoundError(f"{path.parent}: no such folder")
    ids = taxonomy.ids
    header = ["id", "row", "text", *ids, *(SCORE_PREFIX + t for t in ids), "near_threshold", "explanation"]
    with open(path, "w", encoding="utf-8-sig", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(header)
        for r in rows:
            labels = set(r["labels"])
            out.writerow([
                "" if r.get("id") is None else r["id"], r.get("row", ""), r["text"],
                *(int(t in labels) for t in ids), *(f"{r['scores'][t]:.3f}" for t in ids),
                " ".join(r.get("near_threshold", ())), r.get("explanation", ""),
            ])
    return path


def read_corrections(source: str | os.PathLike[str], taxonomy: Taxonomy) -> Corrections:
    """Read and validate a labelling sheet (CSV) against the model's ``taxonomy``.

    Raises:
        FileNotFoundError: no such file.
        DataError: the problems listed in the module docstring, naming the line and column.
    """
    path = Path(os.fspath(source))
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no such file")
    try:
        content = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DataError(f"{path}: not UTF-8 text (save the sheet as 'CSV UTF-8'): {exc.reason}") from exc
    reader = csv.reader(io.StringIO(content, newline=""), delimiter=_delimiter(content))
    header = [h.strip() for h in next(reader, [])]
    topics = _check_header(path, header, taxonomy)
    text_at = header.index("text")
    id_at = header.index("id") if "id" in header else None
    topic_at = [(taxonomy.index(t), header.index(t)) for t in topics]
    texts: list[str] = []
    ids: list[str | None] = []
    rows: list[np.ndarray] = []
    first_line: dict[str, tuple[int, tuple[int, ...]]] = {}
    start = reader.line_num + 1
    for values in reader:
        line, start = start, reader.line_num + 1
        if not any(v.strip() for v in values):
            continue  # blank line
        if len(values) != len(header):
            raise DataError(f"{path}: line {line}: {len(values)} fields, the header has {len(header)}")
        text = values[text_at]
        if not text.strip():
            raise DataError(f"{path}: line {line}: column 'text' is empty")
        y = np.zeros(len(taxonomy), dtype=np.int8)
        for k, at in topic_at:
            y[k] = _flag(values[at], f"{path}: line {line}", header[at])
        key = normalize(text)
        seen = first_line.get(key)
        if seen is not None:
            if seen[1] != tuple(y):
                raise DataError(f"{path}: lines {seen[0]} and {line} hold the same text with different labels")
            continue
        first_line[key] = (line, tuple(y))
        texts.append(text)
        ids.append(values[id_at].strip() or None if id_at is not None else None)
        rows.append(y)
    if not texts:
        raise DataError(f"{path}: no labelled rows")
    return Corrections(texts, np.vstack(rows), topics, taxonomy, ids, str(path))


def _delimiter(content: str) -> str:
    first = content.split("\n", 1)[0]
    counts = {d: first.count(d) for d in (",", ";", "\t")}
    return max(counts, key=lambda d: counts[d]) if any(counts.values()) else ","


def _check_header(path: Path, header: list[str], taxonomy: Taxonomy) -> list[str]:
    if not header or "text" not in header:
        raise DataError(f"{path}: no 'text' column (columns: {header})")
    dupes = sorted({h for h in header if header.count(h) > 1})
    if dupes:
        raise DataError(f"{path}: duplicate columns {dupes}")
    topics = [h for h in header if h in taxonomy]
    unknown = [h for h in header if h != "text" and h not in taxonomy and h not in IGNORED_COLUMNS
               and not h.startswith(SCORE_PREFIX)]
    if unknown:
        raise DataError(f"{path}: unknown column(s) {unknown}: not topics of the model ({taxonomy.ids}) "
                        f"nor known columns ({['text', *IGNORED_COLUMNS]}, score_*); rename or delete them")
    if not topics:
        raise DataError(f"{path}: no topic column; expected one 0/1 column per topic of {taxonomy.ids}")
    return [t for t in taxonomy.ids if t in topics]


def _flag(value: str, where: str, column: str) -> int:
    s = value.strip().lower()
    if s in _TRUE:
        return 1
    if s in _FALSE:
        return 0
    if not s:
        raise DataError(f"{where}: column {column!r} is empty; write 1 (the text is about {column}) or 0")
    raise DataError(f"{where}: column {column!r} must be 0 or 1, got {value!r}")


__all__ = ["Corrections", "read_corrections", "write_sheet", "SCORE_PREFIX", "IGNORED_COLUMNS"]
