"""netral_nlp: classify Indonesian election texts into supervision topics.

    >>> import netral_nlp
    >>> clf = netral_nlp.load()                       # embedded default model
    >>> clf.predict("Camat ikut kampanye paslon 02 di balai desa").labels
    ['netralitas_asn', ...]
"""

from __future__ import annotations

__version__ = "0.1.0"

from .classifier import TopicClassifier
from .corpus import iter_corpus, load_corpus, split_of
from .data import LabelledData, load_labelled
from .dump import DumpSummary, label_dump
from .ensemble import EnsembleTopicClassifier
from .errors import DataError, HubUnavailableError, MissingDependencyError, ModelLoadError, NetralError
from .evaluation import EvaluationReport, evaluate
from .linear import LinearTopicClassifier
from .loading import load
from .normalize import Normalizer, normalize
from .prediction import Prediction
from .taxonomy import DEFAULT_TAXONOMY, Taxonomy, Topic
from .thresholds import tune_thresholds
from .training import TrainOptions, train
from .transformer import TransformerTopicClassifier

__all__ = [
    "__version__",
    "load",
    "label_dump",
    "DumpSummary",
    "Prediction",
    "TopicClassifier",
    "LinearTopicClassifier",
    "TransformerTopicClassifier",
    "EnsembleTopicClassifier",
    "train",
    "TrainOptions",
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
    "MissingDependencyError",
]
