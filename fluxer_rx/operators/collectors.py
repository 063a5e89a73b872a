"""Message and reaction collectors: awaitable, observable gatherings of events with limits.

A collector listens to an events observable (``client.events``) from the moment it is
created, keeps the events that pass its filter, and ends for exactly one reason
(:data:`END_REASONS`). Its inputs are plain routed streams (``of_type`` + ``in_channel`` /
``for_message``): on ``client.events`` it registers plain callables on the subject's
routing table (:meth:`~fluxer_rx.routing.RoutedStream.route`), one for the items and one
for the events that end it or remove items, so an event of its channel or message costs
the subject's look-ups plus one call, and the other events cost it nothing. On any other
observable the same streams are filters, subscribed to. Its timers run on the given
scheduler, else on the running loop's.

Guarantees:

* The ``time`` limit counts from creation; ``idle`` from creation and again from each
  collected item.
* When the collector ends it has disposed of every subscription and timer it made;
  nothing it owns outlives the end.
* ``await collector`` gives a :class:`CollectorResult` (``items``, ``reason``); iterating
  or subscribing gives the items collected so far, then each new one, then completion.
* An exception from ``filter`` ends the collector with that error (``await`` raises it);
  so does an error of the events observable. If the events observable completes (the
  client shut down) the reason is ``"closed"``.
* The events observable never keeps a collector alive: its routes and subscriptions hold
  the collector's inner state, not the :class:`Collector`. A collector lives while it is
  referenced, awaited or subscribed to; one dropped while running (which nobody could
  observe any more) warns with a ``ResourceWarning`` and releases its routes,
  subscriptions and timers as soon as it is garbage-collected.
"""

from __future__ import annotations

import asyncio
import warnings
import weakref
from collections.abc import Callable, Generator, Sequence
from dataclasses import dataclass
from time import monotonic
from typing import Any, Final, Generic, TypeVar

from reactivex import Observable, abc
from reactivex.disposable import Disposable
from reactivex.scheduler import VirtualTimeScheduler

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
)
from fluxer_rx.operators.collect import check_limits
from fluxer_rx.operators.filtering import for_message, in_channel, in_guild, of_type
from fluxer_rx.routing import RoutedStream
from fluxer_rx.schedulers import LoopScheduler
from fluxer_rx.streams import EventSubject, LoopObservable, loop_scheduler

__all__ = [
    "END_REASONS",
    "Collector",
    "CollectorResult",
    "message_collector",
    "reaction_collector",
]

T = TypeVar("T")

END_REASONS: Final = frozenset(
    {
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
    }
)
"""Why a collector ended. ``user`` is :meth:`Collector.stop` (unless given another reason);
``closed`` means the events observable completed."""


@dataclass(frozen=True, slots=True)
class CollectorResult(Generic[T]):
    """What a collector gathered (in arrival order, minus disposed items) and why it ended."""

    items: list[T]
    reason: str


class _Rules(Generic[T]):
    """What ends a kind of collector and what removes its items; ``limited`` says whether
    :meth:`limit_reason` can ever answer."""

    limited: bool

    def end_reason(self, event: object) -> str | None:
        raise NotImplementedError

    def removes(self, event: object, items: list[T]) -> list[T] | None:
        """The items left after ``event`` (``None``: nothing removed)."""
        raise NotImplementedError

    def limit_reason(self, items: list[T]) -> str | None:
        raise NotImplementedError


_CLOCK_SLACK: Final = 1e-6
"""Seconds of rounding tolerated when an idle timer checks its deadline."""


def _clock_of(scheduler: abc.SchedulerBase | None) -> Callable[[], float]:
    """Seconds on the clock ``scheduler`` schedules relative timers by: the virtual clock
    of a virtual-time scheduler or of the loop's scheduler (which follows a replay's
    virtual clock), else the monotonic clock (asyncio's ``loop.time``)."""
    if isinstance(scheduler, VirtualTimeScheduler):
        return lambda: scheduler.now.timestamp()
    if isinstance(scheduler, LoopScheduler):
        return lambda: scheduler.seconds
    return monotonic


