"""Peak memory of ``netral-nlp label`` at 100,000 and 1,000,000 rows: it must stay flat.

Realistic posts (benchmarks/_posts.py) are written to temporary JSONL files; the CLI
labels each one in a subprocess (default model and settings: worker processes, duplicate
cache) while this script samples, every 50 ms, the resident memory (VmRSS) of that
process and all its children. Pages shared between the parent and its forked workers are
counted in every process, so the sum is an upper bound.

Target: both peaks < 1.5 GB, and the 1M-row peak at most 25 % (+50 MB) above the
100k-row peak (the bounded caches fill up during the first few hundred thousand rows; the
per-quarter peaks show the plateau). Exit status 1 otherwise.

    python benchmarks/bench_memory.py [--sizes 100000,1000000]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
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


def _tree(pid: int) -> list[int]:
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        try:
            todo += [int(c) for c in Path(f"/proc/{p}/task/{p}/children").read_text().split()]
        except OSError:
            pass
    return out


def measure(src: Path, dst: Path) -> tuple[int, int, float, list[int]]:
    """(peak RSS summed over the process tree, peak of the largest process, seconds,
    peak RSS in each quarter of the run)."""
    cmd = [sys.executable, "-m", "netral_nlp", "label", str(src), "-o", str(dst), "-q", "--overwrite"]
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak_sum = peak_one = 0
    samples: list[tuple[float, int]] = []
    while proc.poll() is None:
        sizes = [_rss(p) for p in _tree(proc.pid)]
        peak_sum, peak_one = max(peak_sum, sum(sizes)), max(peak_one, max(sizes, default=0))
        samples.append((time.perf_counter() - start, sum(sizes)))
        time.sleep(0.05)
    seconds = time.perf_counter() - start
    quarters = [max([m for t, m in samples if q * seconds / 4 <= t < (q + 1) * seconds / 4], default=0) for q in range(4)]
    if proc.returncode != 0:
        raise SystemExit(f"labelling failed: {proc.stderr.read().decode()}")
    return peak_sum, peak_one, seconds, quarters


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="100000,1000000")
    args = ap.parse_args(argv)
    if not Path("/proc/self/status").exists():
        print("needs Linux /proc to sample memory; skipped")
        return 0
    from _posts import write_jsonl

    sizes = [int(s) for s in args.sizes.split(",")]
    rows = []
    with tempfile.TemporaryDirectory(prefix="netral-bench-") as tmp:
        for n in sizes:
            src = write_jsonl(Path(tmp) / f"posts-{n}.jsonl", n, seed=1)
            mb = src.stat().st_size / 1e6
            peak_sum, peak_one, secs, quarters = measure(src, Path(tmp) / f"out-{n}.jsonl")
            rows.append((n, mb, peak_sum, peak_one, secs, quarters))
            print(f"{n:,} rows done", flush=True)
            src.unlink()
    print(f"\n{'rows':>10s} {'input MB':>9s} {'peak RSS, all processes':>24s} {'largest process':>16s} {'seconds':>8s}"
          "  peak per quarter of the run (MB)")
    for n, mb, peak_sum, peak_one, secs, quarters in rows:
        print(f"{n:>10,} {mb:>9.0f} {peak_sum / 1e6:>21.0f} MB {peak_one / 1e6:>13.0f} MB {secs:>8.1f}  "
              + " / ".join(f"{q / 1e6:.0f}" for q in quarters))
    small, big = rows[0][2], rows[-1][2]
    flat = big <= small * 1.25 + 50e6
    ok = flat and all(r[2] < LIMIT for r in rows)
    print(f"\ntarget: every peak < {LIMIT / 1e9:.1f} GB and flat (largest <= smallest x1.25 + 50 MB) -> "
          f"{big / small:.2f}x: {'PASS' if ok else 'FAIL'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
