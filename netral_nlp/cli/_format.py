"""Terminal output helpers: aligned tables (``rich``), short texts, JSON."""

from __future__ import annotations

import io
import json
import sys
from typing import Any, Sequence


def table(headers: Sequence[str], rows: Sequence[Sequence[Any]], align: str | None = None) -> str:
    """Render rows as a plain aligned text table (no colour, no wrapping, no borders but a rule
    under the header). ``align``: one char per column, ``l`` or ``r``."""
    from rich.box import Box
    from rich.console import Console
    from rich.table import Table

    align = align or "l" * len(headers)
    rule = Box("    \n    \n -- \n    \n    \n    \n    \n    \n", ascii=True)  # one ASCII rule under the header
    grid = Table(box=rule, show_edge=False, pad_edge=False, padding=(0, 1), header_style="",
                 collapse_padding=True)
    for header, a in zip(headers, align):
        grid.add_column(header, justify="right" if a == "r" else "left", no_wrap=True)
    for row in rows:
        grid.add_row(*[_fmt(v) for v in row])
    out = io.StringIO()
    Console(file=out, width=100_000, color_system=None, highlight=False, markup=False, emoji=False,
            force_terminal=False, soft_wrap=False).print(grid)
    return "\n".join(line.rstrip() for line in out.getvalue().splitlines() if line.strip())


def _fmt(v: Any) -> str:
    if isinstance(v, float):
        return f"{v:.2g}" if v and abs(v) < 0.01 else f"{v:.3f}"  # learning rates: 2e-05, not 0.000
    return str(v)


def shorten(text: str, width: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def print_json(obj: Any) -> None:
    json.dump(obj, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")


def comma_list(value: str) -> list[str]:
    """argparse type for ``a,b,c`` options: the non-empty, stripped items."""
    items = [v.strip() for v in value.split(",") if v.strip()]
    if not items:
        raise ValueError(f"expected a comma-separated list, got {value!r}")
    return items
