"""Deprecated path: moved to :mod:`netral_nlp.batch.distributed` (this alias warns and will go)."""

from ._compat import moved
from .batch import distributed as _new

moved(__name__, _new)
