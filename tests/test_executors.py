"""Worker processes of the batch engine (netral_nlp.batch.executors)."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from netral_nlp.batch.executors import ForkExecutor, InlineExecutor, can_fork
from netral_nlp.batch.labeler import ChunkResult, RawChunk

REPO = Path(__file__).resolve().parent.parent

# A run whose workers are busy (stuck) labelling when the main process is killed: before,
# they never looked at their parent again and lived on (issue 14: 5 of 33 kill -9s left
# workers behind, holding memory and the stdout of a `| tee` pipeline).
_STUCK = """
import time
from netral_nlp.batch.executors import ForkExecutor
from netral_nlp.batch.labeler import RawChunk

def stuck(chunk):
    time.sleep(600)

executor = ForkExecutor(stuck, 2)
print(" ".join(str(p.pid) for p in executor._procs), flush=True)
for _ in executor.map([RawChunk([1], [b"x"], {}, 0)] * 4):
    pass
"""


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split()[2]
    except (OSError, IndexError):
        return False
    return state != "Z"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_busy_workers_die_with_a_killed_parent():
    proc = subprocess.Popen([sys.executable, "-c", _STUCK], stdout=subprocess.PIPE, cwd=REPO)
    workers = [int(x) for x in proc.stdout.readline().split()]
    assert len(workers) == 2 and all(_alive(w) for w in workers)
    time.sleep(0.5)  # the workers are inside the labeler now
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    deadline = time.time() + 5
    while any(_alive(w) for w in workers) and time.time() < deadline:
        time.sleep(0.05)
    left = [w for w in workers if _alive(w)]
    for w in left:  # do not leak them if the assertion fails
        subprocess.run(["kill", "-9", str(w)], check=False)
    assert not left


def _double(chunk: RawChunk) -> ChunkResult:
    return ChunkResult(b"".join(chunk.items) * 2, b"", chunk.position, chunk.progress, rows=len(chunk.items))


@pytest.mark.skipif(not can_fork(), reason="needs fork")
def test_fork_executor_keeps_input_order():
    chunks = [RawChunk([i], [str(i).encode()], {"i": i}, i) for i in range(20)]
    executor = ForkExecutor(_double, 2)
    try:
        assert [r.payload for r in executor.map(chunks)] == [str(i).encode() * 2 for i in range(20)]
    finally:
        executor.close()
    assert [r.payload for r in InlineExecutor(_double).map(chunks[:2])] == [b"00", b"11"]
