"""Recording a live client: every frame of ``client.raw`` appended to a recording file.

A :class:`Recorder` subscribes to ``client.raw`` and writes one line per frame (see
:mod:`fluxer_rx.replay.format`) into a large write buffer, so recording costs one small
encode and a memory copy per frame on the loop; the buffer goes to the file when it is
full, every ``flush_interval`` seconds, and on :meth:`Recorder.stop`. After ``stop`` the
file is complete: the header and one whole line per frame received while recording.
Start it before ``login`` to capture the whole session, READY and the guild burst
included (a replay needs them to rebuild the cache).
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Iterable
from datetime import UTC, datetime
from types import TracebackType
from typing import TYPE_CHECKING, BinaryIO, Final, Protocol, Self

import msgspec

from fluxer_rx._version import __version__
from fluxer_rx.models.frame import Frame
from fluxer_rx.replay.format import (
    REDACTED,
    RecordingFileError,
    RecordingHeader,
    encode_frame_line,
    encode_header,
)

if TYPE_CHECKING:
    from reactivex import Observable
    from reactivex.abc import DisposableBase

    from fluxer_rx.models.frame import Frame


class FrameFeed(Protocol):
    """What a :class:`Recorder` records: anything with a ``raw`` observable of frames (a
    ``Client``, an ``EventPipeline``)."""

    @property
    def raw(self) -> Observable[Frame]:
        """Every frame, in the order it was received."""
        ...


__all__ = ["Recorder"]

_BUFFER_BYTES: Final = 1 << 20
_REDACTED_BYTES: Final = REDACTED.encode()


class Recorder:
    """Records ``source.raw`` to ``path``: ``with Recorder(client, path): ...``.

    Also ``async with``, or :meth:`start` / :meth:`stop` (``client.record(path)`` returns
    a started one). ``path`` is created or truncated. ``redact`` lists secrets (a token, a
    webhook URL) to replace by ``"[redacted]"`` wherever they would appear in a line;
    tokens inside IDENTIFY/RESUME payloads are always replaced.

    A file that cannot be opened raises :class:`~fluxer_rx.replay.RecordingFileError`
    from :meth:`start`. If a write fails later (disk full), recording stops, the error
    is reported on ``client.diagnostics`` as a subscriber error, and :meth:`stop` raises
    it again, so an incomplete file never goes unnoticed.
    """

    def __init__(
        self,
        source: FrameFeed,
        path: str | os.PathLike[str],
        *,
        gateway_version: str = "1",
        redact: Iterable[str] = (),
        flush_interval: float | None = 1.0,
    ) -> None:
        self.source = source
        self.gateway_version = gateway_version
        self.path = os.fspath(path)
        self.flush_interval = flush_interval
        self._secrets = tuple(
            msgspec.json.encode(secret)[1:-1] for secret in redact if secret
        )  # as they would appear inside a JSON string
        self._file: BinaryIO | None = None
        self._subscription: DisposableBase | None = None
        self._timer: asyncio.TimerHandle | None = None
        self._started_at = 0.0
        self._stopped = False
        self.frames = 0
        self.error: RecordingFileError | None = None

    def __repr__(self) -> str:
        state = "recording" if self.recording else ("stopped" if self._stopped else "idle")
        return f"<Recorder {self.path!r} {state} frames={self.frames}>"

    @property
    def recording(self) -> bool:
        """Whether frames are being recorded now."""
        return self._subscription is not None

    def _fail(self, exc: OSError, doing: str) -> RecordingFileError:
        return RecordingFileError(
            f"cannot {doing} the recording {self.path}: {exc.strerror or exc}", path=self.path
        )

    def start(self) -> Self:
        """Create the file, write the header and start recording; returns ``self``.

        Raises :class:`~fluxer_rx.replay.RecordingFileError` when the file cannot be
        created (missing directory, a directory, no permission), ``RuntimeError`` when
        started twice.
        """
        if self._file is not None or self._stopped:
            raise RuntimeError("a Recorder records once; create another one")
        try:
            file = open(self.path, "wb", buffering=_BUFFER_BYTES)  # noqa: SIM115  # closed by stop()
        except OSError as exc:
            raise self._fail(exc, "create") from exc
        header = RecordingHeader(
            gateway_version=self.gateway_version,
            started_at=datetime.now(UTC).isoformat(),
            library=f"fluxer_rx {__version__}",
        )
        try:
            file.write(encode_header(header))
        except OSError as exc:
            file.close()
            raise self._fail(exc, "write") from exc
        self._file = file
        self._started_at = time.monotonic()
        self._subscription = self.source.raw.subscribe(self._record)
        self._arm_flush()
        return self

    def _arm_flush(self) -> None:
        if self.flush_interval is None:
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return  # no loop: the buffer is written when full and on stop
        self._timer = loop.call_later(self.flush_interval, self._flush_tick)

    def _flush_tick(self) -> None:
        self._timer = None
        if self._subscription is None:
            return
        self.flush()
        if self._subscription is not None:
            self._arm_flush()

    def _record(self, frame: Frame) -> None:
        file = self._file
        if file is None or self.error is not None:
            return
        line = encode_frame_line(frame, time.monotonic() - self._started_at)
        for secret in self._secrets:
            if secret in line:
                line = line.replace(secret, _REDACTED_BYTES)
        try:
            file.write(line)
        except OSError as exc:
            self._write_failed(exc)
        self.frames += 1

    def _write_failed(self, exc: OSError) -> None:
        self.error = self._fail(exc, "write")
        self._unsubscribe()
        raise self.error from exc

    def _unsubscribe(self) -> None:
        if self._subscription is not None:
            self._subscription.dispose()
            self._subscription = None
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def flush(self) -> None:
        """Write the buffered lines to the file now."""
        if self._file is None or self.error is not None:
            return
        try:
            self._file.flush()
        except OSError as exc:
            self._write_failed(exc)

    def stop(self) -> None:
        """Stop recording, write what is buffered and close the file (idempotent).

        Raises :class:`~fluxer_rx.replay.RecordingFileError` if a write failed while
        recording or fails now; the file may then end with a partial line, which a
        reader reports as malformed (with its line number).
        """
        self._stopped = True
        self._unsubscribe()
        file, self._file = self._file, None
        if file is None:
            if self.error is not None:
                raise self.error
            return
        try:
            if self.error is None:
                file.flush()
        except OSError as exc:
            self.error = self._fail(exc, "write")
        finally:
            try:
                file.close()
            except OSError as exc:
                self.error = self.error or self._fail(exc, "close")
        if self.error is not None:
            raise self.error

    def __enter__(self) -> Self:
        return self if self.recording else self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    async def __aenter__(self) -> Self:
        return self.__enter__()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
