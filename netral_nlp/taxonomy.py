"""Deprecated path: moved to :mod:`netral_nlp.labels.taxonomy` (this alias warns and will go)."""

from ._compat import moved
from .labels import taxonomy as _new

moved(__name__, _new)
