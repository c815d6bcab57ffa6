"""Deprecated path: moved to :mod:`netral_nlp.evaluation.plots` (this alias warns and will go)."""

from ._compat import moved
from .evaluation import plots as _new

moved(__name__, _new)
