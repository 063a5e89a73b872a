"""Driving an :class:`~fluxer_rx.pipeline.EventPipeline` from a recording: a replay is
one more frame source for the same pipeline, with no shards and no network."""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import Iterable

from fluxer_rx.lifecycle import ClientState
from fluxer_rx.pipeline.event_pipeline import EventPipeline
from fluxer_rx.replay import (
    FramePlayer,
    RecordedFrame,
    RecordingReader,
    ReplayClock,
    ReplaySummary,
    open_recording,
)

__all__ = ["replay_into"]


async def replay_into(
    pipeline: EventPipeline,
    source: str | os.PathLike[str] | Iterable[RecordedFrame],
    *,
    speed: float | None,
    clock: ReplayClock | None,
    stop: asyncio.Event,
) -> ReplaySummary:
    """Replay ``source`` (a path, or recorded frames) into ``pipeline`` as one run, and
    return the summary once every frame was delivered and the async handlers are idle,
    or once ``stop`` is set.

    Frames take the live path (``raw``, decode, fold, ``events``, handlers) in recorded
    order, each event exactly once (see :mod:`fluxer_rx.replay.player`). Raises the
    errors of :func:`~fluxer_rx.replay.open_recording` and of
    :class:`~fluxer_rx.replay.FramePlayer` before the run starts (nothing changed), and
    ``MalformedRecording`` at a bad line (earlier frames were delivered; the run ended).
    """
    opened: RecordingReader | None = None
    frames: Iterable[RecordedFrame]
    if isinstance(source, str | os.PathLike):
        frames = opened = open_recording(source)
    else:
        frames = source
    try:
        player = FramePlayer(pipeline, frames, speed=speed, clock=clock)
        pipeline.begin(None, ())
        pipeline.lifecycle.move(ClientState.DISCOVERING)
        pipeline.lifecycle.move(ClientState.CONNECTING)
        try:
            feed = asyncio.ensure_future(player.run())
            halt = asyncio.ensure_future(stop.wait())
            try:
                await asyncio.wait({feed, halt}, return_when=asyncio.FIRST_COMPLETED)
            finally:
                halt.cancel()
                feed.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await halt
                with contextlib.suppress(asyncio.CancelledError):
                    await feed  # a failed feed raises its error (a malformed line)
            await pipeline.handlers.idle(stop)
            return player.summary()
        finally:
            await pipeline.end()
    finally:
        if opened is not None:
            opened.close()
