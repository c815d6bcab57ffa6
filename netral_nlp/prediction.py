"""Deprecated path: moved to :mod:`netral_nlp.labels.prediction` (this alias warns and will go)."""

from ._compat import moved
from .labels import prediction as _new

moved(__name__, _new)
