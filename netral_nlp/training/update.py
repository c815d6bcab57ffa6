"""``update_model``: teach a linear model the corrections of a labelling sheet.

The model is refitted from scratch (vocabulary included, so new words and slang enter it)
on the project corpus's train split plus the corrections, the corrections weighted
``weight`` times a corpus text. A seeded ``holdout`` share of the corrections is kept out
of a first fit; the per-topic thresholds of that fit are tuned on the corpus dev split
together with those held-out corrections (weighted alike), and the held-out corrections
score the model before and after. Then (``refit=True``) the model is fitted once more on
the corpus and *all* corrections, keeping those thresholds, so that no label is wasted;
the before/after figures describe the first fit, the only one measured on unseen texts.

Topics whose column was deleted from the sheet are trained on the corpus alone (the
corrections say nothing about them).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import numpy as np

from ..data.corpus import iter_corpus
from ..data.labelled import LabelledData, holdout_indices, load_labelled
from ..errors import DataError
from ..labels.taxonomy import DEFAULT_TAXONOMY
from ..labels.thresholds import tune_thresholds
from ..models.classifier import TopicClassifier
from ..models.linear import LinearTopicClassifier
from ..models.loading import load
from .corrections import Corrections, read_corrections

DEFAULT_WEIGHT = 5.0
MIN_HOLDOUT_ROWS = 8
Part = tuple[list[str], np.ndarray]
"""With fewer corrections nothing is held out (and no before/after is reported)."""


@dataclass
class UpdateResult:
    """The updated model and how it did on the held-out corrections.

    Attributes:
        model: the updated model (saved to ``output_dir`` when one was given).
        topics: the topics the sheet labels.
        before / after: per topic ``{"precision", "recall", "f1", "support"}`` on the held-out
            corrections, for the base model and the updated one (empty when nothing was held out).
        thresholds_before / thresholds_after: per-topic thresholds of both models.
    """

    model: LinearTopicClassifier
    topics: list[str]
    n_corrections: int
    n_held_out: int
    weight: float
    before: dict[str, dict[str, float]] = field(default_factory=dict)
    after: dict[str, dict[str, float]] = field(default_factory=dict)
    thresholds_before: dict[str, float] = field(default_factory=dict)
    thresholds_after: dict[str, float] = field(default_factory=dict)

    def macro_f1(self, which: str = "after") -> float | None:
        """Mean F1 over the sheet's topics on the held-out corrections (``None``: none held out)."""
        figures = getattr(self, which)
        return float(np.mean([v["f1"] for v in figures.values()])) if figures else None

    def to_dict(self) -> dict[str, Any]:
        return {"topics": self.topics, "n_corrections": self.n_corrections, "n_held_out": self.n_held_out,
                "weight": self.weight, "before": self.before, "after": self.after,
                "macro_f1_before": self.macro_f1("before"), "macro_f1_after": self.macro_f1("after"),
                "thresholds_before": self.thresholds_before, "thresholds_after": self.thresholds_after}


def update_model(
    corrections: str | os.PathLike[str] | Corrections,
    base: str | os.PathLike[str] | TopicClassifier = "default",
    output_dir: str | os.PathLike[str] | None = None,
    *,
    weight: float = DEFAULT_WEIGHT,
    holdout: float = 0.25,
    seed: int = 42,
    corpus: Any = True,
    refit: bool = True,
    log: Callable[[str], None] | None = None,
) -> UpdateResult:
    """Update a linear model with the corrections of a labelling sheet (see the module docstring).

    Args:
        corrections: a labelling sheet (CSV written by :func:`netral_nlp.suggest` and
            edited) or a :class:`~netral_nlp.training.corrections.Corrections`.
        base: ``"default"``, a folder of a linear model, or a loaded one.
        output_dir: save the updated model here.
        weight: how many corpus texts one correction counts for.
        holdout: share of the corrections held out to tune thresholds and measure.
        seed: seeds the held-out split.
        corpus: the training data the corrections are added to: ``True`` for the project
            corpus (its train split; its dev split joins the threshold tuning), ``False`` for
            none (the sheet must then label every topic), or your own labelled data (anything
            :func:`netral_nlp.load_labelled` reads; a seeded 15 % is its dev part).
        refit: refit on all corrections after measuring (thresholds kept).
        log: where progress lines go (default: nowhere).

    Raises:
        DataError: a bad sheet (see :func:`read_corrections`), a base model that is not linear,
            a taxonomy the corpus does not use.
    """
    say = log or (lambda _msg: None)
    if weight <= 0 or not 0.0 < holdout < 1.0:
        raise ValueError(f"weight must be positive and holdout in (0, 1); got weight={weight}, holdout={holdout}")
    clf = base if isinstance(base, TopicClassifier) else load(base)
    if not isinstance(clf, LinearTopicClassifier):
        raise DataError(f"updating with corrections needs a linear (TF-IDF) model such as 'default'; "
                        f"got a {clf.model_type!r} model")
    corr = corrections if isinstance(corrections, Corrections) else read_corrections(corrections, clf.taxonomy)
    if not isinstance(corpus, (bool, LabelledData)):
        corpus = load_labelled(corpus, taxonomy=clf.taxonomy)
    empty: Part = ([], np.zeros((0, len(clf.labels)), dtype=np.int8))
    train, dev = _corpus(clf, corpus, seed) if corpus is not False else (empty, empty)
    if corpus is False and not corr.mask.all():
        raise DataError(f"{corr.name}: without the corpus the sheet must label every topic {clf.labels}")
    fit_idx, held_idx = _split(len(corr), holdout, seed)
    fitted, held = corr.subset(fit_idx), corr.subset(held_idx)
    say(f"{len(corr)} corrections for {corr.topics}: {len(fitted)} to train, {len(held)} held out; "
        f"corpus: {len(train[0])} train, {len(dev[0])} dev texts; weight {weight:g}")
    first = _fit(clf, train, fitted, weight)
    _tune(first, clf, dev, held, weight)
    result = UpdateResult(first, list(corr.topics), len(corr), len(held), float(weight),
                          thresholds_before=clf.thresholds)
    if len(held):
        result.before, result.after = _figures(clf, held), _figures(first, held)
    final = first
    if refit and len(held):
        say("refitting on all corrections")
        final = _fit(clf, train, corr, weight)
        final.thresholds_ = first.thresholds_.copy()
    result.model, result.thresholds_after = final, final.thresholds
    final.metrics_ = {"update": {**result.to_dict(), "base": _name(base), "corrections": corr.name,
                                 "holdout": holdout, "seed": seed, "corpus": _corpus_name(corpus),
                                 "refit": refit}}
    if output_dir is not None:
        final.save_pretrained(Path(output_dir))
        say(f"saved to {output_dir}")
    return result


