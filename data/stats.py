"""Print the corpus statistics that DATASHEET.md reports (markdown tables).

    python data/stats.py

Counts per topic, register, election type, split; length; and two near-duplicate
measures that show the corpus is not template-filled: each text's highest TF-IDF cosine
similarity to any other text, and the share of texts sharing a word 5-gram Jaccard
similarity above 0.5 with another.
"""

from __future__ import annotations

from collections import Counter
from itertools import combinations
from pathlib import Path

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

from netral_nlp import DEFAULT_TAXONOMY, iter_corpus, normalize

ROOT = Path(__file__).resolve().parent


def table(headers, rows):
    out = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    out += ["| " + " | ".join(str(c) for c in r) + " |" for r in rows]
    return "\n".join(out)


def main() -> None:
    recs = list(iter_corpus(root=ROOT))
    n = len(recs)
    topics = DEFAULT_TAXONOMY.ids
    print(f"**{n} texts**, {sum(1 for r in recs if not r['labels'])} with no topic, "
          f"{sum(1 for r in recs if len(r['labels']) >= 2)} "
          f"({100 * sum(1 for r in recs if len(r['labels']) >= 2) / n:.1f} %) with two or more topics, "
          f"{len({r['region'] for r in recs})} distinct regions.\n")
    splits = ("train", "dev", "test")
    rows = []
    for t in topics + ["(no topic)"]:
        has = (lambda r: not r["labels"]) if t == "(no topic)" else (lambda r, t=t: t in r["labels"])
        rows.append([t, sum(has(r) for r in recs)] + [sum(has(r) for r in recs if r["split"] == s) for s in splits])
    rows.append(["all texts", n] + [sum(r["split"] == s for r in recs) for s in splits])
    print(table(["topic", "total", *splits], rows), "\n")
    regs = Counter(r["register"] for r in recs)
    rows = []
    for reg, cnt in regs.most_common():
        sub = [r for r in recs if r["register"] == reg]
        lens = [len(r["text"]) for r in sub]
        rows.append([reg, cnt, sum(1 for r in sub if r["labels"]), int(np.median(lens)), max(lens)])
    print(table(["register", "texts", "with a topic", "median chars", "max chars"], rows), "\n")
    long = [r for r in recs if len(r["text"]) >= 800]
    print(f"Long texts (800+ characters): {len(long)}, {sum(1 for r in long if r['labels'])} with a topic; "
          f"median length of all texts {int(np.median([len(r['text']) for r in recs]))} characters.\n")
    slices = Counter(r["id"].rsplit("-", 1)[0] for r in recs)
    rows = [[name, cnt, sum(1 for r in recs if r["id"].rsplit("-", 1)[0] == name and not r["labels"])]
            for name, cnt in sorted(slices.items())]
    print(table(["slice", "texts", "no topic"], rows), "\n")
    print(table(["election", "texts"], Counter(r["election"] for r in recs).most_common()), "\n")
    pairs = Counter(tuple(sorted(r["labels"])) for r in recs if len(r["labels"]) >= 2)
    print(table(["topic combination", "texts"], [[" + ".join(k), v] for k, v in pairs.most_common(10)]), "\n")
    top_regions = Counter(r["region"] for r in recs).most_common(12)
    print("Most frequent regions: " + ", ".join(f"{k} ({v})" for k, v in top_regions) + "\n")

    texts = [normalize(r["text"]) for r in recs]
    X = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True).fit_transform(texts)
    nn = np.zeros(n)
    for start in range(0, n, 2000):  # row blocks: a dense n x n matrix would need gigabytes
        block = (X[start:start + 2000] @ X.T).toarray()
        block[np.arange(len(block)), np.arange(start, start + len(block))] = 0
        nn[start:start + len(block)] = block.max(axis=1)
    print("Nearest-neighbour TF-IDF cosine (word 1–2-grams, normalised text): "
          f"median {np.median(nn):.2f}, 90th pct {np.percentile(nn, 90):.2f}, 99th pct {np.percentile(nn, 99):.2f}, "
          f"max {nn.max():.2f}; texts with a neighbour above 0.8: {(nn > 0.8).sum()}.")
    grams = [set(zip(*(t.split()[i:] for i in range(5)))) for t in texts]
    close = set()
    index: dict[tuple, list[int]] = {}
    for i, g in enumerate(grams):
        for gram in g:
            index.setdefault(gram, []).append(i)
    cand = Counter()
    for ids in index.values():
        if len(ids) < 50:
            cand.update(combinations(ids, 2))
    for (i, j), shared in cand.items():
        if shared / len(grams[i] | grams[j]) > 0.5:
            close.update((i, j))
    openings = Counter(" ".join(t.split()[:3]) for t in texts)
    print(f"Texts with a word 5-gram Jaccard > 0.5 to another text: {len(close)} ({100 * len(close) / n:.1f} %). "
          f"Distinct 3-word openings: {len(openings)} of {n} ({100 * len(openings) / n:.0f} %).")


if __name__ == "__main__":
    main()
