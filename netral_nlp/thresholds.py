"""Deprecated path: moved to :mod:`netral_nlp.labels.thresholds` (this alias warns and will go)."""

from ._compat import moved
from .labels import thresholds as _new

moved(__name__, _new)
