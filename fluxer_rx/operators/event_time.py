"""Event-time operators: windows, keyed counts and a sliding top-k by when events happened.

Arrival time lies whenever events arrive in bursts (a fast replay, the catch-up after a
resume); the time an event *happened* does not. These operators place each event by its
**event time**: its snowflake's creation time by default (:func:`snowflake_seconds`), or
what a ``key`` / ``event_time`` function returns (Unix seconds, or an aware ``datetime``).

Windows are tumbling, ``seconds`` wide and aligned on multiples of ``seconds`` since the
Unix epoch (``[k * seconds, (k + 1) * seconds)``). Progress comes from the stream itself,
as in Apache Flink and Beam: the **watermark** is the largest event time seen so far minus
``allowed_lateness``, and a window is emitted, once, as soon as the watermark reaches its
end. So the result depends only on the events and their order, never on how fast they
arrive or on any clock.

Guarantees:

* Windows are emitted in event-time order, each once, holding its events in arrival
  order. Only windows that received an event are emitted (a quiet second has no window).
* An event whose window was already emitted is **late**: it is counted and handed to
  ``on_late`` as a :class:`LateEvent` (without ``on_late``, it is logged as a warning on
  the ``fluxer_rx.operators`` logger); it is never dropped silently. An event at most
  ``allowed_lateness`` seconds older than the newest one is never late. (So one event
  stamped far in the future moves the watermark there: later events for earlier
  windows are then late, and reported.)
* On completion every open window is emitted in order, then the completion; an error is
  passed on at once (open windows are dropped with the subscription).
* ``idle`` (seconds, optional): once no event has arrived for ``idle`` seconds on the
  subscription's scheduler, every open window is emitted (an event for one of them later
  is late). A stream that never completes, such as ``client.events`` after a replay, needs
  it to see its last windows; a replay on recorded time lets pending timers come due at
  its end, so they are.
* An exception raised by the time function, or a time that is not a finite number, ends
  the stream with that error.

Marble diagrams use the event time as the value (``key=float``), one unit per dash.
"""

from __future__ import annotations

import logging
import math
from collections import Counter, deque
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from datetime import UTC, datetime
from math import floor
from typing import Any, Final, Generic, TypeVar, overload

from reactivex import Observable, abc
from reactivex import operators as ops
from reactivex.disposable import CompositeDisposable, SerialDisposable

from fluxer_rx.models.snowflake import FLUXER_EPOCH, snowflake_timestamp_ms
from fluxer_rx.operators.keyed import Key, KeyName, _key_function
from fluxer_rx.routing import RoutedStream
from fluxer_rx.schedulers import loop_scheduler, seconds_clock

__all__ = [
    "EventTime",
    "EventWindow",
    "KeyedCounts",
    "LateEvent",
    "TopK",
    "count_by",
    "snowflake_seconds",
    "top_k",
    "window_by_event_time",
]

T = TypeVar("T")
K = TypeVar("K", bound=Hashable)

log = logging.getLogger("fluxer_rx.operators")

_CLOCK_SLACK: Final = 1e-6
"""Seconds of rounding tolerated when the idle timer checks its deadline."""

EventTime = Callable[[Any], "float | datetime"]
"""Reads an event's time: Unix seconds, or an aware ``datetime`` (naive means UTC)."""

_last_parsed: tuple[object, float] = (object(), 0.0)
"""The id string :func:`snowflake_seconds` parsed last and its time: the operators on one
stream read the same event's id one after the other (an id string is immutable, so the
same object has the same time)."""


def snowflake_seconds(event: object) -> float:
    """The creation time of ``event``'s own snowflake (its ``id``), in Unix seconds
    (millisecond precision). ``ValueError`` when the event has no ``id`` (reactions,
    typing: give a time function instead)."""
    snowflake = getattr(event, "id", None)
    last = _last_parsed
    if snowflake is last[0]:
        return last[1]
    return _id_seconds(event, snowflake)


