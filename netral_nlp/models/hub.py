"""Finding a Hugging Face model: a local folder, the local hub cache, or the hub itself.

Every base model and every fine-tuned transformer goes through :func:`resolve_model_dir`,
so the rules are the same everywhere:

* a folder is used as is (nothing is downloaded);
* a hub id (``org/name``) is looked up in the local Hugging Face cache first, then
  downloaded when the hub can be reached; when it cannot (no network, ``HF_HUB_OFFLINE=1``,
  unknown id), :class:`~netral_nlp.errors.HubUnavailableError` says what was tried and how
  to pass a local folder instead;
* only ``*.safetensors`` weights are fetched unless ``use_safetensors=False`` is given
  explicitly (``pytorch_model.bin`` files are pickles and can run code when loaded).
"""

from __future__ import annotations

import os
from pathlib import Path

from ..errors import HubUnavailableError, ModelLoadError

_CONFIG_PATTERNS = ["*.json", "*.txt", "*.model", "README.md"]
_SAFE_WEIGHTS = ["*.safetensors", "*.safetensors.index.json"]
_PICKLE_WEIGHTS = ["pytorch_model*.bin", "pytorch_model.bin.index.json"]


def resolve_model_dir(
    name_or_path: str | os.PathLike[str],
    *,
    local_files_only: bool | None = None,
    use_safetensors: bool = True,
    revision: str | None = None,
) -> Path:
    """A local folder holding the model ``name_or_path`` (a folder or a hub id).

    Args:
        local_files_only: ``True``: never contact the hub (cache only); ``False``: always
            ask the hub; ``None``: the cache first, then the hub if it can be reached.
        use_safetensors: fetch only safetensors weights (default). ``False`` also fetches
            pickled ``pytorch_model.bin`` weights; only use it for sources you trust.

    Raises:
        ModelLoadError: ``name_or_path`` is neither an existing folder nor a valid hub id.
        HubUnavailableError: the id is not cached and the hub cannot be reached or does not
            know it.
    """
    text = os.fspath(name_or_path)
    path = Path(text).expanduser()
    if path.is_dir():
        return path
    if path.exists():
        raise ModelLoadError(f"{path}: is a file, expected a model folder or a hub id")
    from huggingface_hub.errors import HFValidationError
    from huggingface_hub.utils import validate_repo_id

    if text.startswith((".", "/", "~", "\\")) or text.count("/") > 1:
        raise ModelLoadError(f"{path}: no such model folder")
    try:
        validate_repo_id(text)
    except HFValidationError as exc:
        raise ModelLoadError(f"{text!r} is neither an existing folder nor a valid hub id ({exc})") from exc
    patterns = _CONFIG_PATTERNS + _SAFE_WEIGHTS + ([] if use_safetensors else _PICKLE_WEIGHTS)
    tried: list[str] = []
    if local_files_only is not False:
        folder = _snapshot(text, patterns, revision, local_only=True)
        if folder is not None:
            return folder
        tried.append("the local Hugging Face cache (not found there)")
    if local_files_only is True or _offline():
        why = "local_files_only=True" if local_files_only else "HF_HUB_OFFLINE is set"
        tried.append(f"no download attempted ({why})")
        raise HubUnavailableError(_message(text, tried))
    try:  # huggingface_hub's own network and offline handling (timeouts: HF_HUB_ETAG_TIMEOUT)
        folder = _snapshot(text, patterns, revision, local_only=False)
    except Exception as exc:  # network, HTTP, gated, unknown-repo errors: all reported the same way
        tried.append(f"the Hugging Face hub: {type(exc).__name__}: {_first_line(exc)}")
        raise HubUnavailableError(_message(text, tried)) from exc
    assert folder is not None
    return folder


def _snapshot(repo_id: str, patterns: list[str], revision: str | None, local_only: bool) -> Path | None:
    from huggingface_hub import snapshot_download
    from huggingface_hub.errors import LocalEntryNotFoundError

    try:
        folder = snapshot_download(repo_id, revision=revision, allow_patterns=patterns, local_files_only=local_only)
    except LocalEntryNotFoundError:
        if local_only:
            return None
        raise
    except OSError:
        if local_only:
            return None
        raise
    folder = Path(folder)
    return folder if (folder / "config.json").is_file() else None if local_only else folder


def _offline() -> bool:
    from huggingface_hub import constants

    return bool(constants.HF_HUB_OFFLINE) or os.environ.get("HF_HUB_OFFLINE", "").lower() in ("1", "true", "yes")


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else "no details"


def _message(repo_id: str, tried: list[str]) -> str:
    name = repo_id.rsplit("/", 1)[-1]
    return (
        f"could not load the model {repo_id!r}: it is not a local folder, so it was treated as a "
        f"Hugging Face hub id and looked up in: " + "; ".join(tried) + ". "
        "Either the hub cannot be reached from this machine or the id does not exist. "
        "To use a local copy instead, download the model where the hub is reachable, e.g. "
        f"`hf download {repo_id} --local-dir ./{name}` (or `git clone https://huggingface.co/{repo_id}`), "
        f"copy the folder here and pass its path: netral_nlp.load('./{name}'), "
        f"netral_nlp.train(..., base_model='./{name}') or `netral-nlp train --base-model ./{name}`."
    )


__all__ = ["resolve_model_dir"]
