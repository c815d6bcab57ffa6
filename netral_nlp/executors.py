"""Deprecated path: moved to :mod:`netral_nlp.batch.executors` (this alias warns and will go)."""

from ._compat import moved
from .batch import executors as _new

moved(__name__, _new)