def _id_seconds(event: object, snowflake: object) -> float:
    """:func:`snowflake_seconds` of ``event``, whose ``id`` is ``snowflake``, remembered
    in :data:`_last_parsed`."""
    global _last_parsed
    # the common case, checked as parse_snowflake checks it (under 20 digits: in range).
    # ASCII digits only: ``isascii`` first (encoding a lone surrogate would raise), then
    # ``bytes.isdigit`` (ASCII only, and about half the cost of ``str.isdigit``)
    if (
        type(snowflake) is str
        and len(snowflake) < 20
        and snowflake.isascii()
        and snowflake.encode().isdigit()
    ):
        seconds = ((int(snowflake) >> 22) + FLUXER_EPOCH) / 1000
        _last_parsed = (snowflake, seconds)
        return seconds
    if snowflake is None:
        raise ValueError(
            f"{type(event).__name__} has no id to take its time from; pass key= / event_time="
        )
    return snowflake_timestamp_ms(snowflake) / 1000  # type: ignore[arg-type]


def _as_datetime(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)


def _seconds_of(value: float | datetime) -> float:
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value.timestamp()
    seconds = float(value)
    if not math.isfinite(seconds):
        raise ValueError(f"an event time must be a finite number, not {value!r}")
    return seconds


@dataclass(frozen=True, slots=True)
class EventWindow(Generic[T]):
    """One event-time window: ``[start, end)`` (aware UTC) and its events, in arrival order."""

    start: datetime
    end: datetime
    items: tuple[T, ...]

    @property
    def count(self) -> int:
        """How many events the window holds."""
        return len(self.items)


@dataclass(frozen=True, slots=True)
class LateEvent:
    """An event that came after its window was emitted.

    ``event``; ``time``: its event time; ``watermark``: the watermark when it came;
    ``window_start``: the start of the window it belonged to; ``late_so_far``: how many
    late events this subscription has met, this one included.
    """

    event: object
    time: datetime
    watermark: datetime
    window_start: datetime
    late_so_far: int


@dataclass(frozen=True, slots=True)
class KeyedCounts(Generic[K]):
    """Counts per key of one event-time window ``[start, end)``."""

    start: datetime
    end: datetime
    counts: dict[K, int]


@dataclass(frozen=True, slots=True)
class TopK(Generic[K]):
    """The ``k`` most frequent keys of the sliding window ``[start, end)``, most frequent
    first (ties by key order of first appearance in the window)."""

    start: datetime
    end: datetime
    top: tuple[tuple[K, int], ...]


def _check_positive(name: str, value: float) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not value > 0:
        raise ValueError(f"{name} must be a number > 0, not {value!r}")
    if not math.isfinite(value):
        raise ValueError(f"{name} must be finite, not {value!r}")
    return float(value)


def _check_lateness(value: float) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not value >= 0:
        raise ValueError(f"allowed_lateness must be a number >= 0, not {value!r}")
    return float(value)


_SLACK: Final = 1e-12
"""Relative margin (thousands of times a float's rounding) by which the operators' fast
range checks stay inside a window's edges; a time within it of an edge is placed by the
division itself."""


def _inside(index: float, width: float) -> tuple[float, float]:
    """Bounds ``[low, high)`` of times that surely fall in window ``index`` (``floor(t /
    width) == index`` as computed): its edges moved inwards by far more than rounding."""
    start, end = index * width, (index + 1) * width
    slack = _SLACK * (abs(start) + abs(end))
    return start + slack, end - slack


def _warn_late(late: LateEvent) -> None:
    log.warning(
        "late event (%d so far): %s at %s, window from %s already emitted (watermark %s)",
        late.late_so_far,
        type(late.event).__name__,
        late.time.isoformat(),
        late.window_start.isoformat(),
        late.watermark.isoformat(),
    )