def _corpus(clf: LinearTopicClassifier, corpus: Any, seed: int) -> tuple[Part, Part]:
    """``(train, dev)`` texts and label matrices in the model's topic order."""
    if isinstance(corpus, LabelledData):
        data = corpus
        if data.taxonomy.ids != clf.labels:
            raise DataError(f"{data.name}: topics {data.taxonomy.ids} differ from the model's {clf.labels}")
        fit, dev = data.split(0.15, seed)
        return (fit.texts, fit.y), (dev.texts, dev.y)
    if clf.labels != DEFAULT_TAXONOMY.ids:
        raise DataError(f"the project corpus is labelled with {DEFAULT_TAXONOMY.ids}, not the model's topics "
                        f"{clf.labels}; pass your own training data (corpus=...) or none (corpus=False)")
    parts: dict[str, list[dict[str, Any]]] = {"train": [], "dev": [], "test": []}
    for record in iter_corpus():  # one pass: each record carries its split
        parts[record["split"]].append(record)
    train, dev = ([r["text"] for r in parts[s]] for s in ("train", "dev"))
    return ((train, clf.taxonomy.binarize([r["labels"] for r in parts["train"]])),
            (dev, clf.taxonomy.binarize([r["labels"] for r in parts["dev"]])))


def _split(n: int, holdout: float, seed: int) -> tuple[list[int], list[int]]:
    if n < MIN_HOLDOUT_ROWS:
        return list(range(n)), []
    return holdout_indices(n, holdout, seed)


def _fit(base: LinearTopicClassifier, train: tuple[list[str], np.ndarray], corr: Corrections,
         weight: float) -> LinearTopicClassifier:
    """A fresh model with the base's settings, fitted on the corpus and the corrections."""
    texts = list(train[0]) + corr.texts
    Y = np.vstack([train[1], corr.y]).astype(np.int8)
    W = np.vstack([np.ones(train[1].shape), np.tile(weight * corr.mask, (len(corr), 1))])
    model = LinearTopicClassifier(base.taxonomy, normalizer=base.normalizer, **base.get_params())
    return model.fit(texts, Y, sample_weight=W)


def _tune(model: LinearTopicClassifier, base: LinearTopicClassifier, dev: tuple[list[str], np.ndarray],
          held: Corrections, weight: float) -> None:
    """Thresholds on corpus dev + held-out corrections; the base's where neither has data."""
    texts = list(dev[0]) + held.texts
    if not texts:
        model.thresholds_ = base.thresholds_.copy()
        return
    Y = np.vstack([dev[1], held.y])
    W = np.vstack([np.ones(dev[1].shape), np.tile(weight * held.mask, (len(held), 1))])
    tuned = tune_thresholds(Y, model.predict_proba(texts), sample_weight=W)
    known = ((Y * W) > 0).any(axis=0)  # a topic with no positive example keeps the base's threshold
    model.thresholds_ = np.where(known, tuned, base.thresholds_)


def _figures(model: TopicClassifier, held: Corrections) -> dict[str, dict[str, float]]:
    from sklearn.metrics import precision_recall_fscore_support

    proba = model.predict_proba(held.texts)
    pred = proba >= model.resolve_thresholds(None)
    out = {}
    for topic in held.topics:
        j = model.taxonomy.index(topic)
        p, r, f, _ = precision_recall_fscore_support(held.y[:, j], pred[:, j], average="binary", zero_division=0.0)
        out[topic] = {"precision": float(p), "recall": float(r), "f1": float(f), "support": int(held.y[:, j].sum())}
    return out


def _corpus_name(corpus: bool | LabelledData) -> str | bool:
    return corpus if isinstance(corpus, bool) else corpus.name


def _name(base: Any) -> str:
    return base.model_type if isinstance(base, TopicClassifier) else os.fspath(base)


__all__ = ["update_model", "UpdateResult", "DEFAULT_WEIGHT", "MIN_HOLDOUT_ROWS"]
