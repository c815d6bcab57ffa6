"""The predict API shared by every model: :class:`TopicClassifier`.

A concrete model only turns normalised texts into a score matrix
(:meth:`TopicClassifier._predict_scores`) and knows how to save and load itself.
Input checking, normalisation, thresholds and the shape of the results live here, so
they are identical for the TF-IDF default, fine-tuned transformers and any future model.
"""

from __future__ import annotations

import json
import warnings
from abc import ABC, abstractmethod
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence, overload

import numpy as np

from ..errors import ModelLoadError
from ..text.normalize import Normalizer
from ..labels.prediction import Prediction
from ..labels.taxonomy import DEFAULT_TAXONOMY, Taxonomy

CONFIG_NAME = "netral_config.json"
"""File name of the small JSON every saved netral_nlp model folder carries."""

PREVALENCE_NAME = "prevalence.json"
"""Optional file next to the config: the model's scores on labelled texts, which the
prevalence estimators need (see :mod:`netral_nlp.quantify.calibration`)."""

FORMAT_VERSION = 1

Threshold = float | Mapping[str, float] | None


def as_text_list(texts: Any, what: str = "texts") -> list[str]:
    """Validate ``texts`` (an iterable of ``str``) and return it as a list.

    Raises:
        TypeError: for ``None``, a bare ``bytes``, a mapping (iterating a dict gives its
            keys, never what was meant), a non-iterable, or any element that is not a
            ``str`` (the message names its position).
    """
    if texts is None:
        raise TypeError(f"{what} must be a string or a list of strings, got None")
    if isinstance(texts, Mapping):
        raise TypeError(f"{what} must be a string or a list of strings, got {type(texts).__name__} (a mapping: "
                        "pass list(d.values()) to label its values)")
    if isinstance(texts, (str, bytes, bytearray, memoryview)) or not isinstance(texts, Iterable):
        raise TypeError(f"{what} must be a string or a list of strings, got {type(texts).__name__}")
    out = list(texts)
    for i, t in enumerate(out):
        if not isinstance(t, str):
            raise TypeError(f"{what}[{i}] is {type(t).__name__}, expected str")
    return out


