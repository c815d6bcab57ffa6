"""Deprecated path: moved to :mod:`netral_nlp.models.model_card` (this alias warns and will go)."""

from ._compat import moved
from .models import model_card as _new

moved(__name__, _new)
