"""Deprecated path: the e5 model moved to :mod:`netral_nlp.models.e5`, its training
(``train_e5``, the hooks, ``layer_delta``) to :mod:`netral_nlp.training.e5`. This alias
warns and will go."""

import warnings as _warnings

from .models import e5 as _model
from .training import e5 as _training

_warnings.warn("netral_nlp.e5 moved to netral_nlp.models.e5 (training: netral_nlp.training.e5)",
               DeprecationWarning, stacklevel=2)
globals().update({k: v for k, v in vars(_model).items() if not k.startswith("__")})
globals().update({k: getattr(_training, k) for k in _training.__all__})
__all__ = list(_model.__all__) + list(_training.__all__)