class TopicClassifier(ABC):
    """Base class: classify texts into the topics of a :class:`~netral_nlp.Taxonomy`.

    Attributes:
        taxonomy: the label set; its order is the column order of every score matrix.
        thresholds_: per-topic decision thresholds (tuned on dev data when the model was built).
        normalizer: the text normaliser used in training, applied again before prediction.
        multi_label: ``True`` for sigmoid models (0..n labels), ``False`` for softmax models
            (at most the single best label).
        metrics_: evaluation figures recorded when the model was built (may be empty).
        prevalence_: the contents of the folder's ``prevalence.json`` (the model's scores on
            labelled texts, for :func:`netral_nlp.estimate_prevalence`), or ``None``. Kept
            as read and written back by ``save_pretrained``; :mod:`netral_nlp.quantify` reads it.
    """

    model_type: str = "base"

    def __init__(
        self,
        taxonomy: Taxonomy | None = None,
        normalizer: Normalizer | None = None,
        multi_label: bool = True,
    ) -> None:
        self.taxonomy = taxonomy if taxonomy is not None else DEFAULT_TAXONOMY
        self.normalizer = normalizer if normalizer is not None else Normalizer()
        self.multi_label = multi_label
        self.thresholds_ = np.full(len(self.taxonomy), 0.5)
        self.metrics_: dict[str, Any] = {}
        self.prevalence_: dict[str, Any] | None = None

    # ------------------------------------------------------------------ public API
    @property
    def labels(self) -> list[str]:
        """Topic ids in column order (the columns of :meth:`predict_proba`)."""
        return self.taxonomy.ids

    def predict_proba(self, texts: Sequence[str] | str, batch_size: int | None = None) -> np.ndarray:
        """Scores in [0, 1], shape ``(n_texts, n_topics)``, columns = :attr:`labels`.

        A single string is treated as a list of one text. Texts that normalise to nothing
        (empty, white space, emoji only) score 0 for every topic.
        """
        items = [texts] if isinstance(texts, str) else as_text_list(texts)
        normed = [self.normalizer(t) for t in items]
        out = np.zeros((len(normed), len(self.taxonomy)), dtype=np.float64)
        keep = [i for i, t in enumerate(normed) if t]
        if keep:
            scores = self._predict_scores([normed[i] for i in keep], batch_size=batch_size)
            out[keep] = scores
        return out

    @overload
    def predict(self, texts: str, threshold: Threshold = None, batch_size: int | None = None) -> Prediction: ...
    @overload
    def predict(
        self, texts: Sequence[str], threshold: Threshold = None, batch_size: int | None = None
    ) -> list[Prediction]: ...

    def predict(self, texts, threshold=None, batch_size=None):
        """Label one text (→ :class:`Prediction`) or a list (→ list, same order).

        Args:
            texts: a string or a list of strings.
            threshold: ``None`` uses the model's tuned per-topic thresholds; a float applies
                to every topic; a ``{topic_id: float}`` mapping overrides single topics.
            batch_size: texts per model call (``None``: the model's default).
        """
        single = isinstance(texts, str)
        items = [texts] if single else as_text_list(texts)
        proba = self.predict_proba(items, batch_size=batch_size)
        preds = [
            Prediction(labels=labels, scores={k: float(v) for k, v in zip(self.labels, row)})
            for labels, row in zip(self.decide(proba, threshold), proba)
        ]
        return preds[0] if single else preds

    def decide(self, proba: np.ndarray, threshold: Threshold = None) -> list[list[str]]:
        """Turn a score matrix into label lists (highest score first)."""
        th = self.resolve_thresholds(threshold)
        proba = np.asarray(proba, dtype=np.float64)
        hits = proba >= th
        if not self.multi_label:
            best = proba.argmax(axis=1)
            single = np.zeros_like(hits)
            single[np.arange(len(best)), best] = hits[np.arange(len(best)), best]
            hits = single
        # Rows scored exactly 0 everywhere (empty texts) never get a label.
        hits &= proba > 0
        labels = self.labels
        out = []
        for row_hits, row in zip(hits, proba):
            idx = np.flatnonzero(row_hits)
            out.append([labels[i] for i in idx[np.argsort(-row[idx], kind="stable")]])
        return out

    def resolve_thresholds(self, threshold: Threshold = None) -> np.ndarray:
        """The per-topic threshold vector implied by a ``threshold`` argument."""
        th = np.array(self.thresholds_, dtype=np.float64)
        if threshold is None:
            return th
        if isinstance(threshold, Mapping):
            for key, value in threshold.items():
                th[self.taxonomy.index(key)] = _check_threshold(value)
            return th
        return np.full(len(self.taxonomy), _check_threshold(threshold))

    @property
    def thresholds(self) -> dict[str, float]:
        """Per-topic thresholds as ``{topic_id: value}``."""
        return {k: float(v) for k, v in zip(self.labels, self.thresholds_)}

    def explain(self, text: str, top_k: int = 8) -> dict[str, list[tuple[str, float]]]:
        """For each predicted topic, the phrases that drove it (see subclasses)."""
        raise NotImplementedError(f"{type(self).__name__} does not implement explain()")

    def info(self) -> dict[str, Any]:
        """A JSON-able summary: model type, taxonomy, thresholds, recorded metrics."""
        return {
            "model_type": self.model_type,
            "multi_label": self.multi_label,
            "taxonomy": self.taxonomy.to_dict(),
            "thresholds": self.thresholds,
            "metrics": self.metrics_,
        }

    # ------------------------------------------------------------------ subclass hooks
    @abstractmethod
    def _predict_scores(self, texts: list[str], batch_size: int | None = None) -> np.ndarray:
        """Scores for non-empty *normalised* texts, shape ``(len(texts), n_topics)``."""

    @abstractmethod
    def save_pretrained(self, path: str | Path) -> Path:
        """Write the model to a folder (created if needed) and return its path."""

    # ------------------------------------------------------------------ config helpers
    def _base_config(self) -> dict[str, Any]:
        from .._version import __version__

        return {
            "format_version": FORMAT_VERSION,
            "model_type": self.model_type,
            "netral_nlp_version": __version__,
            "taxonomy": self.taxonomy.to_dict(),
            "multi_label": self.multi_label,
            "thresholds": self.thresholds,
            "normalizer": self.normalizer.to_dict(),
            "metrics": self.metrics_,
        }

    def _apply_base_config(self, cfg: Mapping[str, Any], folder: Path | None = None) -> None:
        """Take the settings of a saved config (and, given its folder, its ``prevalence.json``)."""
        if folder is not None:
            self.prevalence_ = read_prevalence(folder)
        self.taxonomy = Taxonomy.from_dict(cfg["taxonomy"])
        self.multi_label = bool(cfg.get("multi_label", True))
        self.normalizer = Normalizer.from_dict(cfg.get("normalizer"))
        th = cfg.get("thresholds") or {}
        self.thresholds_ = np.array([float(th.get(k, 0.5)) for k in self.taxonomy.ids])
        self.metrics_ = dict(cfg.get("metrics") or {})

    def __repr__(self) -> str:
        return f"{type(self).__name__}(labels={self.labels})"


