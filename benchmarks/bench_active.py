"""Active learning on real data: does ``suggest`` need half the labels that random picking needs?

    python benchmarks/bench_active.py              # both sets, 2 seeds per strategy
    python benchmarks/bench_active.py --quick      # 1 seed per strategy
    python benchmarks/bench_active.py --sets hate --seeds 2 --jobs 1

The analyst's loop, simulated on a public labelled set whose kind of text the project
corpus barely covers: the hate-speech tweets (``HS`` → ``sara_ujaran_kebencian``) and the
hoax headlines (``Berita_Hoax`` → ``hoaks``), loaded by ``_real.py`` from ``../shared/data``
(nothing is copied into the repository; "dataset absent" and exit 0 without it).

Per set: a seeded stratified test part (``--test`` texts) is held out and a pool of
``--pool`` texts is drawn from the rest. Starting from the shipped default model (trained
on the corpus), each round picks ``--batch`` pool texts, "labels" them with the set's gold
label for the one topic (a labelling sheet with only that topic's column, as an analyst
checking one topic writes it), and updates the default model with all the labels so far
(:func:`netral_nlp.update_model`: corpus + corrections, thresholds on corpus dev + the
held-out quarter of the corrections). The model measured is that first fit (``--refit``:
the final refit on all the labels, which doubles the run time). Two strategies, each with several seeds: ``suggest`` (the model of the
previous round chooses, ``topics=[topic]``) and ``random``. After each round: the
two-class macro-F1 (topic / not topic) on the test part, with the model's own threshold.

Target (per set): the mean ``suggest`` curve reaches the mean ``random`` figure at the
last round (400 labels by default) with at most half the labels (200). Exit status 1 when
a set misses it. Each update refits the linear model on the whole corpus train split
(15,464 texts since corpus v2; about 30 s of CPU), so the run takes about 64 × 40 s of CPU
for both sets with 2 seeds; ``--jobs 2`` runs two strategy/seed runs at once.
"""

from __future__ import annotations

import argparse
import csv
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from _real import DATA, RealSet, load_hate, load_hoax, macro_f1

LOADERS = {"hate": load_hate, "hoax": load_hoax}


