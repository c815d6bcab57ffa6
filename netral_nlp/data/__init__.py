"""Data in: the bundled corpus (:mod:`.corpus`) and labelled training/evaluation data
(:mod:`.labelled`). ``netral_nlp.data`` was a module; its names stay importable here."""

from .jsonl import iter_jsonl
from .labelled import LABEL_FORMATS, LabelledData, holdout_indices, load_labelled

__all__ = ["LabelledData", "load_labelled", "LABEL_FORMATS", "iter_jsonl", "holdout_indices"]
