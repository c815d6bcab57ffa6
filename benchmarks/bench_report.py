"""Peak memory and time of ``netral-nlp report`` on 100,000 and 1,000,000 labelled rows.

The labelled files are built without labelling a million posts: a pool of realistic posts
(benchmarks/_posts.py) is scored once by the default model, and the rows are drawn from that
pool (the post kept under ``input`` as ``label --keep-fields`` writes it, its ``created_at``
spread over 90 days, ``platform`` as a grouping field). The report (shares over time and by
platform, examples) runs in a subprocess while this script samples its resident memory (VmRSS)
every 50 ms.

Target (issue 18): the 1M-row report within the memory bound of ``label`` (peak < 1.5 GB)
and flat (1M-row peak at most 25 % + 50 MB above the 100k-row peak). Exit status 1 otherwise.

    python benchmarks/bench_report.py [--sizes 100000,1000000] [--pool 5000]
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
LIMIT = 1.5e9


def _rss(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def write_labelled(path: Path, n: int, pool: list[tuple[dict, list[str], dict]]) -> Path:
    rng = random.Random(n)
    start = datetime(2024, 1, 1, tzinfo=timezone.utc)
    with open(path, "w", encoding="utf-8") as fh:
        for i in range(n):
            post, labels, scores = pool[rng.randrange(len(pool))]
            when = start + timedelta(seconds=rng.randrange(90 * 86400))
            rec = {"row": i + 1, "labels": labels, "scores": scores,
                   "input": {**post, "created_at": when.isoformat().replace("+00:00", "Z")}}
            fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
    return path


def measure(src: Path, out: Path) -> tuple[int, float]:
    cmd = [sys.executable, "-m", "netral_nlp", "report", str(src), "-o", str(out), "-q",
           "--date-field", "created_at", "--by", "platform"]
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak = 0
    while proc.poll() is None:
        peak = max(peak, _rss(proc.pid))
        time.sleep(0.05)
    if proc.returncode != 0:
        raise SystemExit(f"report failed: {proc.stderr.read().decode()[-2000:]}")
    return peak, time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="100000,1000000")
    ap.add_argument("--pool", type=int, default=5000, help="distinct posts scored by the model")
    args = ap.parse_args(argv)
    if not Path("/proc/self/status").exists():
        print("needs Linux /proc to sample memory; skipped")
        return 0
    import netral_nlp
    from _posts import iter_posts

    clf = netral_nlp.load()
    posts = list(iter_posts(args.pool, seed=3))
    scores = clf.predict_proba([p["text"] for p in posts])
    pool = [(p, labs, {t: round(float(v), 4) for t, v in zip(clf.labels, row)})
            for p, labs, row in zip(posts, clf.decide(scores), scores)]
    rows = []
    with tempfile.TemporaryDirectory(prefix="netral-bench-") as tmp:
        for n in [int(s) for s in args.sizes.split(",")]:
            src = write_labelled(Path(tmp) / f"labelled-{n}.jsonl", n, pool)
            mb = src.stat().st_size / 1e6
            peak, secs = measure(src, Path(tmp) / f"report-{n}.html")
            rows.append((n, mb, peak, secs))
            print(f"{n:,} rows done", flush=True)
            src.unlink()
    print(f"\n{'rows':>10s} {'file MB':>8s} {'peak RSS':>10s} {'seconds':>8s} {'rows/s':>8s}")
    for n, mb, peak, secs in rows:
        print(f"{n:>10,} {mb:>8.0f} {peak / 1e6:>7.0f} MB {secs:>8.1f} {n / secs:>8,.0f}")
    small, big = rows[0][2], rows[-1][2]
    ok = all(r[2] < LIMIT for r in rows) and big <= small * 1.25 + 50e6
    print(f"\ntarget: every peak < {LIMIT / 1e9:.1f} GB and flat (largest <= smallest x1.25 + 50 MB) -> "
          f"{big / small:.2f}x: {'PASS' if ok else 'FAIL'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
