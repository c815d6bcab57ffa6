"""Soft voting over several topic models: :class:`EnsembleTopicClassifier`.

The TF-IDF default and a fine-tuned transformer make different mistakes (one reads words
and character n-grams of *our* corpus, the other brings general knowledge of the language),
so the weighted mean of their scores is often better than either (measured on the shared
hate-speech tweets in ``benchmarks/eval_real.py``). Like scikit-learn's ``VotingClassifier``
with ``voting="soft"``, except that the decision thresholds of the mean are tuned again on
dev data (:meth:`EnsembleTopicClassifier.fit_thresholds`): the members' own thresholds do
not carry over to an average.

    >>> ens = EnsembleTopicClassifier([netral_nlp.load(), netral_nlp.load("e5")])
    >>> ens.fit_thresholds(dev_texts, dev_labels).save_pretrained("runs/ensemble")

A saved ensemble is a folder with ``netral_config.json`` (weights, thresholds) and one
sub-folder per member (``member_0/``, ``member_1/``, …) in that member's own format;
``netral_nlp.load(folder)`` opens it. A member that is a model shipped with the package can
instead be recorded by name (``"shipped:default"``, ``"shipped:e5"``: set
``member_sources``), so the shipped ``accurate`` model does not carry a second copy of them.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from .classifier import CONFIG_NAME, TopicClassifier, read_config, write_config, write_prevalence
from ..errors import ModelLoadError
from .checks import member_folder
from .registry import load_folder

MEMBER_DIR = "member_{}"
SHIPPED_PREFIX = "shipped:"


class EnsembleTopicClassifier(TopicClassifier):
    """Weighted mean of the scores of several models over the same topics.

    Args:
        members: two or more fitted topic models with the same topic ids (in the same order),
            the same ``multi_label`` and the same normaliser (so texts are normalised once).
        weights: one non-negative weight per member (default: equal); normalised to sum to 1.

    Attributes:
        members / weights: as given (``weights`` normalised).
        thresholds_: per-topic thresholds of the mean score; 0.5 until :meth:`fit_thresholds`.

    Raises:
        ValueError: fewer than two members, or members that disagree on topics,
            ``multi_label`` or normaliser; bad weights.
    """

    model_type = "ensemble"

    def __init__(self, members: Sequence[TopicClassifier], weights: Sequence[float] | None = None) -> None:
        members = list(members)
        if len(members) < 2:
            raise ValueError(f"an ensemble needs at least two members, got {len(members)}")
        for i, m in enumerate(members):
            if not isinstance(m, TopicClassifier):
                raise ValueError(f"member {i} is {type(m).__name__}, not a TopicClassifier")
        first = members[0]
        for i, m in enumerate(members[1:], start=1):
            if m.labels != first.labels:
                raise ValueError(f"member {i} has topics {m.labels}, member 0 has {first.labels}")
            if m.multi_label != first.multi_label:
                raise ValueError(f"member {i} has multi_label={m.multi_label}, member 0 has {first.multi_label}")
            if m.normalizer != first.normalizer:
                raise ValueError(f"member {i} normalises text differently from member 0 "
                                 f"({m.normalizer} vs {first.normalizer})")
        w = np.ones(len(members)) if weights is None else np.asarray(list(weights), dtype=np.float64)
        if w.shape != (len(members),) or not np.all(np.isfinite(w)) or np.any(w < 0) or w.sum() <= 0:
            raise ValueError(f"weights must be {len(members)} non-negative numbers with a positive sum, got {weights}")
        super().__init__(first.taxonomy, first.normalizer, first.multi_label)
        self.members = members
        self.weights = w / w.sum()
        self.member_sources: list[str | None] = [None] * len(members)
        """Per member: ``None`` (saved into ``member_<i>/``) or ``"shipped:<name>"`` (a shipped model)."""

    def _predict_scores(self, texts: list[str], batch_size: int | None = None) -> np.ndarray:
        total = np.zeros((len(texts), len(self.taxonomy)), dtype=np.float64)
        for weight, member in zip(self.weights, self.members):
            total += weight * np.asarray(member._predict_scores(texts, batch_size=batch_size), dtype=np.float64)
        return total

    def fit_thresholds(self, texts: Sequence[str], labels: Sequence[Sequence[str]]) -> "EnsembleTopicClassifier":
        """Tune the per-topic thresholds of the mean score on labelled dev data (F1 per topic).

        ``labels`` holds one list of topic ids per text. Use data the members were not
        trained on. Returns ``self``.
        """
        from ..labels.thresholds import tune_thresholds

        texts = list(texts)
        if len(texts) != len(labels) or not texts:
            raise ValueError(f"need one label list per text and at least one text ({len(texts)} texts, "
                             f"{len(labels)} label lists)")
        self.thresholds_ = tune_thresholds(self.taxonomy.binarize(labels), self.predict_proba(texts))
        return self

    def explain(self, text: str, top_k: int = 8, topics: Sequence[str] | None = None) -> dict[str, list[tuple[str, float]]]:
        """Each member's explanation for the ensemble's predicted topics, weighted and summed per phrase."""
        if topics is None:
            topics = self.predict(text).labels
        merged: dict[str, dict[str, float]] = {t: {} for t in topics}
        for weight, member in zip(self.weights, self.members):
            for topic, pairs in member.explain(text, top_k=top_k, topics=topics).items():
                for phrase, value in pairs:
                    merged[topic][phrase] = merged[topic].get(phrase, 0.0) + float(weight) * value
        return {t: sorted(p.items(), key=lambda kv: -kv[1])[:top_k] for t, p in merged.items()}

    def save_pretrained(self, path: str | Path) -> Path:
        """Write ``netral_config.json`` and every member into ``member_<i>/``."""
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        names = []
        for i, (member, source) in enumerate(zip(self.members, self.member_sources)):
            if source is not None:
                _shipped_folder(source, path)  # validates the name
                names.append(source)
                continue
            member.save_pretrained(path / MEMBER_DIR.format(i))
            names.append(MEMBER_DIR.format(i))
        cfg = self._base_config()
        cfg.update(weights=self.weights.tolist(), members=names)
        write_config(path, cfg)
        write_prevalence(path, self.prevalence_)
        return path

    @classmethod
    def from_pretrained(cls, path: str | os.PathLike[str], **kwargs: Any) -> "EnsembleTopicClassifier":
        """Open a folder written by :meth:`save_pretrained`.

        ``kwargs`` (``device``, ``precision``, …) go to the loader of every transformer member;
        linear members take none.
        """
        folder = Path(path)
        cfg = read_config(folder)
        if cfg["model_type"] != cls.model_type:
            raise ModelLoadError(f"{folder}: model_type is {cfg['model_type']!r}, not {cls.model_type!r}")
        names = cfg.get("members")
        if not isinstance(names, list) or len(names) < 2:
            raise ModelLoadError(f"{folder}: ensemble config lists no members")
        members = []
        for name in names:
            shipped = str(name).startswith(SHIPPED_PREFIX)
            # a member folder lies strictly inside: no ../, no absolute path, not the ensemble itself
            sub = _shipped_folder(str(name), folder) if shipped else member_folder(folder, name)
            linear = (sub / CONFIG_NAME).is_file() and read_config(sub)["model_type"] == "linear"
            members.append(load_folder(sub, **({} if linear else kwargs)))
        try:
            ens = cls(members, cfg.get("weights"))
        except ValueError as exc:
            raise ModelLoadError(f"{folder}: inconsistent ensemble ({exc})") from exc
        ens._apply_base_config(cfg, folder)
        ens.member_sources = [str(n) if str(n).startswith(SHIPPED_PREFIX) else None for n in names]
        return ens

    def info(self) -> dict[str, Any]:
        out = super().info()
        out["members"] = [m.info()["model_type"] for m in self.members]
        out["weights"] = self.weights.tolist()
        return out


def _shipped_folder(source: str, folder: Path) -> Path:
    """Folder of a ``"shipped:<name>"`` member (a model folder shipped with the package)."""
    from ..resources import models_dir

    name = source[len(SHIPPED_PREFIX):]
    if not source.startswith(SHIPPED_PREFIX) or not name.isidentifier():
        raise ModelLoadError(f"{folder}: bad shipped member reference {source!r} (expected 'shipped:<name>')")
    sub = models_dir() / name
    if not (sub / CONFIG_NAME).is_file():
        raise ModelLoadError(f"{folder}: member {source!r} names no model shipped with this package")
    return sub


__all__ = ["EnsembleTopicClassifier", "SHIPPED_PREFIX"]
