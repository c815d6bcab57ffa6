"""Model types: which loader opens a saved model folder, by the ``model_type`` recorded in
its ``netral_config.json``.

A model family registers its loader once (:mod:`.loading` does it for the built-in
``linear``, ``transformer``, ``e5`` and ``ensemble`` types); :func:`load_folder` then
dispatches on the folder's config without knowing any concrete class, so a composite model
(an ensemble) can open its members and a new model type plugs in without editing a chain
of ``if model_type == ...``. A plain Hugging Face folder (``config.json`` only) opens as
:data:`HF_MODEL_TYPE`.
"""

from __future__ import annotations

from contextvars import ContextVar
from pathlib import Path
from typing import Any, Callable

from ..errors import ModelLoadError
from .checks import check_weight_files, guard_load
from .classifier import CONFIG_NAME, TopicClassifier, read_config

FolderLoader = Callable[..., TopicClassifier]
"""``loader(folder, **kwargs) -> TopicClassifier``, usually a class's ``from_pretrained``."""

HF_MODEL_TYPE = "transformer"

_LOADERS: dict[str, FolderLoader] = {}


def register_model_type(name: str, loader: FolderLoader, *, replace: bool = False) -> None:
    """Open folders whose config says ``"model_type": name`` with ``loader(folder, **kwargs)``."""
    if name in _LOADERS and _LOADERS[name] != loader and not replace:
        raise ValueError(f"model type {name!r} is already registered (pass replace=True to override)")
    _LOADERS[name] = loader


def model_types() -> tuple[str, ...]:
    """The registered model types."""
    return tuple(_LOADERS)


def load_folder(path: Path, **kwargs: Any) -> TopicClassifier:
    """Load a model folder, dispatching on ``netral_config.json`` (or ``config.json``).

    Every ``*.safetensors`` file of the folder is checked first, and whatever a loader
    raises becomes a :class:`ModelLoadError` naming the folder (see :mod:`.checks`). A
    folder that is being loaded already (a composite model that contains itself, directly
    or through other folders) is refused.
    """
    key = path.resolve()
    loading = _LOADING.get()
    if key in loading:
        chain = " -> ".join(str(p) for p in loading + (key,))
        raise ModelLoadError(f"{path}: the model contains itself ({chain})")
    token = _LOADING.set(loading + (key,))
    try:
        return _load_folder(path, **kwargs)
    finally:
        _LOADING.reset(token)


_LOADING: ContextVar[tuple[Path, ...]] = ContextVar("netral_nlp_loading", default=())
"""The folders being loaded in this context, outermost first."""


def _load_folder(path: Path, **kwargs: Any) -> TopicClassifier:
    if (path / CONFIG_NAME).is_file():
        model_type = read_config(path)["model_type"]
        loader = _LOADERS.get(model_type)
        if loader is None:
            raise ModelLoadError(f"{path}: unknown model_type {model_type!r} in {CONFIG_NAME}")
        check_weight_files(path)
        return guard_load(path, lambda: loader(path, **kwargs))
    if (path / "config.json").is_file():
        check_weight_files(path)
        return guard_load(path, lambda: _LOADERS[HF_MODEL_TYPE](path, **kwargs))
    raise ModelLoadError(
        f"{path}: not a model folder (neither {CONFIG_NAME} nor a Hugging Face config.json found)"
    )


__all__ = ["register_model_type", "model_types", "load_folder", "FolderLoader", "HF_MODEL_TYPE"]
