"""Deprecated path: moved to :mod:`netral_nlp.models.linear` (this alias warns and will go)."""

from ._compat import moved
from .models import linear as _new

moved(__name__, _new)
