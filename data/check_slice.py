"""Check one corpus slice (``parts/<slice>.jsonl``) before it joins the corpus.

    python data/check_slice.py parts/x_jawa.jsonl            # check, print a summary
    python data/check_slice.py parts/x_jawa.jsonl --strict   # also exit 1 on any finding

Checks, each printed with the offending ids:

* every line is a JSON object with ``id``, ``text``, ``labels``, ``register``, ``region``,
  ``election``; ids unique and prefixed by the slice name; labels are topic ids; register
  and election come from the datasheet's lists;
* no text identical (after normalisation) to any text in any slice;
* no near-duplicate: word 5-gram Jaccard above 0.5 with any other text of any slice;
* repeated 3-word openings inside the slice (a sign of a habit, not an error).

Uses only the standard library, so it runs in a few seconds.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent
TOPICS = ("netralitas_asn", "politik_uang", "hoaks", "sara_ujaran_kebencian", "pelanggaran_kampanye")
REGISTERS = ("news", "headline", "twitter", "forward", "comment", "official", "factcheck", "opinion", "forum")
ELECTIONS = ("pemilu", "pilkada", "pilkades", "none")
FIELDS = ("id", "text", "labels", "register", "region", "election")


_WORD = re.compile(r"[^\W_]+", re.UNICODE)


def _norm(text: str) -> str:
    """Lower-cased words only: enough to compare texts, and no heavy import (the check runs often)."""
    return " ".join(_WORD.findall(text.lower()))


def _grams(text: str) -> set[tuple[str, ...]]:
    words = text.split()
    return set(zip(*(words[i:] for i in range(5))))


def _read(path: Path) -> tuple[list[dict], list[str]]:
    recs, problems = [], []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            rec = json.loads(line)
        except json.JSONDecodeError as exc:
            problems.append(f"{path.name}:{n}: not JSON ({exc.msg})")
            continue
        if not isinstance(rec, dict):
            problems.append(f"{path.name}:{n}: not an object")
            continue
        rec["_file"] = path.name
        recs.append(rec)
    return recs, problems


def _field_problems(rec: dict, slice_name: str) -> list[str]:
    rid = rec.get("id", "?")
    out = [f"{rid}: missing {f}" for f in FIELDS if f not in rec]
    if out:
        return out
    if not str(rid).startswith(slice_name + "-"):
        out.append(f"{rid}: id must start with '{slice_name}-'")
    if not isinstance(rec["text"], str) or len(rec["text"].strip()) < 8:
        out.append(f"{rid}: text empty or too short")
    if not isinstance(rec["labels"], list) or any(lab not in TOPICS for lab in rec["labels"]):
        out.append(f"{rid}: labels must be a list of {TOPICS}")
    elif len(set(rec["labels"])) != len(rec["labels"]):
        out.append(f"{rid}: repeated label")
    if rec["register"] not in REGISTERS:
        out.append(f"{rid}: register {rec['register']!r} not in {REGISTERS}")
    if rec["election"] not in ELECTIONS:
        out.append(f"{rid}: election {rec['election']!r} not in {ELECTIONS}")
    return out


def _near_duplicates(target: list[dict], others: list[dict]) -> list[str]:
    """Pairs with word 5-gram Jaccard > 0.5 where at least one side is in ``target``."""
    everything = target + others
    grams = [_grams(r["_norm"]) for r in everything]
    index: dict[tuple[str, ...], list[int]] = defaultdict(list)
    for i, g in enumerate(grams):
        for gram in g:
            index[gram].append(i)
    shared: Counter[tuple[int, int]] = Counter()
    n_target = len(target)
    for ids in index.values():
        if len(ids) > 200:  # boilerplate n-gram; the pair is still found through other n-grams
            continue
        tgt = [i for i in ids if i < n_target]
        for i in tgt:
            for j in ids:
                if j != i and (j >= n_target or j > i):
                    shared[(i, j)] += 1
    out = []
    for (i, j), s in shared.items():
        jac = s / len(grams[i] | grams[j])
        if jac > 0.5:
            out.append(f"{everything[i]['id']} ~ {everything[j]['id']} (5-gram Jaccard {jac:.2f})")
    return out


def check(path: Path) -> tuple[list[str], list[str]]:
    """Return (errors, notes) for the slice at ``path``."""
    slice_name = path.stem
    target, errors = _read(path)
    others: list[dict] = []
    for other in sorted((ROOT / "parts").glob("*.jsonl")):
        if other.resolve() != path.resolve():
            recs, _ = _read(other)
            others.extend(r for r in recs if isinstance(r.get("text"), str))
    for rec in target:
        errors += _field_problems(rec, slice_name)
    target = [r for r in target if isinstance(r.get("text"), str)]
    ids = Counter(r.get("id") for r in target)
    errors += [f"{i}: id used {c} times" for i, c in ids.items() if c > 1]
    for r in target + others:
        r["_norm"] = _norm(r["text"])
    seen: dict[str, str] = {r["_norm"]: r["id"] for r in others}
    for r in target:
        if r["_norm"] in seen:
            errors.append(f"{r['id']}: same text as {seen[r['_norm']]}")
        seen[r["_norm"]] = r["id"]
    errors += _near_duplicates(target, others)
    openings = Counter(" ".join(r["_norm"].split()[:3]) for r in target)
    notes = [f"opening {o!r} used {c} times" for o, c in openings.most_common() if c > 3][:15]
    return errors, notes


def summary(path: Path) -> str:
    recs, _ = _read(path)
    recs = [r for r in recs if isinstance(r.get("text"), str)]
    if not recs:
        return "no records"
    labels = Counter(lab for r in recs for lab in r.get("labels", []))
    none = sum(1 for r in recs if not r.get("labels"))
    regs = Counter(r.get("register") for r in recs)
    lens = [len(r["text"]) for r in recs]
    lines = [f"{len(recs)} texts, {none} with no topic ({100 * none / len(recs):.0f} %)"]
    lines.append("topics: " + ", ".join(f"{t} {labels.get(t, 0)}" for t in TOPICS))
    lines.append("registers: " + ", ".join(f"{k} {v}" for k, v in regs.most_common()))
    lines.append(f"chars: median {statistics.median(lens):.0f}, min {min(lens)}, max {max(lens)}; "
                 f"{sum(1 for n in lens if n >= 800)} texts of 800+ chars")
    lines.append("regions: " + ", ".join(f"{k} {v}" for k, v in Counter(r.get('region') for r in recs).most_common(8)))
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("slice", type=Path, help="path of the slice file, e.g. data/parts/x_jawa.jsonl")
    parser.add_argument("--strict", action="store_true", help="exit 1 when any error is found")
    args = parser.parse_args()
    path = args.slice if args.slice.exists() else ROOT / args.slice
    if not path.exists():
        print(f"error: {args.slice} not found", file=sys.stderr)
        return 2
    errors, notes = check(path)
    print(summary(path))
    print(f"\n{len(errors)} errors")
    for e in errors[:200]:
        print("  ERROR", e)
    for n in notes:
        print("  note ", n)
    return 1 if (errors and args.strict) else 0


if __name__ == "__main__":
    sys.exit(main())
