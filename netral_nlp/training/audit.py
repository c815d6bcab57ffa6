"""``audit_labels``: likely label errors in a labelled file, found with cleanlab.

Every text gets an out-of-fold score per topic: the file is cut into ``folds`` seeded
parts and a :class:`~netral_nlp.LinearTopicClassifier` (the default model's settings)
trained on the other parts scores each one, so no text is scored by a model that saw its
label. cleanlab's confident learning (``cleanlab.multilabel_classification``, or the binary
``cleanlab.filter`` for a one-topic file) then flags the rows whose given labels disagree
with those scores more than the estimated noise allows, and ranks them by label quality
(self-confidence; 0 = surely wrong). The suggested labels are the out-of-fold scores cut
at per-topic thresholds tuned (F1) on the same out-of-fold scores.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

import numpy as np

from ..data.labelled import LabelledData, load_labelled
from ..errors import DataError, MissingDependencyError
from ..labels.thresholds import tune_thresholds
from ..models.linear import LinearTopicClassifier
from ..models.loading import load

MIN_ROWS_PER_FOLD = 2


@dataclass
class LabelIssue:
    """One suspect row: its position (0-based) and id, the given and suggested labels."""

    index: int
    id: Any
    text: str
    given: list[str]
    suggested: list[str]
    quality: float
    scores: dict[str, float]

    def to_dict(self) -> dict[str, Any]:
        return {"index": self.index, "id": self.id, "given": self.given, "suggested": self.suggested,
                "quality": round(self.quality, 4), "scores": {k: round(v, 4) for k, v in self.scores.items()},
                "text": self.text}


@dataclass
class AuditResult:
    """The suspects (worst first) and what the audit ran on."""

    issues: list[LabelIssue]
    n_rows: int
    topics: list[str]
    folds: int
    name: str
    thresholds: dict[str, float] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.issues)


def audit_labels(
    data: Any,
    *,
    folds: int = 5,
    seed: int = 42,
    params: dict[str, Any] | None = None,
    text_column: str = "text",
    label_column: str | None = None,
    label_columns: Sequence[str] | None = None,
    log: Callable[[str], None] | None = None,
) -> AuditResult:
    """Find likely label errors (see the module docstring).

    Args:
        data: ``"corpus"`` or anything :func:`netral_nlp.load_labelled` reads (a CSV/JSONL/
            JSON/Parquet path, a DataFrame, a ``LabelledData``...); an ``id`` column names the rows.
        folds: cross-validation folds for the out-of-fold scores.
        seed: seeds the folds.
        params: :class:`LinearTopicClassifier` settings (default: the shipped default model's).
        text_column / label_column / label_columns: as in :func:`netral_nlp.load_labelled`.
        log: where progress lines go (default: nowhere).

    Raises:
        MissingDependencyError: cleanlab is not installed (``pip install "netral-nlp[audit]"``).
        DataError: unreadable data, or too few rows for the folds.
    """
    try:
        import cleanlab  # noqa: F401
    except ImportError as exc:
        raise MissingDependencyError("audit-labels", "audit", "cleanlab") from exc
    say = log or (lambda _msg: None)
    labelled = data if isinstance(data, LabelledData) else load_labelled(
        data, text_column=text_column, label_columns=label_columns, label_column=label_column)
    n, k = len(labelled), len(labelled.taxonomy)
    if folds < 2 or n < folds * MIN_ROWS_PER_FOLD:
        raise DataError(f"{labelled.name}: {n} rows are too few for {folds}-fold cross-validation (folds >= 2)")
    Y = labelled.y
    say(f"{labelled.name}: {n} rows, topics {labelled.taxonomy.ids}; {folds}-fold out-of-fold scores")
    oof = out_of_fold(labelled, folds, seed, params or _default_params(), say)
    thresholds = tune_thresholds(Y, oof)
    flagged, quality = _cleanlab(Y, oof)
    ids = labelled.extra.get("ids") or [None] * n
    labels = labelled.taxonomy.ids
    issues = [
        LabelIssue(int(i), ids[i], labelled.texts[i], list(labelled.labels[i]),
                   [t for t, s, th in zip(labels, oof[i], thresholds) if s >= th], float(quality[i]),
                   dict(zip(labels, map(float, oof[i]))))
        for i in sorted(np.flatnonzero(flagged), key=lambda i: (quality[i], i))
    ]
    say(f"{len(issues)} likely label errors")
    return AuditResult(issues, n, labels, folds, labelled.name, dict(zip(labels, map(float, thresholds))))


def out_of_fold(data: LabelledData, folds: int, seed: int, params: dict[str, Any],
                say: Callable[[str], None] = lambda _m: None) -> np.ndarray:
    """Scores ``(n, n_topics)``, each row by a model trained on the other folds."""
    from sklearn.model_selection import KFold

    Y = data.y
    oof = np.zeros(Y.shape, dtype=np.float64)
    for f, (train, test) in enumerate(KFold(folds, shuffle=True, random_state=seed).split(Y)):
        model = LinearTopicClassifier(data.taxonomy, **params)
        model.fit([data.texts[i] for i in train], Y[train])
        oof[test] = model.predict_proba([data.texts[i] for i in test])
        say(f"  fold {f + 1}/{folds} done")
    return oof


def _cleanlab(Y: np.ndarray, oof: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(flagged mask, label quality)`` from cleanlab."""
    if Y.shape[1] == 1:  # one topic: a binary single-label task
        from cleanlab.filter import find_label_issues
        from cleanlab.rank import get_label_quality_scores

        probs = np.column_stack([1 - oof[:, 0], oof[:, 0]])
        return (find_label_issues(Y[:, 0], probs, n_jobs=1),
                get_label_quality_scores(Y[:, 0], probs))
    from cleanlab.multilabel_classification.filter import find_label_issues
    from cleanlab.multilabel_classification.rank import get_label_quality_scores

    lists = [list(np.flatnonzero(row)) for row in Y]
    return find_label_issues(lists, oof, n_jobs=1), get_label_quality_scores(lists, oof)


def _default_params() -> dict[str, Any]:
    model = load("default")
    return {**model.get_params(), "normalizer": model.normalizer} if isinstance(model, LinearTopicClassifier) else {}


def issue_table_rows(result: AuditResult, width: int = 70) -> list[list[Any]]:
    """Rows for a terminal table: id (or line), given, suggested, quality, text excerpt."""
    rows = []
    for issue in result.issues:
        text = " ".join(issue.text.split())
        rows.append([issue.id if issue.id is not None else f"#{issue.index + 1}", ",".join(issue.given) or "-",
                     ",".join(issue.suggested) or "-", f"{issue.quality:.3f}",
                     text if len(text) <= width else text[: width - 1] + "…"])
    return rows


def write_issues(path: str | os.PathLike[str], result: AuditResult) -> None:
    """All suspects as a CSV (UTF-8 with BOM for spreadsheets)."""
    import csv

    with open(path, "w", encoding="utf-8-sig", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(["index", "id", "given", "suggested", "quality", *(f"score_{t}" for t in result.topics), "text"])
        for i in result.issues:
            out.writerow([i.index, "" if i.id is None else i.id, ";".join(i.given), ";".join(i.suggested),
                          f"{i.quality:.4f}", *(f"{i.scores[t]:.3f}" for t in result.topics), i.text])


__all__ = ["audit_labels", "AuditResult", "LabelIssue", "out_of_fold", "issue_table_rows", "write_issues"]
