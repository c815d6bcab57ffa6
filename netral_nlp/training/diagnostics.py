"""Checks that keep a training run from failing silently.

* :func:`present_topics`: without a caller's taxonomy, a model's topics are the topics its
  training data has (a topic with no positive example cannot be learnt).
* :func:`metric_columns`: the dev metric (and so early stopping and best-epoch selection)
  averages only over topics with positives in the dev data; the others are named.
* :func:`trivial_baselines` / :func:`learned_nothing`: a run whose best dev figure does not
  beat predicting every topic, no topic, or topics at random at their training rates gets a
  warning naming the usual causes.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import numpy as np

from ..data.labelled import LabelledData
from ..errors import DataError

LOG = logging.getLogger("netral_nlp.training")
MARGIN = 0.01
"""A best dev figure within this of the best trivial predictor counts as "learned nothing"."""


def present_topics(data: LabelledData) -> LabelledData:
    """``data`` with its taxonomy cut to the topics that have at least one positive text.

    Raises:
        DataError: no text has any topic.
    """
    positives = data.y.sum(axis=0)
    keep = [t for t, n in zip(data.taxonomy.ids, positives) if n > 0]
    if not keep:
        raise DataError(f"{data.name}: no text has a topic; training needs positive examples")
    if len(keep) == len(data.taxonomy):
        return data
    return LabelledData(data.texts, data.labels, data.taxonomy.subset(keep), data.label_format, data.name)


def restrict_eval(eval_set: LabelledData, taxonomy_ids: Sequence[str]) -> LabelledData:
    """Dev data mapped onto the training topics; dev labels the training data never has raise."""
    wanted = set(taxonomy_ids)
    extra = sorted({lab for labs in eval_set.labels for lab in labs} - wanted)
    if extra:
        raise DataError(
            f"{eval_set.name}: labels {extra} occur in the eval data but in no training text; the model's topics "
            f"are those of its training data ({list(taxonomy_ids)}). Pass taxonomy=[...] (CLI: --taxonomy) to "
            "keep a topic without training examples"
        )
    return LabelledData(eval_set.texts, eval_set.labels, eval_set.taxonomy.subset(wanted), eval_set.label_format,
                        eval_set.name)


def metric_columns(y_dev: np.ndarray, ids: Sequence[str]) -> tuple[list[int], list[str]]:
    """``(columns with a positive in dev, ids of the skipped topics)``.

    Raises:
        DataError: no dev text has a topic (the dev metric would be meaningless).
    """
    positives = np.asarray(y_dev).sum(axis=0)
    cols = [j for j, n in enumerate(positives) if n > 0]
    if not cols:
        raise DataError("the eval data has no text with a topic: the dev metric, early stopping and the "
                        "thresholds need positive examples")
    return cols, [ids[j] for j, n in enumerate(positives) if n == 0]


def trivial_baselines(y_train: np.ndarray, y_dev: np.ndarray, cols: Sequence[int], multi: bool) -> dict[str, float]:
    """Dev macro-F1 (over ``cols``) of predictors that learn nothing.

    ``all_topics``: every text gets every topic (multi-label) / the most frequent training
    topic (single-label); ``no_topic``: no text gets any topic (multi-label only);
    ``prior``: topics drawn at random at their training rates (expected F1 per topic
    ``2pq / (p + q)``, p the training rate, q the dev rate).
    """
    from sklearn.metrics import f1_score

    y_train, y_dev = np.asarray(y_train)[:, cols], np.asarray(y_dev)[:, cols]
    p = y_train.mean(axis=0)
    q = y_dev.mean(axis=0)
    prior = float(np.mean(np.where(p + q > 0, 2 * p * q / np.maximum(p + q, 1e-12), 0.0)))
    if multi:
        return {
            "all_topics": float(f1_score(y_dev, np.ones_like(y_dev), average="macro", zero_division=0.0)),
            "no_topic": 0.0,
            "prior": prior,
        }
    gold = y_dev.argmax(axis=1)
    majority = np.full_like(gold, int(y_train.sum(axis=0).argmax()))
    labels = list(range(len(cols)))
    return {"all_topics": float(f1_score(gold, majority, labels=labels, average="macro", zero_division=0.0)),
            "prior": prior}


def learned_nothing(best: float | None, baselines: dict[str, float], learning_rate: float, epochs_run: float,
                    patience: int | None) -> str | None:
    """The warning for a run whose best dev macro-F1 does not beat the trivial predictors, else ``None``."""
    name, figure = max(baselines.items(), key=lambda kv: kv[1])
    score = float(best or 0.0)
    if score > figure + MARGIN:
        return None
    stop = f", early stopping (patience {patience}) ended it" if patience else ""
    return (
        f"the model learned nothing usable: best dev macro-F1 {score:.3f} does not beat the trivial "
        f"'{name}' predictor ({figure:.3f}; all: "
        + ", ".join(f"{k} {v:.3f}" for k, v in baselines.items())
        + f"). Usual causes: a learning rate wrong for the model size ({learning_rate:g}; the recipes give "
        f"tested values, small models need larger rates), too few epochs ({epochs_run:g} run{stop}), or too "
        "little or inconsistent training data"
    )


__all__ = [
    "LOG",
    "MARGIN",
    "learned_nothing",
    "metric_columns",
    "present_topics",
    "restrict_eval",
    "trivial_baselines",
]
