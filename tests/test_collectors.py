"""Message and reaction collectors in virtual time: every end reason and option.

Events are pushed into a real RoutedEventSubject (and a plain Subject for the fallback
path) while a TestScheduler's clock is advanced by hand; no sleeps anywhere.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from reactivex import abc
from reactivex.disposable import Disposable
from reactivex.subject import Subject
from reactivex.testing import TestScheduler

from fluxer_rx.models import (
    ChannelDelete,
    GuildDelete,
    MessageCreate,
    MessageDelete,
    MessageDeleteBulk,
    MessageReactionAdd,
    MessageReactionRemove,
    MessageReactionRemoveAll,
    MessageReactionRemoveEmoji,
    PartialEmoji,
    PartialUser,
)
from fluxer_rx.operators import (
    END_REASONS,
    Collector,
    CollectorResult,
    message_collector,
    reaction_collector,
)
from fluxer_rx.routing import RoutedEventSubject


class Clock(TestScheduler):
    """A TestScheduler that knows how many of its timers are still pending."""

    def __init__(self) -> None:
        super().__init__()
        self.live: set[int] = set()
        self._ids = 0

    def schedule_relative(self, duetime: Any, action: Any, state: Any = None) -> Any:
        self._ids += 1
        ident = self._ids
        self.live.add(ident)

        def run(scheduler: abc.SchedulerBase, st: Any) -> Any:
            self.live.discard(ident)
            return action(scheduler, st)

        inner = super().schedule_relative(duetime, run, state)

        def cancel() -> None:
            self.live.discard(ident)
            inner.dispose()

        return Disposable(cancel)


def msg(mid: str, channel: str = "c1", user: str = "u1", guild: str | None = "g1") -> MessageCreate:
    return MessageCreate(
        id=mid, channel_id=channel, guild_id=guild, author=PartialUser(id=user), content=mid
    )


def react(user: str = "u1", emoji: str = "a", message: str = "m1") -> MessageReactionAdd:
    return MessageReactionAdd(
        channel_id="c1",
        message_id=message,
        user_id=user,
        emoji=PartialEmoji(name=emoji),
        guild_id="g1",
    )


def unreact(user: str = "u1", emoji: str = "a", message: str = "m1") -> MessageReactionRemove:
    return MessageReactionRemove(
        channel_id="c1", message_id=message, user_id=user, emoji=PartialEmoji(name=emoji)
    )


@pytest.fixture
def events() -> RoutedEventSubject:
    return RoutedEventSubject()


@pytest.fixture
def clock() -> Clock:
    return Clock()


def assert_released(events: RoutedEventSubject, clock: Clock) -> None:
    """Nothing the collector made outlives its end."""
    assert events.routed_count == 0
    assert not events.has_observers
    assert clock.live == set()


def ids(collector: Collector[Any]) -> list[str]:
    return [getattr(i, "id", None) or f"{i.user_id}:{i.emoji.name}" for i in collector.items]


# ---------------------------------------------------------------------- messages


def test_limit_counts_only_filtered_messages_of_the_channel(events, clock) -> None:
    c = message_collector(
        events, "c1", filter=lambda m: m.author.id != "bot", max=2, scheduler=clock
    )
    for event in (msg("1"), msg("x", channel="c2"), msg("2", user="bot"), msg("3"), msg("4")):
        events.on_next(event)
    assert c.result() == CollectorResult([c.items[0], c.items[1]], "limit")
    assert ids(c) == ["1", "3"]
    assert c.processed == 3
    assert_released(events, clock)


def test_processed_limit_counts_rejected_messages_too(events, clock) -> None:
    c = message_collector(
        events, "c1", filter=lambda m: m.id != "1", max_processed=2, scheduler=clock
    )
    for event in (msg("1"), msg("other", channel="c9"), msg("2"), msg("3")):
        events.on_next(event)
    assert (ids(c), c.reason) == (["2"], "processed_limit")
    assert_released(events, clock)


def test_limit_is_checked_before_processed_limit(events, clock) -> None:
    c = message_collector(events, "c1", max=2, max_processed=2, scheduler=clock)
    events.on_next(msg("1"))
    events.on_next(msg("2"))
    assert c.reason == "limit"


def test_time_counts_from_creation_and_keeps_items(events, clock) -> None:
    clock.advance_to(100.0)
    c = message_collector(events, "c1", time=30.0, scheduler=clock)
    clock.advance_to(110.0)
    events.on_next(msg("1"))
    clock.advance_to(129.9)
    events.on_next(msg("2"))
    assert not c.ended
    clock.advance_to(130.0)
    assert (ids(c), c.reason) == (["1", "2"], "time")
    events.on_next(msg("3"))
    assert ids(c) == ["1", "2"]
    assert_released(events, clock)


def test_idle_restarts_on_each_collected_message_only(events, clock) -> None:
    c = message_collector(events, "c1", filter=lambda m: m.id != "skip", idle=10.0, scheduler=clock)
    clock.advance_to(9.0)
    events.on_next(msg("1"))
    clock.advance_to(18.0)
    events.on_next(msg("skip"))  # processed, not collected: does not reset idle
    clock.advance_to(18.9)
    assert not c.ended
    clock.advance_to(19.0)
    assert (ids(c), c.reason) == (["1"], "idle")
    assert_released(events, clock)


def test_idle_counts_from_creation(events, clock) -> None:
    c = message_collector(events, "c1", idle=5.0, time=60.0, scheduler=clock)
    clock.advance_to(5.0)
    assert (c.items, c.reason) == ([], "idle")
    assert_released(events, clock)


def test_stop_ends_with_user_and_keeps_items(events, clock) -> None:
    c = message_collector(events, "c1", time=60.0, idle=30.0, scheduler=clock)
    events.on_next(msg("1"))
    c.stop()
    c.stop("again")  # no-op once ended
    assert (ids(c), c.reason) == (["1"], "user")
    assert_released(events, clock)


def test_stop_with_a_custom_reason(events, clock) -> None:
    c = message_collector(events, "c1", scheduler=clock)
    c.stop("done")
    assert c.reason == "done"
    with pytest.raises(TypeError):
        message_collector(events, "c1", scheduler=clock).stop("")


def test_channel_delete_ends_it(events, clock) -> None:
    c = message_collector(events, "c1", time=60.0, scheduler=clock)
    events.on_next(msg("1"))
    events.on_next(ChannelDelete(id="c2"))
    assert not c.ended
    events.on_next(ChannelDelete(id="c1"))
    assert (ids(c), c.reason) == (["1"], "channel_delete")
    assert_released(events, clock)


def test_guild_delete_ends_it_but_an_outage_does_not(events, clock) -> None:
    c = message_collector(events, "c1", guild_id="g1", scheduler=clock)
    events.on_next(GuildDelete(id="g1", unavailable=True))
    events.on_next(GuildDelete(id="g2"))
    assert not c.ended
    events.on_next(GuildDelete(id="g1"))
    assert c.reason == "guild_delete"
    assert_released(events, clock)


def test_without_guild_id_guild_delete_is_not_watched(events, clock) -> None:
    c = message_collector(events, "c1", scheduler=clock)
    events.on_next(GuildDelete(id="g1"))
    assert not c.ended
    c.stop()


def test_closed_when_the_events_complete(events, clock) -> None:
    c = message_collector(events, "c1", time=5.0, scheduler=clock)
    events.on_next(msg("1"))
    events.on_completed()
    assert (ids(c), c.reason) == (["1"], "closed")
    assert_released(events, clock)


def test_closed_at_once_on_a_completed_source(events, clock) -> None:
    events.on_completed()
    c = message_collector(events, "c1", time=5.0, scheduler=clock)
    assert c.reason == "closed"
    assert clock.live == set()


def test_source_error_ends_it_with_that_error(events, clock) -> None:
    c = message_collector(events, "c1", time=5.0, scheduler=clock)
    errors: list[Exception] = []
    c.subscribe(on_error=errors.append)
    events.on_error(ValueError("gone"))
    assert [str(e) for e in errors] == ["gone"]
    with pytest.raises(ValueError, match="gone"):
        c.result()
    assert_released(events, clock)


def test_filter_error_ends_it_with_that_error(events, clock) -> None:
    def broken(_: MessageCreate) -> bool:
        raise KeyError("filter")

    c = message_collector(events, "c1", filter=broken, scheduler=clock)
    events.on_next(msg("1"))
    assert c.ended
    with pytest.raises(KeyError):
        c.result()
    assert_released(events, clock)


def test_dispose_removes_deleted_messages(events, clock) -> None:
    c = message_collector(events, "c1", dispose=True, scheduler=clock)
    for m in ("1", "2", "3", "4"):
        events.on_next(msg(m))
    events.on_next(MessageDelete(id="2", channel_id="c1"))
    events.on_next(MessageDelete(id="3", channel_id="c9"))  # other channel: ignored
    events.on_next(MessageDeleteBulk(ids=["1", "4", "99"], channel_id="c1"))
    assert ids(c) == ["3"]
    c.stop()
    assert c.result().items == c.items
    assert_released(events, clock)


def test_without_dispose_deletes_keep_items(events, clock) -> None:
    c = message_collector(events, "c1", scheduler=clock)
    events.on_next(msg("1"))
    events.on_next(MessageDelete(id="1", channel_id="c1"))
    events.on_next(MessageDeleteBulk(ids=["1"], channel_id="c1"))
    assert ids(c) == ["1"]
    c.stop()


def test_disposed_items_free_room_under_max(events, clock) -> None:
    c = message_collector(events, "c1", max=2, dispose=True, scheduler=clock)
    events.on_next(msg("1"))
    events.on_next(MessageDelete(id="1", channel_id="c1"))
    events.on_next(msg("2"))
    assert not c.ended
    events.on_next(msg("3"))
    assert (ids(c), c.reason) == (["2", "3"], "limit")


def test_subscribers_get_earlier_items_then_live_then_completion(events, clock) -> None:
    c = message_collector(events, "c1", max=3, scheduler=clock)
    events.on_next(msg("1"))
    seen: list[str] = []
    c.subscribe(lambda m: seen.append(m.id), on_completed=lambda: seen.append("|"))
    events.on_next(msg("2"))
    events.on_next(msg("3"))
    late: list[str] = []
    c.subscribe(lambda m: late.append(m.id), on_completed=lambda: late.append("|"))
    assert seen == ["1", "2", "3", "|"]
    assert late == ["1", "2", "3", "|"]


def test_many_collectors_on_different_channels_are_independent(events, clock) -> None:
    collectors = [message_collector(events, f"c{i}", max=2, scheduler=clock) for i in range(50)]
    assert events.routed_count == 2 * 50  # per collector: its messages, its end events
    for i in range(50):
        events.on_next(msg(f"{i}a", channel=f"c{i}"))
    assert all(len(c.items) == 1 for c in collectors)
    for i in range(50):
        events.on_next(msg(f"{i}b", channel=f"c{i}"))
    assert all(c.reason == "limit" for c in collectors)
    assert_released(events, clock)


def test_works_on_a_plain_observable(clock) -> None:
    source: Subject[Any] = Subject()
    c = message_collector(source, "c1", max=1, scheduler=clock)
    source.on_next(msg("x", channel="c2"))
    source.on_next(msg("1"))
    assert (ids(c), c.reason) == (["1"], "limit")
    assert not source.observers


@pytest.mark.parametrize(
    "kwargs",
    [{"max": 0}, {"max_processed": -1}, {"time": 0}, {"idle": "1"}, {"max": 2.5}],
)
def test_bad_options_raise_before_subscribing(events, clock, kwargs) -> None:
    with pytest.raises((TypeError, ValueError)):
        message_collector(events, "c1", scheduler=clock, **kwargs)
    assert events.routed_count == 0


def test_timers_need_a_loop_or_a_scheduler(events) -> None:
    with pytest.raises(RuntimeError, match="scheduler"):
        message_collector(events, "c1", time=1.0)
    assert events.routed_count == 0
    c = message_collector(events, "c1")  # no timers: no scheduler needed
    c.stop()


# ---------------------------------------------------------------------- await


async def test_await_gives_items_and_reason(events, clock) -> None:
    c = message_collector(events, "c1", max=2, scheduler=clock)
    waiter = asyncio.ensure_future(c)
    events.on_next(msg("1"))
    await asyncio.sleep(0)  # let the waiter start awaiting (not a timing sync)
    assert not waiter.done()
    events.on_next(msg("2"))
    result = await asyncio.wait_for(waiter, 1.0)
    assert ([m.id for m in result.items], result.reason) == (["1", "2"], "limit")
    assert await c == result  # awaiting an ended collector returns at once


async def test_await_raises_the_error(events, clock) -> None:
    c = message_collector(events, "c1", scheduler=clock)
    waiter = asyncio.ensure_future(c)
    await asyncio.sleep(0)
    events.on_error(RuntimeError("down"))
    with pytest.raises(RuntimeError, match="down"):
        await asyncio.wait_for(waiter, 1.0)


async def test_default_scheduler_is_the_running_loop(events) -> None:
    c = message_collector(events, "c1", time=0.01)
    result = await asyncio.wait_for(c, 2.0)
    assert result.reason == "time"
    assert events.routed_count == 0


# ---------------------------------------------------------------------- reactions


def test_reactions_limit_and_other_messages_ignored(events, clock) -> None:
    c = reaction_collector(events, "c1", "m1", max=2, scheduler=clock)
    events.on_next(react("u1", "a", message="m2"))
    events.on_next(msg("m1"))  # the message itself is not a reaction
    events.on_next(react("u1", "a"))
    events.on_next(react("u2", "a"))
    assert (ids(c), c.reason) == (["u1:a", "u2:a"], "limit")
    assert_released(events, clock)


def test_reactions_emoji_limit(events, clock) -> None:
    c = reaction_collector(events, "c1", "m1", max_emojis=2, scheduler=clock)
    events.on_next(react("u1", "a"))
    events.on_next(react("u2", "a"))
    assert not c.ended
    events.on_next(react("u1", "b"))
    assert c.reason == "emoji_limit"
    assert_released(events, clock)


def test_reactions_user_limit(events, clock) -> None:
    c = reaction_collector(events, "c1", "m1", max_users=2, scheduler=clock)
    events.on_next(react("u1", "a"))
    events.on_next(react("u1", "b"))
    assert not c.ended
    events.on_next(react("u2", "a"))
    assert c.reason == "user_limit"
    assert_released(events, clock)


def test_reactions_limit_order_limit_then_emoji_then_user(events, clock) -> None:
    c = reaction_collector(events, "c1", "m1", max=2, max_emojis=2, max_users=2, scheduler=clock)
    events.on_next(react("u1", "a"))
    events.on_next(react("u2", "b"))
    assert c.reason == "limit"
    c = reaction_collector(events, "c1", "m1", max_emojis=2, max_users=2, scheduler=clock)
    events.on_next(react("u1", "a"))
    events.on_next(react("u2", "b"))
    assert c.reason == "emoji_limit"


def test_reactions_processed_limit_filter_time_idle(events, clock) -> None:
    c = reaction_collector(
        events, "c1", "m1", filter=lambda r: r.user_id == "u1", max_processed=2, scheduler=clock
    )
    events.on_next(react("u2"))
    events.on_next(react("u3"))
    assert (c.items, c.reason) == ([], "processed_limit")

    timed = reaction_collector(events, "c1", "m1", time=10.0, scheduler=clock)
    idle = reaction_collector(events, "c1", "m1", idle=4.0, scheduler=clock)
    clock.advance_by(3.0)
    events.on_next(react("u1"))
    clock.advance_by(3.0)
    assert not idle.ended
    clock.advance_by(1.0)
    assert idle.reason == "idle"
    clock.advance_by(3.0)
    assert (ids(timed), timed.reason) == (["u1:a"], "time")
    assert_released(events, clock)


@pytest.mark.parametrize(
    ("end", "reason"),
    [
        (MessageDelete(id="m1", channel_id="c1"), "message_delete"),
        (MessageDeleteBulk(ids=["m0", "m1"], channel_id="c1"), "message_delete"),
        (ChannelDelete(id="c1"), "channel_delete"),
        (GuildDelete(id="g1"), "guild_delete"),
    ],
)
def test_reactions_end_events(events, clock, end: Any, reason: str) -> None:
    c = reaction_collector(events, "c1", "m1", guild_id="g1", time=9.0, scheduler=clock)
    events.on_next(react())
    for unrelated in (
        MessageDelete(id="m2", channel_id="c1"),
        MessageDeleteBulk(ids=["m2"], channel_id="c1"),
        ChannelDelete(id="c2"),
        GuildDelete(id="g2"),
        GuildDelete(id="g1", unavailable=True),
    ):
        events.on_next(unrelated)
    assert not c.ended
    events.on_next(end)
    assert (ids(c), c.reason) == (["u1:a"], reason)
    assert_released(events, clock)


def test_reactions_dispose_on_each_removal_kind(events, clock) -> None:
    c = reaction_collector(events, "c1", "m1", dispose=True, scheduler=clock)
    for user, emoji in (("u1", "a"), ("u2", "a"), ("u1", "b"), ("u2", "c"), ("u3", "d")):
        events.on_next(react(user, emoji))
    events.on_next(unreact("u1", "a"))
    events.on_next(unreact("u1", "a", message="m2"))  # other message
    assert ids(c) == ["u2:a", "u1:b", "u2:c", "u3:d"]
    events.on_next(
        MessageReactionRemoveEmoji(channel_id="c1", message_id="m1", emoji=PartialEmoji(name="b"))
    )
    assert ids(c) == ["u2:a", "u2:c", "u3:d"]
    events.on_next(  # the [S] DM quirk: one emoji's removal sent as REMOVE_ALL with emoji
        MessageReactionRemoveAll(channel_id="c1", message_id="m1", emoji=PartialEmoji(name="c"))
    )
    assert ids(c) == ["u2:a", "u3:d"]
    events.on_next(MessageReactionRemoveAll(channel_id="c1", message_id="m1"))
    assert c.items == []
    assert not c.ended
    c.stop()
    assert_released(events, clock)


def test_reactions_without_dispose_keep_removed(events, clock) -> None:
    c = reaction_collector(events, "c1", "m1", scheduler=clock)
    events.on_next(react())
    events.on_next(unreact())
    events.on_next(MessageReactionRemoveAll(channel_id="c1", message_id="m1"))
    assert ids(c) == ["u1:a"]
    c.stop()


def test_reactions_dispose_lowers_distinct_counts(events, clock) -> None:
    c = reaction_collector(events, "c1", "m1", max_users=2, dispose=True, scheduler=clock)
    events.on_next(react("u1"))
    events.on_next(unreact("u1"))
    events.on_next(react("u2"))
    assert not c.ended
    events.on_next(react("u3"))
    assert c.reason == "user_limit"


def test_custom_emoji_identity_is_its_id(events, clock) -> None:
    c = reaction_collector(events, "c1", "m1", dispose=True, scheduler=clock)
    custom = PartialEmoji(id="e1", name="blob")
    events.on_next(MessageReactionAdd(channel_id="c1", message_id="m1", user_id="u1", emoji=custom))
    events.on_next(
        MessageReactionRemove(
            channel_id="c1", message_id="m1", user_id="u1", emoji=PartialEmoji(id="e1")
        )
    )
    assert c.items == []
    c.stop()


def test_every_documented_reason_is_reachable() -> None:
    # each reason appears in at least one test above; keep the list honest
    assert {
        "time",
        "idle",
        "limit",
        "processed_limit",
        "user",
        "channel_delete",
        "guild_delete",
        "message_delete",
        "user_limit",
        "emoji_limit",
        "closed",
    } == END_REASONS
