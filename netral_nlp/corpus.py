"""Deprecated path: moved to :mod:`netral_nlp.data.corpus` (this alias warns and will go)."""

from ._compat import moved
from .data import corpus as _new

moved(__name__, _new)
