"""Reading JSON-lines files, shared by the corpus (:mod:`.corpus`) and labelled data
(:mod:`.labelled`)."""

from __future__ import annotations

import json
import os
from typing import Any, Iterator

from ..errors import DataError


def iter_jsonl(path: str | os.PathLike[str]) -> Iterator[tuple[int, dict[str, Any]]]:
    """``(line number, object)`` for every non-blank line of a JSON-lines file.

    Raises:
        DataError: naming the file and line, for invalid JSON or a line that is not an object.
    """
    with open(path, encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                rec = json.loads(line)
            except json.JSONDecodeError as exc:
                raise DataError(f"{path}: line {lineno}: invalid JSON ({exc.msg})") from exc
            if not isinstance(rec, dict):
                raise DataError(f"{path}: line {lineno}: expected a JSON object, got {type(rec).__name__}")
            yield lineno, rec


__all__ = ["iter_jsonl"]
