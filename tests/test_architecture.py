"""The package's structure stays as docs/architecture.md draws it.

* the import-linter contracts of pyproject.toml (layers, independent siblings) hold;
* the import graph has no cycle, counting imports made inside functions and under
  ``TYPE_CHECKING`` (scripts/import_graph.py reads every ``import`` with :mod:`ast`).
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _import_graph():
    spec = importlib.util.spec_from_file_location("import_graph", ROOT / "scripts" / "import_graph.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_import_linter_contracts_hold():
    proc = subprocess.run(
        [sys.executable, "-c", "import sys; from importlinter.cli import lint_imports; sys.exit(lint_imports(no_cache=True))"],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
    assert "broken" not in proc.stdout.lower().replace("0 broken", "")


def test_no_import_cycles_counting_function_level_imports():
    graph_tool = _import_graph()
    graph = graph_tool.graph()
    assert len(graph) > 40 and sum(len(t) for t in graph.values()) > 100  # the parser found the imports
    circles = graph_tool.strongly_connected(graph)
    assert circles == [], f"import cycles: {circles}"


def test_cycle_check_sees_imports_inside_functions(tmp_path):
    pkg = tmp_path / "netral_nlp"
    (pkg / "sub").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "sub" / "__init__.py").write_text("")
    (pkg / "a.py").write_text("from .sub import b\n")
    (pkg / "sub" / "b.py").write_text(textwrap.dedent("""
        def f():
            from ..a import x
    """))
    graph_tool = _import_graph()
    assert graph_tool.strongly_connected(graph_tool.graph(pkg)) == [["netral_nlp.a", "netral_nlp.sub.b"]]
