"""A collector the user drops while it runs warns (``ResourceWarning``) and releases its
routes, subscriptions and timers when it is garbage-collected; the events it listens to
never keep it alive. One that is referenced, awaited or subscribed to is kept."""

from __future__ import annotations

import asyncio
import gc
import warnings
from collections.abc import Iterator
from typing import Any

import pytest
from reactivex import operators as ops
from reactivex.subject import Subject
from reactivex.testing import TestScheduler

from fluxer_rx.models import MessageCreate, PartialUser
from fluxer_rx.operators import message_collector, reaction_collector
from fluxer_rx.routing import RoutedEventSubject
from fluxer_rx.streams import EventSubject


def msg(mid: str, channel: str = "c1") -> MessageCreate:
    return MessageCreate(id=mid, channel_id=channel, author=PartialUser(id="u1"), content=mid)


def routes_empty(events: RoutedEventSubject) -> bool:
    """No routed subscriber left, in the entry list or in any route table."""
    tables = [route.any or route.table for route in events._routes.values()]
    return events.routed_count == 0 and not any(tables)


@pytest.fixture
def resource_warnings() -> Iterator[list[warnings.WarningMessage]]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ResourceWarning)
        yield caught


def collected(caught: list[warnings.WarningMessage]) -> list[str]:
    gc.collect()
    return [str(w.message) for w in caught if issubclass(w.category, ResourceWarning)]


async def test_a_dropped_collector_without_end_warns_and_releases_its_routes(
    resource_warnings: list[warnings.WarningMessage],
) -> None:
    events = RoutedEventSubject()
    message_collector(events, "c1", guild_id="g1", dispose=True)
    reaction_collector(events, "c1", "m1", guild_id="g1", dispose=True)
    events.on_next(msg("1"))
    # both were dropped at once; the collection above releases whatever a cycle held
    messages = collected(resource_warnings)
    assert len(messages) == 2
    assert all("garbage-collected while running" in m for m in messages)
    assert routes_empty(events)
    events.on_next(msg("2"))  # nothing is routed to a released collector


async def test_a_dropped_collector_on_a_plain_observable_unsubscribes(
    resource_warnings: list[warnings.WarningMessage],
) -> None:
    plain: EventSubject[Any] = EventSubject()
    collector = message_collector(plain, "c1", guild_id="g1")
    assert plain.has_observers
    del collector
    assert len(collected(resource_warnings)) == 1
    assert not plain.has_observers


async def test_a_dropped_collector_with_timers_releases_them(
    resource_warnings: list[warnings.WarningMessage],
) -> None:
    events, clock = RoutedEventSubject(), TestScheduler()
    collector = message_collector(events, "c1", time=60, idle=30, scheduler=clock)
    del collector
    assert len(collected(resource_warnings)) == 1
    assert routes_empty(events)
    clock.advance_by(120)  # the timers were disposed: nothing runs, nothing fails


async def test_a_referenced_ended_or_awaited_collector_is_kept_and_does_not_warn(
    resource_warnings: list[warnings.WarningMessage],
) -> None:
    events = RoutedEventSubject()
    kept = message_collector(events, "c1")
    ended = message_collector(events, "c1")
    ended.stop()
    del ended
    awaiting = asyncio.Event()
    awaited = asyncio.ensure_future(_result_of(message_collector(events, "c2"), awaiting))
    await awaiting.wait()  # the task now awaits the collector it alone refers to
    assert collected(resource_warnings) == []
    events.on_next(msg("1"))
    events.on_next(msg("2", "c2"))
    events.on_next(msg("3", "c2"))
    events.on_completed()  # the client shut down: the awaited collector ends "closed"
    assert [m.id for m in kept.items] == ["1"]
    assert [m.id for m in (await awaited)] == ["2", "3"]
    assert collected(resource_warnings) == []
    assert routes_empty(events)


async def _result_of(collector: Any, awaiting: asyncio.Event) -> list[MessageCreate]:
    awaiting.set()
    result = await collector
    assert result.reason == "closed"
    return result.items  # type: ignore[no-any-return]


async def test_a_subscription_keeps_the_collector_until_it_is_disposed(
    resource_warnings: list[warnings.WarningMessage],
) -> None:
    events = RoutedEventSubject()
    seen: list[str] = []
    subscription = message_collector(events, "c1").subscribe(lambda m: seen.append(m.id))
    assert collected(resource_warnings) == []  # only the subscription refers to it
    events.on_next(msg("1"))
    assert seen == ["1"]
    subscription.dispose()
    assert len(collected(resource_warnings)) == 1
    assert routes_empty(events)


async def test_a_piped_subscription_keeps_the_collector_too(
    resource_warnings: list[warnings.WarningMessage],
) -> None:
    events = RoutedEventSubject()
    out: Subject[str] = Subject()
    seen: list[str] = []
    out.subscribe(seen.append)
    message_collector(events, "c1").pipe(ops.map(lambda m: m.id)).subscribe(out.on_next)
    assert collected(resource_warnings) == []
    events.on_next(msg("1"))
    assert seen == ["1"]