def _check_threshold(value: Any) -> float:
    v = float(value)
    if not 0.0 <= v <= 1.0:
        raise ValueError(f"thresholds must lie in [0, 1], got {v}")
    return v


def read_prevalence(folder: Path) -> dict[str, Any] | None:
    """The folder's ``prevalence.json``, or ``None`` when it is absent. An unreadable file is
    ignored with a warning: the figures are recomputed from the corpus when needed."""
    path = Path(folder) / PREVALENCE_NAME
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        warnings.warn(f"{path}: unreadable, ignored ({exc})", stacklevel=3)
        return None
    if not isinstance(data, dict):
        warnings.warn(f"{path}: not a JSON object, ignored", stacklevel=3)
        return None
    return data


def write_prevalence(folder: Path, data: Mapping[str, Any] | None) -> None:
    """Write ``prevalence.json`` into a model folder, or remove a stale one when ``data`` is None."""
    path = Path(folder) / PREVALENCE_NAME
    if data is None:
        path.unlink(missing_ok=True)
        return
    path.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8")


def read_config(path: Path) -> dict[str, Any]:
    """Read and check ``netral_config.json`` in a model folder (see :func:`.checks.check_config`).

    Raises:
        ModelLoadError: missing, unreadable, or with invalid values.
    """
    cfg_path = path / CONFIG_NAME
    if not cfg_path.is_file():
        raise ModelLoadError(f"{path}: not a netral_nlp model folder ({CONFIG_NAME} is missing)")
    try:
        cfg = json.loads(cfg_path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ModelLoadError(f"{cfg_path}: corrupt model config ({exc})") from exc
    if not isinstance(cfg, dict) or "taxonomy" not in cfg or "model_type" not in cfg:
        raise ModelLoadError(f"{cfg_path}: model config lacks 'model_type' or 'taxonomy'")
    from .checks import check_config

    check_config(cfg, cfg_path)
    return cfg


def write_config(path: Path, cfg: Mapping[str, Any]) -> None:
    (path / CONFIG_NAME).write_text(json.dumps(cfg, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


__all__ = ["TopicClassifier", "as_text_list", "CONFIG_NAME", "PREVALENCE_NAME", "read_config", "write_config",
           "read_prevalence", "write_prevalence"]