class _Windows(Generic[T]):
    """One subscription of :func:`window_by_event_time`: open windows and the watermark."""

    def __init__(
        self,
        observer: abc.ObserverBase[EventWindow[T]],
        width: float,
        lateness: float,
        time_of: EventTime,
        on_late: Callable[[LateEvent], None],
        idle: float | None,
        scheduler: abc.SchedulerBase | None,
    ) -> None:
        self.observer = observer
        self.width = width
        self.lateness = lateness
        self.time_of = time_of
        self.by_id = time_of is snowflake_seconds
        self.on_late = on_late
        self.idle = idle
        self.scheduler = scheduler
        self.open: dict[int, list[T]] = {}
        self.current: float = math.nan  # the index of the open window last appended to
        self.current_items: list[T] = []
        # times surely inside window `current` (see _inside): no division for them
        self.current_from, self.current_until = math.inf, -math.inf
        self.closed_below = -math.inf  # every window index below this was emitted
        self.closes_from = -math.inf  # no newest time below this closes a window
        self.newest = -math.inf
        self.late = 0
        self.idle_timer = SerialDisposable()
        self.clock = seconds_clock(scheduler) if idle is not None and scheduler else None
        self.last_arrival = 0.0
        self.armed = False
        self.stopped = False

    def on_next(self, event: T) -> None:
        if self.stopped:
            return
        try:
            if self.by_id:  # snowflake_seconds, inlined (one call less per event)
                snowflake = getattr(event, "id", None)
                last = _last_parsed
                # the same id as the event before: another operator on the same stream
                # (or this one, for a repeated event) just parsed it
                when = last[1] if snowflake is last[0] else _id_seconds(event, snowflake)
            else:
                found = self.time_of(event)
                # a finite float as it is (the common case), else checked and converted
                when = (
                    found if type(found) is float and found - found == 0.0 else _seconds_of(found)
                )
        except Exception as exc:  # the time function failed: that ends the stream
            self.on_error(exc)
            return
        if self.current_from <= when < self.current_until:  # most events: the window of
            self.current_items.append(event)  # the one before (no division needed)
            index = self.current
        elif (index := floor(when / self.width)) == self.current:
            self.current_items.append(event)
        elif index < self.closed_below:
            self._report_late(event, when, index)
            return
        else:
            items = self.open.get(index)
            if items is None:
                items = self.open[index] = []
            items.append(event)
            self.current, self.current_items = index, items
            self.current_from, self.current_until = _inside(index, self.width)
        if self.clock is not None:
            self.last_arrival = self.clock()
            if not self.armed:
                self.arm_idle(self.idle)
        if when > self.newest:
            self.newest = when
            if when >= self.closes_from:
                closed = floor((when - self.lateness) / self.width)
                if closed > self.closed_below:
                    self._emit_below(closed)

    def _report_late(self, event: T, when: float, index: int) -> None:
        self.late += 1
        watermark = self.newest - self.lateness
        if self.closed_below * self.width > watermark:  # an idle flush moved it further
            watermark = self.closed_below * self.width
        late = LateEvent(
            event,
            _as_datetime(when),
            _as_datetime(watermark),
            _as_datetime(index * self.width),
            self.late,
        )
        self.on_late(late)

    def _emit_below(self, closed: float) -> None:
        self.closed_below = closed
        # no newest time below this can close the next window (floor((t - lateness) /
        # width) > closed needs t >= end + lateness, give or take rounding)
        end, lateness = (closed + 1) * self.width, self.lateness
        self.closes_from = end + lateness - _SLACK * (abs(end) + lateness)
        if self.current < closed:
            self.current = math.nan
            self.current_from, self.current_until = math.inf, -math.inf
        due = sorted(index for index in self.open if index < closed)
        width = self.width
        for index in due:
            items = self.open.pop(index)
            start = index * width
            window = EventWindow(_as_datetime(start), _as_datetime(start + width), tuple(items))
            self.observer.on_next(window)

    def on_error(self, error: Exception) -> None:
        if self.stopped:
            return
        self.stopped = True
        self.idle_timer.dispose()
        self.observer.on_error(error)

    def on_completed(self) -> None:
        if self.stopped:
            return
        self.stopped = True
        self.idle_timer.dispose()
        if self.open:
            self._emit_below(max(self.open) + 1)
        self.observer.on_completed()

    # ------------------------------------------------------------------ idle flush

    def arm_idle(self, delay: float | None) -> None:
        if delay is None or self.scheduler is None or self.stopped:
            return
        self.armed = True
        self.idle_timer.disposable = self.scheduler.schedule_relative(delay, self._idle_due)

    def _idle_due(self, _scheduler: abc.SchedulerBase, _state: Any = None) -> None:
        # Armed by the first event after a quiet period, then only by its own expiry: an
        # event since then moves the deadline to (that event's arrival + idle).
        self.armed = False
        if self.stopped or self.clock is None or self.idle is None:
            return
        remaining = self.last_arrival + self.idle - self.clock()
        if remaining > _CLOCK_SLACK:
            self.arm_idle(remaining)
        elif self.open:
            self._emit_below(max(self.open) + 1)


@overload
def window_by_event_time(
    seconds: float,
    *,
    key: EventTime | None = None,
    allowed_lateness: float = 0.0,
    on_late: Callable[[LateEvent], None] | None = None,
    idle: float | None = None,
) -> Callable[[Observable[T]], Observable[EventWindow[T]]]: ...
@overload
def window_by_event_time(
    seconds: float,
    key: EventTime | None = None,
    allowed_lateness: float = 0.0,
    on_late: Callable[[LateEvent], None] | None = None,
    idle: float | None = None,
) -> Callable[[Observable[T]], Observable[EventWindow[T]]]: ...


