"""Throughput of ``label_dump`` with the default TF-IDF model, JSONL -> JSONL, end to end.

100,000 realistic posts (benchmarks/_posts.py: X/Twitter-style records, noise, ~20 %
retweets and copy-paste duplicates) are written to a temporary file; then, timed, each
including the model load:

* naive: ``json.loads`` each line, ``clf.predict`` batches of 1,000, ``json.dumps`` each
  result (the obvious script; on the first 20,000 rows, for context);
* ``label_dump`` in one process (``workers=1``) and with two forked workers (``workers=2``),
  whose outputs must be byte-identical;
* ``label_dump`` with its default workers (one per CPU, up to 8).

Target: the default ``label_dump`` >= 10,000 posts/s on 2 cores; exit status 1 below it.
CPU seconds (this process and its workers) are printed too: on a machine shared with other
jobs, wall time drops while CPU time per post does not.

    python benchmarks/bench_dump.py [--rows 100000]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

TARGET = 10_000


def cpu_seconds() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def naive(src: Path, dst: Path, limit: int) -> int:
    import netral_nlp

    clf = netral_nlp.load()
    n = 0
    with open(src, encoding="utf-8") as fin, open(dst, "w", encoding="utf-8") as fout:
        batch: list[dict] = []

        def flush() -> None:
            for rec, pred in zip(batch, clf.predict([r["text"] for r in batch])):
                fout.write(json.dumps({"id": rec["id"], **pred.to_dict()}, ensure_ascii=False) + "\n")
            batch.clear()

        for line in fin:
            batch.append(json.loads(line))
            n += 1
            if len(batch) == 1000:
                flush()
            if n >= limit:
                break
        flush()
    return n


def timed(fn, *args, **kwargs) -> tuple[object, float, float]:
    c0, t0 = cpu_seconds(), time.perf_counter()
    out = fn(*args, **kwargs)
    return out, time.perf_counter() - t0, cpu_seconds() - c0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--naive-rows", type=int, default=20_000)
    args = ap.parse_args(argv)

    from _posts import write_jsonl

    from netral_nlp import label_dump
    from netral_nlp.batch.executors import available_cpus

    with tempfile.TemporaryDirectory(prefix="netral-bench-") as tmp:
        src = write_jsonl(Path(tmp) / "posts.jsonl", args.rows, seed=0)
        size_mb = src.stat().st_size / 1e6
        load = os.getloadavg()[0]
        print(f"{args.rows:,} posts, {size_mb:.0f} MB JSONL; {available_cpus()} CPUs; load average {load:.1f}", flush=True)
        rows = []
        n, secs, cpu = timed(naive, src, Path(tmp) / "naive.jsonl", args.naive_rows)
        rows.append(["naive json + clf.predict", n, secs, cpu, None])
        summaries = {}
        for name, workers in (("label_dump workers=1", 1), ("label_dump workers=2", 2),
                              ("label_dump (default workers)", None)):
            s, secs, cpu = timed(label_dump, src, Path(tmp) / f"out-{workers}.jsonl", "default", id_field="id",
                                 workers=workers, progress=False)
            summaries[name] = s
            rows.append([name + (f" [{s.workers}]" if workers is None else ""), s.rows_read, secs, cpu, s.cached])
        outputs = {w: (Path(tmp) / f"out-{w}.jsonl").read_bytes() for w in (1, 2, None)}
        same = outputs[1] == outputs[2] == outputs[None]
        load_after = os.getloadavg()[0]
    print()
    print(f"{'path':36s} {'rows':>8s} {'seconds':>8s} {'rows/s':>8s} {'CPU s':>7s} {'rows/CPU-s':>10s} {'cached':>7s}")
    for name, n, secs, cpu, cached in rows:
        print(f"{name:36s} {n:>8,} {secs:>8.2f} {n / secs:>8,.0f} {cpu:>7.2f} {n / cpu:>10,.0f} "
              f"{'' if cached is None else f'{cached:,}':>7s}")
    best = rows[-1][1] / rows[-1][2]
    cpus = available_cpus()
    print(f"\noutputs of 1, 2 and default ({summaries['label_dump (default workers)'].workers}) workers identical: {same}; "
          f"load average before/after: {load:.1f}/{load_after:.1f}")
    if load > cpus:  # other jobs hold the CPUs: say what the measured CPU cost implies
        print(f"machine busy (load {load:.1f} on {cpus} CPUs): CPU cost {rows[-1][3]:.1f} s per {rows[-1][1]:,} rows "
              f"= {rows[-1][1] / rows[-1][3] * cpus:,.0f} posts/s if the {cpus} CPUs were free")
    ok = best >= TARGET and same
    print(f"target: >= {TARGET:,} posts/s end to end -> {best:,.0f} posts/s: {'PASS' if ok else 'FAIL'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
