"""Quantification: how much of a set of texts is about each topic, with an interval.

Counting the rows a model flags ("classify and count") is biased whenever the base rate
differs from the training data's, and a real dump's base rate (1-5 %) is far from any training
set's. The estimators here correct the count with the model's behaviour on labelled texts.

* :mod:`.histogram`: :class:`ScoreHistogram`, the bounded-memory summary of a dump's scores.
* :mod:`.estimators`: CC, ACC, PACC and EM with bootstrap intervals (pure numpy).
* :mod:`.calibration`: the model's scores on the corpus dev split (``prevalence.json``).
* :mod:`.estimate`: :func:`estimate_shares` → :class:`PrevalenceEstimate`.

Layer: above ``models`` and ``data`` (it scores the corpus with a model), below ``batch`` and
``evaluation`` (``label_dump`` and the HTML report use it).
"""

from .calibration import PrevalenceCalibration, calibration_for, fit_calibration, save_calibration
from .estimate import PrevalenceEstimate, TopicShare, estimate_shares
from .estimators import DEFAULT_METHOD, METHODS
from .histogram import ScoreHistogram

__all__ = [
    "ScoreHistogram",
    "PrevalenceCalibration",
    "PrevalenceEstimate",
    "TopicShare",
    "estimate_shares",
    "calibration_for",
    "fit_calibration",
    "save_calibration",
    "METHODS",
    "DEFAULT_METHOD",
]
