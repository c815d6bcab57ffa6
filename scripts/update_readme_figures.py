"""Re-measure the figures the README and docs quote, and rewrite them in place.

    python scripts/update_readme_figures.py            # quick figures (seconds)
    python scripts/update_readme_figures.py --check    # exit 1 when a file would change (nothing written)

A measured figure sits between markers, ``<!-- figures:NAME -->`` … ``<!-- /figures:NAME -->``
(inline, e.g. in a table cell, or around a whole block); this script owns what is between
them, so a figure changes only by re-running it. Figures that come from the long benchmarks
in ``benchmarks/`` are quoted next to the command that produced them instead.

Quick figures: the Python API example (``pred.labels``, ``pred.scores``, ``explain``), the
explanation weights in ``docs/evaluation.md``, the import and load times of the default
model (median of 5 fresh processes). The real-text figures of the model table come from
``benchmarks/eval_real_text.py`` and are quoted with its date.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = "Camat ikut kampanye paslon 02 di balai desa"
EXPLAIN = "Warga terima amplop serangan fajar"
_TIMING = """
import time; t0 = time.perf_counter(); import netral_nlp; t1 = time.perf_counter()
netral_nlp.load(); t2 = time.perf_counter(); print(t1 - t0, t2 - t1)
"""


def _scores_text(scores: dict[str, float]) -> str:
    items = list(scores.items())
    shown = [f"'{k}': {v:.2f}" for k, v in items[:2]] + ["..."] + [f"'{k}': {v:.2f}" for k, v in items[-1:]]
    return "{" + ", ".join(shown) + "}"


def _explain_text(weights: dict[str, list[tuple[str, float]]], topic: str, n: int) -> str:
    words = ", ".join(f"('{w}', {v:.2f})" for w, v in weights[topic][:n])
    return f"{{'{topic}': [{words}, ...]}}"


def api_block() -> str:
    import netral_nlp

    clf = netral_nlp.load()
    pred = clf.predict(EXAMPLE)
    explained = clf.explain(EXPLAIN)
    return f"""```python
import netral_nlp

clf = netral_nlp.load()              # embedded default; or a model folder, or a hub id
pred = clf.predict("{EXAMPLE}")
pred.labels                          # {pred.labels}  (highest score first)
pred.scores                          # {_scores_text(pred.scores)}

preds = clf.predict(["teks 1", "teks 2"], threshold=None, batch_size=None)  # list in, list out, same order
proba = clf.predict_proba(["teks 1", "teks 2"])   # numpy array (n_texts, n_topics); columns = clf.labels
clf.labels                           # ['netralitas_asn', 'politik_uang', 'hoaks', ...]
clf.thresholds                       # per-topic thresholds tuned on the dev split
clf.explain("{EXPLAIN}")  # {_explain_text(explained, "politik_uang", 2)}
```"""


def explain_doc() -> str:
    import netral_nlp

    return "`" + _explain_text(netral_nlp.load().explain(EXPLAIN), "politik_uang", 3) + "`"


def load_times() -> str:
    runs = []
    for _ in range(5):
        out = subprocess.run([sys.executable, "-c", _TIMING], capture_output=True, text=True, check=True, cwd=ROOT)
        runs.append([float(x) for x in out.stdout.split()])
    imp = statistics.median(r[0] for r in runs)
    load = statistics.median(r[1] for r in runs)
    return f"measured {load * 1000:.0f} ms, after the ~{imp:.1f} s `import netral_nlp`"


QUICK: dict[str, tuple[str, Callable[[], str]]] = {
    "api": ("README.md", api_block),
    "explain": ("docs/evaluation.md", explain_doc),
    "load-time": ("README.md", load_times),
}


def rewrite(text: str, name: str, value: str) -> str:
    pattern = re.compile(rf"(<!-- figures:{re.escape(name)} -->)(.*?)(<!-- /figures:{re.escape(name)} -->)", re.DOTALL)
    if not pattern.search(text):
        raise SystemExit(f"marker figures:{name} not found")
    block = "\n" in pattern.search(text).group(2)  # type: ignore[union-attr]
    return pattern.sub(lambda m: m.group(1) + (f"\n{value}\n" if block else value) + m.group(3), text)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true", help="exit 1 when a figure changed; write nothing")
    args = parser.parse_args()
    values: dict[str, tuple[str, str]] = {name: (file, make()) for name, (file, make) in QUICK.items()}
    changed = []
    for file in sorted({f for f, _ in values.values()}):
        path = ROOT / file
        before = path.read_text(encoding="utf-8")
        after = before
        for name, (target, value) in values.items():
            if target == file:
                after = rewrite(after, name, value)
        if after != before:
            changed.append(file)
            if not args.check:
                path.write_text(after, encoding="utf-8")
    print(json.dumps({"changed": changed, "figures": {k: v for k, (_, v) in values.items() if "\n" not in v}},
                     ensure_ascii=False, indent=2))
    return 1 if args.check and changed else 0


if __name__ == "__main__":
    sys.exit(main())
