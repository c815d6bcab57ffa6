"""The import graph of ``netral_nlp``, counting every import: module level, inside functions
and under ``if TYPE_CHECKING:``.

    python scripts/import_graph.py            # cycles and the longest import chains
    python scripts/import_graph.py --edges    # also every edge

Each ``.py`` file under ``netral_nlp/`` is parsed with :mod:`ast` (nothing is imported);
``from pkg import name`` counts as an import of ``pkg.name`` when that is a module, else of
``pkg`` (a package's ``__init__``). ``tests/test_architecture.py`` asserts the graph is acyclic.
"""

from __future__ import annotations

import argparse
import ast
from dataclasses import dataclass
from pathlib import Path

ROOT = "netral_nlp"
PACKAGE_DIR = Path(__file__).resolve().parent.parent / ROOT


@dataclass(frozen=True)
class Edge:
    source: str
    target: str
    line: int
    in_function: bool


def module_names(package_dir: Path = PACKAGE_DIR) -> dict[str, Path]:
    names = {}
    for path in sorted(package_dir.rglob("*.py")):
        parts = list(path.relative_to(package_dir.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        names[".".join(parts)] = path
    return names


def _in_function(node: ast.AST, parents: dict[ast.AST, ast.AST]) -> bool:
    while node in parents:
        node = parents[node]
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            return True
    return False


def edges(package_dir: Path = PACKAGE_DIR) -> list[Edge]:
    modules = module_names(package_dir)
    found = []
    for name, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in ast.walk(tree):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = package.split(".")
                    base = base[: len(base) - (node.level - 1)]
                    module = ".".join(base + ([node.module] if node.module else []))
                else:
                    module = node.module or ""
                targets = [f"{module}.{a.name}" if f"{module}.{a.name}" in modules else module for a in node.names]
            for target in targets:
                while target and target not in modules:  # `import netral_nlp.x.y` of a name, not a module
                    target = target.rpartition(".")[0]
                if target and target != name:
                    found.append(Edge(name, target, node.lineno, _in_function(node, parents)))
    return found


def graph(package_dir: Path = PACKAGE_DIR) -> dict[str, set[str]]:
    g: dict[str, set[str]] = {name: set() for name in module_names(package_dir)}
    for e in edges(package_dir):
        g[e.source].add(e.target)
    return g


def strongly_connected(g: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's algorithm; the components with more than one module are the import circles."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(g[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                comp.append(w)
                if w == v:
                    break
            out.append(sorted(comp))

    for v in sorted(g):
        if v not in index:
            visit(v)
    return [c for c in out if len(c) > 1]


def elementary_cycles(g: dict[str, set[str]], limit: int = 100_000) -> list[list[str]]:
    """Every simple cycle (each reported once, starting at its smallest module), up to ``limit``."""
    found: list[list[str]] = []
    order = sorted(g)
    for start in order:
        allowed = {v for v in order if v >= start}
        path = [start]
        on_path = {start}

        def walk(v: str) -> None:
            for w in sorted(g[v]):
                if len(found) >= limit:
                    return
                if w == start:
                    found.append(path + [start])
                elif w in allowed and w not in on_path:
                    path.append(w)
                    on_path.add(w)
                    walk(w)
                    path.pop()
                    on_path.discard(w)

        walk(start)
    return found


def longest_chain(g: dict[str, set[str]], keep: set[tuple[str, str]] | None = None) -> list[str]:
    """Longest simple import chain (depth-first; the graph is small). ``keep`` limits the edges."""
    best: list[str] = []

    def walk(path: list[str], seen: set[str]) -> None:
        nonlocal best
        if len(path) > len(best):
            best = list(path)
        for w in sorted(g[path[-1]]):
            if w not in seen and (keep is None or (path[-1], w) in keep):
                path.append(w)
                seen.add(w)
                walk(path, seen)
                seen.discard(w)
                path.pop()

    for v in sorted(g):
        walk([v], {v})
    return best


def report(package_dir: Path = PACKAGE_DIR, show_edges: bool = False) -> str:
    all_edges = edges(package_dir)
    g = graph(package_dir)
    function_edges = {(e.source, e.target) for e in all_edges if e.in_function}
    lines = [
        f"modules: {len(g)}; import edges: {sum(len(t) for t in g.values())} "
        f"({len(function_edges)} made inside functions)",
    ]
    circles = strongly_connected(g)
    cycles = elementary_cycles(g)
    lines.append(f"import circles (strongly connected groups): {len(circles)}; elementary cycles: {len(cycles)}")
    for comp in circles:
        lines.append(f"  circle of {len(comp)}: {', '.join(m.removeprefix(ROOT + '.') for m in comp)}")
    chain = longest_chain(g)
    marks = ["~>" if (a, b) in function_edges else "->" for a, b in zip(chain, chain[1:])]
    shown = chain[0] + "".join(f" {m} {b}" for m, b in zip(marks, chain[1:]))
    lines.append(f"longest import chain ({len(chain) - 1} hops, {marks.count('~>')} inside functions, ~>):")
    lines.append(f"  {shown}")
    fchain = longest_chain(g, keep=function_edges)
    lines.append(f"longest chain of imports made inside functions ({len(fchain) - 1} hops):")
    lines.append("  " + " ~> ".join(fchain))
    if show_edges:
        for e in sorted(all_edges, key=lambda e: (e.source, e.target)):
            lines.append(f"  {e.source} {'~>' if e.in_function else '->'} {e.target}  (line {e.line})")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--edges", action="store_true", help="list every edge")
    args = parser.parse_args()
    print(report(show_edges=args.edges))


if __name__ == "__main__":
    main()
