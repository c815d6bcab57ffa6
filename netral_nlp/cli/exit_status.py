"""Every exit status of the ``netral-nlp`` command, in one place.

Scripts and schedulers branch on these numbers, so they never change meaning; a new
condition gets a new number here (and a line in :data:`EXIT_STATUS_HELP`, which the
``label`` help and docs/batch.md show).
"""

from __future__ import annotations

from enum import IntEnum

from ..errors import DamagedInputError, OutputLockedError


class ExitStatus(IntEnum):
    """Exit statuses of ``netral-nlp``."""

    OK = 0
    TOO_MANY_ERRORS = 1
    """``label``: the error rows exceed ``--max-errors`` (the output is complete)."""
    USAGE = 2
    """A usage or data error (bad path, unknown format, missing column, bad model folder),
    printed as one ``error:`` line before anything is written."""
    DAMAGED_INPUT = 3
    """``label``: the compressed/Parquet input is cut short or corrupt part-way; every row
    read before the damage is in the output or the errors file."""
    LOCKED = 4
    """``label``: another live run is writing the same output or errors file."""
    INTERRUPTED = 130
    """Ctrl-C or SIGTERM (``label`` checkpoints first; rerun with ``--resume``)."""


EXIT_STATUS_HELP = """exit status:
  0    success
  1    error rows exceed --max-errors (the output is complete)
  2    usage or data error (bad path, format, column, model), nothing labelled
  3    damaged input: the compressed/Parquet file is cut short or corrupt; the rows
       read before the damage are in the output and the errors file
  4    another running `label` holds the output or errors file (its pid and host
       are named); a lock left by a process that died does not count
  130  interrupted (Ctrl-C, SIGTERM): checkpointed, continue with --resume"""


def status_for(exc: BaseException) -> ExitStatus:
    """The exit status of an error the library raised on purpose."""
    if isinstance(exc, DamagedInputError):
        return ExitStatus.DAMAGED_INPUT
    if isinstance(exc, OutputLockedError):
        return ExitStatus.LOCKED
    return ExitStatus.USAGE


__all__ = ["ExitStatus", "EXIT_STATUS_HELP", "status_for"]
