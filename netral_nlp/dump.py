"""Deprecated path: moved to :mod:`netral_nlp.batch.dump` (this alias warns and will go)."""

from ._compat import moved
from .batch import dump as _new

moved(__name__, _new)
