"""FramePlayer on a virtual clock: its counters (``summary()``) match what reached the
sink, at every loop turn, when a malformed time ends the replay, and with duplicates."""

from __future__ import annotations

import asyncio

import pytest

from fluxer_rx.diagnostics import Diagnostic
from fluxer_rx.gateway.actions import SessionLost
from fluxer_rx.models.frame import Frame
from fluxer_rx.replay import MalformedRecording, RecordedFrame, VirtualClock
from fluxer_rx.replay.format import decode_frame_line
from fluxer_rx.replay.player import FramePlayer
from tests.synthetic_recordings import Sent, message_line


class Sink:
    def __init__(self) -> None:
        self.dispatched: list[int | None] = []
        self.raw_only: list[int | None] = []

    def frame(self, frame: Frame) -> None:
        self.raw_only.append(frame.s)

    def dispatch(self, frame: Frame) -> None:
        self.dispatched.append(frame.s)

    def session_lost(self, shard_id: int, lost: SessionLost) -> None:
        raise AssertionError("no READY in these recordings")

    def diagnostic(self, report: Diagnostic) -> None:
        raise AssertionError(report)


def frame(at: float, s: int) -> RecordedFrame:
    return RecordedFrame(*decode_frame_line(message_line(Sent(at, at), s), "<test>", s, 0.0))


async def test_counters_at_each_loop_turn_and_at_the_end() -> None:
    frames = [frame(0.001 * i, i) for i in range(1, 601)]
    frames[300:300] = [frame(0.3005, 150)]  # a duplicate: raw only, counted as one
    sink = Sink()
    player = FramePlayer(sink, frames, clock=VirtualClock(start=0.0), batch=100)
    seen: list[tuple[int, int, int]] = []

    async def watch() -> None:
        while True:
            summary = player.summary()
            seen.append((summary.frames, summary.dispatches, len(sink.dispatched)))
            await asyncio.sleep(0)

    watcher = asyncio.get_running_loop().create_task(watch())
    await player.run()
    watcher.cancel()
    summary = player.summary()
    assert sink.dispatched == list(range(1, 601)) and sink.raw_only == [150]
    assert (summary.frames, summary.dispatches, summary.duplicates) == (601, 600, 1)
    assert summary.completed and summary.recorded_seconds == pytest.approx(0.6)
    turns = [(f, d) for f, d, delivered in seen if 0 < f < 601]
    assert len(turns) >= 5  # the watcher ran between batches
    assert all(d == delivered for _, d, delivered in seen)  # never behind the sink


async def test_a_malformed_time_ends_the_replay_with_every_delivered_frame_counted() -> None:
    frames = [frame(0.001 * i, i) for i in range(1, 301)]
    frames.append(frame(0.0001, 301))  # backwards: an error under "error"
    sink = Sink()
    player = FramePlayer(sink, frames, clock=VirtualClock(start=0.0), batch=64)
    with pytest.raises(MalformedRecording) as caught:
        await player.run()
    assert caught.value.line == 301
    summary = player.summary()
    assert len(sink.dispatched) == 300
    assert (summary.frames, summary.dispatches, summary.completed) == (300, 300, False)