class _Collection(Generic[T]):
    """What a collector is while it runs: its items, counters, timers and routes.

    The routes and timers hold this object, never the :class:`Collector` the user holds,
    so dropping the collector drops the only way to observe it (see :meth:`release`).
    It refers to its collector only while someone is subscribed (``_keep``), which keeps
    the collector alive for them.
    """

    def __init__(
        self,
        items: Observable[T],
        others: Sequence[Observable[Any]],
        rules: _Rules[T],
        *,
        filter: Callable[[T], bool] | None,
        max_processed: int | None,
        time: float | None,
        idle: float | None,
        dispose: bool,
        scheduler: abc.SchedulerBase | None,
    ) -> None:
        check_limits(max_processed=max_processed, time=time, idle=idle)
        timers = scheduler or loop_scheduler()
        if timers is None and (time is not None or idle is not None):
            raise RuntimeError("a collector with time= or idle= needs a running loop or scheduler=")
        self._rules = rules
        self._limited = rules.limited
        self._filter = filter
        # processed counts up by one, so reaching the cap is an equality (-1: no cap)
        self._processed_cap = max_processed if max_processed is not None else -1
        self._idle = idle
        self._dispose = dispose
        self._scheduler = timers
        self._items: list[T] = []
        self._processed = 0
        self._reason: str | None = None
        self._error: Exception | None = None
        self._live: EventSubject[T] = EventSubject()
        self._future: asyncio.Future[CollectorResult[T]] | None = None
        self._keep: Collector[T] | None = None
        # What the collector owns, disposed by _finish: plain fields, no locks (loop-only).
        self._time_timer: abc.DisposableBase | None = None
        self._idle_timer: abc.DisposableBase | None = None
        self._listening: list[abc.DisposableBase] = []
        if time is not None and timers is not None:
            self._time_timer = timers.schedule_relative(time, lambda _s, _t: self._end("time"))
        self._clock = _clock_of(timers)
        self._last_collected = self._clock()
        self._arm_idle()
        on_error, on_completed, other = self._on_error, self._on_completed, self._other
        inputs: list[tuple[Observable[Any], Callable[[Any], None]]] = [(items, self._collect)]
        inputs += [(source, other) for source in others]
        for source, handler in inputs:
            if isinstance(source, RoutedStream):
                listening = source.route(handler, on_error, on_completed)
            else:
                listening = source.subscribe(handler, on_error, on_completed, scheduler=timers)
            if self._reason is not None:  # the source ended during subscribe: so did this
                listening.dispose()
                break
            self._listening.append(listening)

    def __repr__(self) -> str:
        state = f"ended reason={self._reason!r}" if self._reason is not None else "running"
        return f"<Collector {state} items={len(self._items)} processed={self._processed}>"

    def result(self) -> CollectorResult[T]:
        if self._error is not None:
            raise self._error
        if self._reason is None:
            raise RuntimeError("the collector is still running")
        return CollectorResult(list(self._items), self._reason)

    # ------------------------------------------------------------------ subscription

    def attach(self, collector: Collector[T], observer: abc.ObserverBase[T]) -> abc.DisposableBase:
        for item in list(self._items):
            observer.on_next(item)
        subscription = self._live.subscribe(observer)
        if self._reason is not None:
            return subscription
        self._keep = collector  # the subscriber keeps the collector, and so the routes

        def unsubscribe() -> None:
            subscription.dispose()
            if not self._live._observers:
                self._keep = None

        return Disposable(unsubscribe)

    def release(self) -> None:
        """The collector was garbage-collected: nobody can observe this any more. A
        running one warns (it was left open) and lets go of its routes and timers."""
        if self._reason is not None:
            return
        warnings.warn(
            f"{self!r} was garbage-collected while running; stop() it, await it, or give "
            "it an end (max=, time=, idle=): its routes are released now",
            ResourceWarning,
            stacklevel=1,
        )
        self._finish("released")

    # ------------------------------------------------------------------ events

    def _arm_idle(self, delay: float | None = None) -> None:
        # Armed at creation, then only from its own expiry (the previous timer is spent).
        if self._idle is not None and self._scheduler is not None and self._reason is None:
            self._idle_timer = self._scheduler.schedule_relative(
                self._idle if delay is None else delay, self._idle_due
            )

    def _idle_due(self, _scheduler: abc.SchedulerBase, _state: Any = None) -> None:
        # The timer is armed once per idle period, not per item: when it fires, an item
        # collected since then moves the deadline to (that item's time + idle).
        assert self._idle is not None
        remaining = self._last_collected + self._idle - self._clock()
        if remaining > _CLOCK_SLACK:
            self._arm_idle(remaining)
        else:
            self._end("idle")

    def _collect(self, event: T) -> None:
        # The hot path of every collector, called straight from the routing table for
        # each event of its kind on its channel or message: flat on purpose, no
        # allocation beyond what the user's filter and subscribers do.
        if self._reason is not None:
            return
        processed = self._processed = self._processed + 1
        check = self._filter
        if check is not None:
            try:
                keep = check(event)
            except Exception as exc:  # the user's filter failed: end with its error
                self._on_error(exc)
                return
            if not keep:
                if processed == self._processed_cap:
                    self._end("processed_limit")
                return
        items = self._items
        items.append(event)
        if self._idle is not None:
            clock = self._clock  # a plain attribute load: CPython 3.11 specialises it
            self._last_collected = clock()
        if self._live._observers:  # has_observers without the property call
            self._live.on_next(event)
        if self._limited:
            reason = self._rules.limit_reason(items)
            if reason is not None:
                self._end(reason)
                return
        if processed == self._processed_cap:
            self._end("processed_limit")

    def _other(self, event: object) -> None:
        # An event that may end the collector or (dispose=True) remove items.
        if self._reason is not None:
            return
        reason = self._rules.end_reason(event)
        if reason is not None:
            self._end(reason)
            return
        if self._dispose:
            remaining = self._rules.removes(event, self._items)
            if remaining is not None:
                self._items = remaining

    def _on_error(self, error: Exception) -> None:
        if self._reason is not None:
            return
        self._error = error
        self._finish("error")
        self._live.on_error(error)
        if self._future is not None and not self._future.done():
            self._future.set_exception(error)

    def _on_completed(self) -> None:
        self._end("closed")

    def _end(self, reason: str) -> None:
        if self._reason is not None:
            return
        self._finish(reason)
        self._live.on_completed()
        if self._future is not None and not self._future.done():
            self._future.set_result(CollectorResult(list(self._items), reason))

    def _finish(self, reason: str) -> None:
        self._reason = reason
        self._keep = None
        owned = [self._time_timer, self._idle_timer, *self._listening]
        self._time_timer = self._idle_timer = None
        self._listening = []
        for disposable in owned:
            if disposable is not None:
                disposable.dispose()


