"""Decompressed input streams that report damage instead of raising or stopping silently.

A gzip file cut short makes :class:`gzip.GzipFile` raise ``EOFError`` in the middle of a
read (trailing garbage: ``BadGzipFile``); a zstd stream cut short just ends, as if the
file were complete. Both would lose rows without anyone noticing (or with a traceback).
Here both end as a normal end of stream whose :attr:`CheckedStream.damage` says what was
wrong and where, so a reader can hand every row read before the damage to the run and
then report the damage (see :class:`netral_nlp.DamagedInputError`).

zstd is decompressed frame by frame with ``decompressobj`` fed a few KiB at a time, which
(unlike ``stream_reader``) tells whether the last frame was complete and keeps each
step's output small (a few KiB times the compression ratio).
"""

from __future__ import annotations

import contextlib
import gzip
import io
import zlib
from typing import Any, BinaryIO, Iterator

from ..errors import DataError, MissingDependencyError

BUFFER = 1 << 20
ZSTD_FEED = 1 << 13
"""Compressed bytes handed to the zstd decompressor per step."""


class _ZstdFrames:
    """``read(n)`` over concatenated zstd frames; raises ``EOFError`` when the data ends
    inside a frame (the file was cut short)."""

    def __init__(self, raw: BinaryIO) -> None:
        import zstandard

        self._raw = raw
        self._dctx = zstandard.ZstdDecompressor()
        self._obj: Any = None
        self._left = b""
        self._buf = b""
        self._pos = 0

    def read(self, n: int) -> bytes:
        while self._pos >= len(self._buf):
            if not self._fill():
                return b""
        if self._pos == 0 and n >= len(self._buf):
            out, self._buf = self._buf, b""
            return out
        out = self._buf[self._pos : self._pos + n]
        self._pos += len(out)
        return out

    def _fill(self) -> bool:
        data, self._left = self._left or self._raw.read(ZSTD_FEED), b""
        if not data:
            if self._obj is not None:
                raise EOFError("zstd stream ended inside a frame (the file is cut short)")
            return False
        if self._obj is None:
            self._obj = self._dctx.decompressobj()
        self._buf, self._pos = self._obj.decompress(data), 0
        if self._obj.eof:  # frame complete: what follows starts the next frame
            self._left, self._obj = self._obj.unused_data, None
        return True


class CheckedStream(io.RawIOBase):
    """A raw stream over a decompressor that ends cleanly on damage and records it.

    Args:
        inner: object with ``read1(n)`` or ``read(n)`` (a ``GzipFile``, :class:`_ZstdFrames`).
        raw: the file on disk (its position says where the damage is).
        kind: ``"gzip"`` or ``"zstd"``, for messages.
    """

    def __init__(self, inner: Any, raw: BinaryIO, kind: str) -> None:
        super().__init__()
        self._inner, self._raw, self._kind = inner, raw, kind
        # read1: one step at a time, so the data decoded before the damage is handed out
        # first (GzipFile.read(n) loops and would drop it when the error comes)
        self._read = getattr(inner, "read1", inner.read)
        self.damage: str | None = None

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if self.damage is not None:
            return 0
        try:
            data = self._read(len(buffer))
        except (EOFError, OSError, zlib.error, ValueError) as exc:
            self.damage = self._describe(exc)
            return 0
        n = len(data)
        buffer[:n] = data
        return n

    def _describe(self, exc: BaseException) -> str:
        try:
            where = f" at byte {self._raw.tell():,} of the file"
        except (OSError, ValueError):
            where = ""
        what = "cut short" if isinstance(exc, EOFError) else "corrupt"
        return f"{self._kind} data {what}{where} ({exc})"


def _zstd_error() -> type[BaseException]:
    import zstandard

    return zstandard.ZstdError


@contextlib.contextmanager
def open_stream(path: Any, compression: str | None) -> Iterator[tuple[BinaryIO, BinaryIO]]:
    """``(decompressed stream, raw file)``; ``raw.tell()`` measures progress on disk.

    For compressed files the stream is buffered over a :class:`CheckedStream`: damage
    ends it like a normal end of file and ``damage_of(stream)`` says what happened.
    """
    raw = open(path, "rb", buffering=BUFFER)
    try:
        if compression == "gzip":
            checked = CheckedStream(gzip.GzipFile(fileobj=raw, mode="rb"), raw, "gzip")
        elif compression == "zstd":
            try:
                frames = _ZstdFrames(raw)
            except ImportError as exc:  # pragma: no cover - zstandard is a core dependency
                raise MissingDependencyError("reading .zst files", "zstd", "zstandard") from exc
            checked = _ZstdChecked(frames, raw, "zstd")
        else:
            yield raw, raw
            return
        yield io.BufferedReader(checked, buffer_size=BUFFER), raw
    finally:
        raw.close()


class _ZstdChecked(CheckedStream):
    """:class:`CheckedStream` that also turns ``zstandard.ZstdError`` into damage."""

    def readinto(self, buffer: Any) -> int:
        if self.damage is not None:
            return 0
        try:
            return super().readinto(buffer)
        except _zstd_error() as exc:
            self.damage = self._describe(exc)
            return 0


def skip_to(stream: BinaryIO, path: Any, compression: str | None, offset: int) -> None:
    """Move ``stream`` (from :func:`open_stream`) to ``offset`` in the decompressed data: a
    seek for a plain file, decompressing and dropping the bytes for a compressed one.

    Raises:
        DataError: the stream ends before ``offset`` (the input changed since a checkpoint).
    """
    if not offset:
        return
    if compression is None:
        stream.seek(offset)
        return
    left = offset
    while left:
        got = len(stream.read(min(left, BUFFER)))
        if not got:
            raise DataError(f"{path}: shorter than the checkpoint position; the input changed")
        left -= got


def damage_of(stream: Any) -> str | None:
    """What cut a stream from :func:`open_stream` short (``None``: nothing, or not compressed)."""
    checked = getattr(stream, "raw", None)
    return checked.damage if isinstance(checked, CheckedStream) else None


__all__ = ["open_stream", "skip_to", "damage_of", "CheckedStream", "BUFFER", "ZSTD_FEED"]
