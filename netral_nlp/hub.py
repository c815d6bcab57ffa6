"""Deprecated path: moved to :mod:`netral_nlp.models.hub` (this alias warns and will go)."""

from ._compat import moved
from .models import hub as _new

moved(__name__, _new)
