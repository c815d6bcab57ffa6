"""Training recipes: tested hyper-parameters for the recommended base models.

A recipe is a JSON file in ``models/recipes/`` (shipped with the package, found through
:func:`netral_nlp.resources.models_dir`) or any JSON file path. Keys:

* ``base_model``: hub id of the base model;
* training options passed to :func:`netral_nlp.train` (``max_length``, ``learning_rate``,
  ``epochs``, ``batch_size``, ``gradient_accumulation_steps``, ``warmup_ratio``,
  ``weight_decay``, ``early_stopping_patience``, …);
* documentation only: ``name``, ``description``, ``hardware``, ``expected_time``, ``notes``.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from ..errors import DataError
from ..resources import models_dir

DOC_KEYS = ("name", "description", "hardware", "expected_time", "notes", "base_model", "parameters")


def recipes_dir() -> Path:
    """Folder of the shipped recipes."""
    return models_dir() / "recipes"


def list_recipes() -> list[str]:
    """Names of the shipped recipes (``indobert-base``, ``xlm-r``, …)."""
    folder = recipes_dir()
    return sorted(p.stem for p in folder.glob("*.json")) if folder.is_dir() else []


def load_recipe(name_or_path: str | os.PathLike[str]) -> dict[str, Any]:
    """A recipe as a dict, by shipped name or JSON path.

    Raises:
        DataError: unknown name (the message lists the shipped ones) or invalid JSON.
    """
    text = os.fspath(name_or_path)
    path = Path(text)
    if not (path.suffix == ".json" and path.is_file()):
        path = recipes_dir() / f"{text}.json"
        if not path.is_file():
            raise DataError(f"unknown recipe {text!r}; shipped recipes: {list_recipes()} (or give a .json path)")
    try:
        recipe = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise DataError(f"{path}: invalid recipe JSON ({exc})") from exc
    if not isinstance(recipe, dict) or "base_model" not in recipe:
        raise DataError(f"{path}: a recipe must be a JSON object with a 'base_model' key")
    recipe.setdefault("name", path.stem)
    return recipe


def recipe_options(recipe: dict[str, Any]) -> dict[str, Any]:
    """The training options of a recipe (its non-documentation keys)."""
    return {k: v for k, v in recipe.items() if k not in DOC_KEYS}


__all__ = ["list_recipes", "load_recipe", "recipe_options", "recipes_dir"]
