"""Output locks: one run at a time per output (and errors) file.

Two runs writing the same output would delete each other's partial files and rename each
other's work into place. A run therefore holds an exclusive ``flock`` on ``<file>.lock``
for each file it writes, for its whole life. The kernel drops the lock when the process
dies, however it dies (``kill -9`` included), so a lock file left behind by a dead run
never blocks the next run or ``--resume``; only a live holder does. The lock file holds
the holder's pid, host, start time and command, which the refusal names.

Why not the ``filelock`` package: its ``UnixFileLock`` opens the lock file with
``O_TRUNC`` (3.x), so a refused second run would erase the holder's identity, it has no
place for one, and its lock files stay behind after every run. This module removes its
lock file on release, safely: a run that locked a file which was removed meanwhile sees
that the inode changed and locks the new file instead.

Forked worker processes inherit the descriptor; they close their copy right after the
fork (the lock stays with the parent), so a run whose main process died holds nothing.
Where ``fcntl`` is missing (Windows) runs are not locked.
"""

from __future__ import annotations

import json
import os
import socket
import sys
import time
import warnings
from pathlib import Path
from typing import Any, Sequence

from ..errors import OutputLockedError

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

LOCK_SUFFIX = ".lock"
_HELD: dict[int, Path] = {}  # descriptors of the locks this process holds
_RECORD_BYTES = 4096


def lock_path(path: Path) -> Path:
    """The lock file of ``path``."""
    return path.with_name(path.name + LOCK_SUFFIX)


class OutputLock:
    """Exclusive locks on the files of one run (``with OutputLock([dst, errors]): ...``).

    Raises:
        OutputLockedError: another live process holds one of them (the message names its
            pid, host, start time and command).
    """

    def __init__(self, paths: Sequence[Path], what: str = "output") -> None:
        self.paths = list(dict.fromkeys(lock_path(p) for p in paths))
        self.what = what
        self._fds: list[tuple[int, Path]] = []

    def acquire(self) -> "OutputLock":
        if fcntl is None:  # pragma: no cover - Windows
            return self
        try:
            for path in self.paths:
                fd = _lock(path, self.what)
                if fd is not None:
                    self._fds.append((fd, path))
        except BaseException:
            self.release()
            raise
        return self

    def release(self) -> None:
        while self._fds:
            fd, path = self._fds.pop()
            _HELD.pop(fd, None)
            try:
                if _same_file(fd, path):
                    path.unlink()
            except OSError:
                pass
            os.close(fd)  # drops the lock (the unlink came first: a waiting run re-checks)

    def __enter__(self) -> "OutputLock":
        return self.acquire()

    def __exit__(self, *exc: Any) -> None:
        self.release()


def _lock(path: Path, what: str) -> int | None:
    """Lock ``path`` (created if needed) and write this process's record into it."""
    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _read_record(fd)
            os.close(fd)
            raise OutputLockedError(_refusal(path, holder, what), holder) from None
        except OSError as exc:  # the file system has no locks (some network mounts)
            os.close(fd)
            warnings.warn(f"{path}: cannot lock ({exc}); make sure no other run writes the same {what}",
                          RuntimeWarning, stacklevel=3)
            return None
        if _same_file(fd, path):
            break
        os.close(fd)  # the holder removed it between our open and our lock: lock the new one
    record = {"pid": os.getpid(), "host": socket.gethostname(), "started": time.strftime("%Y-%m-%d %H:%M:%S"),
              "command": " ".join(sys.argv)[:1000]}
    os.ftruncate(fd, 0)
    os.pwrite(fd, json.dumps(record).encode("utf-8"), 0)
    _HELD[fd] = path
    return fd


def _same_file(fd: int, path: Path) -> bool:
    try:
        a, b = os.fstat(fd), os.stat(path)
    except OSError:
        return False
    return (a.st_dev, a.st_ino) == (b.st_dev, b.st_ino)


def _read_record(fd: int) -> dict[str, Any]:
    try:
        record = json.loads(os.pread(fd, _RECORD_BYTES, 0) or b"{}")
    except (OSError, ValueError):
        return {}
    return record if isinstance(record, dict) else {}


def _refusal(path: Path, holder: dict[str, Any], what: str) -> str:
    target = path.with_name(path.name[: -len(LOCK_SUFFIX)])
    if holder.get("pid"):
        who = f"pid {holder['pid']} on host {holder.get('host', '?')}, started {holder.get('started', '?')}"
        if holder.get("command"):
            who += f": {holder['command']}"
    else:
        who = "a process that is just starting"
    return (f"{target}: another run is writing this {what} ({who}); wait for it to finish or stop it. "
            f"Two runs on one file would mix or lose rows. (Lock file: {path}; a lock left by a process "
            "that has died does not count.)")


def _close_inherited() -> None:
    """In a forked child: close the inherited lock descriptors (the parent keeps the locks)."""
    for fd in list(_HELD):
        try:
            os.close(fd)
        except OSError:
            pass
    _HELD.clear()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_close_inherited)


__all__ = ["OutputLock", "lock_path", "LOCK_SUFFIX"]
