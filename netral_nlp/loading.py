"""Deprecated path: moved to :mod:`netral_nlp.models.loading` (this alias warns and will go)."""

from ._compat import moved
from .models import loading as _new

moved(__name__, _new)
