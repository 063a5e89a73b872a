"""Reading a recording back: its header, then its frames one line at a time.

:func:`open_recording` reads and checks the header at once (so a file that is not a
recording, or of another format version, fails before anything is replayed);
iterating the :class:`RecordingReader` yields :class:`RecordedFrame` tuples in file
order and raises :class:`~fluxer_rx.replay.format.MalformedRecording` at the first bad
line, after every frame before it has been yielded. The file is read lazily (one buffered
line at a time, or with :meth:`RecordingReader.batches` a chunk of lines at a time), so
recordings larger than memory replay fine.
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterator
from types import TracebackType
from typing import BinaryIO, NamedTuple, Self

import reactivex
from reactivex import Observable

from fluxer_rx.models.frame import Frame
from fluxer_rx.models.recorded_lines import decode_recorded_dispatch
from fluxer_rx.replay.format import (
    MalformedRecording,
    RecordingFileError,
    RecordingHeader,
    decode_frame_line,
    decode_header,
)

__all__ = ["RecordedFrame", "RecordingReader", "open_recording", "recording_frames"]

_CHUNK = 1 << 16


class RecordedFrame(NamedTuple):
    """One frame of a recording and when it was received (seconds since the start)."""

    at: float
    frame: Frame


class RecordingReader:
    """An open recording: :attr:`header`, then iterate for :class:`RecordedFrame`.

    A reader is a single pass over the file: iterating again continues where the last
    iteration stopped. Close it (or use ``with``) when done; iterating to the end or to
    an error does not close it.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = os.fspath(path)
        try:
            self._file: BinaryIO = open(self.path, "rb")  # noqa: SIM115  # closed by close()
        except OSError as exc:
            raise RecordingFileError(
                f"cannot read the recording {self.path}: {exc.strerror or exc}", path=self.path
            ) from exc
        self._line = 0
        self._at = 0.0
        try:
            first = self._next_line()
            if first is None:
                raise MalformedRecording(self.path, 1, "empty file: no header line")
            self.header: RecordingHeader = decode_header(first, self.path)
        except BaseException:
            self._file.close()
            raise

    def __repr__(self) -> str:
        return f"<RecordingReader {self.path!r} line={self._line}>"

    @property
    def line(self) -> int:
        """The number of the last line read (1 after the header)."""
        return self._line

    def _next_line(self) -> bytes | None:
        """The next non-blank line, or ``None`` at the end of the file."""
        try:
            for line in self._file:
                self._line += 1
                if line.strip():
                    return line
        except OSError as exc:
            raise RecordingFileError(
                f"cannot read the recording {self.path}: {exc.strerror or exc}", path=self.path
            ) from exc
        return None

    def _decode(self, line: bytes) -> tuple[float, Frame]:
        """The ``(at, frame)`` of frame line :attr:`line` the general way, which reports
        what is wrong (:func:`~fluxer_rx.replay.format.decode_frame_line`)."""
        at, frame = decode_frame_line(line, self.path, self._line, self._at)
        self._at = at
        return at, frame

    def __iter__(self) -> Iterator[RecordedFrame]:
        for batch in self.batches(1):
            yield RecordedFrame(*batch[0])

    def batches(self, size: int = 256) -> Iterator[list[tuple[float, Frame]]]:
        """The frames as lists of up to ``size`` ``(at, frame)`` pairs, in file order: what
        iterating yields, read and decoded a batch at a time (the fast way through a
        file). At a bad line, the frames before it are yielded as a last, shorter batch,
        then the error is raised. :attr:`line` is the last line read, which may be after
        the last frame of the batch just yielded."""
        batch: list[tuple[float, Frame]] = []
        append, decode = batch.append, self._decode
        try:
            while lines := self._read_lines():
                for line in lines:
                    self._line += 1
                    if line[:1] != b"{" and not line.strip():
                        continue
                    # a dispatch line in one pass when it fits, else the general way
                    fast = decode_recorded_dispatch(line)
                    if fast is not None:
                        at, shard, frame = fast
                        if self._at <= at < math.inf and shard >= 0:
                            frame.shard_id = shard
                            self._at = at
                            append((at, frame))
                        else:
                            append(decode(line))
                    else:
                        append(decode(line))
                    if len(batch) >= size:
                        yield batch
                        batch = []
                        append = batch.append
        except MalformedRecording:
            if batch:
                yield batch
            raise
        if batch:
            yield batch

    def _read_lines(self) -> list[bytes]:
        """The next lines of the file (about 64 KiB of them), ``[]`` at its end."""
        try:
            return self._file.readlines(_CHUNK)
        except OSError as exc:
            raise RecordingFileError(
                f"cannot read the recording {self.path}: {exc.strerror or exc}", path=self.path
            ) from exc

    def close(self) -> None:
        """Close the file (idempotent)."""
        self._file.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def open_recording(path: str | os.PathLike[str]) -> RecordingReader:
    """Open the recording at ``path`` and check its header.

    Raises :class:`~fluxer_rx.replay.format.RecordingFileError` when the file cannot be
    read, :class:`~fluxer_rx.replay.format.MalformedRecording` (``line=1``) when it is not
    a recording, :class:`~fluxer_rx.replay.format.UnsupportedRecordingVersion` for another
    format version.
    """
    return RecordingReader(path)


def _frames_of(path: str | os.PathLike[str]) -> Iterator[RecordedFrame]:
    with open_recording(path) as reader:
        yield from reader


def recording_frames(path: str | os.PathLike[str]) -> Observable[RecordedFrame]:
    """A cold observable of the recording's frames, as fast as they can be read.

    Each subscription opens the file, emits every :class:`RecordedFrame` in order and
    completes; a bad file or line ends it with ``on_error`` (the errors of
    :func:`open_recording` and of iteration). It does not pace by ``at`` (use
    ``Client.replay`` for that); disposing stops the reading.
    """
    return reactivex.defer(lambda _scheduler: reactivex.from_iterable(_frames_of(path)))
