"""Deprecated path: moved to :mod:`netral_nlp.batch.resume` (this alias warns and will go)."""

from ._compat import moved
from .batch import resume as _new

moved(__name__, _new)
