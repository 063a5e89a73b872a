"""Loop-bound observables and the isolating subject."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from typing import Any

import pytest
from reactivex import operators as ops

from fluxer_rx.routing import RoutedEventSubject
from fluxer_rx.streams import EventSubject, LoopObservable, ignore
from tests.util import wait_until


async def test_subscribers_get_values_in_order_and_errors_are_isolated() -> None:
    errors: list[Exception] = []
    subject: EventSubject[int] = EventSubject(errors.append)
    first: list[int] = []
    second: list[int] = []

    def failing(value: int) -> None:
        first.append(value)
        if value == 2:
            raise ValueError("boom")

    subject.subscribe(failing)
    subject.subscribe(second.append)
    for value in (1, 2, 3):
        subject.on_next(value)
    assert first == [1, 2, 3]  # the failing subscriber stays subscribed
    assert second == [1, 2, 3]
    assert [str(e) for e in errors] == ["boom"]


async def test_dispose_detaches_and_completion_is_terminal() -> None:
    subject: EventSubject[int] = EventSubject()
    seen: list[int] = []
    done = asyncio.Event()
    sub = subject.subscribe(seen.append)
    subject.on_next(1)
    sub.dispose()
    subject.on_next(2)
    assert seen == [1]
    assert not subject.has_observers
    subject.subscribe(on_completed=done.set)
    subject.on_completed()
    assert done.is_set()
    late = asyncio.Event()
    subject.subscribe(on_completed=late.set)
    assert late.is_set()


async def test_pipe_and_fluent_results_stay_loop_bound_and_time_ops_fire_on_loop() -> None:
    subject: EventSubject[int] = EventSubject()
    piped = subject.pipe(ops.filter(lambda v: v > 0), ops.debounce(0.01))
    fluent = subject.filter(lambda v: v > 0)
    assert isinstance(piped, LoopObservable)
    assert isinstance(fluent, LoopObservable)
    fired: asyncio.Future[tuple[int, int]] = asyncio.get_running_loop().create_future()

    def on_value(value: int) -> None:
        if not fired.done():
            fired.set_result((value, threading.get_ident()))

    piped.subscribe(on_value)
    subject.on_next(-1)
    subject.on_next(5)
    subject.on_next(7)
    value, thread = await asyncio.wait_for(fired, timeout=5)
    assert value == 7
    assert thread == threading.get_ident()


async def test_awaiting_a_piped_stream_gives_its_last_value() -> None:
    subject: EventSubject[int] = EventSubject()
    waiter = asyncio.ensure_future(subject.pipe(ops.filter(lambda v: v % 2 == 0), ops.take(1)))
    await wait_until(lambda: subject.has_observers)
    for value in (1, 3, 4, 6):
        subject.on_next(value)
    assert await asyncio.wait_for(waiter, timeout=5) == 4


def test_subscribers_are_called_directly_and_disposal_is_honoured_mid_delivery() -> None:
    """No observer wrapper between the subject and a subscriber's callable; one disposed by
    an earlier subscriber during a delivery gets nothing more, not even that value."""
    subject: EventSubject[int] = EventSubject()
    seen: list[tuple[str, int]] = []

    def second(value: int) -> None:
        seen.append(("second", value))

    def first(value: int) -> None:
        seen.append(("first", value))
        if value == 2:
            later.dispose()

    subject.subscribe(first)
    later = subject.subscribe(second)
    assert list(subject._calls) == [first, second]  # the loop calls them as given
    for value in (1, 2, 3):
        subject.on_next(value)
    assert seen == [("first", 1), ("second", 1), ("first", 2), ("first", 3)]
    later.dispose()  # twice: harmless
    assert len(subject._observers) == 1


def test_terminal_notifications_reach_observers_and_callables_once() -> None:
    """Observers and plain callables both get the terminal notification, once; an error
    without an ``on_error`` goes to the sink; a value sent during completion reaches no
    one; a subscriber to a failed subject without ``on_error`` raises, as in reactivex."""
    from reactivex import Observer

    errors: list[Exception] = []
    subject: EventSubject[int] = EventSubject(errors.append)
    log: list[object] = []
    subject.subscribe(Observer(log.append, lambda e: log.append(("observer", str(e)))))
    subject.subscribe(lambda v: log.append(("plain", v)))  # no on_error: to the sink
    subject.subscribe(on_error=lambda e: subject.on_next(99))
    subject.on_next(1)
    failure = ValueError("over")
    subject.on_error(failure)
    subject.on_error(ValueError("again"))
    subject.on_completed()
    assert log == [1, ("plain", 1), ("observer", "over")]
    assert errors == [failure]
    assert not subject.has_observers
    try:
        subject.subscribe(log.append)
    except ValueError as exc:
        assert exc is failure
    else:
        raise AssertionError("subscribing to a failed subject without on_error must raise")


# ------------------------------------------------ changes made during a delivery (all subjects)


def _plain() -> EventSubject[int]:
    return EventSubject()


def _routed() -> EventSubject[int]:
    return RoutedEventSubject()  # type: ignore[return-value]


def _routed_with_a_route() -> EventSubject[int]:
    subject = RoutedEventSubject()
    subject.stream(str).route(ignore)  # a routed entry: on_next takes its routed path
    return subject  # type: ignore[return-value]


SUBJECTS = pytest.mark.parametrize(
    "make", [_plain, _routed, _routed_with_a_route], ids=["plain", "routed", "with-route"]
)


ADD = pytest.mark.parametrize("add", [False, True], ids=["same-subscribers", "one-added"])


@SUBJECTS
@ADD
def test_a_subscriber_disposed_by_an_earlier_one_misses_the_value_under_way(
    make: Callable[[], EventSubject[int]], add: bool
) -> None:
    """Disposed during a delivery: not even the value under way, also after an addition in
    the same callback (the list under way was replaced twice); the subscriber added gets
    values from the next one."""
    subject = make()
    log: list[tuple[str, int]] = []
    subs: dict[str, Any] = {}

    def first(value: int) -> None:
        log.append(("first", value))
        if value == 2:
            if add:
                subject.subscribe(lambda v: log.append(("added", v)))
            subs["third"].dispose()

    subject.subscribe(first)
    subject.subscribe(lambda v: log.append(("second", v)))
    subs["third"] = subject.subscribe(lambda v: log.append(("third", v)))
    for value in (1, 2, 3):
        subject.on_next(value)
    assert log == [
        ("first", 1), ("second", 1), ("third", 1),
        ("first", 2), ("second", 2),
        ("first", 3), ("second", 3), *([("added", 3)] if add else []),
    ]


@SUBJECTS
@ADD
def test_a_value_sent_from_a_callback_reaches_everyone_first(
    make: Callable[[], EventSubject[int]], add: bool
) -> None:
    """Re-entrant on_next: the inner value goes to every subscriber at once. A subscriber
    disposed during the inner delivery misses the outer value too, also when one was
    added before the inner delivery (the outer delivery then iterates the subscribers of
    before the addition, the inner one those of after it)."""
    subject = make()
    log: list[tuple[str, int]] = []
    subs: dict[str, Any] = {}

    def first(value: int) -> None:
        log.append(("first", value))
        if value == 1:
            if add:
                subject.subscribe(lambda v: log.append(("added", v)))
            subject.on_next(10)

    def second(value: int) -> None:
        log.append(("second", value))
        if value == 10:
            subs["third"].dispose()

    subject.subscribe(first)
    subject.subscribe(second)
    subs["third"] = subject.subscribe(lambda v: log.append(("third", v)))
    subject.on_next(1)
    subject.on_next(2)
    added = [("added", 10)] if add else []
    later = [("added", 2)] if add else []
    assert log == [
        ("first", 1), ("first", 10), ("second", 10), *added, ("second", 1),
        ("first", 2), ("second", 2), *later,
    ]


@SUBJECTS
def test_completion_from_a_callback_ends_the_delivery_and_tells_each_once(
    make: Callable[[], EventSubject[int]],
) -> None:
    subject = make()
    log: list[object] = []

    def first(value: int) -> None:
        log.append(("first", value))
        subject.on_completed()
        subject.on_next(99)  # stopped: reaches no one

    subject.subscribe(first, on_completed=lambda: log.append("first done"))
    subject.subscribe(lambda v: log.append(("second", v)), on_completed=lambda: log.append("done"))
    subject.on_next(1)
    subject.on_next(2)
    subject.on_completed()
    assert log == [("first", 1), "first done", "done"]
    assert not subject.has_observers


@SUBJECTS
def test_the_same_callable_twice_is_two_subscriptions(
    make: Callable[[], EventSubject[int]],
) -> None:
    """Errors go to the sink and the failing subscriber stays; disposing one of two
    subscriptions of the same function keeps the other; disposing twice is harmless."""
    errors: list[Exception] = []
    subject = make()
    subject.set_error_sink(errors.append)
    seen: list[int] = []

    def record(value: int) -> None:
        seen.append(value)
        if value == 1:
            raise ValueError("one")

    first = subject.subscribe(record)
    subject.subscribe(record)
    subject.on_next(1)
    first.dispose()
    first.dispose()
    subject.on_next(2)
    assert seen == [1, 1, 2]
    assert [str(e) for e in errors] == ["one", "one"]
    assert subject.has_observers


@SUBJECTS
def test_reactivex_operators_on_the_subject_see_every_value_once_in_order(
    make: Callable[[], EventSubject[int]],
) -> None:
    subject = make()
    got: list[int] = []
    sub = subject.pipe(ops.filter(lambda v: v % 2 == 0), ops.map(lambda v: v * 10)).subscribe(
        got.append, scheduler=None
    )
    for value in range(6):
        subject.on_next(value)
    sub.dispose()
    subject.on_next(8)
    assert got == [0, 20, 40]
    assert not subject.has_observers
