"""Deprecated path: moved to :mod:`netral_nlp.models.ensemble` (this alias warns and will go)."""

from ._compat import moved
from .models import ensemble as _new

moved(__name__, _new)
