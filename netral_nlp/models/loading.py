"""``netral_nlp.load``: one entry point for every model.

``load()`` / ``load("fast")`` (alias ``"default"``): the embedded TF-IDF model shipped in the
package, the fast default (tens of thousands of posts per second in ``label``).
``load("accurate")``: the most accurate combination measured on real text (the TF-IDF model
and the e5 model, soft voting with weights and thresholds tuned for a dump's base rate;
needs the ``e5`` extra). ``load("e5")``: the shipped multilingual-e5 topic model alone.
``load(folder)``: any folder saved by this library, or a Hugging Face text-classification
folder. ``load("org/name")``: a Hugging Face hub id (needs network access to the hub).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from ..errors import ModelLoadError
from ..resources import models_dir
from .checks import guard_load
from .classifier import TopicClassifier
from .e5 import E5TopicClassifier, load_e5_model
from .ensemble import EnsembleTopicClassifier
from .linear import LinearTopicClassifier
from .quiet import hf_quiet
from .registry import load_folder, register_model_type
from .transformer import TransformerTopicClassifier

SHIPPED = ("default", "e5", "accurate")
ALIASES = {"fast": "default"}
"""Other names of shipped models (``load("fast")`` is ``load("default")``)."""

# The built-in model types (see .registry; a new type registers the same way).
register_model_type(LinearTopicClassifier.model_type, LinearTopicClassifier.from_pretrained)
register_model_type(TransformerTopicClassifier.model_type, TransformerTopicClassifier.from_pretrained)
register_model_type(E5TopicClassifier.model_type, load_e5_model)
register_model_type(EnsembleTopicClassifier.model_type, EnsembleTopicClassifier.from_pretrained)


def shipped_model_path(name: str) -> Path:
    """Folder of a model shipped inside the package (``"default"``/``"fast"``, ``"e5"``, ``"accurate"``)."""
    name = ALIASES.get(name, name)
    if name not in SHIPPED:
        raise ModelLoadError(f"unknown shipped model {name!r}; shipped: {list(SHIPPED)}")
    return models_dir() / name


def load(name_or_path: str | os.PathLike[str] | None = "default", **kwargs: Any) -> TopicClassifier:
    """Load a topic classifier.

    Args:
        name_or_path: ``"fast"`` / ``"default"`` (or ``None``), ``"accurate"``, ``"e5"``, a model
            folder, or a hub id.
        **kwargs: passed to the model class's ``from_pretrained`` (e.g. ``device`` or
            ``max_length`` for transformer models).

    Raises:
        ModelLoadError: the folder is missing, incomplete or corrupt (the message names
            the path and the problem); HubUnavailableError for an unreachable hub id.
    """
    if name_or_path is None or name_or_path in ("default", "fast"):
        default = shipped_model_path("default")
        return guard_load(default, lambda: LinearTopicClassifier.from_pretrained(default))
    if not isinstance(name_or_path, (str, os.PathLike)):
        raise TypeError(f"load() takes a model name, folder or hub id, got {type(name_or_path).__name__}")
    with hf_quiet():  # no loading bars or load reports from a library call
        if name_or_path == "e5":
            return guard_load("the e5 model", lambda: load_e5_model(**kwargs))
        if name_or_path == "accurate":
            return load_folder(shipped_model_path("accurate"), **kwargs)
        path = Path(os.fspath(name_or_path)).expanduser()
        if path.is_dir():
            return load_folder(path, **kwargs)
        text = os.fspath(name_or_path)
        if path.exists():
            raise ModelLoadError(f"{path}: is a file, expected a model folder")
        if _looks_like_path(text):
            raise ModelLoadError(f"{path}: no such model folder")
        return guard_load(text, lambda: TransformerTopicClassifier.from_pretrained(text, **kwargs))


def _looks_like_path(text: str) -> bool:
    """Hub ids are ``name`` or ``org/name``; anything else that does not exist is a bad path."""
    return text.startswith((".", "/", "~", "\\")) or text.count("/") > 1 or text.endswith(("/", ".json", ".safetensors"))


__all__ = ["load", "load_folder", "shipped_model_path", "SHIPPED", "ALIASES"]
