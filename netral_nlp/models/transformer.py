"""Fine-tuned Hugging Face encoders behind the shared predict API: :class:`TransformerTopicClassifier`.

A saved model is a standard Hugging Face folder: ``config.json`` (``id2label``,
``label2id``, ``problem_type``), ``model.safetensors``, the tokenizer files, plus
``netral_config.json`` (taxonomy, thresholds, normaliser, window settings, metrics) and a
model card ``README.md``. ``netral_nlp.load(folder)`` and
``transformers.pipeline("text-classification", model=folder)`` both open it. Plain
Hugging Face classification folders (no ``netral_config.json``) load too, with their
``id2label`` as the taxonomy.
"""

from __future__ import annotations

import os
import warnings
from contextlib import nullcontext
from pathlib import Path
from typing import Any, ContextManager, Sequence

import numpy as np

from ..text.chunking import AGGREGATIONS, DEFAULT_MAX_CHUNKS, check_window, encode_chunks, aggregate, pad_batch
from .classifier import CONFIG_NAME, TopicClassifier, read_config, write_config, write_prevalence
from ..errors import ModelLoadError
from .hf_config import check_max_length, default_max_length, position_limit, taxonomy_from_config
from .hub import resolve_model_dir
from .quiet import hf_quiet
from ..text.normalize import Normalizer
from ..labels.taxonomy import Taxonomy

PRECISIONS = ("fp32", "bf16", "fp16", "int8", "onnx")
DEFAULT_BATCH_SIZE = 32
MAX_EXPLAIN_UNITS = 64
RAW_NORMALIZER = Normalizer(lowercase=False, replace_urls=False, replace_mentions=False, split_hashtags=False,
                            remove_emoji=False, squeeze_repeats=False, expand_slang=False)
"""Used for plain Hugging Face folders (no ``netral_config.json``): Unicode NFKC and white space only."""


