"""Where the shipped files are: the models and the corpus.

In an installed package they are the sub-packages ``netral_nlp._models`` and
``netral_nlp._data`` (mapped from the repository's top-level ``models/`` and ``data/``);
in a source checkout that is not installed they are those folders themselves.
"""

from __future__ import annotations

import importlib
from pathlib import Path

_SOURCE_NAMES = {"_models": "models", "_data": "data"}


def _package_path(name: str) -> Path:
    try:
        module = importlib.import_module(f"netral_nlp.{name}")
        return Path(next(iter(module.__path__)))
    except (ModuleNotFoundError, StopIteration, AttributeError):
        return Path(__file__).resolve().parent.parent / _SOURCE_NAMES[name]


def models_dir() -> Path:
    """Folder holding the shipped models (``default/``) and recipes (``recipes/``)."""
    return _package_path("_models")


def data_dir() -> Path:
    """Folder holding the corpus files (``parts/*.jsonl``)."""
    return _package_path("_data")


__all__ = ["models_dir", "data_dir"]
