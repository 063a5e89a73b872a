"""wait_for and aiter_events: results, timeouts, closing, overflow, and subscriptions released."""

from __future__ import annotations

import asyncio
import gc
import logging
from typing import Any

import pytest

from fluxer_rx.models import Events, MessageCreate, PartialUser, TypingStart
from fluxer_rx.operators import (
    BufferOverflow,
    StreamClosed,
    aiter_events,
    in_channel,
    of_type,
    wait_for,
)
from fluxer_rx.routing import RoutedEventSubject
from tests.typed_snippets import mypy_errors


def msg(mid: str, channel: str = "c1") -> MessageCreate:
    return MessageCreate(id=mid, channel_id=channel, author=PartialUser(id="u"), content=mid)


async def until(condition: Any, timeout: float = 1.0) -> None:
    async with asyncio.timeout(timeout):
        while not condition():  # noqa: ASYNC110 -- polling helper with a deadline
            await asyncio.sleep(0)


def released(events: RoutedEventSubject) -> bool:
    return events.routed_count == 0 and not events.has_observers


# ---------------------------------------------------------------------- wait_for


async def test_wait_for_returns_the_first_match() -> None:
    events = RoutedEventSubject()
    task = asyncio.create_task(wait_for(events, MessageCreate, lambda m: m.content == "yes"))
    await until(lambda: events.routed_count == 1)
    events.on_next(TypingStart(channel_id="c1", user_id="u"))
    events.on_next(msg("no"))
    events.on_next(msg("yes"))
    events.on_next(msg("yes"))
    result = await asyncio.wait_for(task, 1.0)
    assert result.id == "yes"
    assert released(events)


async def test_wait_for_by_event_name() -> None:
    events = RoutedEventSubject()
    task = asyncio.create_task(wait_for(events, Events.TYPING_START))
    await until(lambda: events.routed_count == 1)
    typing = TypingStart(channel_id="c1", user_id="u")
    events.on_next(msg("x"))
    events.on_next(typing)
    assert await asyncio.wait_for(task, 1.0) is typing


async def test_wait_for_on_a_narrowed_stream() -> None:
    events = RoutedEventSubject()
    task = asyncio.create_task(wait_for(events.pipe(in_channel("c2")), MessageCreate))
    await until(lambda: events.routed_count == 1)
    events.on_next(msg("a", "c1"))
    events.on_next(msg("b", "c2"))
    assert (await asyncio.wait_for(task, 1.0)).id == "b"


async def test_wait_for_timeout_releases() -> None:
    events = RoutedEventSubject()
    with pytest.raises(TimeoutError):
        await wait_for(events, MessageCreate, timeout=0.01)
    assert released(events)


async def test_wait_for_check_error_is_raised() -> None:
    events = RoutedEventSubject()

    def check(_: MessageCreate) -> bool:
        raise LookupError("bad check")

    task = asyncio.create_task(wait_for(events, MessageCreate, check))
    await until(lambda: events.routed_count == 1)
    events.on_next(msg("a"))
    with pytest.raises(LookupError):
        await asyncio.wait_for(task, 1.0)
    assert released(events)


async def test_wait_for_closed_and_failed_streams() -> None:
    events = RoutedEventSubject()
    task = asyncio.create_task(wait_for(events, MessageCreate))
    await until(lambda: events.routed_count == 1)
    events.on_completed()
    with pytest.raises(StreamClosed):
        await asyncio.wait_for(task, 1.0)
    failing = RoutedEventSubject()
    task = asyncio.create_task(wait_for(failing, MessageCreate))
    await until(lambda: failing.routed_count == 1)
    failing.on_error(ConnectionError("lost"))
    with pytest.raises(ConnectionError):
        await asyncio.wait_for(task, 1.0)


async def test_wait_for_cancellation_releases() -> None:
    events = RoutedEventSubject()
    task = asyncio.create_task(wait_for(events, MessageCreate))
    await until(lambda: events.routed_count == 1)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert released(events)


# ---------------------------------------------------------------------- aiter_events


