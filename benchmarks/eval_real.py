"""Real-data evaluation of netral_nlp on public Indonesian data sets.

    python benchmarks/eval_real.py            # both parts, 5 folds (a few minutes on 2 CPU cores)
    python benchmarks/eval_real.py --quick    # two candidate configurations per fold instead of three

Reads ``../shared/data`` relative to the repository root at run time (see its README;
nothing from it is copied into the repository) and prints "dataset absent" and exits 0
when it is missing.

(a) The embedded default model on real texts mapped to our topics: hoax headlines
    (``Berita_Hoax`` → ``hoaks``) and hate-speech tweets (``HS == 1`` → ``sara_ujaran_kebencian``;
    strict variant ``HS_Religion | HS_Race | HS_Group``). Reported as they are.
(b) The library trained on each data set's own texts (de-duplicated, stratified 5-fold):
    :class:`netral_nlp.LinearTopicClassifier` with a one-topic taxonomy, its constructor
    parameters and decision threshold chosen *inside* each training fold (an inner
    stratified 80/20 split), against a plain TF-IDF + LogisticRegression baseline on the
    same folds. Macro-F1 is over the two classes (topic / not topic).

Targets: hoax headlines macro-F1 ≥ 0.93, hate-speech HS macro-F1 ≥ 0.88. The exit status
is 1 when a target is missed, 0 otherwise.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data"
HOAX_CSV = Path("hoax_pilpres_24") / "data_berita.csv"
HATE_CSV = Path("id_multilabel_hatespeech") / "re_dataset.csv"
TARGETS = {"hoax headlines": 0.93, "hate speech (HS)": 0.88}
THRESHOLD_GRID = np.round(np.arange(0.05, 0.951, 0.01), 2)
_ESCAPES = re.compile(r"(?:\\x[0-9a-fA-F]{2})+")  # emoji written as literal \xf0\x9f... in the tweets


@dataclass
class RealSet:
    """One binary real-data task: texts, 0/1 targets, and the topic they map to."""

    name: str
    topic: str
    texts: list[str]
    y: np.ndarray
    n_raw: int


# ---------------------------------------------------------------------------- data
def _dedup(texts: list[str], y: np.ndarray) -> tuple[list[str], np.ndarray]:
    """Keep one copy per text (case and white space ignored); drop texts labelled both ways."""
    keys = [" ".join(t.lower().split()) for t in texts]
    labels_of: dict[str, set[int]] = {}
    for k, v in zip(keys, y):
        labels_of.setdefault(k, set()).add(int(v))
    seen: set[str] = set()
    keep = []
    for i, k in enumerate(keys):
        if k in seen or len(labels_of[k]) > 1 or not k:
            continue
        seen.add(k)
        keep.append(i)
    return [texts[i] for i in keep], y[keep]


def load_hoax(data_dir: Path) -> RealSet | None:
    import pandas as pd

    path = data_dir / HOAX_CSV
    if not path.is_file():
        return None
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    y = (frame["Berita_Hoax"].str.strip().str.lower() == "true").to_numpy(dtype=int)
    texts, y = _dedup(frame["Judul Artikel"].str.strip().tolist(), y)
    return RealSet("hoax headlines", "hoaks", texts, y, len(frame))


def clean_tweet(text: str) -> str:
    """Undo the data set's escaping: literal ``\\xf0\\x9f..`` byte escapes and ``\\n``."""
    return _ESCAPES.sub(" ", text).replace("\\n", " ")


def load_hate(data_dir: Path, strict: bool = False) -> RealSet | None:
    import pandas as pd

    path = data_dir / HATE_CSV
    if not path.is_file():
        return None
    frame = pd.read_csv(path, encoding="latin-1", dtype=str, keep_default_na=False)  # not valid UTF-8
    flag = {c: frame[c].astype(int) for c in ("HS", "HS_Religion", "HS_Race", "HS_Group")}
    y = ((flag["HS_Religion"] | flag["HS_Race"] | flag["HS_Group"]) if strict else flag["HS"]).to_numpy()
    texts, y = _dedup([clean_tweet(t) for t in frame["Tweet"]], y)
    name = "hate speech (religion/race/group)" if strict else "hate speech (HS)"
    return RealSet(name, "sara_ujaran_kebencian", texts, y, len(frame))


# ---------------------------------------------------------------------------- helpers
def macro_f1(y: np.ndarray, pred: np.ndarray) -> float:
    from sklearn.metrics import f1_score

    return float(f1_score(y, pred, average="macro", zero_division=0.0))


