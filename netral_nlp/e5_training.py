"""Deprecated path: moved to :mod:`netral_nlp.training.e5` (this alias warns and will go)."""

from ._compat import moved
from .training import e5 as _new

moved(__name__, _new)
