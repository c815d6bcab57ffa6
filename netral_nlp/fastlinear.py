"""Deprecated path: moved to :mod:`netral_nlp.models.fastlinear` (this alias warns and will go)."""

from ._compat import moved
from .models import fastlinear as _new

moved(__name__, _new)
