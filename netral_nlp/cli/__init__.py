"""The ``netral-nlp`` command line (also ``python -m netral_nlp``).

Each sub-command lives in a module of this package exposing ``register(subparsers)``;
the module sets ``func`` on its parser. Errors the library raises on purpose are printed
as one ``error: …`` line with exit status 2, never as a traceback.
"""

from __future__ import annotations

import argparse
import sys
from typing import Sequence

from .._version import __version__
from ..errors import NetralError
from . import base, core, label, report
from . import train as train_command

COMMAND_MODULES = [core, label, report, train_command, base]


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
    try:
        return int(args.func(args) or 0)
    except (NetralError, FileNotFoundError, IsADirectoryError, PermissionError, ValueError, TypeError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0


__all__ = ["main", "build_parser"]
