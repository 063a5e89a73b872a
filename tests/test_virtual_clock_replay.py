"""Replays on recorded time: ``client.replay(path, clock="recorded")`` gives the windows a
``speed=1`` replay gives and the recording's truth, collectors and ``wait_for`` time on
recorded time, and bad recorded times are an error with the line or clamped and reported."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from reactivex import operators as ops

from fluxer_rx import Client
from fluxer_rx.diagnostics import Diagnostic, Kind
from fluxer_rx.models import MessageCreate
from fluxer_rx.operators import of_type
from fluxer_rx.replay import ClockStep, MalformedRecording, RecordedFrame, VirtualClock
from fluxer_rx.replay.format import decode_frame_line
from tests.synthetic_recordings import Sent, message_line, steady, write_recording
from tests.util import wait_until


def truth(messages: list[Sent]) -> list[int]:
    """Messages per recorded second (the generator's ground truth)."""
    last = int(max(m.at for m in messages))
    return [sum(1 for m in messages if int(m.at) == second) for second in range(last + 1)]


def window_counts(client: Client) -> tuple[list[int], Any]:
    counts: list[int] = []
    subscription = client.events.pipe(of_type(MessageCreate), ops.buffer_with_time(1.0)).subscribe(
        lambda window: counts.append(len(window))
    )
    return counts, subscription


async def test_six_seconds_at_forty_per_second_give_six_windows_of_forty(tmp_path: Path) -> None:
    messages = steady(6, 40)
    path = write_recording(tmp_path / "six.jsonl", messages)
    client = Client()
    counts, subscription = window_counts(client)
    summary = await client.replay(path, clock="recorded")
    subscription.dispose()
    assert truth(messages) == [40] * 6
    assert counts == truth(messages)
    assert summary.frames == 240 and summary.completed
    # recorded time: the last frame, then the longest delay asked for (the 1 s window)
    assert summary.elapsed_seconds == pytest.approx(summary.recorded_seconds + 1.0, abs=0.01)


async def test_as_fast_as_possible_without_the_clock_is_what_the_issue_saw(
    tmp_path: Path,
) -> None:
    path = write_recording(tmp_path / "six.jsonl", steady(6, 40))
    client = Client()
    counts, subscription = window_counts(client)
    await client.replay(path)
    await wait_until(lambda: bool(counts), what="the first window")
    subscription.dispose()
    assert counts[0] == 240  # one window: the reason recorded time exists


async def test_recorded_time_matches_a_real_speed_1_replay_window_by_window(
    tmp_path: Path,
) -> None:
    messages = steady(3, 40)
    path = write_recording(tmp_path / "three.jsonl", messages)

    virtual = Client()
    virtual_counts, virtual_subscription = window_counts(virtual)
    await virtual.replay(path, clock=VirtualClock())
    virtual_subscription.dispose()

    real = Client()
    real_counts, real_subscription = window_counts(real)
    await real.replay(path, speed=1.0)
    await wait_until(lambda: len(real_counts) >= 3, within=5, what="the third real window")
    real_subscription.dispose()

    assert virtual_counts == real_counts[:3] == truth(messages) == [40, 40, 40]


async def test_collectors_and_wait_for_time_out_on_recorded_time(tmp_path: Path) -> None:
    # 10 messages in the first recorded second, then one at 40 s: a collector with
    # time=5 ends with the first ten, wait_for(timeout=20) for an 11th times out.
    messages = [Sent(0.1 * i, 0.1 * i) for i in range(10)] + [Sent(40.0, 40.0)]
    path = write_recording(tmp_path / "gap.jsonl", messages)
    client = Client()
    clock = VirtualClock()
    seen: list[MessageCreate] = []

    async def waiter() -> MessageCreate:
        await wait_until(lambda: len(seen) >= 10, what="ten messages")
        return await client.wait_for(MessageCreate, lambda m: m.content == "never", timeout=20)

    client.events.pipe(of_type(MessageCreate)).subscribe(seen.append)
    collector = client.create_message_collector("5", time=5)
    waiting = asyncio.ensure_future(waiter())
    await client.replay(path, clock=clock)
    result = await asyncio.wait_for(collector, 5)
    assert result.reason == "time" and len(result.items) == 10
    with pytest.raises(TimeoutError):
        await asyncio.wait_for(waiting, 5)


async def test_a_time_that_goes_backwards_in_a_file_is_an_error_with_its_line(
    tmp_path: Path,
) -> None:
    messages = [Sent(0.5, 0.5), Sent(1.5, 1.5), Sent(1.2, 1.2), Sent(2.5, 2.5)]
    path = write_recording(tmp_path / "back.jsonl", messages)
    client = Client()
    delivered: list[MessageCreate] = []
    client.events.pipe(of_type(MessageCreate)).subscribe(delivered.append)
    with pytest.raises(MalformedRecording) as caught:
        await client.replay(path, clock=VirtualClock(on_bad_time="clamp"))
    assert caught.value.line == 4  # the header is line 1
    assert "backwards" in caught.value.reason
    assert len(delivered) == 2


async def test_a_jump_is_an_error_with_its_line_by_default(tmp_path: Path) -> None:
    messages = [Sent(0.5, 0.5), Sent(1.5, 1.5), Sent(4000.0, 4000.0)]
    path = write_recording(tmp_path / "jump.jsonl", messages)
    client = Client()
    delivered: list[MessageCreate] = []
    client.events.pipe(of_type(MessageCreate)).subscribe(delivered.append)
    with pytest.raises(MalformedRecording) as caught:
        await client.replay(path, clock="recorded")
    assert caught.value.line == 4
    assert "jumped by 3998.5" in str(caught.value)
    assert len(delivered) == 2  # the frames before it were delivered, not the jump


async def test_clamp_delivers_a_jump_at_the_time_before_and_reports_it(tmp_path: Path) -> None:
    # 2 s of 10/s, a hand-edited jump of an hour, 2 more s of 10/s: with clamp the
    # windows are those of the same recording with the jump taken out.
    first = [Sent(s + 0.27 + 0.05 * i, s + 0.27 + 0.05 * i) for s in range(2) for i in range(10)]
    second = [Sent(3602 + m.at, 3602 + m.at) for m in first]
    step = second[0].at - first[-1].at  # 3600.55
    jumped = write_recording(tmp_path / "jumped.jsonl", first + second)
    clean = write_recording(
        tmp_path / "clean.jsonl", first + [Sent(m.at - step, m.at - step) for m in second]
    )

    client = Client()
    reports: list[Diagnostic] = []
    client.diagnostics.subscribe(reports.append)
    counts, subscription = window_counts(client)
    summary = await client.replay(
        jumped,
        clock=VirtualClock(on_bad_time="clamp", max_gap=60),
    )
    subscription.dispose()

    reference = Client()
    clean_counts, clean_subscription = window_counts(reference)
    await reference.replay(clean, clock="recorded")
    clean_subscription.dispose()

    assert summary.clock_steps == 1
    steps = [r.data for r in reports if isinstance(r.data, ClockStep)]
    assert len(steps) == 1
    assert [r.kind for r in reports if isinstance(r.data, ClockStep)] == [Kind.CLOCK_STEP]
    assert steps[0].line == 22 and steps[0].step == pytest.approx(step)
    assert any("line 22" in r.detail for r in reports)
    assert counts == clean_counts == [10, 16, 10, 4]


async def test_clamp_takes_a_backwards_step_of_plain_frames_off_the_later_ones() -> None:
    def frame(at: float, s: int) -> RecordedFrame:
        raw = message_line(Sent(at, at), s)
        return RecordedFrame(*decode_frame_line(raw, "<test>", s, 0.0))

    frames = [frame(0.5, 1), frame(0.6, 2), frame(0.2, 3), frame(0.3, 4), frame(1.5, 5)]
    client = Client()
    counts, subscription = window_counts(client)
    clock = VirtualClock(start=0.0, on_bad_time="clamp")
    summary = await client.replay(frames, clock=clock)
    subscription.dispose()
    # 0.2 goes to 0.6 (step -0.4 taken off), so 0.3 -> 0.7, 1.5 -> 1.9
    assert summary.clock_steps == 1
    assert counts == [4, 1]
    with pytest.raises(MalformedRecording) as caught:
        await Client().replay(frames, clock=VirtualClock(start=0.0))
    assert caught.value.path == "<frames>" and caught.value.line == 3
