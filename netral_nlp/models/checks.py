"""Checks that turn a damaged or tampered model folder into a clear :class:`ModelLoadError`.

* :func:`check_config`: the values of ``netral_config.json`` (thresholds in [0, 1],
  ordered n-gram ranges, finite positive hyper-parameters, sane window settings).
* :func:`check_safetensors`: a weights file's header and size (cut short, a header length
  that is absurd or longer than the file, tensors whose bytes do not match their shape) are
  caught before any loader reads it.
* :func:`member_folder`: an ensemble's member paths stay strictly inside its folder
  (no absolute or ``..`` paths, no symlink out, not the folder itself), which also makes a
  self-referencing ensemble impossible.
* :func:`guard_load`: whatever a loader still raises (``SafetensorError``, a shape
  mismatch's ``RuntimeError``, a ``RecursionError``...) becomes a ``ModelLoadError`` naming
  the folder; ``ValueError``/``TypeError`` stay as they are: they report a bad argument of
  the caller (``precision="fp8"``), which loaders check.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any, Callable, Mapping, TypeVar

from ..errors import MissingDependencyError, ModelLoadError

T = TypeVar("T")
MAX_HEADER_BYTES = 100 * 1024 * 1024
"""The safetensors format's own limit on the JSON header."""
MAX_NGRAM = 10
_DTYPE_BYTES = {"F64": 8, "F32": 4, "F16": 2, "BF16": 2, "I64": 8, "I32": 4, "I16": 2, "I8": 1, "U64": 8,
                "U32": 4, "U16": 2, "U8": 1, "BOOL": 1, "F8_E4M3": 1, "F8_E5M2": 1}


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _positive_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value > 0


def check_config(cfg: Mapping[str, Any], where: Path) -> None:
    """Validate the values of a ``netral_config.json`` (every model type)."""
    problems = _base_problems(cfg) + _window_problems(cfg)
    params = cfg.get("params")
    if params is not None:
        problems += _linear_problems(params) if isinstance(params, Mapping) else ["'params' is not an object"]
    if problems:
        raise ModelLoadError(f"{where}: invalid model config: " + "; ".join(problems))


def _base_problems(cfg: Mapping[str, Any]) -> list[str]:
    out = []
    if not isinstance(cfg.get("model_type"), str):
        out.append("'model_type' is not a string")
    if not isinstance(cfg.get("taxonomy"), Mapping):
        out.append("'taxonomy' is not an object")
    else:
        from ..labels.taxonomy import Taxonomy

        try:
            Taxonomy.from_dict(cfg["taxonomy"])
        except (KeyError, TypeError, ValueError) as exc:
            out.append(f"invalid taxonomy ({exc!r})")
    thresholds = cfg.get("thresholds")
    if thresholds is not None and not isinstance(thresholds, Mapping):
        out.append("'thresholds' is not an object of topic -> number")
    for topic, value in (thresholds or {}).items() if isinstance(thresholds, Mapping) else ():
        if not _number(value) or not 0.0 <= value <= 1.0:
            out.append(f"threshold of {topic!r} is {value!r}, expected a number in [0, 1]")
    if "multi_label" in cfg and not isinstance(cfg["multi_label"], bool):
        out.append(f"'multi_label' is {cfg['multi_label']!r}, expected true or false")
    norm = cfg.get("normalizer")
    if norm is not None and not isinstance(norm, Mapping):
        out.append("'normalizer' is not an object")
    elif norm:
        chars = norm.get("max_chars", 0)
        if not isinstance(chars, int) or isinstance(chars, bool) or chars < 0:
            out.append(f"normalizer max_chars is {chars!r}, expected an integer >= 0")
        out += [f"normalizer {k} is {v!r}, expected true or false" for k, v in norm.items()
                if k != "max_chars" and not isinstance(v, bool)]
    weights = cfg.get("weights")
    if weights is not None and (not isinstance(weights, list) or not all(_number(w) and w >= 0 for w in weights)):
        out.append(f"'weights' is {weights!r}, expected finite numbers >= 0")
    return out


def _window_problems(cfg: Mapping[str, Any]) -> list[str]:
    out = []
    for key in ("max_length", "max_chunks", "batch_size"):
        if cfg.get(key) is not None and not _positive_int(cfg[key]):
            out.append(f"{key!r} is {cfg[key]!r}, expected a positive integer")
    stride = cfg.get("stride")
    if stride is not None and (not isinstance(stride, int) or isinstance(stride, bool) or stride < 0
                               or (_positive_int(cfg.get("max_length")) and stride >= cfg["max_length"])):
        out.append(f"'stride' is {stride!r}, expected an integer >= 0 below max_length")
    return out


