"""Rebuild the embedded default model from the project corpus.

    python models/build_default.py            # writes models/default/

Fits :class:`netral_nlp.LinearTopicClassifier` on the corpus train split for a few values
of ``C``, keeps the one with the best dev macro-F1 (thresholds tuned on dev), records dev
and test metrics in the model's ``netral_config.json``, its scores on the dev split in
``prevalence.json`` (for the prevalence estimators) and saves it without pickle.
Deterministic: the same corpus gives the same model.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from netral_nlp import LinearTopicClassifier, evaluate, iter_corpus
from netral_nlp.quantify import fit_calibration

HERE = Path(__file__).resolve().parent


def build(out_dir: Path, c_grid: tuple[float, ...] = (2.0, 4.0, 8.0, 16.0), verbose: bool = True) -> LinearTopicClassifier:
    data = {s: list(iter_corpus(s, root=HERE.parent / "data")) for s in ("train", "dev", "test")}
    texts = {s: [r["text"] for r in recs] for s, recs in data.items()}
    labels = {s: [r["labels"] for r in recs] for s, recs in data.items()}
    best = None
    for c in c_grid:
        t0 = time.perf_counter()
        model = LinearTopicClassifier(C=c).fit(texts["train"], labels["train"])
        model.tune_thresholds(texts["dev"], labels["dev"])
        dev = evaluate(model, (texts["dev"], labels["dev"]))
        if verbose:
            print(f"C={c:<5} dev macro-F1 {dev.macro_f1:.3f}  micro-F1 {dev.micro_f1:.3f}  ({time.perf_counter() - t0:.1f}s)")
        if best is None or dev.macro_f1 > best[0]:
            best = (dev.macro_f1, model, dev)
    _, model, dev = best
    test = evaluate(model, (texts["test"], labels["test"]))
    model.metrics_ = {
        "corpus_dev": {"summary": dev.summary(), "per_topic": dev.per_topic()},
        "corpus_test": {"summary": test.summary(), "per_topic": test.per_topic()},
        "training": {"n_train": len(texts["train"]), "n_dev": len(texts["dev"]), "C": model.C},
    }
    model.prevalence_ = fit_calibration(model).to_dict()  # what estimate_prevalence needs (prevalence.json)
    model.save_pretrained(out_dir)
    if verbose:
        print(f"saved to {out_dir} (C={model.C}); test macro-F1 {test.macro_f1:.3f}")
        print(test.to_markdown())
    return model


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[1])
    parser.add_argument("-o", "--output", type=Path, default=HERE / "default", help="output folder (default: models/default)")
    parser.add_argument("--C", type=float, nargs="+", default=[2.0, 4.0, 8.0, 16.0],
                        help="values of C to try; the best dev macro-F1 is kept (default: %(default)s)")
    args = parser.parse_args()
    build(args.output, tuple(args.C))


if __name__ == "__main__":
    main()