class Collector(LoopObservable[T]):
    """A running collection; build one with :func:`message_collector` or
    :func:`reaction_collector`.

    It is an Observable of the collected items (replaying those collected before the
    subscription, then live, then completing at the end) and awaitable
    (``result = await collector``). It starts collecting when it is created.

    It lives as long as it is referenced, awaited or subscribed to (the events it listens
    to do not keep it alive). One garbage-collected while running, which nobody could
    observe any more, warns with a ``ResourceWarning`` (as an unclosed file does) and
    releases its routes and timers.
    """

    def __init__(self, core: _Collection[T]) -> None:
        this = weakref.ref(self)

        def attach(
            observer: abc.ObserverBase[T], scheduler: abc.SchedulerBase | None = None
        ) -> abc.DisposableBase:
            collector = this()  # alive: it is the observable being subscribed to
            assert collector is not None
            return core.attach(collector, observer)

        # No reference cycle through the collector (``self._attach`` would be one), so
        # dropping the last reference releases it at once, without waiting for the GC.
        super().__init__(attach)
        self._core = core
        weakref.finalize(self, core.release).atexit = False  # not for those alive at exit

    # ------------------------------------------------------------------ state

    @property
    def ended(self) -> bool:
        """Whether the collector has ended."""
        return self._core._reason is not None

    @property
    def reason(self) -> str | None:
        """Why it ended: one of :data:`END_REASONS`, a :meth:`stop` reason, or ``"error"``
        when it ended with an error (:meth:`result` raises it); ``None`` while running."""
        return self._core._reason

    @property
    def items(self) -> list[T]:
        """A copy of the items collected so far."""
        return list(self._core._items)

    @property
    def processed(self) -> int:
        """How many candidate events were seen (passing the filter or not)."""
        return self._core._processed

    def result(self) -> CollectorResult[T]:
        """The result of an ended collector; ``RuntimeError`` while running, or its error."""
        return self._core.result()

    def stop(self, reason: str = "user") -> None:
        """End now with ``reason``, keeping what was collected (no-op once ended)."""
        if not isinstance(reason, str) or not reason:
            raise TypeError("reason must be a non-empty string")
        self._core._end(reason)

    # Observable.__await__ gives the last value; a collector gives its whole result.
    def __await__(self) -> Generator[Any, None, CollectorResult[T]]:  # type: ignore[override]
        core = self._core
        if core._reason is not None:
            return core.result()
        if core._future is None:
            core._future = asyncio.get_running_loop().create_future()
        return (yield from core._future.__await__())

    def __repr__(self) -> str:
        return repr(self._core)


