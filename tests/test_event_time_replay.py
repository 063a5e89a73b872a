"""Event-time operators on a replayed client: per-second counts equal the recording's
truth at any replay speed, and after a burst of late arrivals (a resume's catch-up),
where arrival-time windows count in the wrong second."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from reactivex import operators as ops

from fluxer_rx import Client
from fluxer_rx.diagnostics import Diagnostic, Kind
from fluxer_rx.models import MessageCreate
from fluxer_rx.operators import EventWindow, LateEvent, count_by, of_type, window_by_event_time
from tests.synthetic_recordings import STARTED_AT, Sent, steady, write_recording


def per_second(windows: list[EventWindow[MessageCreate]]) -> dict[int, int]:
    return {int(w.start.timestamp() - STARTED_AT.timestamp()): w.count for w in windows}


async def test_event_time_windows_equal_the_truth_at_any_replay_speed(tmp_path: Path) -> None:
    path = write_recording(tmp_path / "six.jsonl", steady(6, 40))

    async def replayed(clock: Literal["recorded"] | None) -> dict[int, int]:
        client = Client()
        windows: list[EventWindow[MessageCreate]] = []
        subscription = client.events.pipe(
            of_type(MessageCreate), window_by_event_time(1.0, idle=2.0)
        ).subscribe(windows.append)
        await client.replay(path, clock=clock)
        subscription.dispose()
        return per_second(windows)

    # as fast as possible the stream never completes and no clock runs on: the last second
    # waits for a later event or 2 s of quiet; every earlier one is already right
    assert await replayed(None) == {second: 40 for second in range(5)}
    assert await replayed("recorded") == {second: 40 for second in range(6)}


async def test_a_catch_up_burst_lands_in_its_own_seconds_by_event_time(tmp_path: Path) -> None:
    # 6 s at 20/s, but the messages created in seconds 2 and 3 arrive in one burst at
    # 4.1 s (as after a resume): arrival-time windows count 0, 0 then 60; event time
    # counts 20 in every second, and nothing is late with 3 s of allowed lateness.
    messages = []
    for sent in steady(6, 20):
        if 2 <= sent.created < 4:
            messages.append(Sent(4.1 + sent.created / 1000, sent.created))
        else:
            messages.append(sent)
    messages.sort(key=lambda m: m.at)
    path = write_recording(tmp_path / "burst.jsonl", messages)

    client = Client()
    arrival: list[int] = []
    by_event: list[EventWindow[MessageCreate]] = []
    late: list[LateEvent] = []
    counts: list[dict[str | None, int]] = []
    created = client.events.pipe(of_type(MessageCreate))
    created.pipe(ops.buffer_with_time(1.0)).subscribe(lambda w: arrival.append(len(w)))
    created.pipe(
        window_by_event_time(1.0, allowed_lateness=3.0, on_late=late.append, idle=5.0)
    ).subscribe(by_event.append)
    created.pipe(count_by("channel_id", 1.0, allowed_lateness=3.0, idle=5.0)).subscribe(
        lambda c: counts.append(c.counts)
    )
    await client.replay(path, clock="recorded")

    assert arrival[:6] == [20, 20, 0, 0, 60, 20]
    assert per_second(by_event) == {second: 20 for second in range(6)}
    assert counts == [{"5": 20}] * 6
    assert late == []


async def test_without_enough_lateness_the_burst_is_reported_late_not_lost(
    tmp_path: Path,
) -> None:
    messages = [Sent(0.5, 0.5), Sent(1.5, 1.5), Sent(2.5, 2.5), Sent(2.6, 0.7)]
    path = write_recording(tmp_path / "late.jsonl", messages)
    client = Client()
    late: list[LateEvent] = []
    windows: list[EventWindow[MessageCreate]] = []
    client.events.pipe(
        of_type(MessageCreate), window_by_event_time(1.0, on_late=late.append, idle=1.0)
    ).subscribe(windows.append)
    await client.replay(path, clock="recorded")
    assert per_second(windows) == {0: 1, 1: 1, 2: 1}
    assert len(late) == 1 and late[0].late_so_far == 1
    assert isinstance(late[0].event, MessageCreate) and late[0].event.content == "message 4"


async def test_late_events_reach_the_clients_diagnostics(tmp_path: Path) -> None:
    # one message created at 0.5 s arrives at 4.5 s; with 1 s of allowed lateness its
    # window was emitted long before: it is reported as late_event, never dropped unseen
    messages = [m for m in steady(5, 4) if m.created != 0.25]
    messages.append(Sent(4.6, 0.25))
    messages.sort(key=lambda m: m.at)
    path = write_recording(tmp_path / "late.jsonl", messages)
    client = Client()
    reports: list[Diagnostic] = []
    client.diagnostics.subscribe(reports.append)
    subscription = client.events.pipe(
        of_type(MessageCreate),
        window_by_event_time(1.0, allowed_lateness=1.0, on_late=client.report_late),
    ).subscribe(lambda _w: None)
    await client.replay(path, clock="recorded")
    subscription.dispose()
    late = [r for r in reports if r.kind == Kind.LATE_EVENT]
    assert len(late) == 1
    assert isinstance(late[0].data, LateEvent) and late[0].data.late_so_far == 1
    assert "MessageCreate" in late[0].detail
