"""Event-time operators on virtual time: windows by when events happened, watermarks,
late events counted and reported, keyed counts, a sliding top-k, idle flushes."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

import pytest
from reactivex import Observable
from reactivex import operators as ops
from reactivex.subject import Subject
from reactivex.testing import ReactiveTest, TestScheduler
from reactivex.testing.marbles import marbles_testing

from fluxer_rx.models import ChannelCreate, MessageCreate, PartialUser, TypingStart
from fluxer_rx.models.snowflake import snowflake_from_timestamp_ms
from fluxer_rx.operators import (
    EventWindow,
    KeyedCounts,
    LateEvent,
    TopK,
    count_by,
    snowflake_seconds,
    top_k,
    window_by_event_time,
)

on_next = ReactiveTest.on_next
on_completed = ReactiveTest.on_completed


def at(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)


def window(start: float, end: float, *items: Any) -> EventWindow[Any]:
    return EventWindow(at(start), at(end), tuple(items))


def test_windows_close_on_the_watermark_and_late_events_are_reported() -> None:
    late: list[LateEvent] = []
    lookup = {"a": window(0, 4, 1.0, 2.0), "b": window(4, 8, 5.0), "c": window(8, 12, 9.0)}
    with marbles_testing(timespan=1.0) as (start, _cold, hot, exp):
        source = hot("-1-2-5-3-9-|")
        expected = exp("-----a---b-(c,|)", lookup=lookup)
        windows = window_by_event_time(4, key=float, on_late=late.append)
        assert start(source.pipe(windows)) == expected
    assert [(x.event, x.time, x.window_start, x.late_so_far) for x in late] == [
        (3.0, at(3), at(0), 1)
    ]
    assert late[0].watermark == at(5)


def test_allowed_lateness_holds_windows_open_for_stragglers() -> None:
    late: list[LateEvent] = []
    lookup = {
        "a": window(0, 4, 1.0, 2.0, 3.0),
        "b": window(4, 8, 5.0),
        "c": window(8, 12, 9.0),
    }
    with marbles_testing(timespan=1.0) as (start, _cold, hot, exp):
        source = hot("-1-2-5-3-9-|")
        expected = exp("---------a-(b,c,|)", lookup=lookup)
        windows = window_by_event_time(4, key=float, allowed_lateness=2, on_late=late.append)
        assert start(source.pipe(windows)) == expected
    assert late == []


def test_the_result_does_not_depend_on_arrival_times() -> None:
    """The same events in the same order, once spread out and once in one burst, give
    the same windows (what arrival-time windows cannot do)."""
    spread = TestScheduler()
    burst = TestScheduler()
    times = [0.5, 0.7, 1.2, 1.9, 2.1, 3.5, 3.6]
    slow = spread.create_hot_observable(
        *[on_next(300 + 1000 * i, t) for i, t in enumerate(times)], on_completed(20000)
    )
    fast = burst.create_hot_observable(
        *[on_next(300 + i, t) for i, t in enumerate(times)], on_completed(400)
    )
    operator = window_by_event_time(1.0, key=float)

    def values(scheduler: TestScheduler, source: Observable[float]) -> list[Any]:
        messages = scheduler.start(lambda: source.pipe(operator), disposed=30000).messages
        return [m.value.value for m in messages if m.value.kind == "N"]

    assert (
        values(spread, slow)
        == values(burst, fast)
        == [
            window(0, 1, 0.5, 0.7),
            window(1, 2, 1.2, 1.9),
            window(2, 3, 2.1),
            window(3, 4, 3.5, 3.6),
        ]
    )


def message(ms: int, channel: str = "c1", user: str = "u1") -> MessageCreate:
    return MessageCreate(
        id=snowflake_from_timestamp_ms(ms),
        channel_id=channel,
        author=PartialUser(id=user),
        content="hi",
    )


def test_the_default_event_time_is_the_snowflake_time() -> None:
    base = 1_800_000_000_000  # ms, an exact second
    subject: Subject[MessageCreate] = Subject()
    got: list[EventWindow[MessageCreate]] = []
    subject.pipe(window_by_event_time(1.0)).subscribe(got.append)
    for offset in (10, 900, 1000, 1999, 3500):
        subject.on_next(message(base + offset))
    subject.on_completed()
    assert [(w.start.timestamp(), w.count) for w in got] == [
        (1_800_000_000.0, 2),
        (1_800_000_001.0, 2),
        (1_800_000_003.0, 1),
    ]
    assert snowflake_seconds(message(base + 250)) == 1_800_000_000.25
    with pytest.raises(ValueError, match="no id"):
        snowflake_seconds(object())


@pytest.mark.parametrize(
    "bad", ["\u0661\u0662", "\uff11\uff12", "\ud800", "+123", " 123", "1_23", "", "12a"]
)
def test_a_snowflake_time_needs_ascii_digits(bad: str) -> None:
    # int() alone accepts most of these; a lone surrogate must not fail to encode
    with pytest.raises(ValueError, match="ASCII digits"):
        snowflake_seconds(PartialUser(id=bad))


def test_late_events_without_a_callback_are_logged_not_dropped_silently(
    caplog: pytest.LogCaptureFixture,
) -> None:
    subject: Subject[float] = Subject()
    got: list[EventWindow[float]] = []
    subject.pipe(window_by_event_time(1.0, key=float)).subscribe(got.append)
    with caplog.at_level(logging.WARNING, logger="fluxer_rx.operators"):
        for value in (0.5, 2.5, 0.6, 0.7):
            subject.on_next(value)
    assert [r.getMessage().split(":")[0] for r in caplog.records] == [
        "late event (1 so far)",
        "late event (2 so far)",
    ]
    assert got == [window(0, 1, 0.5)]


def test_a_bad_time_ends_the_stream_with_its_error() -> None:
    subject: Subject[Any] = Subject()
    errors: list[Exception] = []
    subject.pipe(window_by_event_time(1.0, key=float)).subscribe(on_error=errors.append)
    subject.on_next(float("nan"))
    subject.on_next(1.0)
    assert len(errors) == 1 and "finite" in str(errors[0])


def test_arguments_are_checked() -> None:
    with pytest.raises(ValueError, match="seconds"):
        window_by_event_time(0)
    with pytest.raises(ValueError, match="allowed_lateness"):
        window_by_event_time(1, allowed_lateness=-1)
    with pytest.raises(ValueError, match="idle"):
        window_by_event_time(1, idle=0)
    with pytest.raises(ValueError, match="multiple"):
        top_k(3, "user_id", window=10, every=3)
    with pytest.raises(ValueError, match="k must"):
        top_k(0, "user_id", window=10, every=5)


def test_idle_emits_open_windows_after_a_quiet_period_on_the_scheduler() -> None:
    scheduler = TestScheduler()  # one tick is one second here
    source = scheduler.create_hot_observable(
        on_next(210, 0.5), on_next(211, 1.5), on_next(240, 0.9), on_next(300, 5.5)
    )
    late: list[LateEvent] = []
    windows = window_by_event_time(1.0, key=float, idle=10, on_late=late.append)
    messages = scheduler.start(lambda: source.pipe(windows), disposed=400).messages
    got = [(m.time, m.value.value) for m in messages if m.value.kind == "N"]
    # the watermark (1.5) closed [0, 1) at 211; [1, 2) waited for 10 s of quiet: the
    # timer armed at 210 found an event at 211 and waited 1 s more
    assert got == [(211, window(0, 1, 0.5)), (221, window(1, 2, 1.5)), (310, window(5, 6, 5.5))]
    assert [x.event for x in late] == [0.9]


def keyed(value: str) -> tuple[str, float]:
    return value[0], float(value[1:])


def test_count_by_marbles_match_the_docstring() -> None:
    def first(pair: tuple[str, float]) -> str:
        return pair[0]

    def second(pair: tuple[str, float]) -> float:
        return pair[1]

    lookup = {
        "x": KeyedCounts(at(0), at(4), {"a": 1, "b": 1}),
        "y": KeyedCounts(at(4), at(8), {"a": 2}),
    }
    with marbles_testing(timespan=1.0) as (start, _cold, hot, exp):
        source = hot("-a1-b2-a5-a6-|").pipe(ops.map(keyed))
        expected = exp("-------x-----(y,|)", lookup=lookup)
        assert start(source.pipe(count_by(first, 4, event_time=second))) == expected


def test_count_by_an_id_kind_counts_per_channel() -> None:
    base = 1_800_000_000_000
    subject: Subject[MessageCreate] = Subject()
    got: list[KeyedCounts[str | None]] = []
    subject.pipe(count_by("channel_id", 60)).subscribe(got.append)
    for offset, channel in [(1000, "c1"), (2000, "c2"), (3000, "c1"), (61000, "c2")]:
        subject.on_next(message(base + offset, channel))
    subject.on_completed()
    assert [(c.start.timestamp(), c.counts) for c in got] == [
        (1_800_000_000.0 - 1_800_000_000 % 60, {"c1": 2, "c2": 1}),
        (1_800_000_060.0 - 1_800_000_000 % 60, {"c2": 1}),
    ]


def test_count_by_an_id_kind_reads_the_key_as_routing_does() -> None:
    # count_by("channel_id") reads channel_id in bulk; an event without one is keyed by
    # the routing table's function (a channel event: its own id; nothing: None)
    base = 1_800_000_000_000
    subject: Subject[object] = Subject()
    got: list[KeyedCounts[str | None]] = []
    pipe = count_by("channel_id", 60, event_time=lambda _event: base / 1000)
    subject.pipe(pipe).subscribe(got.append)
    channel = ChannelCreate(id="42", type=0)
    typing = TypingStart(channel_id="c2", user_id="u1")
    for event in (message(base, "c1"), channel, object(), message(base, "c1"), typing, object()):
        subject.on_next(event)
    subject.on_completed()
    assert [list(c.counts.items()) for c in got] == [[("c1", 2), ("42", 1), (None, 2), ("c2", 1)]]


def test_top_k_marbles_match_the_docstring() -> None:
    lookup = {
        "x": TopK(at(-4), at(4), (("a", 1),)),
        "y": TopK(at(0), at(8), (("a", 2),)),
        "z": TopK(at(4), at(12), (("b", 2),)),
    }
    with marbles_testing(timespan=1.0) as (start, _cold, hot, exp):
        source = hot("-a1-b2-a5-b6-b9-|").pipe(ops.map(keyed))
        expected = exp("-------x-----y--(z,|)", lookup=lookup)
        operator = top_k(1, lambda p: p[0], window=8, every=4, event_time=lambda p: p[1])
        assert start(source.pipe(operator)) == expected


def test_top_k_finds_a_burst_in_every_window_that_holds_it() -> None:
    """Steady chatter from u1..u3 for 20 s, a raid of 30 messages by u9 in second 12:
    the 5-second sliding top-1 names u9 exactly in the windows that contain second 12."""
    base = 1_800_000_000_000
    events = [
        message(base + 1000 * s + 100 * i, user=f"u{i % 3 + 1}")
        for s in range(20)
        for i in range(3)
    ]
    events += [message(base + 12_000 + 10 * i, user="u9") for i in range(30)]
    events.sort(key=snowflake_seconds)
    subject: Subject[MessageCreate] = Subject()
    got: list[TopK[str | None]] = []
    subject.pipe(top_k(1, "user_id", window=5, every=1)).subscribe(got.append)
    for event in events:
        subject.on_next(event)
    subject.on_completed()
    raided = [int(t.end.timestamp() - 1_800_000_000) for t in got if t.top[0][0] == "u9"]
    assert raided == [13, 14, 15, 16, 17]
    assert all(t.top[0][1] == 30 for t in got if t.top[0][0] == "u9")
