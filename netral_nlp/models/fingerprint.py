"""Cheap content fingerprints of files and models, for checks like "is this the model the
interrupted run used?" (see ``label_dump(resume=True)``).

A file's fingerprint hashes its size and its first and last MiB: an edit that keeps the
size and the modification time is caught unless it lies wholly in the middle of a file
larger than 2 MiB. A model folder's fingerprint combines those of all its files (config,
vocabulary, weights: the first MiB of a safetensors file holds its header, i.e. every
tensor's name, dtype, shape and offset), so a retrained or replaced model differs. Reading
at most 2 MiB per file keeps it fast for multi-GB weights.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

EDGE_BYTES = 1 << 20
"""Bytes hashed at each end of a file."""


def file_digest(path: str | os.PathLike[str], edge: int = EDGE_BYTES) -> str:
    """Hex digest of a file's size, first ``edge`` and last ``edge`` bytes."""
    h = hashlib.blake2b(digest_size=16)
    with open(path, "rb") as fh:
        size = os.fstat(fh.fileno()).st_size
        h.update(size.to_bytes(8, "little"))
        h.update(fh.read(edge))
        if size > edge:
            fh.seek(max(edge, size - edge))
            h.update(fh.read(edge))
    return h.hexdigest()


def folder_digest(folder: str | os.PathLike[str]) -> str:
    """Hex digest of every file under ``folder`` (relative paths and :func:`file_digest`),
    hidden files and folders excepted."""
    root = Path(folder)
    h = hashlib.blake2b(digest_size=16)
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        rel = path.relative_to(root)
        if any(part.startswith(".") for part in rel.parts):
            continue
        h.update(rel.as_posix().encode("utf-8", "surrogateescape") + b"\0" + file_digest(path).encode())
    return h.hexdigest()


def model_digest(model: Any) -> str | None:
    """Fingerprint of a model given as ``load`` takes it: the shipped ``"default"`` /
    ``"e5"``, a folder, a hub id found in the local Hugging Face cache, or a loaded
    :class:`~netral_nlp.TopicClassifier` (its configuration and, for the TF-IDF model, its
    weights). ``None`` when there is nothing local to fingerprint (a hub id not cached)."""
    from .classifier import TopicClassifier

    if isinstance(model, TopicClassifier):
        return _object_digest(model)
    if model is None or model in ("default", "e5"):
        from ..resources import models_dir

        return folder_digest(models_dir() / (model or "default"))
    path = Path(os.fspath(model)).expanduser()
    if path.is_dir():
        return folder_digest(path)
    cached = _cached_hub_folder(os.fspath(model))
    return folder_digest(cached) if cached is not None else None


def _object_digest(model: Any) -> str:
    h = hashlib.blake2b(digest_size=16)
    h.update(json.dumps(model.info(), sort_keys=True, default=str).encode("utf-8"))
    for name in ("coef_", "intercept_"):
        value = getattr(model, name, None)
        if value is not None and hasattr(value, "tobytes"):
            h.update(value.tobytes())
    return h.hexdigest()


def _cached_hub_folder(repo_id: str) -> Path | None:
    try:
        from huggingface_hub import snapshot_download

        return Path(snapshot_download(repo_id, local_files_only=True))
    except Exception:  # noqa: BLE001 - not cached, not a hub id, offline: nothing to fingerprint
        return None


__all__ = ["file_digest", "folder_digest", "model_digest", "EDGE_BYTES"]
