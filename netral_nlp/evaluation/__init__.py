"""Evaluation: :func:`.report.evaluate` and its :class:`.report.EvaluationReport`, the
report's figures (:mod:`.plots`) and metric helpers (:mod:`._metrics`).
``netral_nlp.evaluation`` was a module; its names stay importable here."""

from .report import ERROR_KINDS, EvaluationReport, evaluate

__all__ = ["evaluate", "EvaluationReport", "ERROR_KINDS"]
