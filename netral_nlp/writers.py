"""Deprecated path: moved to :mod:`netral_nlp.batch.writers` (this alias warns and will go)."""

from ._compat import moved
from .batch import writers as _new

moved(__name__, _new)
