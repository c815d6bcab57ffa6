"""The pieces :func:`netral_nlp.train` plugs into ``transformers.Trainer``.

:class:`PaddingCollator` stays hand-written: ``DataCollatorWithPadding`` pads with ``tokenizer.pad``,
measured ~5x slower than :func:`~netral_nlp.text.chunking.pad_batch`.

``transformers`` and ``torch`` are imported only when these are used, so importing
:mod:`netral_nlp` stays fast. The Trainer subclass overrides only the loss.
"""

from __future__ import annotations

import sys
from contextlib import contextmanager
from typing import Any, Callable, Iterator, Sequence

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


def macro_f1_metrics(multi: bool, columns: Sequence[int] | None = None) -> Callable[[Any], dict[str, float]]:
    """The Trainer's ``compute_metrics``: dev macro-F1 (tuned thresholds) over ``columns`` only.

    ``columns``: the topics with positives in the dev data (default: all); a topic without
    any would add a constant 0 to the average and hide real progress from early stopping.
    """
    from sklearn.metrics import f1_score

    def compute(pred: Any) -> dict[str, float]:
        logits = np.asarray(pred.predictions, dtype=np.float64)
        gold = np.asarray(pred.label_ids)
        cols = list(range(logits.shape[1])) if columns is None else list(columns)
        if multi:
            proba = (1.0 / (1.0 + np.exp(-np.clip(logits, -50, 50))))[:, cols]
            y = gold.astype(int)[:, cols]
            tuned = proba >= tune_thresholds(y, proba)
            return {
                "macro_f1": float(f1_score(y, tuned, average="macro", zero_division=0.0)),
                "micro_f1": float(f1_score(y, tuned, average="micro", zero_division=0.0)),
                "macro_f1_at_0.5": float(f1_score(y, proba >= 0.5, average="macro", zero_division=0.0)),
            }
        guess = logits.argmax(axis=1)
        return {"macro_f1": float(f1_score(gold, guess, labels=cols, average="macro", zero_division=0.0)),
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


def _stderr_progress_class() -> type:
    from transformers.trainer_callback import ProgressCallback

    class StderrProgressCallback(ProgressCallback):
        """transformers' progress bars, with the per-step log dicts on stderr instead of stdout."""

        def on_log(self, args: Any, state: Any, control: Any, logs: dict[str, Any] | None = None,
                   **kwargs: Any) -> None:
            if state.is_world_process_zero and self.training_bar is not None and logs:
                shown = {k: (f"{v:.4g}" if isinstance(v, float) else v) for k, v in logs.items() if k != "total_flos"}
                self.training_bar.write(str(shown), file=sys.stderr)

    return StderrProgressCallback


def route_trainer_output(trainer: Any, progress: bool) -> None:
    """Keep stdout for the caller's output: the Trainer's log dicts go to stderr (progress) or nowhere."""
    from transformers.trainer_callback import PrinterCallback, ProgressCallback

    trainer.remove_callback(PrinterCallback)  # print()s the log dicts when tqdm is off
    trainer.remove_callback(ProgressCallback)  # tqdm.write()s them to stdout
    if progress:
        trainer.add_callback(_stderr_progress_class())


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


__all__ = ["PaddingCollator", "make_trainer", "macro_f1_metrics", "epoch_logger", "torch_threads",
           "route_trainer_output"]