class TransformerTopicClassifier(TopicClassifier):
    """A sequence-classification encoder (IndoBERT, XLM-R, …) with per-topic thresholds.

    Attributes:
        model: the ``transformers`` ``AutoModelForSequenceClassification`` (full precision).
        tokenizer: its fast tokenizer.
        max_length: tokens per window (special tokens included).
        stride: tokens shared by consecutive windows of a long text.
        aggregation: ``"max"`` or ``"mean"`` over a text's windows.
        max_chunks: cap on windows per text (evenly spaced over the text beyond it).
        precision: numeric path at prediction time: ``"fp32"``; ``"bf16"`` / ``"fp16"``
            (autocast; fp16 on GPU only); ``"int8"`` (dynamic int8 quantisation of the
            encoder's Linear layers, the head stays fp32; CPU only, typically 2-3x faster
            with a small score change); ``"onnx"`` (ONNX Runtime on CPU, fp32: the folder's
            ``model.onnx`` from ``netral-nlp export --format onnx``, else a fresh export;
            needs the ``onnx`` extra, see :mod:`netral_nlp.models.onnx`).
        onnx_path: the exported graph ``precision="onnx"`` uses (set when a folder has one).
        base_model: hub id or folder the model was fine-tuned from (for the model card).
    """

    model_type = "transformer"

    def __init__(
        self,
        model: Any,
        tokenizer: Any,
        taxonomy: Taxonomy | None = None,
        *,
        multi_label: bool = True,
        normalizer: Normalizer | None = None,
        max_length: int | None = None,
        stride: int | None = None,
        aggregation: str = "max",
        max_chunks: int = DEFAULT_MAX_CHUNKS,
        batch_size: int = DEFAULT_BATCH_SIZE,
        base_model: str | None = None,
        device: str | Any | None = None,
        precision: str = "fp32",
        onnx_path: str | os.PathLike[str] | None = None,
    ) -> None:
        if taxonomy is None:
            taxonomy = taxonomy_from_config(model.config)
        super().__init__(taxonomy=taxonomy, normalizer=normalizer, multi_label=multi_label)
        if model.config.num_labels != len(self.taxonomy):
            raise ModelLoadError(
                f"the model has {model.config.num_labels} outputs but the taxonomy has {len(self.taxonomy)} topics"
            )
        if not getattr(tokenizer, "is_fast", False):
            raise ModelLoadError(f"a fast (Rust) tokenizer is required, got {type(tokenizer).__name__}")
        self.model = model
        self.tokenizer = tokenizer
        self.max_length = int(max_length or default_max_length(model, tokenizer))
        check_max_length(model, self.max_length)
        self.stride = int(self.max_length // 4 if stride is None else stride)
        check_window(tokenizer, self.max_length, self.stride)
        if aggregation not in AGGREGATIONS:
            raise ValueError(f"aggregation must be one of {AGGREGATIONS}, got {aggregation!r}")
        self.aggregation = aggregation
        self.max_chunks = int(max_chunks)
        self.batch_size = int(batch_size)
        self.base_model = base_model
        self.thresholds_ = np.full(len(self.taxonomy), 0.5 if multi_label else 0.0)
        self._runtime: Any = None
        self.onnx_path = Path(onnx_path) if onnx_path is not None else None
        self.precision = "fp32"
        self.device = _pick_device(device)
        self.model.to(self.device)
        self.model.eval()
        self.set_precision(precision)

    # ------------------------------------------------------------------ numeric path
    def set_precision(self, precision: str) -> "TransformerTopicClassifier":
        """Switch the prediction numeric path (see the class docstring). Returns ``self``."""
        if precision not in PRECISIONS:
            raise ValueError(f"precision must be one of {PRECISIONS}, got {precision!r}")
        if precision == "fp16" and self.device.type != "cuda":
            raise ValueError("precision='fp16' needs a CUDA device; on CPU use 'bf16' or 'int8'")
        if precision == "int8":
            if self.device.type != "cpu":
                raise ValueError("precision='int8' (dynamic quantisation) runs on CPU only; use device='cpu'")
            import torch

            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # torch.ao.quantization deprecation notices
                from torch.ao.quantization import default_dynamic_qconfig, quantize_dynamic

                spec = {name: default_dynamic_qconfig for name in _encoder_linear_names(self.model)}
                self._runtime = quantize_dynamic(self.model, spec or {torch.nn.Linear}, dtype=torch.qint8)
        elif precision == "onnx":
            if self.device.type != "cpu":
                raise ValueError("precision='onnx' runs ONNX Runtime on CPU; use device='cpu'")
            from .onnx import runner_for

            self._runtime = runner_for(self.model, self.onnx_path, threads=_torch_threads())
        else:
            self._runtime = None
        self.precision = precision
        return self

    def _autocast(self) -> ContextManager[Any]:
        import torch

        if self.precision in ("bf16", "fp16"):
            dtype = torch.bfloat16 if self.precision == "bf16" else torch.float16
            return torch.autocast(device_type=self.device.type, dtype=dtype)
        return nullcontext()

    def _forward(self, sequences: Sequence[Sequence[int]]) -> np.ndarray:
        import torch

        pad_id = self.tokenizer.pad_token_id if self.tokenizer.pad_token_id is not None else 0
        ids, mask = pad_batch(sequences, pad_id)
        if self.precision == "onnx":
            logits = torch.from_numpy(self._runtime(ids, mask))
            probs = torch.sigmoid(logits) if self.multi_label else torch.softmax(logits, dim=-1)
            return probs.numpy().astype(np.float64)
        model = self._runtime if self._runtime is not None else self.model
        with torch.inference_mode(), self._autocast():
            logits = model(input_ids=torch.from_numpy(ids).to(self.device),
                           attention_mask=torch.from_numpy(mask).to(self.device)).logits
        logits = logits.float()
        probs = torch.sigmoid(logits) if self.multi_label else torch.softmax(logits, dim=-1)
        return probs.cpu().numpy().astype(np.float64)

    def _predict_scores(self, texts: list[str], batch_size: int | None = None) -> np.ndarray:
        """Window every text, score windows in length-sorted, dynamically padded batches, aggregate."""
        import torch

        bs = int(batch_size or self.batch_size)
        if bs < 1:
            raise ValueError(f"batch_size must be at least 1, got {bs}")
        out = np.zeros((len(texts), len(self.taxonomy)), dtype=np.float64)
        buffer = bs * 16
        with torch.inference_mode():
            for start in range(0, len(texts), buffer):
                part = texts[start: start + buffer]
                chunks = encode_chunks(self.tokenizer, part, self.max_length, self.stride, self.max_chunks)
                order = np.argsort([len(ids) for ids in chunks.input_ids], kind="stable")
                scores = np.zeros((len(chunks), len(self.taxonomy)), dtype=np.float64)
                for b in range(0, len(order), bs):
                    idx = order[b: b + bs]
                    scores[idx] = self._forward([chunks.input_ids[i] for i in idx])
                out[start: start + len(part)] = aggregate(scores, chunks.owners, len(part), self.aggregation)
        return out

    # ------------------------------------------------------------------ explanations
    def explain(
        self, text: str, top_k: int = 8, topics: Sequence[str] | None = None
    ) -> dict[str, list[tuple[str, float]]]:
        """Occlusion: the words whose removal lowers each predicted topic's score the most.

        The normalised text is split into words; with more than 64 words, into 64 runs of
        consecutive words. Each word (run) is dropped in turn and the text re-scored; its
        weight is the score drop. Returns ``{topic_id: [(word_or_phrase, drop), …]}`` for the
        predicted topics (or ``topics``), largest drop first, positive drops only.
        """
        if not isinstance(text, str):
            raise TypeError(f"text is {type(text).__name__}, expected str")
        if topics is None:
            topics = self.predict(text).labels
        cols = [self.taxonomy.index(t) for t in topics]
        normed = self.normalizer(text)
        words = normed.split()
        if not words or not cols:
            return {t: [] for t in topics}
        size = -(-len(words) // MAX_EXPLAIN_UNITS)
        units = [(i, min(i + size, len(words))) for i in range(0, len(words), size)]
        variants = [" ".join(words[:a] + words[b:]) for a, b in units]
        keep = [i for i, v in enumerate(variants) if v]
        base = self._predict_scores([normed])[0]
        occluded = np.zeros((len(units), len(self.taxonomy)))
        if keep:
            occluded[keep] = self._predict_scores([variants[i] for i in keep])
        drops = base[None, :] - occluded
        out: dict[str, list[tuple[str, float]]] = {}
        for topic, j in zip(topics, cols):
            ranked = sorted(((u, round(float(drops[u, j]), 4)) for u in range(len(units))),
                            key=lambda ud: -ud[1])[:top_k]
            out[topic] = [(" ".join(words[units[u][0]: units[u][1]]), d) for u, d in ranked if d > 0]
        return out

    # ------------------------------------------------------------------ persistence
    def save_pretrained(self, path: str | Path) -> Path:
        """Write a standard Hugging Face folder plus ``netral_config.json`` and ``README.md``."""
        from .model_card import render_model_card

        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        cfg = self.model.config
        cfg.id2label = {i: t for i, t in enumerate(self.taxonomy.ids)}
        cfg.label2id = {t: i for i, t in enumerate(self.taxonomy.ids)}
        cfg.problem_type = "multi_label_classification" if self.multi_label else "single_label_classification"
        with hf_quiet():  # no "Writing model shards" bar
            self.model.save_pretrained(path)
            self.tokenizer.save_pretrained(path)
        netral = self._base_config()
        netral.update(max_length=self.max_length, stride=self.stride, aggregation=self.aggregation,
                      max_chunks=self.max_chunks, batch_size=self.batch_size, base_model=self.base_model)
        write_config(path, netral)
        write_prevalence(path, self.prevalence_)
        (path / "README.md").write_text(render_model_card(self), encoding="utf-8")
        return path

    @classmethod
    def from_pretrained(
        cls,
        name_or_path: str | os.PathLike[str],
        *,
        device: str | Any | None = None,
        max_length: int | None = None,
        stride: int | None = None,
        aggregation: str | None = None,
        trust_remote_code: bool = False,
        use_safetensors: bool = True,
        local_files_only: bool | None = None,
        precision: str = "fp32",
        max_chunks: int | None = None,
        batch_size: int | None = None,
        **kw: Any,
    ) -> "TransformerTopicClassifier":
        """Load a saved folder, a plain Hugging Face classification folder, or a hub id.

        Args:
            device: ``"cpu"``, ``"cuda"``, ``"cuda:1"``… (default: CUDA when available).
            max_length / stride / aggregation / max_chunks / batch_size: override the saved settings
                (a new ``max_length`` without ``stride`` gets the default stride, ``max_length // 4``).
            trust_remote_code: allow custom model code from the folder/repo (off by default).
            use_safetensors: only load ``*.safetensors`` weights (default). ``False`` allows
                pickled ``pytorch_model.bin``; only for sources you trust.
            local_files_only: see :func:`netral_nlp.models.hub.resolve_model_dir`.
            precision: ``"fp32"``, ``"bf16"``, ``"fp16"`` (GPU) or ``"int8"`` (CPU).
            **kw: passed to ``AutoModelForSequenceClassification.from_pretrained``.

        Raises:
            HubUnavailableError: a hub id that is not cached and cannot be downloaded.
            ModelLoadError: a missing, incomplete or inconsistent folder.
        """
        from .onnx import ONNX_NAME

        folder = resolve_model_dir(name_or_path, local_files_only=local_files_only, use_safetensors=use_safetensors)
        netral = read_config(folder) if (folder / CONFIG_NAME).is_file() else None
        if netral is not None and netral["model_type"] != cls.model_type:
            raise ModelLoadError(f"{folder}: model_type is {netral['model_type']!r}, not {cls.model_type!r}")
        model, tokenizer = load_hf_classifier(folder, trust_remote_code=trust_remote_code,
                                              use_safetensors=use_safetensors, **kw)
        saved = netral or {}
        multi = bool(saved.get("multi_label", model.config.problem_type == "multi_label_classification"))
        taxonomy = Taxonomy.from_dict(saved["taxonomy"]) if netral else taxonomy_from_config(model.config)
        clf = cls(
            model, tokenizer, taxonomy, multi_label=multi,
            max_length=max_length or saved.get("max_length"),
            stride=stride if stride is not None else (saved.get("stride") if max_length is None else None),
            aggregation=aggregation or saved.get("aggregation", "max"),
            max_chunks=max_chunks or saved.get("max_chunks", DEFAULT_MAX_CHUNKS),
            batch_size=batch_size or saved.get("batch_size", DEFAULT_BATCH_SIZE),
            base_model=saved.get("base_model") or getattr(model.config, "_name_or_path", None),
            device=device, onnx_path=folder / ONNX_NAME if (folder / ONNX_NAME).is_file() else None,
        )
        if netral is None:
            clf.normalizer = RAW_NORMALIZER  # a foreign model was trained on raw text
        else:
            clf._apply_base_config(netral, folder)
            if len(clf.taxonomy) != model.config.num_labels:
                raise ModelLoadError(f"{folder}: {CONFIG_NAME} lists {len(clf.taxonomy)} topics but the model "
                                     f"has {model.config.num_labels} outputs")
        return clf.set_precision(precision)

    def info(self) -> dict[str, Any]:
        out = super().info()
        out.update(base_model=self.base_model, max_length=self.max_length, stride=self.stride,
                   aggregation=self.aggregation, max_chunks=self.max_chunks, precision=self.precision,
                   device=str(self.device))
        return out


# ---------------------------------------------------------------------------- helpers
def load_hf_classifier(folder: Path, *, trust_remote_code: bool = False, use_safetensors: bool = True,
                       quiet: bool = True, **kw: Any) -> tuple[Any, Any]:
    """``(AutoModelForSequenceClassification, AutoTokenizer)`` from a local folder, with clear errors.

    ``quiet``: no "Loading weights" bar and no load report (``False`` shows them, e.g. the
    report of a freshly initialised classification head when training).
    """
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    if not (folder / "config.json").is_file():
        raise ModelLoadError(f"{folder}: not a Hugging Face model folder (config.json is missing)")
    has_safe = any(folder.glob("*.safetensors"))
    if use_safetensors and not has_safe:
        pickled = [p.name for p in folder.glob("*.bin")]
        found = f" It has {pickled}: pickles, which can run code when loaded." if pickled else ""
        raise ModelLoadError(
            f"{folder}: no *.safetensors weights found.{found} Convert the weights to safetensors, or, for a "
            "source you trust, pass use_safetensors=False (CLI: --allow-pickle-weights) to load "
            "pytorch_model.bin."
        )
    try:
        with hf_quiet(quiet):
            model = AutoModelForSequenceClassification.from_pretrained(
                folder, trust_remote_code=trust_remote_code, use_safetensors=use_safetensors if has_safe else None,
                local_files_only=True, **kw)
            tokenizer = AutoTokenizer.from_pretrained(folder, trust_remote_code=trust_remote_code,
                                                      local_files_only=True)
    except (OSError, ValueError, KeyError) as exc:
        raise ModelLoadError(f"{folder}: cannot load the model or tokenizer ({_first_line(exc)})") from exc
    return model, tokenizer


def _encoder_linear_names(model: Any) -> list[str]:
    """Names of the Linear layers inside the encoder stack, for int8 quantisation.

    The classification head (and pooler) stay in fp32: they are tiny, so quantising them
    gains no speed, but their rounding moves every logit directly (measured on a
    BERT-base-shaped model: 99.7 % of label sets kept with the head quantised, 100 % without).
    """
    import torch

    base = getattr(model, "base_model", model)
    encoder = getattr(base, "encoder", None) or base
    prefix = next((name for name, module in model.named_modules() if module is encoder), "")
    return [name for name, module in model.named_modules()
            if isinstance(module, torch.nn.Linear) and (not prefix or name.startswith(prefix + "."))]


def _torch_threads() -> int:
    import torch

    return torch.get_num_threads()


def _pick_device(device: str | Any | None) -> Any:
    import torch

    if device is None or device == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    dev = torch.device(device)
    if dev.type == "cuda" and not torch.cuda.is_available():
        raise ValueError(f"device {device!r} requested but CUDA is not available")
    return dev


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


__all__ = ["TransformerTopicClassifier", "PRECISIONS", "load_hf_classifier", "taxonomy_from_config",
           "default_max_length", "position_limit", "check_max_length"]
