"""Deprecated path: moved to :mod:`netral_nlp.text._tables` (this alias warns and will go)."""

from ._compat import moved
from .text import _tables as _new

moved(__name__, _new)