def split(data: RealSet, n_test: int, n_pool: int, seed: int = 42) -> tuple[np.ndarray, np.ndarray]:
    """Stratified test indices and a random pool from the rest (both seeded)."""
    from sklearn.model_selection import train_test_split

    idx = np.arange(len(data.texts))
    rest, test = train_test_split(idx, test_size=min(n_test, len(idx) // 3), stratify=data.y, random_state=seed)
    pool = np.random.default_rng(seed).choice(rest, size=min(n_pool, len(rest)), replace=False)
    return np.sort(test), np.sort(pool)


def test_f1(model: Any, data: RealSet, test: np.ndarray) -> float:
    j = model.labels.index(data.topic)
    scores = model.predict_proba([data.texts[i] for i in test])[:, j]
    return macro_f1(data.y[test], (scores >= model.thresholds_[j]).astype(int))


def write_sheet(path: Path, data: RealSet, chosen: list[int]) -> None:
    """What the analyst hands back: the chosen texts with the gold label of the one topic."""
    with open(path, "w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(["id", "text", data.topic])
        out.writerows([i, data.texts[i], int(data.y[i])] for i in chosen)


def run(data: RealSet, test: np.ndarray, pool: np.ndarray, strategy: str, seed: int, rounds: int,
        batch: int, refit: bool = False) -> list[float]:
    """One strategy, one seed: test macro-F1 after each round."""
    import netral_nlp

    model = netral_nlp.load()
    rng = np.random.default_rng(1000 + seed)
    chosen: list[int] = []
    curve = []
    with tempfile.TemporaryDirectory(prefix="bench-active-") as tmp:
        sheet = Path(tmp) / "sheet.csv"
        for _ in range(rounds):
            taken = set(chosen)
            left = [int(i) for i in pool if int(i) not in taken]
            if strategy == "random":
                chosen += [int(i) for i in rng.choice(left, size=batch, replace=False)]
            else:
                picked = netral_nlp.suggest(model, [data.texts[i] for i in left], n=batch, topics=[data.topic],
                                            seed=seed)
                chosen += [left[r["row"] - 1] for r in picked.rows]
            write_sheet(sheet, data, chosen)
            model = netral_nlp.update_model(sheet, seed=seed, refit=refit).model
            curve.append(test_f1(model, data, test))
            print(f"  {data.topic} {strategy} seed {seed}: {len(chosen)} labels, macro-F1 {curve[-1]:.3f}", flush=True)
    return curve


def corpus_only(data: RealSet, test: np.ndarray) -> float:
    """The default model's recipe refitted on the current corpus, no corrections (what a
    round's update starts from; the shipped model may predate the corpus)."""
    import netral_nlp

    base = netral_nlp.load()
    train, dev = list(netral_nlp.iter_corpus("train")), list(netral_nlp.iter_corpus("dev"))
    model = netral_nlp.LinearTopicClassifier(base.taxonomy, normalizer=base.normalizer, **base.get_params())
    model.fit([r["text"] for r in train], [r["labels"] for r in train])
    model.tune_thresholds([r["text"] for r in dev], [r["labels"] for r in dev])
    return test_f1(model, data, test)


def labels_needed(curve: np.ndarray, target: float, batch: int) -> int | None:
    """Fewest labels at which ``curve`` (mean F1 per round) reaches ``target``."""
    hits = np.flatnonzero(curve >= target - 1e-12)
    return int((hits[0] + 1) * batch) if len(hits) else None


def report(data: RealSet, start: tuple[float, float], curves: dict[str, np.ndarray], batch: int) -> bool:
    from netral_nlp.cli._format import table

    rows = [["0 (shipped model)", f"{start[0]:.3f}", f"{start[0]:.3f}", ""],
            ["0 (corpus refit)", f"{start[1]:.3f}", f"{start[1]:.3f}", ""]]
    for r in range(curves["random"].shape[1]):
        rnd, sug = curves["random"][:, r], curves["suggest"][:, r]
        rows.append([(r + 1) * batch, f"{rnd.mean():.3f} ± {rnd.std():.3f}", f"{sug.mean():.3f} ± {sug.std():.3f}",
                     f"{sug.mean() - rnd.mean():+.3f}"])
    print(f"\n{data.name} → {data.topic}: test macro-F1 by labels used "
          f"(mean ± sd over {len(curves['random'])} seeds)")
    print(table(["labels", "random", "suggest", "suggest − random"], rows, align="lrrr"))
    final = curves["random"].mean(axis=0)[-1]
    need = labels_needed(curves["suggest"].mean(axis=0), final, batch)
    budget = curves["random"].shape[1] * batch // 2
    ok = need is not None and need <= budget
    print(f"random reaches {final:.3f} with {curves['random'].shape[1] * batch} labels; suggest reaches it with "
          f"{need if need is not None else 'more than ' + str(curves['random'].shape[1] * batch)} labels "
          f"(target ≤ {budget}): {'PASS' if ok else 'MISS'}")
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sets", default="hate,hoax", help="comma-separated: hate, hoax (default: both)")
    parser.add_argument("--seeds", type=int, default=2, help="seeds per strategy (default: 2)")
    parser.add_argument("--refit", action="store_true",
                        help="measure update_model's final refit on all labels (twice the time) instead of its "
                             "first fit (75 %% of the labels; the held-out quarter tunes the thresholds)")
    parser.add_argument("--quick", action="store_true", help="one seed per strategy")
    parser.add_argument("--rounds", type=int, default=8, help="rounds (default: 8)")
    parser.add_argument("--batch", type=int, default=50, help="labels per round (default: 50)")
    parser.add_argument("--test", type=int, default=2000, help="test texts per set (default: 2000)")
    parser.add_argument("--pool", type=int, default=3000, help="pool texts per set (default: 3000)")
    parser.add_argument("--jobs", type=int, default=2, help="runs in parallel (default: 2)")
    args = parser.parse_args()
    from joblib import Parallel, delayed

    import netral_nlp

    seeds = list(range(1 if args.quick else args.seeds))
    verdicts = []
    for name in args.sets.split(","):
        data = LOADERS[name.strip()]()
        if data is None:
            print(f"{name}: dataset absent (looked in {DATA}); skipped")
            continue
        t0 = time.perf_counter()
        test, pool = split(data, args.test, args.pool)
        start = (test_f1(netral_nlp.load(), data, test), corpus_only(data, test))
        jobs = [(s, seed) for s in ("random", "suggest") for seed in seeds]
        got = Parallel(n_jobs=args.jobs)(
            delayed(run)(data, test, pool, s, seed, args.rounds, args.batch, args.refit) for s, seed in jobs)
        curves = {s: np.array([c for (js, _), c in zip(jobs, got) if js == s]) for s in ("random", "suggest")}
        verdicts.append(report(data, start, curves, args.batch))
        print(f"({len(test)} test texts, {len(pool)} pool texts, positives {data.y[test].mean():.0%}; "
              f"{time.perf_counter() - t0:.0f}s)", flush=True)
    if not verdicts:
        return 0
    print(f"\nverdict: {sum(verdicts)}/{len(verdicts)} sets meet the target")
    return 0 if all(verdicts) else 1


if __name__ == "__main__":
    sys.exit(main())
