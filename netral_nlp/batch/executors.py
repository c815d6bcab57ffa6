"""Run a :class:`~netral_nlp.batch.ChunkLabeler` over chunks: in this process, or in
forked worker processes, always yielding results in input order.

Worker processes are started with ``fork`` so they inherit the already loaded model and
labeler (nothing is pickled but the chunks and results); each keeps its own duplicate
cache. Where ``fork`` is not available (Windows), or for models that hold threads and
large tensors (transformers), labelling runs in-process.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import queue
import signal
import traceback
from typing import Any, Callable, Iterable, Iterator

from .labeler import ChunkResult, RawChunk

Labeler = Callable[[RawChunk], ChunkResult]


def available_cpus() -> int:
    """CPUs this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - macOS / Windows
        return max(1, os.cpu_count() or 1)


def can_fork() -> bool:
    return "fork" in mp.get_all_start_methods()


class InlineExecutor:
    """Label chunks one after the other in this process."""

    def __init__(self, labeler: Labeler) -> None:
        self.labeler = labeler
        self.workers = 1

    def map(self, chunks: Iterable[RawChunk]) -> Iterator[ChunkResult]:
        for chunk in chunks:
            yield self.labeler(chunk)

    def close(self) -> None:
        pass


class ForkExecutor:
    """Label chunks in ``workers`` forked processes; results come back in input order.

    At most ``2 * workers + 1`` chunks are in flight, so memory does not grow with the
    input. A worker that dies (killed, out of memory) or raises stops the run with a
    ``RuntimeError`` naming the cause instead of hanging.
    """

    def __init__(self, labeler: Labeler, workers: int) -> None:
        ctx = mp.get_context("fork")
        self.workers = workers
        self._tasks: Any = ctx.Queue()
        self._results: Any = ctx.Queue()
        parent = os.getpid()
        self._procs = [
            ctx.Process(target=_worker_main, args=(labeler, self._tasks, self._results, parent),
                        name=f"netral-nlp-worker-{i}", daemon=True)
            for i in range(workers)
        ]
        for p in self._procs:
            p.start()

    def map(self, chunks: Iterable[RawChunk]) -> Iterator[ChunkResult]:
        limit = 2 * self.workers + 1
        sent = received = 0
        ready: dict[int, ChunkResult] = {}
        for chunk in chunks:
            self._tasks.put((sent, chunk))
            sent += 1
            while sent - received >= limit:
                seq, res = self._get()
                ready[seq] = res
                while received in ready:
                    yield ready.pop(received)
                    received += 1
        while received < sent:
            if received in ready:
                yield ready.pop(received)
                received += 1
                continue
            seq, res = self._get()
            ready[seq] = res

    def _get(self) -> tuple[int, ChunkResult]:
        while True:
            try:
                seq, ok, value = self._results.get(timeout=0.5)
            except queue.Empty:
                dead = [p for p in self._procs if not p.is_alive()]
                if dead:
                    code = dead[0].exitcode
                    why = f"killed by signal {-code}" if code is not None and code < 0 else f"exit status {code}"
                    raise RuntimeError(f"a labelling worker process died ({why}); "
                                       "if it ran out of memory, lower --workers or --chunk-size")
                continue
            if not ok:
                raise RuntimeError(f"a labelling worker failed:\n{value}")
            return seq, value

    def close(self) -> None:
        for _ in self._procs:
            try:
                self._tasks.put(None)
            except (OSError, ValueError):
                break
        for p in self._procs:
            p.join(timeout=2)
            if p.is_alive():
                p.terminate()
                p.join(timeout=2)
        self._tasks.close()
        self._results.close()
        self._tasks.cancel_join_thread()
        self._results.cancel_join_thread()


def _worker_main(labeler: Labeler, tasks: Any, results: Any, parent: int) -> None:
    """Worker loop: label chunks until told to stop or the parent disappears."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    # Never block at exit on results nobody will read (parent gone, e.g. after kill -9).
    results.cancel_join_thread()
    while os.getppid() == parent:
        try:
            task = tasks.get(timeout=1.0)
        except queue.Empty:
            continue
        except (EOFError, OSError):
            return
        if task is None:
            return
        seq, chunk = task
        try:
            results.put((seq, True, labeler(chunk)))
        except Exception:  # noqa: BLE001 - reported to the parent, which raises
            results.put((seq, False, traceback.format_exc()))


def make_executor(labeler: Labeler, workers: int) -> InlineExecutor | ForkExecutor:
    """An executor with ``workers`` processes (in-process when 1 or when fork is unavailable)."""
    if workers <= 1 or not can_fork():
        return InlineExecutor(labeler)
    return ForkExecutor(labeler, workers)


__all__ = ["InlineExecutor", "ForkExecutor", "make_executor", "available_cpus", "can_fork"]
