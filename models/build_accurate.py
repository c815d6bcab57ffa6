"""Build the shipped ``accurate`` model: soft voting of the fast TF-IDF model and e5.

    python models/build_accurate.py            # writes models/accurate/ (a few minutes on 2 CPU cores)

The two members are the shipped models themselves (``models/default`` and ``models/e5``),
recorded by name (``"shipped:default"``, ``"shipped:e5"``), so the folder holds only
``netral_config.json``: the weights and the per-topic thresholds of the weighted mean.
Both are chosen on a seeded sample of the corpus **dev** split (``--dev-size`` texts): for
each candidate e5 weight, thresholds maximise each topic's F1 on the sample; the weight with
the best dev macro-F1 is kept. Real-text figures (``benchmarks/eval_real_text.py``) were
used only to choose between a few such rules, never to fit numbers.
"""

from __future__ import annotations

import argparse
import random
import time
from pathlib import Path

import numpy as np

from netral_nlp import EnsembleTopicClassifier, evaluate, iter_corpus, load, tune_thresholds

HERE = Path(__file__).resolve().parent


def build(out_dir: Path, weights: tuple[float, ...] = (0.3, 0.5), dev_size: int = 800, seed: int = 1,
          verbose: bool = True) -> EnsembleTopicClassifier:
    recs = list(iter_corpus("dev", root=HERE.parent / "data"))
    random.Random(seed).shuffle(recs)
    recs = recs[:dev_size]
    texts, labels = [r["text"] for r in recs], [r["labels"] for r in recs]
    fast, e5 = load("fast"), load("e5")
    t0 = time.perf_counter()
    p_fast, p_e5 = fast.predict_proba(texts), e5.predict_proba(texts)
    if verbose:
        print(f"scored {len(texts)} dev texts with both members in {time.perf_counter() - t0:.0f}s")
    y = fast.taxonomy.binarize(labels)
    best = None
    for w in weights:
        mean = (1 - w) * p_fast + w * p_e5
        th = tune_thresholds(y, mean)
        f1 = float(np.mean([_f1(y[:, j], mean[:, j] >= th[j]) for j in range(y.shape[1])]))
        if verbose:
            print(f"e5 weight {w}: dev macro-F1 {f1:.3f}, thresholds {np.round(th, 2).tolist()}")
        if best is None or f1 > best[0]:
            best = (f1, w, th)
    _, w, th = best
    model = EnsembleTopicClassifier([fast, e5], weights=[1 - w, w])
    model.thresholds_ = th
    model.member_sources = ["shipped:default", "shipped:e5"]
    dev = evaluate(model, (texts, labels))
    model.metrics_ = {"corpus_dev_sample": {"summary": dev.summary(), "per_topic": dev.per_topic(),
                                            "n": len(texts), "seed": seed},
                      "training": {"e5_weight": w, "weights_tried": list(weights)}}
    model.save_pretrained(out_dir)
    if verbose:
        print(f"saved to {out_dir} (e5 weight {w}); dev-sample macro-F1 {dev.macro_f1:.3f}")
    return model


def _f1(y: np.ndarray, pred: np.ndarray) -> float:
    tp = float((y & pred).sum())
    return 2 * tp / (y.sum() + pred.sum()) if tp else 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[1])
    parser.add_argument("-o", "--output", type=Path, default=HERE / "accurate", help="output folder (default: models/accurate)")
    parser.add_argument("--dev-size", type=int, default=800, help="corpus dev texts used to tune (default: %(default)s)")
    args = parser.parse_args()
    build(args.output, dev_size=args.dev_size)


if __name__ == "__main__":
    main()
