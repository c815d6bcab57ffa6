"""netral_nlp: classify Indonesian election texts into supervision topics.

    >>> import netral_nlp
    >>> clf = netral_nlp.load()                       # embedded default model
    >>> clf.predict("Camat ikut kampanye paslon 02 di balai desa").labels
    ['netralitas_asn', ...]
"""

from __future__ import annotations

import sys as _sys

from ._version import __version__
from .batch.dump import DumpSummary, label_dump
from .batch.prevalence import estimate_prevalence
from .data.corpus import iter_corpus, load_corpus, split_of
from .data.labelled import LabelledData, load_labelled
from .errors import (DamagedInputError, DataError, HubUnavailableError, MissingDependencyError, ModelLoadError,
                     NetralError, OutputLockedError)
from .evaluation.dump_html import report
from .evaluation.report import EvaluationReport, evaluate
from .labels.prediction import Prediction
from .labels.taxonomy import DEFAULT_TAXONOMY, Taxonomy, Topic
from .labels.thresholds import tune_thresholds
from .models.classifier import TopicClassifier
from .models.ensemble import EnsembleTopicClassifier
from .models.linear import LinearTopicClassifier
from .models.loading import load
from .models.transformer import TransformerTopicClassifier
from .quantify.estimate import PrevalenceEstimate
from .text.normalize import Normalizer, normalize
from .training.trainer import TrainOptions, train
from .training.suggest import Suggestions, suggest
from .training.update import UpdateResult, update_model
from .training.audit import AuditResult, audit_labels
from .text import normalize as _normalize_module

# ``netral_nlp.normalize`` is the function above; its old module path is registered up front
# (as before the move) so that ``import netral_nlp.normalize`` can never shadow the function.
_sys.modules.setdefault(f"{__name__}.normalize", _normalize_module)

__all__ = [
    "__version__",
    "load",
    "label_dump",
    "DumpSummary",
    "estimate_prevalence",
    "PrevalenceEstimate",
    "report",
    "Prediction",
    "TopicClassifier",
    "LinearTopicClassifier",
    "TransformerTopicClassifier",
    "EnsembleTopicClassifier",
    "train",
    "TrainOptions",
    "suggest",
    "Suggestions",
    "update_model",
    "UpdateResult",
    "audit_labels",
    "AuditResult",
    "load_labelled",
    "LabelledData",
    "Topic",
    "Taxonomy",
    "DEFAULT_TAXONOMY",
    "Normalizer",
    "normalize",
    "load_corpus",
    "iter_corpus",
    "split_of",
    "evaluate",
    "EvaluationReport",
    "tune_thresholds",
    "NetralError",
    "ModelLoadError",
    "HubUnavailableError",
    "DataError",
    "DamagedInputError",
    "OutputLockedError",
    "MissingDependencyError",
]
