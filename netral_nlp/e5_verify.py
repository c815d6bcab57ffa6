"""Deprecated path: moved to :mod:`netral_nlp.models.e5_verify` (this alias warns and will go)."""

from ._compat import moved
from .models import e5_verify as _new

moved(__name__, _new)
