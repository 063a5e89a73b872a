"""Loop-bound observables and the isolating subject."""

from __future__ import annotations

import asyncio
import threading

from reactivex import operators as ops

from fluxer_rx.streams import EventSubject, LoopObservable
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
