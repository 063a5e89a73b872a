"""``debounce_by`` / ``throttle_by``: per-key timing in virtual time, groups that expire."""

from __future__ import annotations

import gc
from typing import Any

import pytest
from reactivex import Observable
from reactivex.subject import Subject
from reactivex.testing import ReactiveTest, TestScheduler
from reactivex.testing.marbles import marbles_testing

from fluxer_rx.models import MessageCreate, PartialUser
from fluxer_rx.operators import debounce_by, throttle_by

on_next = ReactiveTest.on_next
on_completed = ReactiveTest.on_completed
on_error = ReactiveTest.on_error


def first_letter(value: str) -> str:
    return value[0]


def test_debounce_by_marbles_match_the_docstring() -> None:
    with marbles_testing(timespan=1.0) as (start, _cold, hot, exp):
        source = hot("-a-a-b-----a---|")
        expected = exp("-----a-b-----a-|")
        assert start(source.pipe(debounce_by(first_letter, 2))) == expected


def test_throttle_by_marbles_match_the_docstring() -> None:
    with marbles_testing(timespan=1.0) as (start, _cold, hot, exp):
        source = hot("-a-a-b---a-a--|")
        expected = exp("-a---b---a----|")
        assert start(source.pipe(throttle_by(first_letter, 4))) == expected


def msg(mid: str, channel: str) -> MessageCreate:
    return MessageCreate(id=mid, channel_id=channel, author=PartialUser(id="u"), content="!ping")


def test_debounce_by_channel_answers_each_channel_once_per_burst() -> None:
    """Three !ping in three channels within 200 ms: three answers (a global debounce
    would give one), each the last of its channel's burst, 0.2 s after it."""
    scheduler = TestScheduler()  # one tick is one millisecond here
    source = scheduler.create_hot_observable(
        on_next(3000, msg("1", "c1")),
        on_next(3050, msg("2", "c2")),
        on_next(3100, msg("3", "c3")),
        on_next(3120, msg("4", "c1")),
        on_next(10000, msg("5", "c1")),
        on_completed(20000),
    )
    results = scheduler.start(
        lambda: source.pipe(debounce_by("channel_id", 200)), disposed=30000
    ).messages
    got = [(m.time, m.value.value.id) for m in results if m.value.kind == "N"]
    assert got == [
        (3250, "2"),
        (3300, "3"),
        (3320, "4"),
        (10200, "5"),
    ]
    assert results[-1] == on_completed(20000)


def test_debounce_by_flushes_pending_values_on_completion() -> None:
    scheduler = TestScheduler()
    source = scheduler.create_hot_observable(
        on_next(300, "a1"), on_next(310, "b1"), on_completed(320)
    )
    results = scheduler.start(lambda: source.pipe(debounce_by(first_letter, 100.0)))
    assert results.messages == [on_next(320, "a1"), on_next(320, "b1"), on_completed(320)]


def test_throttle_by_user_lets_the_first_through_per_window() -> None:
    scheduler = TestScheduler()
    source = scheduler.create_hot_observable(
        on_next(300, "u1"),
        on_next(301, "v1"),
        on_next(350, "u2"),
        on_next(399, "u3"),
        on_next(401, "u4"),
        on_next(420, "v2"),
        on_completed(600),
    )
    results = scheduler.start(lambda: source.pipe(throttle_by(first_letter, 100.0)))
    assert results.messages == [
        on_next(300, "u1"),
        on_next(301, "v1"),
        on_next(401, "u4"),
        on_next(420, "v2"),
        on_completed(600),
    ]


def test_a_failing_key_is_the_stream_error() -> None:
    error = ValueError("no key")

    def key(value: str) -> str:
        if value == "bad":
            raise error
        return value

    for make in (debounce_by, throttle_by):
        scheduler = TestScheduler()
        source = scheduler.create_hot_observable(on_next(300, "x"), on_next(310, "bad"))
        operator = make(key, 100.0)
        results = scheduler.start(lambda: source.pipe(operator))  # noqa: B023  # run at once
        assert results.messages[-1] == on_error(310, error)


@pytest.mark.parametrize("make", [debounce_by, throttle_by])
def test_groups_expire_so_memory_stays_bounded(make: Any) -> None:
    """Ten thousand keys, one value each: once their windows have passed, no group (each
    one a Subject) is left, while the subscription itself is still live."""
    def live_subjects() -> int:
        gc.collect()
        return sum(1 for o in gc.get_objects() if isinstance(o, Subject))

    before = live_subjects()  # other tests may leave subjects alive
    scheduler = TestScheduler()
    source: Subject[int] = Subject()
    seen: list[int] = []
    stream: Observable[int] = source.pipe(make(lambda n: n, 5.0))
    subscription = stream.subscribe(seen.append, scheduler=scheduler)

    for n in range(10_000):
        scheduler.advance_by(1.0)
        source.on_next(n)
    during = live_subjects()
    scheduler.advance_by(10.0)
    after = live_subjects()
    assert len(seen) == 10_000
    assert during > before + 1  # the last windows' groups are still open
    assert after <= before + 2  # the source and at most one group, never the 10,000 groups
    subscription.dispose()


@pytest.mark.parametrize("make", [debounce_by, throttle_by])
@pytest.mark.parametrize("seconds", [0, -1.0, True, "1"])
def test_bad_seconds_are_refused_at_once(make: Any, seconds: Any) -> None:
    with pytest.raises(ValueError, match="seconds"):
        make(first_letter, seconds)


def test_an_unknown_id_kind_is_refused_at_once() -> None:
    with pytest.raises(ValueError, match="id kind"):
        debounce_by("channel", 1.0)  # type: ignore[call-overload]
    with pytest.raises(TypeError):
        throttle_by(3, 1.0)  # type: ignore[call-overload]