def best_macro_threshold(y: np.ndarray, scores: np.ndarray) -> tuple[float, float]:
    """Threshold of :data:`THRESHOLD_GRID` with the best two-class macro-F1 (ties: nearest 0.5)."""
    f1s = np.array([macro_f1(y, (scores >= t).astype(int)) for t in THRESHOLD_GRID])
    best = np.flatnonzero(np.isclose(f1s, f1s.max()))
    i = best[np.argmin(np.abs(THRESHOLD_GRID[best] - 0.5))]
    return float(THRESHOLD_GRID[i]), float(f1s[i])


def candidates(quick: bool) -> dict[str, dict[str, Any]]:
    """Constructor parameters of LinearTopicClassifier tried inside each training fold."""
    from netral_nlp import Normalizer

    cased = Normalizer(lowercase=False)  # keeps ALL-CAPS and casing style as character features
    grid = {
        "cased, char 1-5, C=8": dict(C=8.0, normalizer=cased, char_ngram_range=(1, 5)),
        "char 1-5, min_df=1, C=4": dict(C=4.0, char_ngram_range=(1, 5), min_df=1),
        "default features, C=8": dict(C=8.0),
    }
    return dict(list(grid.items())[:2]) if quick else grid


def fit_linear(texts: list[str], y: np.ndarray, topic: str, params: dict[str, Any]) -> Any:
    from netral_nlp import LinearTopicClassifier, Taxonomy

    return LinearTopicClassifier(Taxonomy.from_labels([topic]), **params).fit(texts, y.reshape(-1, 1))


