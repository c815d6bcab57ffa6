"""The ``netral-nlp`` command line (also ``python -m netral_nlp``).

Each sub-command lives in a module of this package exposing ``register(subparsers)``;
the module sets ``func`` on its parser. Errors the library raises on purpose are printed
as one ``error: …`` line, never as a traceback; exit statuses live in :mod:`.exit_status`
(2 for usage and data errors).
"""

from __future__ import annotations

import argparse
import logging
import sys
from typing import Sequence

from .._version import __version__
from ..errors import NetralError
from . import active, base, core, export, label, report
from . import train as train_command
from .exit_status import ExitStatus, status_for

COMMAND_MODULES = [core, label, report, active, train_command, base, export]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="netral-nlp",
        description="Classify Indonesian election texts into supervision topics "
        "(netralitas ASN, politik uang, hoaks, SARA/ujaran kebencian, pelanggaran kampanye).",
    )
    parser.add_argument("--version", action="version", version=f"netral-nlp {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for module in COMMAND_MODULES:
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    _log_warnings_to_stderr()
    try:
        return int(args.func(args) or 0)
    except (NetralError, FileNotFoundError, IsADirectoryError, PermissionError, ValueError, TypeError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return int(status_for(exc))
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return int(ExitStatus.INTERRUPTED)
    except BrokenPipeError:
        return int(ExitStatus.OK)


def _log_warnings_to_stderr() -> None:
    """The library's logged warnings (e.g. a training run that learned nothing) as ``warning: …`` lines."""
    logger = logging.getLogger("netral_nlp")
    if not any(isinstance(h, _StderrHandler) for h in logger.handlers):
        handler = _StderrHandler(logging.WARNING)
        handler.setFormatter(logging.Formatter("warning: %(message)s"))
        logger.addHandler(handler)


class _StderrHandler(logging.Handler):
    """Writes to the current ``sys.stderr`` (looked up at each record, unlike ``StreamHandler``)."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            print(self.format(record), file=sys.stderr)
        except Exception:  # logging's contract: a failing handler reports, never raises
            self.handleError(record)


__all__ = ["main", "build_parser"]
