"""Deprecated path: moved to :mod:`netral_nlp.batch.readers` (this alias warns and will go)."""

from ._compat import moved
from .batch import readers as _new

moved(__name__, _new)