def window_by_event_time(
    seconds: float,
    key: EventTime | None = None,
    allowed_lateness: float = 0.0,
    on_late: Callable[[LateEvent], None] | None = None,
    idle: float | None = None,
) -> Callable[[Observable[T]], Observable[EventWindow[T]]]:
    """Tumbling windows of ``seconds`` by event time (see the module for the rules).

    ::

        -1-2-5-3-9-|           values: event times; 3 comes after the watermark 5
        [ window_by_event_time(4, key=float) ]
        -----a---b-(c,|)       a: [0,4) 1 2   b: [4,8) 5   c: [8,12) 9;  3 is late

        -1-2-5-3-9-|
        [ window_by_event_time(4, key=float, allowed_lateness=2) ]
        ---------a-(b,c,|)     a: [0,4) 1 2 3   b: [4,8) 5   c: [8,12) 9

    ``key``: the event's time (default :func:`snowflake_seconds`); ``allowed_lateness``:
    seconds the watermark trails the newest event time; ``on_late``: called with each
    :class:`LateEvent`; ``idle``: seconds of quiet after which open windows are emitted.
    Raises ``ValueError`` for ``seconds <= 0``, ``allowed_lateness < 0`` or ``idle <= 0``.
    """
    width = _check_positive("seconds", seconds)
    lateness = _check_lateness(allowed_lateness)
    quiet = None if idle is None else _check_positive("idle", idle)
    time_of: EventTime = key if key is not None else snowflake_seconds
    late_sink = on_late if on_late is not None else _warn_late

    def operator(source: Observable[T]) -> Observable[EventWindow[T]]:
        def subscribe(
            observer: abc.ObserverBase[EventWindow[T]],
            scheduler: abc.SchedulerBase | None = None,
        ) -> abc.DisposableBase:
            timers = (scheduler or loop_scheduler()) if quiet is not None else None
            if quiet is not None and timers is None:
                raise RuntimeError("window_by_event_time(idle=) needs a running loop or scheduler")
            state = _Windows(observer, width, lateness, time_of, late_sink, quiet, timers)
            subscription: abc.DisposableBase
            if isinstance(source, RoutedStream):  # straight from the routing table
                subscription = source.route(state.on_next, state.on_error, state.on_completed)
            else:
                subscription = source.subscribe(
                    state.on_next, state.on_error, state.on_completed, scheduler=scheduler
                )
            return CompositeDisposable(subscription, state.idle_timer)

        return Observable(subscribe)

    return operator


def _count(by: Key[Any]) -> Callable[[EventWindow[Any]], KeyedCounts[Any]]:
    def count(window: EventWindow[Any]) -> KeyedCounts[Any]:
        # Counter counts in C and keeps the order in which keys first appeared
        return KeyedCounts(window.start, window.end, dict(Counter(map(by, window.items))))

    return count


@overload
def count_by(
    key: KeyName,
    every: float,
    *,
    event_time: EventTime | None = None,
    allowed_lateness: float = 0.0,
    on_late: Callable[[LateEvent], None] | None = None,
    idle: float | None = None,
) -> Callable[[Observable[Any]], Observable[KeyedCounts[str | None]]]: ...
@overload
def count_by(
    key: Callable[[T], K],
    every: float,
    *,
    event_time: EventTime | None = None,
    allowed_lateness: float = 0.0,
    on_late: Callable[[LateEvent], None] | None = None,
    idle: float | None = None,
) -> Callable[[Observable[T]], Observable[KeyedCounts[K]]]: ...


def count_by(
    key: KeyName | Key[Any],
    every: float,
    *,
    event_time: EventTime | None = None,
    allowed_lateness: float = 0.0,
    on_late: Callable[[LateEvent], None] | None = None,
    idle: float | None = None,
) -> Callable[[Observable[Any]], Observable[KeyedCounts[Any]]]:
    """Per event-time window of ``every`` seconds, how many events each key had.

    ::

        -a1-b2-a5-a6-|         letter: key, number: event time
        [ count_by(key, 4) ]
        -------x-----(y,|)     x: [0,4) {a: 1, b: 1}   y: [4,8) {a: 2}

    ``key``: a function of the event, or an id kind name (``"channel_id"``,
    ``"user_id"``, ...; read as :mod:`fluxer_rx.routing` reads it). The windows, watermark,
    lateness and ``idle`` are those of :func:`window_by_event_time` (``event_time`` is its
    ``key``). Counts keep the order in which keys first appeared in the window. An
    exception raised by ``key`` ends the stream with it.
    """
    by = _key_function(key)
    windows = window_by_event_time(
        every, key=event_time, allowed_lateness=allowed_lateness, on_late=on_late, idle=idle
    )

    def operator(source: Observable[Any]) -> Observable[KeyedCounts[Any]]:
        return source.pipe(windows, ops.map(_count(by)))

    return operator


