"""Deprecated path: moved to :mod:`netral_nlp.training.recipes` (this alias warns and will go)."""

from ._compat import moved
from .training import recipes as _new

moved(__name__, _new)