# ---------------------------------------------------------------------- messages


class _MessageRules(_Rules[MessageCreate]):
    def __init__(self, max: int | None) -> None:
        self.max = max
        self.limited = max is not None

    def end_reason(self, event: object) -> str | None:
        if isinstance(event, ChannelDelete):
            return "channel_delete"
        if isinstance(event, GuildDelete) and not event.unavailable:
            return "guild_delete"
        return None

    def removes(self, event: object, items: list[MessageCreate]) -> list[MessageCreate] | None:
        if isinstance(event, MessageDelete):
            gone = {event.id}
        elif isinstance(event, MessageDeleteBulk):
            gone = set(event.ids)
        else:
            return None
        return [item for item in items if item.id not in gone]

    def limit_reason(self, items: list[MessageCreate]) -> str | None:
        return "limit" if self.max is not None and len(items) >= self.max else None


def _guild_deletes(events: Observable[Any], guild_id: str | int | None) -> list[Observable[Any]]:
    if guild_id is None:
        return []
    return [events.pipe(of_type(GuildDelete), in_guild(guild_id))]


def message_collector(
    events: Observable[Any],
    channel_id: str | int,
    *,
    guild_id: str | int | None = None,
    filter: Callable[[MessageCreate], bool] | None = None,
    max: int | None = None,
    max_processed: int | None = None,
    time: float | None = None,
    idle: float | None = None,
    dispose: bool = False,
    scheduler: abc.SchedulerBase | None = None,
) -> Collector[MessageCreate]:
    """Collect the ``MessageCreate`` events of one channel, starting now.

    Ends (reason) when ``max`` messages passed ``filter`` (``limit``), ``max_processed``
    messages of the channel were seen (``processed_limit``; checked after ``limit``),
    ``time`` seconds passed since creation (``time``), no message was collected for
    ``idle`` seconds (``idle``), the channel was deleted (``channel_delete``), the guild
    ``guild_id`` was deleted or left (``guild_delete``; an outage does not count),
    :meth:`Collector.stop` was called (``user``) or ``events`` completed (``closed``).
    With ``dispose=True`` a collected message is dropped when it is deleted
    (MESSAGE_DELETE, MESSAGE_DELETE_BULK).

    ::

        events:  --m1--m2--x--m3--D--m4->   m: message in the channel, x: elsewhere,
        [ message_collector(events, ch) ]   D: CHANNEL_DELETE of the channel
        items:   --m1--m2-----m3--|         await -> items [m1, m2, m3], "channel_delete"

    Raises ``TypeError``/``ValueError`` at once for a bad id or limit.
    """
    check_limits(max=max)
    messages = events.pipe(of_type(MessageCreate), in_channel(channel_id))
    types: list[type[Any]] = [ChannelDelete]
    if dispose:
        types += [MessageDelete, MessageDeleteBulk]
    channel = events.pipe(of_type(*types), in_channel(channel_id))
    return Collector(
        _Collection(
            messages,
            [channel, *_guild_deletes(events, guild_id)],
            _MessageRules(max),
            filter=filter,
            max_processed=max_processed,
            time=time,
            idle=idle,
            dispose=dispose,
            scheduler=scheduler,
        )
    )


# ---------------------------------------------------------------------- reactions


def _emoji_key(emoji: PartialEmoji | None) -> str | None:
    if emoji is None:
        return None
    return emoji.id or emoji.name


