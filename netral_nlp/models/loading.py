"""``netral_nlp.load``: one entry point for every model.

``load()`` / ``load("default")``: the embedded TF-IDF model shipped in the package.
``load("e5")``: the shipped multilingual-e5 topic model (needs the ``e5`` extra).
``load(folder)``: any folder saved by this library, or a Hugging Face text-classification
folder. ``load("org/name")``: a Hugging Face hub id (needs network access to the hub).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from .classifier import CONFIG_NAME, TopicClassifier, read_config
from ..errors import ModelLoadError
from ..resources import models_dir

SHIPPED = ("default", "e5")


def shipped_model_path(name: str) -> Path:
    """Folder of a model shipped inside the package (``"default"``, ``"e5"``)."""
    if name not in SHIPPED:
        raise ModelLoadError(f"unknown shipped model {name!r}; shipped: {list(SHIPPED)}")
    return models_dir() / name


def load(name_or_path: str | os.PathLike[str] | None = "default", **kwargs: Any) -> TopicClassifier:
    """Load a topic classifier.

    Args:
        name_or_path: ``"default"`` (or ``None``), ``"e5"``, a model folder, or a hub id.
        **kwargs: passed to the model class's ``from_pretrained`` (e.g. ``device`` or
            ``max_length`` for transformer models).

    Raises:
        ModelLoadError: the folder is missing, incomplete or corrupt (the message names
            the path and the problem); HubUnavailableError for an unreachable hub id.
    """
    if name_or_path is None or name_or_path == "default":
        from .linear import LinearTopicClassifier

        return LinearTopicClassifier.from_pretrained(shipped_model_path("default"))
    if name_or_path == "e5":
        from .e5 import load_e5_model

        return load_e5_model(**kwargs)
    path = Path(os.fspath(name_or_path)).expanduser()
    if path.is_dir():
        return load_folder(path, **kwargs)
    text = os.fspath(name_or_path)
    if path.exists():
        raise ModelLoadError(f"{path}: is a file, expected a model folder")
    if _looks_like_path(text):
        raise ModelLoadError(f"{path}: no such model folder")
    from .transformer import TransformerTopicClassifier

    return TransformerTopicClassifier.from_pretrained(text, **kwargs)


def load_folder(path: Path, **kwargs: Any) -> TopicClassifier:
    """Load a model folder, dispatching on ``netral_config.json`` (or ``config.json``)."""
    if (path / CONFIG_NAME).is_file():
        model_type = read_config(path)["model_type"]
        if model_type == "linear":
            from .linear import LinearTopicClassifier

            return LinearTopicClassifier.from_pretrained(path, **kwargs)
        if model_type == "transformer":
            from .transformer import TransformerTopicClassifier

            return TransformerTopicClassifier.from_pretrained(path, **kwargs)
        if model_type == "e5":
            from .e5 import load_e5_model

            return load_e5_model(path, **kwargs)
        if model_type == "ensemble":
            from .ensemble import EnsembleTopicClassifier

            return EnsembleTopicClassifier.from_pretrained(path, **kwargs)
        raise ModelLoadError(f"{path}: unknown model_type {model_type!r} in {CONFIG_NAME}")
    if (path / "config.json").is_file():
        from .transformer import TransformerTopicClassifier

        return TransformerTopicClassifier.from_pretrained(path, **kwargs)
    raise ModelLoadError(
        f"{path}: not a model folder (neither {CONFIG_NAME} nor a Hugging Face config.json found)"
    )


def _looks_like_path(text: str) -> bool:
    """Hub ids are ``name`` or ``org/name``; anything else that does not exist is a bad path."""
    return text.startswith((".", "/", "~", "\\")) or text.count("/") > 1 or text.endswith(("/", ".json", ".safetensors"))


__all__ = ["load", "load_folder", "shipped_model_path"]
