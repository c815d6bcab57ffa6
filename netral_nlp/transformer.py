"""Deprecated path: moved to :mod:`netral_nlp.models.transformer` (this alias warns and will go)."""

from ._compat import moved
from .models import transformer as _new

moved(__name__, _new)
