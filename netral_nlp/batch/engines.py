"""Engines of :func:`~netral_nlp.label_dump`: ``engine(job: DumpJob) -> DumpSummary``,
registered by name (``label_dump(..., engine="name")``).

Built in: ``"local"`` (:mod:`.local`: this machine, worker processes, resumable) and
``"ray"`` (:mod:`.ray_dump`: a Ray Data actor pool, :mod:`.distributed`). Another engine registers with
:func:`register_engine` and labels chunks with the same :class:`~.labeler.ChunkLabeler`.
"""

from __future__ import annotations

from typing import Callable

from .local import label_local
from .ray_dump import label_dump_ray
from .options import DumpJob
from .summary import DumpSummary

Engine = Callable[[DumpJob], DumpSummary]

_ENGINES: dict[str, Engine] = {}


def register_engine(name: str, engine: Engine, *, replace: bool = False) -> None:
    """Make ``label_dump(..., engine=name)`` run ``engine(job)``."""
    if name in _ENGINES and _ENGINES[name] != engine and not replace:
        raise ValueError(f"engine {name!r} is already registered (pass replace=True to override)")
    _ENGINES[name] = engine


def engine_names() -> tuple[str, ...]:
    """The registered engines."""
    return tuple(_ENGINES)


def get_engine(name: str) -> Engine:
    """The engine registered as ``name``; ``ValueError`` naming the known ones otherwise."""
    try:
        return _ENGINES[name]
    except (KeyError, TypeError):
        known = " or ".join(repr(n) for n in _ENGINES)
        raise ValueError(f"engine must be {known}, got {name!r}") from None


register_engine("local", label_local)
register_engine("ray", label_dump_ray)

__all__ = ["Engine", "register_engine", "engine_names", "get_engine"]
