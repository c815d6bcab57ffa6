"""Every exception netral_nlp raises on purpose lives here."""

from __future__ import annotations


class NetralError(Exception):
    """Base class of the library's own errors."""


class ModelLoadError(NetralError, OSError):
    """A model folder, file or hub id could not be loaded (missing, corrupt, unreachable)."""


class HubUnavailableError(ModelLoadError):
    """A hub id was given but the Hugging Face hub cannot be reached (or the id is unknown)."""


class DataError(NetralError, ValueError):
    """Input data (a labelled file, a dump, a column) is malformed or inconsistent."""


class DamagedInputError(DataError):
    """A compressed (or Parquet) input is cut short or corrupt part-way through.

    Raised by :func:`netral_nlp.label_dump` *after* every row read before the damage has
    been written (labelled rows to the output, bad ones to the errors file) and the files
    have been moved into place; ``summary`` is that run's
    :class:`~netral_nlp.DumpSummary` (its ``input_damage`` says what was wrong).
    """

    def __init__(self, message: str, summary: object = None) -> None:
        super().__init__(message)
        self.summary = summary


class OutputLockedError(DataError):
    """Another live run is writing the same output (or errors) file.

    ``holder`` describes it as recorded in its lock file (``pid``, ``host``, ``started``,
    ``command``; empty when it had not written its record yet).
    """

    def __init__(self, message: str, holder: dict[str, object] | None = None) -> None:
        super().__init__(message)
        self.holder = dict(holder or {})


class MissingDependencyError(NetralError, ImportError):
    """An optional dependency needed for this feature is not installed."""

    def __init__(self, feature: str, extra: str, packages: str) -> None:
        super().__init__(
            f"{feature} needs {packages}, which is not installed. "
            f'Install it with: pip install "netral-nlp[{extra}]"'
        )
        self.feature = feature
        self.extra = extra


__all__ = [
    "NetralError",
    "ModelLoadError",
    "HubUnavailableError",
    "DataError",
    "DamagedInputError",
    "OutputLockedError",
    "MissingDependencyError",
]
