"""The pieces :func:`netral_nlp.train` plugs into ``transformers.Trainer``.

``transformers`` and ``torch`` are imported only when these are used, so importing
:mod:`netral_nlp` stays fast. The Trainer subclass overrides only the loss.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Any, Callable, Iterator

import numpy as np

from ..text.chunking import pad_batch
from ..labels.thresholds import tune_thresholds


class PaddingCollator:
    """Right-pads ``input_ids`` per batch (dynamic padding) and stacks the labels."""

    def __init__(self, pad_id: int, multi: bool) -> None:
        self.pad_id, self.multi = pad_id, multi

    def __call__(self, features: list[dict[str, Any]]) -> dict[str, Any]:
        import torch

        ids, mask = pad_batch([f["input_ids"] for f in features], self.pad_id)
        labels = torch.tensor([f["labels"] for f in features], dtype=torch.float32 if self.multi else torch.long)
        return {"input_ids": torch.from_numpy(ids), "attention_mask": torch.from_numpy(mask), "labels": labels}


# ---------------------------------------------------------------------------- trainer
def _trainer_class() -> type:
    from transformers import Trainer

    class TopicTrainer(Trainer):
        """``transformers.Trainer`` with BCE (+ positive weights) or cross-entropy as the loss."""

        loss_is_scaled_for_ga = False  # mean loss per batch: Trainer divides by accumulation steps

        def __init__(self, *args: Any, multi_label: bool = True, pos_weight: np.ndarray | None = None,
                     **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self.multi_label = multi_label
            self.pos_weight = pos_weight

        def compute_loss(self, model: Any, inputs: dict[str, Any], return_outputs: bool = False,
                         num_items_in_batch: Any = None) -> Any:
            import torch
            import torch.nn.functional as F

            labels = inputs.pop("labels")
            outputs = model(**inputs)
            logits = outputs.logits.float()
            if self.multi_label:
                pw = None if self.pos_weight is None else torch.as_tensor(self.pos_weight, device=logits.device,
                                                                          dtype=logits.dtype)
                loss = F.binary_cross_entropy_with_logits(logits, labels.to(logits.dtype), pos_weight=pw)
            else:
                loss = F.cross_entropy(logits, labels)
            return (loss, outputs) if return_outputs else loss

    return TopicTrainer


def make_trainer(**kwargs: Any) -> Any:
    return _trainer_class()(**kwargs)


def macro_f1_metrics(multi: bool) -> Callable[[Any], dict[str, float]]:
    from sklearn.metrics import f1_score

    def compute(pred: Any) -> dict[str, float]:
        logits = np.asarray(pred.predictions, dtype=np.float64)
        gold = np.asarray(pred.label_ids)
        if multi:
            proba = 1.0 / (1.0 + np.exp(-np.clip(logits, -50, 50)))
            y = gold.astype(int)
            tuned = proba >= tune_thresholds(y, proba)
            return {
                "macro_f1": float(f1_score(y, tuned, average="macro", zero_division=0.0)),
                "micro_f1": float(f1_score(y, tuned, average="micro", zero_division=0.0)),
                "macro_f1_at_0.5": float(f1_score(y, proba >= 0.5, average="macro", zero_division=0.0)),
            }
        guess = logits.argmax(axis=1)
        return {"macro_f1": float(f1_score(gold, guess, average="macro", zero_division=0.0)),
                "accuracy": float((guess == gold).mean())}

    return compute


def _epoch_logger_class() -> type:
    from transformers import TrainerCallback

    class EpochLogger(TrainerCallback):
        def __init__(self, say: Callable[[str], None]) -> None:
            self.say = say

        def on_evaluate(self, args: Any, state: Any, control: Any, metrics: dict[str, float] | None = None,
                        **kwargs: Any) -> None:
            losses = [h["loss"] for h in state.log_history if "loss" in h]
            m = metrics or {}
            self.say(f"epoch {state.epoch or 0:.0f}/{args.num_train_epochs:g}: "
                     f"train loss {losses[-1] if losses else float('nan'):.4f}, "
                     f"dev loss {m.get('eval_loss', float('nan')):.4f}, dev macro-F1 {m.get('eval_macro_f1', 0):.3f}")

    return EpochLogger


def epoch_logger(say: Callable[[str], None]) -> Any:
    return _epoch_logger_class()(say)


@contextmanager
def torch_threads(n: int | None) -> Iterator[None]:
    import torch

    if not n:
        yield
        return
    before = torch.get_num_threads()
    torch.set_num_threads(int(n))
    try:
        yield
    finally:
        torch.set_num_threads(before)


@contextmanager
def transformers_verbosity(level: str | None) -> Iterator[None]:
    from transformers.utils import logging as hf_logging

    if level is None:
        yield
        return
    before = hf_logging.get_verbosity()
    hf_logging.set_verbosity(getattr(hf_logging, level.upper()))
    try:
        yield
    finally:
        hf_logging.set_verbosity(before)


__all__ = ["PaddingCollator", "make_trainer", "macro_f1_metrics", "epoch_logger", "torch_threads",
           "transformers_verbosity"]