class _ReactionRules(_Rules[MessageReactionAdd]):
    def __init__(
        self,
        message_id: str,
        max: int | None,
        max_users: int | None,
        max_emojis: int | None,
    ) -> None:
        self.message_id = message_id
        self.max = max
        self.max_users = max_users
        self.max_emojis = max_emojis
        self.limited = not (max is None and max_users is None and max_emojis is None)

    def end_reason(self, event: object) -> str | None:
        if isinstance(event, MessageDelete):
            return "message_delete"
        if isinstance(event, MessageDeleteBulk) and self.message_id in event.ids:
            return "message_delete"
        if isinstance(event, ChannelDelete):
            return "channel_delete"
        if isinstance(event, GuildDelete) and not event.unavailable:
            return "guild_delete"
        return None

    def removes(
        self, event: object, items: list[MessageReactionAdd]
    ) -> list[MessageReactionAdd] | None:
        if isinstance(event, MessageReactionRemove):
            user, emoji = event.user_id, _emoji_key(event.emoji)
            return [i for i in items if i.user_id != user or _emoji_key(i.emoji) != emoji]
        if isinstance(event, MessageReactionRemoveEmoji) or (
            isinstance(event, MessageReactionRemoveAll) and event.emoji is not None
        ):
            emoji = _emoji_key(event.emoji)
            return [i for i in items if _emoji_key(i.emoji) != emoji]
        if isinstance(event, MessageReactionRemoveAll):
            return []
        return None

    def limit_reason(self, items: list[MessageReactionAdd]) -> str | None:
        if self.max is not None and len(items) >= self.max:
            return "limit"
        emojis = self.max_emojis
        if emojis is not None and len({_emoji_key(i.emoji) for i in items}) >= emojis:
            return "emoji_limit"
        if self.max_users is not None and len({i.user_id for i in items}) >= self.max_users:
            return "user_limit"
        return None


_REMOVALS: Final[tuple[type[Any], ...]] = (
    MessageReactionRemove,
    MessageReactionRemoveAll,
    MessageReactionRemoveEmoji,
)


def reaction_collector(
    events: Observable[Any],
    channel_id: str | int,
    message_id: str | int,
    *,
    guild_id: str | int | None = None,
    filter: Callable[[MessageReactionAdd], bool] | None = None,
    max: int | None = None,
    max_users: int | None = None,
    max_emojis: int | None = None,
    max_processed: int | None = None,
    time: float | None = None,
    idle: float | None = None,
    dispose: bool = False,
    scheduler: abc.SchedulerBase | None = None,
) -> Collector[MessageReactionAdd]:
    """Collect the ``MessageReactionAdd`` events on one message, starting now.

    Ends (reason) when ``max`` reactions passed ``filter`` (``limit``), the collected
    reactions span ``max_emojis`` distinct emojis (``emoji_limit``) or ``max_users``
    distinct users (``user_limit``) -- checked in that order after each collected
    reaction --, ``max_processed`` reactions were seen (``processed_limit``), ``time`` /
    ``idle`` seconds passed (``time`` / ``idle``), the message (``message_delete``), the
    channel (``channel_delete``) or the guild ``guild_id`` (``guild_delete``) was deleted,
    :meth:`Collector.stop` was called (``user``) or ``events`` completed (``closed``).
    With ``dispose=True`` a reaction removal drops the matching collected reactions (same
    user and emoji; every reaction of the emoji; all of them).

    ::

        events:  --r1--r2--x1--r3--|->   r: reaction add on the message, x: removal of r1
        [ reaction_collector(events, ch, msg, max=2, dispose=True) ]
        items:   --r1--r2|               await -> items [r1, r2], "limit"
    """
    check_limits(max=max, max_users=max_users, max_emojis=max_emojis)
    key = str(message_id)
    reactions = events.pipe(of_type(MessageReactionAdd), for_message(key))
    types: list[type[Any]] = [MessageDelete]
    if dispose:
        types += _REMOVALS
    on_message = events.pipe(of_type(*types), for_message(key))
    channel = events.pipe(of_type(ChannelDelete, MessageDeleteBulk), in_channel(channel_id))
    return Collector(
        _Collection(
            reactions,
            [on_message, channel, *_guild_deletes(events, guild_id)],
            _ReactionRules(key, max, max_users, max_emojis),
            filter=filter,
            max_processed=max_processed,
            time=time,
            idle=idle,
            dispose=dispose,
            scheduler=scheduler,
        )
    )
