"""``record`` and ``replay``: the client's frames to a file, and a file through the
client's event pipeline."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the replay machinery is imported by the first record or replay
    from fluxer_rx.options import ClientOptions
    from fluxer_rx.pipeline import EventPipeline
    from fluxer_rx.replay import RecordedFrame, Recorder, ReplayClock, ReplaySummary

__all__ = ["RecordReplay"]


class RecordReplay:
    """Recording the client's ``raw`` frames and replaying recordings into its pipeline."""

    options: ClientOptions
    _pipeline: EventPipeline
    _close_requested: asyncio.Event | None
    _replay_stop: asyncio.Event | None

    if TYPE_CHECKING:

        def _start_run(self) -> None: ...

        def _run_over(self) -> None: ...

    def record(self, path: str | os.PathLike[str], *, redact: Iterable[str] = ()) -> Recorder:
        """Start recording every frame of :attr:`raw` to ``path``; returns the started
        :class:`~fluxer_rx.replay.Recorder` (``stop()`` it, or use it in a ``with``).

        Start it before :meth:`login` to record the whole session. ``redact``: secrets to
        keep out of the file besides tokens. Raises
        :class:`~fluxer_rx.replay.RecordingFileError` when ``path`` cannot be created.
        """
        version = self.options.gateway.version
        from fluxer_rx.replay import Recorder

        return Recorder(self._pipeline, path, gateway_version=version, redact=redact).start()

    async def replay(
        self,
        source: str | os.PathLike[str] | Iterable[RecordedFrame],
        *,
        speed: float | None = None,
        clock: ReplayClock | None = None,
    ) -> ReplaySummary:
        """Drive this client offline from a recording (a path, or recorded frames) and
        return a summary once it has been replayed or :meth:`close` stopped it.

        Frames take the live path (``raw``, decode, cache fold, ``events``, handlers) in
        recorded order, each event exactly once (see :mod:`fluxer_rx.replay.player`);
        async handlers have run when it returns. ``speed=None`` replays as fast as
        possible, ``speed=x`` at x times the recorded pace on ``clock`` (the loop's by
        default). ``clock="recorded"`` (or a :class:`~fluxer_rx.replay.VirtualClock`)
        replays as fast as possible on recorded time: every time-based operator,
        collector and ``wait_for`` timeout sees the recorded pace, so windows are those a
        ``speed=1`` replay gives (see :mod:`fluxer_rx.replay.virtual_clock`). There is no
        network: :attr:`rest` raises :class:`ClientNotReady`, and
        the client is ready after the first READY. Raises :class:`AlreadyLoggedIn` while
        logged in or replaying, the errors of :func:`~fluxer_rx.replay.open_recording`,
        and ``MalformedRecording`` at a bad line (earlier frames were delivered).
        """
        self._start_run()
        self._close_requested = None
        stop = self._replay_stop = asyncio.Event()
        try:
            from fluxer_rx.pipeline.replaying import replay_into

            return await replay_into(self._pipeline, source, speed=speed, clock=clock, stop=stop)
        finally:
            self._replay_stop = None
            self._run_over()  # replay_into has ended the pipeline's run
