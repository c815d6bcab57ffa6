"""Fine-tuning a Hugging Face encoder into a topic classifier: :func:`train`.

Built on ``transformers.Trainer`` (subclassed only for the loss): sigmoid + binary
cross-entropy with optional per-topic positive weights for multi-label data, softmax +
cross-entropy for single-label data; evaluation on dev data after every epoch, early
stopping and best-epoch selection on dev macro-F1, per-topic thresholds tuned on dev with
the same sliding-window prediction path used later, seeds, bf16/fp16 when the hardware
supports it, gradient accumulation and a configurable max length. Long texts: see
:mod:`netral_nlp.text.chunking` (head+tail truncation by default, or every window of the text
as a training example with the text's labels).
"""

from __future__ import annotations

import os
import shutil
import sys
import time
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any, Callable, Mapping, Sequence

import numpy as np

from ..text.chunking import AGGREGATIONS, DEFAULT_MAX_CHUNKS, encode_chunks, encode_head_tail
from ..data.labelled import LabelledData, load_labelled
from ..errors import DataError
from .diagnostics import LOG, learned_nothing, metric_columns, present_topics, restrict_eval, trivial_baselines
from .hf_trainer import (
    PaddingCollator,
    epoch_logger,
    macro_f1_metrics,
    make_trainer,
    route_trainer_output,
    torch_threads,
)
from ..models.hub import resolve_model_dir
from ..models.quiet import hf_quiet
from ..text.normalize import Normalizer
from ..labels.taxonomy import Taxonomy
from ..labels.thresholds import tune_thresholds
from ..models.transformer import TransformerTopicClassifier, check_max_length, load_hf_classifier

DEFAULT_BASE_MODEL = "indobenchmark/indobert-base-p1"
PROBLEM_TYPES = ("multi_label_classification", "single_label_classification")
LONG_TEXT_STRATEGIES = ("head_tail", "chunks")


