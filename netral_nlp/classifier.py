"""Deprecated path: moved to :mod:`netral_nlp.models.classifier` (this alias warns and will go)."""

from ._compat import moved
from .models import classifier as _new

moved(__name__, _new)
