"""Training: fine-tuning transformers (:mod:`.trainer`, on ``transformers.Trainer`` via
:mod:`.hf_trainer`), e5 layer deltas and LoRA (:mod:`.e5`) and the shipped recipes
(:mod:`.recipes`). ``netral_nlp.training`` was a module; its names stay importable here."""

from .trainer import DEFAULT_BASE_MODEL, LONG_TEXT_STRATEGIES, PROBLEM_TYPES, TrainOptions, train

__all__ = ["train", "TrainOptions", "DEFAULT_BASE_MODEL", "PROBLEM_TYPES", "LONG_TEXT_STRATEGIES"]
