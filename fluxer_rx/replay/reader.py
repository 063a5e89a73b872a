"""Reading a recording back: its header, then its frames in file order.

:func:`open_recording` reads and checks the header at once (so a file that is not a
recording, or of another format version, fails before anything is replayed);
iterating the :class:`RecordingReader` yields :class:`RecordedFrame` tuples in file
order and raises :class:`~fluxer_rx.replay.format.MalformedRecording` at the first bad
line, after every frame before it has been yielded. The file is read lazily, about 64 KiB
of lines at a time, so recordings larger than memory replay fine.

Each read is decoded in as few msgspec calls as it can: a run of dispatch lines in one
(:func:`~fluxer_rx.models.recorded_lines.decode_recorded_dispatches`), any other line on
its own, the general way (:func:`~fluxer_rx.replay.format.decode_frame_line`), which names
what is wrong with it and its line. Either way a line gives the same frame.
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterator, Sequence
from types import TracebackType
from typing import Any, BinaryIO, NamedTuple, Self

import reactivex
from reactivex import Observable

from fluxer_rx.models.frame import Frame
from fluxer_rx.models.recorded_lines import decode_recorded_dispatch, decode_recorded_dispatches
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


class RecordedBlock(NamedTuple):
    """Frames read together, in file order: ``frames[i]`` was received at ``ats[i]`` and
    is on line ``lines[i]`` of the file. What a replay reads (not a public type)."""

    ats: list[float]
    frames: list[Frame]
    lines: Sequence[int]


class RecordingReader:
    """An open recording: :attr:`header`, then iterate for :class:`RecordedFrame`.

    A reader is a single pass over the file: iterating again continues where the last
    iteration stopped (:meth:`batches` continues after the last ~64 KiB read; use one or
    the other). Close it (or use ``with``) when done; iterating to the end or to an error
    does not close it.
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
        self._yielded: int | None = None
        self._at = 0.0
        try:
            first = self._next_line()
            if first is None:
                raise MalformedRecording(self.path, 1, "empty file: no header line")
            self.header: RecordingHeader = decode_header(first, self.path)
        except BaseException:
            self._file.close()
            raise
        self._blocks = self._read_blocks()
        self._each = self._each_frame()

    def __repr__(self) -> str:
        return f"<RecordingReader {self.path!r} line={self._line}>"

    @property
    def line(self) -> int:
        """The number of the last line read (1 after the header); while iterating, the
        line of the frame just yielded."""
        return self._line if self._yielded is None else self._yielded

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

    def __iter__(self) -> Iterator[RecordedFrame]:
        return self._each

    def _each_frame(self) -> Iterator[RecordedFrame]:
        try:
            for block in self._blocks:
                for at, frame, number in zip(block.ats, block.frames, block.lines, strict=True):
                    self._yielded = number
                    yield RecordedFrame(at, frame)
        finally:  # at the end, or at a bad line: the last line read
            self._yielded = None

    def batches(self, size: int = 256) -> Iterator[list[tuple[float, Frame]]]:
        """The frames as lists of up to ``size`` ``(at, frame)`` pairs, in file order: what
        iterating yields, read and decoded a block of lines at a time (the fast way
        through a file). At a bad line, the frames before it are yielded as a last,
        shorter batch, then the error is raised. :attr:`line` is the last line read, which
        may be after the last frame of the batch just yielded."""
        batch: list[tuple[float, Frame]] = []
        try:
            for block in self._blocks:
                for pair in zip(block.ats, block.frames, strict=True):
                    batch.append(pair)
                    if len(batch) >= size:
                        yield batch
                        batch = []
        except MalformedRecording:
            if batch:
                yield batch
            raise
        if batch:
            yield batch

    def _read_blocks(self) -> Iterator[RecordedBlock]:
        """A block per read of about 64 KiB of lines; at a bad line, the frames before it
        in a last block, then the error."""
        while lines := self._read_lines():
            first = self._line + 1
            frames = decode_recorded_dispatches(lines)
            if len(frames) == len(lines):  # the common case: every line in one call
                ats = [frame.at for frame in frames]
                if self._at <= ats[0] and ats == sorted(ats):
                    self._line += len(lines)
                    self._at = ats[-1]
                    yield RecordedBlock(ats, frames, range(first, first + len(lines)))
                    continue
            yield from self._read_mixed(lines, frames)

    def _read_mixed(self, lines: list[bytes], run: list[Frame]) -> Iterator[RecordedBlock]:
        """The block of ``lines`` whose first ``len(run)`` lines the array pass decoded
        into ``run`` and whose others it did not take, or whose times are out of order.
        Those are read alone (which reports what is wrong, at their line); after a line
        that decodes in one pass alone, the array pass takes the rest again."""
        ats: list[float] = []
        frames: list[Frame] = []
        numbers: list[int] = []
        pos = 0
        try:
            while True:
                taken = self._take_in_order(run, ats, frames, numbers)
                pos += taken
                if pos == len(lines):
                    break
                batchable = self._read_alone(lines[pos], ats, frames, numbers)
                pos += 1
                if pos == len(lines):
                    break
                run = decode_recorded_dispatches(lines[pos:]) if batchable else []
        except MalformedRecording:
            if frames:
                yield RecordedBlock(ats, frames, numbers)
            raise
        if frames:
            yield RecordedBlock(ats, frames, numbers)

    def _take_in_order(
        self, run: list[Any], ats: list[float], frames: list[Frame], numbers: list[int]
    ) -> int:
        """Append the frames of ``run`` up to the first whose ``at`` is earlier than the
        frame's before it; how many."""
        previous = self._at
        for taken, frame in enumerate(run):
            at = frame.at
            if at < previous:
                return taken
            previous = self._at = at
            self._line += 1
            ats.append(at)
            frames.append(frame)
            numbers.append(self._line)
        return len(run)

    def _read_alone(
        self, line: bytes, ats: list[float], frames: list[Frame], numbers: list[int]
    ) -> bool:
        """Read the next line on its own (skipped if blank); whether it was a dispatch
        decoded in one pass (the lines after it may be too)."""
        self._line += 1
        if not line.strip():
            return False
        # a dispatch line in one pass when it fits, else the general way
        fast = decode_recorded_dispatch(line)
        if fast is not None:
            at, shard, frame = fast
            if self._at <= at < math.inf and shard >= 0:
                frame.shard_id = shard
                self._at = at
                ats.append(at)
                frames.append(frame)
                numbers.append(self._line)
                return True
        at, frame = decode_frame_line(line, self.path, self._line, self._at)
        self._at = at
        ats.append(at)
        frames.append(frame)
        numbers.append(self._line)
        return False

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