@dataclass
class TrainOptions:
    """Every option of :func:`train` (all keyword arguments; recipes fill the defaults).

    Attributes:
        epochs / learning_rate / batch_size / gradient_accumulation_steps / warmup_ratio /
            weight_decay / lr_scheduler_type / seed: the usual optimisation settings.
        eval_batch_size: batch size for evaluation and prediction (default: 2 × batch_size).
        max_length: tokens per training input and per prediction window.
        long_texts: ``"head_tail"`` (one input per text; the first ``head_tokens`` and the
            last tokens of a long text) or ``"chunks"`` (every window of ``max_length``
            tokens overlapping by ``stride`` is an example carrying the text's labels).
        stride / aggregation / max_chunks: the sliding windows used at prediction time.
        pos_weight: multi-label only: ``None`` (plain BCE), ``"auto"`` (negatives/positives
            per topic, clipped to ``[1, max_pos_weight]``), one float, or ``{topic: weight}``.
        early_stopping_patience: epochs without dev macro-F1 improvement before stopping
            (``None``/0: run all epochs; the best epoch is kept either way).
        precision: ``"auto"`` (bf16 on GPUs that support it, else fp16 on GPU, fp32 on CPU),
            ``"fp32"``, ``"bf16"`` or ``"fp16"``.
        eval_fraction: share of the training data held out as dev data when no eval data
            is given (ignored for ``"corpus"``, which uses the corpus dev split).
        device: ``"auto"``, ``"cpu"`` or ``"cuda"``.
        trust_remote_code / use_safetensors / local_files_only: how the base model is loaded.
        keep_checkpoints: keep the per-epoch checkpoints under ``output_dir/checkpoints``.
        cpu_threads: torch CPU threads while training (default: torch's choice). On a busy or
            small machine, 1 thread avoids the heavy slow-down of oversubscribed thread pools.
        progress: progress bar and one summary line per epoch on stderr (default ``None``: off,
            a library call is quiet unless asked; ``netral-nlp train`` turns it on unless ``-q``).
        model_hook: called with the freshly loaded classification model; returns the model to
            train (e.g. a ``peft`` LoRA wrapper, see :func:`netral_nlp.training.e5.lora_hook`).
        allow_new_labels: accept labels that look like misspelt topic ids (see
            :func:`~netral_nlp.data.load_labelled`).
    """

    epochs: float = 5.0
    learning_rate: float = 3e-5
    batch_size: int = 16
    eval_batch_size: int | None = None
    gradient_accumulation_steps: int = 1
    warmup_ratio: float = 0.1
    weight_decay: float = 0.01
    lr_scheduler_type: str = "linear"
    seed: int = 42
    max_length: int = 256
    long_texts: str = "head_tail"
    head_tokens: int | None = None
    stride: int | None = None
    aggregation: str = "max"
    max_chunks: int = DEFAULT_MAX_CHUNKS
    pos_weight: Any = None
    max_pos_weight: float = 10.0
    early_stopping_patience: int | None = 2
    precision: str = "auto"
    eval_fraction: float = 0.15
    device: str = "auto"
    trust_remote_code: bool = False
    use_safetensors: bool = True
    local_files_only: bool | None = None
    keep_checkpoints: bool = False
    progress: bool | None = None
    cpu_threads: int | None = None
    logging_steps: int = 50
    dataloader_num_workers: int = 0
    normalizer: Normalizer | None = None
    text_column: str = "text"
    label_column: str | None = None
    label_columns: Sequence[str] | None = None
    extra_training_args: dict[str, Any] = field(default_factory=dict)
    model_hook: Callable[[Any], Any] | None = None
    allow_new_labels: bool = False

    def __post_init__(self) -> None:
        for name in ("batch_size", "gradient_accumulation_steps", "max_length", "max_chunks", "logging_steps"):
            if int(getattr(self, name)) < 1:
                raise ValueError(f"{name} must be at least 1, got {getattr(self, name)}")
        if self.epochs <= 0 or self.learning_rate <= 0:
            raise ValueError("epochs and learning_rate must be positive")
        if self.long_texts not in LONG_TEXT_STRATEGIES:
            raise ValueError(f"long_texts must be one of {LONG_TEXT_STRATEGIES}, got {self.long_texts!r}")
        if self.aggregation not in AGGREGATIONS:
            raise ValueError(f"aggregation must be one of {AGGREGATIONS}, got {self.aggregation!r}")
        if self.precision not in ("auto", "fp32", "bf16", "fp16"):
            raise ValueError(f"precision must be auto, fp32, bf16 or fp16, got {self.precision!r}")
        if not 0.0 <= self.warmup_ratio < 1.0:
            raise ValueError(f"warmup_ratio must lie in [0, 1), got {self.warmup_ratio}")
        if not 0.0 < self.eval_fraction < 1.0:
            raise ValueError(f"eval_fraction must lie strictly between 0 and 1, got {self.eval_fraction}")

    @classmethod
    def build(cls, recipe: Mapping[str, Any] | None, options: Mapping[str, Any]) -> "TrainOptions":
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(options) - known)
        if unknown:
            raise TypeError(f"unknown training option(s) {unknown}; valid: {sorted(known)}")
        merged = {k: v for k, v in (recipe or {}).items() if k in known}
        merged.update({k: v for k, v in options.items() if v is not None or k in ("pos_weight", "stride")})
        return cls(**merged)