def run_fold(data: RealSet, train: np.ndarray, test: np.ndarray, quick: bool, seed: int) -> dict[str, Any]:
    """One outer fold: the baseline, and the linear model tuned on an inner split of ``train``."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import train_test_split
    from sklearn.pipeline import make_pipeline

    t0 = time.perf_counter()
    texts, y = data.texts, data.y
    pick = lambda idx: [texts[i] for i in idx]  # noqa: E731
    baseline = make_pipeline(TfidfVectorizer(), LogisticRegression(max_iter=1000))
    baseline.fit(pick(train), y[train])
    base_f1 = macro_f1(y[test], baseline.predict(pick(test)))

    inner_tr, inner_val = train_test_split(train, test_size=0.2, stratify=y[train], random_state=seed)
    tried = {}
    for name, params in candidates(quick).items():
        model = fit_linear(pick(inner_tr), y[inner_tr], data.topic, params)
        tried[name] = best_macro_threshold(y[inner_val], model.predict_proba(pick(inner_val))[:, 0])
    choice = max(tried, key=lambda k: tried[k][1])
    threshold = tried[choice][0]
    model = fit_linear(pick(train), y[train], data.topic, candidates(quick)[choice])
    scores = model.predict_proba(pick(test))[:, 0]
    return {"baseline": base_f1, "linear": macro_f1(y[test], (scores >= threshold).astype(int)),
            "linear_at_0.5": macro_f1(y[test], (scores >= 0.5).astype(int)),
            "choice": choice, "threshold": threshold, "seconds": time.perf_counter() - t0}


def cross_validate(data: RealSet, folds: int, quick: bool, jobs: int) -> list[dict[str, Any]]:
    from joblib import Parallel, delayed
    from sklearn.model_selection import StratifiedKFold

    splits = StratifiedKFold(folds, shuffle=True, random_state=42).split(np.zeros(len(data.y)), data.y)
    return Parallel(n_jobs=jobs)(delayed(run_fold)(data, tr, te, quick, seed) for seed, (tr, te) in enumerate(splits))


def table(headers: list[str], rows: list[list[Any]]) -> str:
    from netral_nlp.cli._format import table as render

    return render(headers, rows, align="l" + "r" * (len(headers) - 1))


# ---------------------------------------------------------------------------- sections
def part_a(sets: list[RealSet]) -> None:
    import netral_nlp
    from sklearn.metrics import roc_auc_score

    clf = netral_nlp.load()
    rows = []
    for data in sets:
        labels = [[data.topic] if v else [] for v in data.y]
        report = netral_nlp.evaluate(clf, (data.texts, labels), topics=[data.topic])
        topic = report.per_topic()[0]
        pred = report.y_pred[:, 0]
        rows.append([data.name, data.topic, len(data.texts), int(data.y.sum()), topic["precision"], topic["recall"],
                     topic["f1"], macro_f1(data.y, pred), float(roc_auc_score(data.y, report.proba[:, 0])),
                     report.expected_calibration_error(data.topic)])
    print("(a) the embedded default model (trained on the project corpus only), its own thresholds\n")
    print(table(["data set", "topic", "texts", "positives", "precision", "recall", "F1 (topic)", "macro-F1",
                 "ROC AUC", "ECE"], rows))
    print("\nmacro-F1 = mean of the F1 of 'topic' and of 'not topic'. ROC AUC measures the ranking alone.\n")


def part_b(sets: list[RealSet], folds: int, quick: bool, jobs: int) -> bool:
    rows, notes, all_met = [], [], True
    for data in sets:
        if data.name not in TARGETS:
            continue
        t0 = time.perf_counter()
        results = cross_validate(data, folds, quick, jobs)
        seconds = time.perf_counter() - t0
        base = np.array([r["baseline"] for r in results])
        lin = np.array([r["linear"] for r in results])
        lin05 = np.array([r["linear_at_0.5"] for r in results])
        target = TARGETS[data.name]
        met = lin.mean() >= target
        all_met &= bool(met)
        rows.append([data.name, len(data.texts), f"{base.mean():.3f} ± {base.std():.3f}",
                     f"{lin05.mean():.3f} ± {lin05.std():.3f}", f"{lin.mean():.3f} ± {lin.std():.3f}",
                     f"≥ {target:.2f}", "MET" if met else "BELOW TARGET", f"{seconds:.0f}s"])
        picked = Counter(r["choice"] for r in results)
        thresholds = [r["threshold"] for r in results]
        notes.append(f"  {data.name}: chosen in the folds: "
                     + "; ".join(f"{name} ×{n}" for name, n in picked.most_common())
                     + f"; thresholds {min(thresholds):.2f}–{max(thresholds):.2f}")
    print(f"(b) trained on each data set's own texts: de-duplicated, stratified {folds}-fold, same folds for all\n")
    print(table(["data set", "texts", "baseline TF-IDF+LR", "Linear (thr. 0.5)", "Linear (tuned in folds)",
                 "target", "verdict", "time"], rows))
    print("\nbaseline: sklearn TfidfVectorizer() + LogisticRegression() with default settings.")
    print("Linear: netral_nlp.LinearTopicClassifier (one-topic taxonomy); constructor parameters and the "
          "decision threshold\nchosen on an inner 80/20 split of each training fold only (macro-F1), then refit "
          "on the whole training fold.")
    print("\n".join(notes))
    print("Transformer: fine-tuning one on every fold does not fit in a few minutes on 2 CPU cores, so it is not "
          "run here;\nbenchmarks/bench_e5.py measures the fine-tuned multilingual-e5-small on the same two data sets.")
    if not all_met:
        print("\nA target is missed: with constructor parameters alone, LinearTopicClassifier (TF-IDF + logistic "
              "regression)\ndoes not reach it on these folds. Reported as measured, not tuned on the test folds.")
    return all_met


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", type=Path, default=DATA, help="folder of the real data (default: ../shared/data)")
    parser.add_argument("--folds", type=int, default=5, help="outer cross-validation folds (default: 5)")
    parser.add_argument("--quick", action="store_true", help="two candidate configurations instead of three")
    parser.add_argument("--jobs", type=int, default=min(5, os.cpu_count() or 1), help="folds run in parallel")
    parser.add_argument("--part", choices=["a", "b", "both"], default="both")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    hoax, hate = load_hoax(args.data_dir), load_hate(args.data_dir)
    if hoax is None or hate is None:
        print(f"dataset absent: {args.data_dir / HOAX_CSV} or {args.data_dir / HATE_CSV} not found; nothing to do")
        return 0
    strict = load_hate(args.data_dir, strict=True)
    sets = [s for s in (hoax, hate, strict) if s is not None]
    for s in sets:
        print(f"{s.name}: {s.n_raw} rows, {len(s.texts)} after de-duplication, {s.y.mean():.1%} positive")
    print()
    ok = True
    if args.part in ("a", "both"):
        part_a(sets)
    if args.part in ("b", "both"):
        ok = part_b(sets, args.folds, args.quick, args.jobs)
    print(f"\ntotal time {time.perf_counter() - started:.0f}s")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