def _linear_problems(params: Mapping[str, Any]) -> list[str]:
    out = []
    for key in ("word_ngram_range", "char_ngram_range"):
        if key not in params:
            continue
        rng = params[key]
        if (not isinstance(rng, (list, tuple)) or len(rng) != 2 or not all(_positive_int(v) for v in rng)
                or rng[0] > rng[1] or rng[1] > MAX_NGRAM):
            out.append(f"{key} is {rng!r}, expected [low, high] with 1 <= low <= high <= {MAX_NGRAM}")
    if "C" in params and (not _number(params["C"]) or params["C"] <= 0):
        out.append(f"C is {params['C']!r}, expected a finite number > 0")
    min_df = params.get("min_df", 1)
    if not (_positive_int(min_df) or (_number(min_df) and 0 < min_df <= 1)):
        out.append(f"min_df is {min_df!r}, expected a positive integer or a fraction in (0, 1]")
    for key in ("max_word_features", "max_char_features"):
        if params.get(key) is not None and not _positive_int(params[key]):
            out.append(f"{key} is {params[key]!r}, expected a positive integer or null")
    if params.get("class_weight") not in (None, "balanced"):
        out.append(f"class_weight is {params['class_weight']!r}, expected null or 'balanced'")
    return out


def check_safetensors(path: Path) -> None:
    """Raise :class:`ModelLoadError` when a safetensors file is cut short or its header is
    damaged (without reading the tensors)."""
    size = path.stat().st_size
    with open(path, "rb") as fh:
        head = fh.read(8)
        n = int.from_bytes(head, "little") if len(head) == 8 else -1
        if n < 2 or n > MAX_HEADER_BYTES or 8 + n > size:
            raise _corrupt(path, f"a safetensors header length of {n:,} bytes in a file of {size:,}: the file is "
                                 "cut short or not safetensors")
        try:
            header = json.loads(fh.read(n))
        except (UnicodeDecodeError, ValueError) as exc:
            raise _corrupt(path, f"unreadable safetensors header: {exc}") from exc
    if not isinstance(header, dict):
        raise _corrupt(path, "the safetensors header is not a JSON object")
    end = 0
    for name, info in header.items():
        if name == "__metadata__":
            continue
        try:
            begin, stop = (int(x) for x in info["data_offsets"])
            count = math.prod(int(d) for d in info["shape"])
            width = _DTYPE_BYTES.get(info["dtype"])
        except (KeyError, TypeError, ValueError) as exc:
            raise _corrupt(path, f"safetensors header entry {name!r}: {exc!r}") from exc
        if begin < 0 or stop < begin or (width is not None and stop - begin != count * width):
            raise _corrupt(path, f"tensor {name!r} has {stop - begin:,} bytes for shape {info['shape']} of "
                                 f"{info['dtype']}")
        end = max(end, stop)
    if 8 + n + end > size:
        raise _corrupt(path, f"cut short: its tensors need {8 + n + end:,} bytes, the file has {size:,}")


def _corrupt(path: Path, what: str) -> ModelLoadError:
    return ModelLoadError(f"{path.parent}: corrupt model files ({path.name}: {what})")


def check_weight_files(folder: Path) -> None:
    """:func:`check_safetensors` for every ``*.safetensors`` file directly in ``folder``."""
    for path in sorted(folder.glob("*.safetensors")):
        check_safetensors(path)


def member_folder(folder: Path, name: Any) -> Path:
    """The folder of ensemble member ``name``, which must lie strictly inside ``folder``."""
    if not isinstance(name, str) or not name or Path(name).is_absolute() or ".." in Path(name).parts:
        raise ModelLoadError(f"{folder}: ensemble member path {name!r} must be a relative path inside the folder")
    root = folder.resolve()
    sub = (folder / name).resolve()
    if sub == root or root not in sub.parents:
        raise ModelLoadError(f"{folder}: ensemble member {name!r} resolves to {sub}, which is not a sub-folder of "
                             "the ensemble (a member must not be the ensemble itself or lie outside it)")
    if not sub.is_dir():
        raise ModelLoadError(f"{folder}: member folder {name!r} is missing")
    return sub


def guard_load(where: Any, load: Callable[[], T]) -> T:
    """Run a loader; any error it raises that is not already a :class:`ModelLoadError`, a
    missing optional dependency or a bad argument (``ValueError``, ``TypeError``) becomes a
    ``ModelLoadError`` that names ``where`` and the cause."""
    try:
        return load()
    except (ModelLoadError, MissingDependencyError, MemoryError, ValueError, TypeError):
        raise
    except RecursionError as exc:
        raise ModelLoadError(f"{where}: cannot load the model (it refers to itself)") from exc
    except Exception as exc:  # noqa: BLE001 - SafetensorError, RuntimeError (shapes), KeyError, ...
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        raise ModelLoadError(f"{where}: cannot load the model ({type(exc).__name__}: {first[:300]})") from exc


__all__ = ["check_config", "check_safetensors", "check_weight_files", "member_folder", "guard_load"]