def train(
    train_data: Any,
    eval_data: Any = None,
    base_model: str | os.PathLike[str] | None = None,
    output_dir: str | os.PathLike[str] = "runs/netral-model",
    *,
    taxonomy: Taxonomy | Sequence[str] | None = None,
    problem_type: str = "multi_label_classification",
    recipe: str | os.PathLike[str] | Mapping[str, Any] | None = None,
    log: Callable[[str], None] | None = None,
    **options: Any,
) -> TransformerTopicClassifier:
    """Fine-tune ``base_model`` on labelled data and save it to ``output_dir``.

    Args:
        train_data: ``"corpus"`` (the project corpus: train split, with the dev split as
            eval data), a :class:`~netral_nlp.data.LabelledData`, a ``datasets.Dataset``,
            a pandas DataFrame or a CSV/JSONL/Parquet path (see :func:`~netral_nlp.data.load_labelled`).
        eval_data: the same kinds; default: the corpus dev split for ``"corpus"``, otherwise
            a seeded ``eval_fraction`` of ``train_data`` held out.
        base_model: hub id or local folder (default: the recipe's base model, else
            ``indobenchmark/indobert-base-p1``).
        output_dir: where the final model folder is written.
        taxonomy: label set. Default: the topics the training data has (inferred by
            ``load_labelled``, then cut to the topics with at least one positive text).
        problem_type: ``"multi_label_classification"`` (0..n topics per text) or
            ``"single_label_classification"`` (exactly one per text).
        recipe: a shipped recipe name (``"indobert-base"``), a recipe JSON path or a dict;
            its values are defaults that ``options`` override.
        log: where progress lines go (default: stderr when ``progress`` is on).
        **options: see :class:`TrainOptions`.

    Returns:
        the fine-tuned :class:`~netral_nlp.models.transformer.TransformerTopicClassifier`, already saved.

    Raises:
        HubUnavailableError: ``base_model`` is a hub id that cannot be fetched.
        DataError: bad training data (names the row and column).
    """
    from transformers import EarlyStoppingCallback, TrainingArguments, set_seed

    from .recipes import load_recipe

    started = time.perf_counter()
    recipe_dict = dict(recipe) if isinstance(recipe, Mapping) else (load_recipe(recipe) if recipe else None)
    opts = TrainOptions.build(recipe_dict, options)
    say = log if log is not None else (_stderr if opts.progress else _quiet)
    if problem_type not in PROBLEM_TYPES:
        raise ValueError(f"problem_type must be one of {PROBLEM_TYPES}, got {problem_type!r}")
    multi = problem_type == "multi_label_classification"
    precision = _pick_precision(opts.precision, opts.device)
    base = os.fspath(base_model) if base_model is not None else (recipe_dict or {}).get("base_model", DEFAULT_BASE_MODEL)

    train_set, eval_set = _resolve_data(train_data, eval_data, taxonomy, opts)  # data errors before any download
    folder = resolve_model_dir(base, local_files_only=opts.local_files_only, use_safetensors=opts.use_safetensors)
    if not multi:
        for i, labels in enumerate(train_set.labels):
            if len(labels) != 1:
                raise DataError(f"{train_set.name}: row {i + 1} has {len(labels)} labels; "
                                "single_label_classification needs exactly one per text")
    say(f"data: {len(train_set)} training texts ({train_set.name}), {len(eval_set)} dev texts ({eval_set.name}); "
        f"topics: {train_set.taxonomy.ids}")
    metric_cols, skipped = metric_columns(eval_set.y, eval_set.taxonomy.ids)
    if skipped:
        say(f"note: the dev metric and early stopping skip {skipped}: no positive text in the dev data")
        LOG.info("dev metric skips topics without dev positives: %s", skipped)

    say(f"base model: {base}" + (f" ({folder})" if os.fspath(folder) != base else ""))
    set_seed(opts.seed)
    tax = train_set.taxonomy
    model, tokenizer = load_hf_classifier(  # with progress: the new head's load report
        folder, trust_remote_code=opts.trust_remote_code, use_safetensors=opts.use_safetensors,
        quiet=not opts.progress, num_labels=len(tax), id2label=dict(enumerate(tax.ids)),
        label2id={t: i for i, t in enumerate(tax.ids)}, problem_type=problem_type, ignore_mismatched_sizes=True,
    )
    if opts.model_hook is not None:
        model = opts.model_hook(model)
    check_max_length(model, opts.max_length)
    normalizer = opts.normalizer or Normalizer()
    stride = opts.stride if opts.stride is not None else opts.max_length // 4
    train_ds, n_dropped = _encode(train_set, tokenizer, normalizer, opts, stride, multi, training=True)
    eval_ds, _ = _encode(eval_set, tokenizer, normalizer, opts, stride, multi, training=False)
    if n_dropped:
        say(f"note: {n_dropped} training texts are empty after normalisation and were skipped")

    steps_per_epoch = max(1, -(-len(train_ds) // (opts.batch_size * opts.gradient_accumulation_steps)))
    out_dir = Path(output_dir)
    ckpt_dir = out_dir / "checkpoints"
    args = TrainingArguments(
        output_dir=str(ckpt_dir), num_train_epochs=opts.epochs, learning_rate=opts.learning_rate,
        per_device_train_batch_size=opts.batch_size,
        per_device_eval_batch_size=opts.eval_batch_size or 2 * opts.batch_size,
        gradient_accumulation_steps=opts.gradient_accumulation_steps, warmup_steps=opts.warmup_ratio,
        weight_decay=opts.weight_decay, lr_scheduler_type=opts.lr_scheduler_type, seed=opts.seed,
        eval_strategy="epoch", save_strategy="epoch", save_total_limit=1, save_only_model=True,
        load_best_model_at_end=True, metric_for_best_model="macro_f1", greater_is_better=True,
        bf16=precision == "bf16", fp16=precision == "fp16", use_cpu=opts.device == "cpu",
        logging_strategy="steps", logging_steps=min(opts.logging_steps, steps_per_epoch), report_to="none",
        disable_tqdm=not opts.progress, train_sampling_strategy="group_by_length",
        dataloader_num_workers=opts.dataloader_num_workers, dataloader_pin_memory=_pin_memory(opts.device),
        **opts.extra_training_args,
    )
    pos_weight = _pos_weight(opts, train_set) if multi else None
    callbacks: list[Any] = [epoch_logger(say)]
    if opts.early_stopping_patience:
        callbacks.append(EarlyStoppingCallback(early_stopping_patience=int(opts.early_stopping_patience)))
    trainer = make_trainer(
        model=model, args=args, train_dataset=train_ds, eval_dataset=eval_ds,
        data_collator=PaddingCollator(tokenizer.pad_token_id or 0, multi), processing_class=tokenizer,
        compute_metrics=macro_f1_metrics(multi, metric_cols), callbacks=callbacks, multi_label=multi,
        pos_weight=pos_weight,
    )
    route_trainer_output(trainer, opts.progress)  # log dicts to stderr (with progress) or nowhere
    with torch_threads(opts.cpu_threads), hf_quiet(not opts.progress):  # checkpoint "Writing model shards" bars
        trainer.train()
        epochs_run = float(trainer.state.epoch or 0)
        best = trainer.state.best_metric
        train_seconds = time.perf_counter() - started
        say(f"training done in {train_seconds:.0f}s ({epochs_run:g} epochs); best dev macro-F1 {best or 0:.3f}")
        clf = TransformerTopicClassifier(
            trainer.model, tokenizer, tax, multi_label=multi, normalizer=normalizer, max_length=opts.max_length,
            stride=stride, aggregation=opts.aggregation, max_chunks=opts.max_chunks,
            batch_size=opts.eval_batch_size or 2 * opts.batch_size, base_model=base, device=trainer.model.device,
        )
        _finish(clf, eval_set, opts, train_set, multi, precision, epochs_run, train_seconds, pos_weight)
    baselines = trivial_baselines(train_set.y, eval_set.y, metric_cols, multi)
    warning = learned_nothing(best, baselines, opts.learning_rate, epochs_run, opts.early_stopping_patience)
    clf.metrics_["training"].update(dev_metric_topics=[tax.ids[j] for j in metric_cols], dev_metric_skipped=skipped,
                                    best_dev_macro_f1=None if best is None else round(float(best), 4),
                                    trivial_dev_macro_f1={k: round(v, 4) for k, v in baselines.items()})
    clf.metrics_["warnings"] = [warning] if warning else []
    if warning:
        LOG.warning(warning)
    clf.save_pretrained(out_dir)
    if not opts.keep_checkpoints:
        shutil.rmtree(ckpt_dir, ignore_errors=True)
    say(f"saved to {out_dir}  (dev macro-F1 {clf.metrics_['dev']['summary']['macro_f1']:.3f} with tuned thresholds)")
    return clf


# ---------------------------------------------------------------------------- data
def _resolve_data(train_data: Any, eval_data: Any, taxonomy: Any, opts: TrainOptions) -> tuple[LabelledData, LabelledData]:
    cols = dict(text_column=opts.text_column, label_column=opts.label_column, label_columns=opts.label_columns)

    def load(source: Any, tax: Any) -> LabelledData:
        if isinstance(source, LabelledData):
            return source
        if isinstance(source, str) and source == "corpus":
            source = "corpus:train"
        if str(source).startswith("corpus"):
            return load_labelled(source, taxonomy=tax)
        return load_labelled(source, taxonomy=tax, allow_new_labels=opts.allow_new_labels, **cols)

    train_set = load(train_data, taxonomy)
    full_taxonomy = train_set.taxonomy
    if taxonomy is None:  # the model's topics are the topics its training data has
        train_set = present_topics(train_set)
    if eval_data is not None:
        eval_set = load(eval_data, full_taxonomy)
    elif isinstance(train_data, str) and train_data in ("corpus", "corpus:train"):
        eval_set = load("corpus:dev", full_taxonomy)
    else:
        train_set, eval_set = train_set.split(opts.eval_fraction, seed=opts.seed)
    if eval_set.taxonomy != train_set.taxonomy and eval_set.taxonomy == full_taxonomy:
        eval_set = restrict_eval(eval_set, train_set.taxonomy.ids)
    if eval_set.taxonomy != train_set.taxonomy:
        raise DataError(f"eval data topics {eval_set.taxonomy.ids} differ from training topics {train_set.taxonomy.ids}")
    if not len(train_set) or not len(eval_set):
        raise DataError("training and eval data must both hold at least one text")
    return train_set, eval_set


def _encode(data: LabelledData, tokenizer: Any, normalizer: Normalizer, opts: TrainOptions, stride: int,
            multi: bool, training: bool) -> tuple[Any, int]:
    import datasets

    normed = [normalizer(t) for t in data.texts]
    y = data.y
    keep = [i for i, t in enumerate(normed) if t] if training else list(range(len(normed)))
    texts = [normed[i] or "." for i in keep]
    if training and opts.long_texts == "chunks":
        chunks = encode_chunks(tokenizer, texts, opts.max_length, stride, opts.max_chunks)
        ids, rows = chunks.input_ids, [keep[o] for o in chunks.owners]
    else:
        ids, rows = encode_head_tail(tokenizer, texts, opts.max_length, opts.head_tokens), keep
    labels = [y[r].astype(np.float32).tolist() for r in rows] if multi else [int(y[r].argmax()) for r in rows]
    return datasets.Dataset.from_dict({"input_ids": ids, "labels": labels}), len(data) - len(keep)


def _stderr(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _quiet(message: str) -> None:
    pass


def _pos_weight(opts: TrainOptions, data: LabelledData) -> np.ndarray | None:
    pw = opts.pos_weight
    if pw is None:
        return None
    k = len(data.taxonomy)
    if pw == "auto":
        y = data.y
        pos = y.sum(axis=0).astype(np.float64)
        ratio = np.where(pos > 0, (len(y) - pos) / np.maximum(pos, 1.0), 1.0)
        return np.clip(ratio, 1.0, opts.max_pos_weight).astype(np.float32)
    if isinstance(pw, (int, float)):
        return np.full(k, float(pw), dtype=np.float32)
    if isinstance(pw, Mapping):
        out = np.ones(k, dtype=np.float32)
        for topic, value in pw.items():
            out[data.taxonomy.index(topic)] = float(value)
        return out
    arr = np.asarray(pw, dtype=np.float32)
    if arr.shape != (k,):
        raise ValueError(f"pos_weight must be 'auto', a float, a {{topic: weight}} mapping or {k} floats")
    return arr


def _pin_memory(device: str) -> bool:
    """Pinned host memory only helps copies to a GPU (and warns on every batch without one)."""
    import torch

    return device != "cpu" and torch.cuda.is_available()


def _pick_precision(precision: str, device: str) -> str:
    import torch

    if device == "cuda" and not torch.cuda.is_available():
        raise ValueError("device='cuda' requested but CUDA is not available; use device='cpu' or 'auto'")
    cuda = torch.cuda.is_available() and device != "cpu"
    if precision == "auto":
        if not cuda:
            return "fp32"
        return "bf16" if torch.cuda.is_bf16_supported() else "fp16"
    if precision == "fp16" and not cuda:
        raise ValueError("precision='fp16' needs a CUDA GPU; use 'bf16' or 'fp32' on CPU")
    return precision


def _finish(clf: TransformerTopicClassifier, eval_set: LabelledData, opts: TrainOptions, train_set: LabelledData,
            multi: bool, precision: str, epochs_run: float, seconds: float, pos_weight: np.ndarray | None) -> None:
    """Tune thresholds on dev with the real prediction path and record metrics for the model card."""
    from ..evaluation.report import evaluate

    proba = clf.predict_proba(eval_set.texts)
    clf.thresholds_ = tune_thresholds(eval_set.y, proba) if multi else np.zeros(len(clf.taxonomy))
    report = evaluate(clf, (eval_set.texts, eval_set.labels))
    clf.metrics_ = {
        "dev": {"summary": report.summary(), "per_topic": report.per_topic()},
        "training": {
            "train_data": train_set.name, "n_train": len(train_set), "eval_data": eval_set.name,
            "n_eval": len(eval_set), "epochs_run": round(epochs_run, 2), "learning_rate": opts.learning_rate,
            "batch_size": opts.batch_size, "gradient_accumulation_steps": opts.gradient_accumulation_steps,
            "train_max_length": opts.max_length, "long_texts": opts.long_texts,
            "pos_weight": None if pos_weight is None else [round(float(v), 3) for v in pos_weight],
            "precision": precision, "seed": opts.seed, "seconds": round(seconds, 1), "device": str(clf.device),
            "options": {k: v for k, v in asdict(opts).items() if k not in ("normalizer",) and _jsonable(v)},
        },
    }


def _jsonable(value: Any) -> bool:
    return value is None or isinstance(value, (str, int, float, bool, list, tuple, dict))


__all__ = ["train", "TrainOptions", "DEFAULT_BASE_MODEL", "PROBLEM_TYPES", "LONG_TEXT_STRATEGIES"]
