"""Deprecated path: moved to :mod:`netral_nlp.training.hf_trainer` (this alias warns and will go)."""

from ._compat import moved
from .training import hf_trainer as _new

moved(__name__, _new)
