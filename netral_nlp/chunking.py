"""Deprecated path: moved to :mod:`netral_nlp.text.chunking` (this alias warns and will go)."""

from ._compat import moved
from .text import chunking as _new

moved(__name__, _new)
