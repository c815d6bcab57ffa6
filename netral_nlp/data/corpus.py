"""The project's own labelled corpus and its deterministic train/dev/test split.

The corpus is a set of JSON-lines files (``parts/*.jsonl``) written by the project
(see ``data/DATASHEET.md``). Each record has ``id``, ``text``, ``labels`` (topic ids),
``register``, ``region`` and ``election``. The split is a pure function of the
*normalised* text (a hash), so it never changes when records are added elsewhere and the
same text can never sit in two splits.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterator

from .jsonl import iter_jsonl
from ..errors import DataError
from ..text.normalize import normalize
from ..resources import data_dir

if TYPE_CHECKING:
    import datasets

SPLITS = ("train", "dev", "test")
SPLIT_FRACTIONS = {"train": 0.70, "dev": 0.15, "test": 0.15}


def split_of(text: str) -> str:
    """Deterministic split of a text: a hash of its normalised form, 70 / 15 / 15."""
    digest = hashlib.blake2b(normalize(text).encode("utf-8"), digest_size=8).digest()
    u = int.from_bytes(digest, "big") / 2**64
    if u < SPLIT_FRACTIONS["train"]:
        return "train"
    return "dev" if u < SPLIT_FRACTIONS["train"] + SPLIT_FRACTIONS["dev"] else "test"


def corpus_files(root: Path | None = None) -> list[Path]:
    root = Path(root) if root is not None else data_dir()
    files = sorted((root / "parts").glob("*.jsonl"))
    if not files:
        raise DataError(f"no corpus files found under {root / 'parts'}")
    return files


def iter_corpus(split: str | None = None, root: Path | None = None) -> Iterator[dict[str, Any]]:
    """Yield corpus records (dicts with an added ``split`` key), optionally of one split."""
    if split is not None and split not in SPLITS:
        raise ValueError(f"split must be one of {SPLITS} or None, got {split!r}")
    for path in corpus_files(root):
        for _, rec in iter_jsonl(path):
            rec["split"] = split_of(rec["text"])
            if split is None or rec["split"] == split:
                yield rec


def load_corpus(split: str | None = None, root: Path | None = None) -> "datasets.Dataset":
    """The corpus as a :class:`datasets.Dataset` (columns: id, text, labels, register,
    region, election, split), optionally restricted to ``"train"``, ``"dev"`` or ``"test"``."""
    import datasets

    records = list(iter_corpus(split, root))
    columns = ("id", "text", "labels", "register", "region", "election", "split")
    string = datasets.Value("string")
    list_type = getattr(datasets, "List", datasets.Sequence)
    features = datasets.Features({c: list_type(string) if c == "labels" else string for c in columns})
    return datasets.Dataset.from_dict({c: [r.get(c) for r in records] for c in columns}, features=features)


__all__ = ["load_corpus", "iter_corpus", "split_of", "SPLITS"]
