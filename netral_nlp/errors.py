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
    "MissingDependencyError",
]