class _Sliding:
    """The panes of one sliding top-k subscription."""

    def __init__(self, k: int, panes: int, every: float) -> None:
        self.k = k
        self.panes = panes
        self.every = every
        self.recent: deque[tuple[int, Counter[Any]]] = deque()

    def add(self, pane: KeyedCounts[Any]) -> TopK[Any]:
        index = round(pane.start.timestamp() / self.every)
        self.recent.append((index, Counter(pane.counts)))
        while self.recent[0][0] <= index - self.panes:
            self.recent.popleft()
        total: Counter[Any] = Counter()
        for _, counts in self.recent:
            total.update(counts)
        start = _as_datetime((index + 1 - self.panes) * self.every)
        return TopK(start, pane.end, tuple(total.most_common(self.k)))


@overload
def top_k(
    k: int,
    key: KeyName,
    *,
    window: float,
    every: float,
    event_time: EventTime | None = None,
    allowed_lateness: float = 0.0,
    on_late: Callable[[LateEvent], None] | None = None,
    idle: float | None = None,
) -> Callable[[Observable[Any]], Observable[TopK[str | None]]]: ...
@overload
def top_k(
    k: int,
    key: Callable[[T], K],
    *,
    window: float,
    every: float,
    event_time: EventTime | None = None,
    allowed_lateness: float = 0.0,
    on_late: Callable[[LateEvent], None] | None = None,
    idle: float | None = None,
) -> Callable[[Observable[T]], Observable[TopK[K]]]: ...


def top_k(
    k: int,
    key: KeyName | Key[Any],
    *,
    window: float,
    every: float,
    event_time: EventTime | None = None,
    allowed_lateness: float = 0.0,
    on_late: Callable[[LateEvent], None] | None = None,
    idle: float | None = None,
) -> Callable[[Observable[Any]], Observable[TopK[Any]]]:
    """The ``k`` most frequent keys over the last ``window`` seconds of event time, every
    ``every`` seconds (a sliding window: ``window`` must be a whole multiple of ``every``).

    ::

        -a1-b2-a5-b6-b9-|      letter: key, number: event time
        [ top_k(1, key, window=8, every=4) ]
        -------x-----y--(z,|)  x: [-4,4) a:1   y: [0,8) a:2   z: [4,12) b:2

    Each result covers the ``window`` seconds ending with a pane of ``every`` seconds that
    received events (panes come from :func:`count_by`, with its lateness rules), so a
    burst shows in every window that contains it. Raises ``ValueError`` for ``k < 1`` or
    a ``window`` that is not a positive multiple of ``every``.
    """
    if isinstance(k, bool) or not isinstance(k, int) or k < 1:
        raise ValueError(f"k must be an int >= 1, not {k!r}")
    step = _check_positive("every", every)
    span = _check_positive("window", window)
    panes = round(span / step)
    if panes < 1 or not math.isclose(panes * step, span):
        raise ValueError(f"window ({window}) must be a whole multiple of every ({every})")
    counts: Callable[[Observable[Any]], Observable[KeyedCounts[Any]]] = count_by(
        key,
        step,
        event_time=event_time,
        allowed_lateness=allowed_lateness,
        on_late=on_late,
        idle=idle,
    )

    def operator(source: Observable[Any]) -> Observable[TopK[Any]]:
        def subscribe(
            observer: abc.ObserverBase[TopK[Any]], scheduler: abc.SchedulerBase | None = None
        ) -> abc.DisposableBase:
            sliding = _Sliding(k, panes, step)

            def on_next(pane: KeyedCounts[Any]) -> None:
                observer.on_next(sliding.add(pane))

            return source.pipe(counts).subscribe(
                on_next, observer.on_error, observer.on_completed, scheduler=scheduler
            )

        return Observable(subscribe)

    return operator