async def test_async_for_yields_in_order_and_break_releases() -> None:
    events = RoutedEventSubject()
    stream = events.pipe(of_type(MessageCreate))
    got: list[str] = []

    async def consume() -> None:
        async for message in aiter_events(stream):
            got.append(message.id)
            if message.id == "3":
                break

    task = asyncio.create_task(consume())
    await until(lambda: events.routed_count == 1)
    for i in range(1, 6):
        events.on_next(msg(str(i)))
    await asyncio.wait_for(task, 1.0)
    assert got == ["1", "2", "3"]
    assert released(events)


async def test_subscribes_at_creation_so_nothing_is_missed() -> None:
    events = RoutedEventSubject()
    iterator = aiter_events(events.stream(MessageCreate))
    events.on_next(msg("early"))
    assert (await anext(iterator)).id == "early"
    await iterator.aclose()
    assert iterator.closed
    assert released(events)
    with pytest.raises(StopAsyncIteration):
        await anext(iterator)


async def test_async_with_releases_on_exit() -> None:
    events = RoutedEventSubject()
    async with aiter_events(events) as iterator:
        events.on_next(msg("1"))
        assert (await anext(iterator)).id == "1"
    assert released(events)


async def test_dropping_the_iterator_releases() -> None:
    events = RoutedEventSubject()
    iterator = aiter_events(events.stream(MessageCreate))
    assert events.routed_count == 1
    del iterator
    gc.collect()
    assert released(events)


async def test_completion_ends_after_buffered_values() -> None:
    events = RoutedEventSubject()
    iterator = aiter_events(events)
    events.on_next(msg("1"))
    events.on_next(msg("2"))
    events.on_completed()
    assert [m.id async for m in iterator] == ["1", "2"]


async def test_error_is_raised_after_buffered_values() -> None:
    events = RoutedEventSubject()
    iterator = aiter_events(events)
    events.on_next(msg("1"))
    events.on_error(OSError("down"))
    assert (await anext(iterator)).id == "1"
    with pytest.raises(OSError, match="down"):
        await anext(iterator)
    with pytest.raises(StopAsyncIteration):
        await anext(iterator)


async def test_overflow_error_keeps_what_fit_then_raises() -> None:
    events = RoutedEventSubject()
    iterator = aiter_events(events, buffer=3)
    for i in range(5):
        events.on_next(msg(str(i)))
    assert released(events)  # disposed at the first value that did not fit
    got = [(await anext(iterator)).id for _ in range(3)]
    assert got == ["0", "1", "2"]
    with pytest.raises(BufferOverflow, match="more than 3 events") as info:
        await anext(iterator)
    assert info.value.limit == 3


async def test_overflow_drop_oldest_counts_and_warns(caplog: pytest.LogCaptureFixture) -> None:
    events = RoutedEventSubject()
    iterator = aiter_events(events, buffer=2, overflow="drop_oldest")
    with caplog.at_level(logging.WARNING, logger="fluxer_rx.operators"):
        for i in range(5):
            events.on_next(msg(str(i)))
        assert iterator.dropped == 3
        assert [(await anext(iterator)).id for _ in range(2)] == ["3", "4"]
    messages = [r.getMessage() for r in caplog.records]
    assert any("dropping the oldest" in m for m in messages)
    assert any("dropped 3 events" in m for m in messages)
    assert not iterator.closed
    await iterator.aclose()


async def test_waiting_consumer_is_woken() -> None:
    events = RoutedEventSubject()
    iterator = aiter_events(events)
    task = asyncio.create_task(anext(iterator))
    await asyncio.sleep(0)  # let it block on the empty buffer (ordering, not timing)
    assert not task.done()
    events.on_next(msg("x"))
    assert (await asyncio.wait_for(task, 1.0)).id == "x"
    await iterator.aclose()


@pytest.mark.parametrize(
    "kwargs", [{"buffer": 0}, {"buffer": True}, {"buffer": 1.5}, {"overflow": "block"}]
)
def test_bad_options(kwargs: dict[str, Any]) -> None:
    events = RoutedEventSubject()
    with pytest.raises(ValueError):
        aiter_events(events, **kwargs)
    assert released(events)


def test_wait_for_is_typed_by_the_event_class_for_mypy() -> None:
    """``await wait_for(stream, MessageCreate, check)`` is a ``MessageCreate`` and ``check``
    receives one; a name gives ``Any``: tests/typed_snippets/waiting_types.py passes
    ``mypy --strict`` (including the calls it marks as type errors)."""
    assert mypy_errors("waiting_types") == []
