"""Awaiting events: ``wait_for`` one event, or ``async for`` over a stream with a bounded buffer.

Both bridge a hot observable to asyncio without a task per event; both dispose of their
subscription as soon as they are done (result, timeout, cancellation, ``break``).
"""

from __future__ import annotations

import asyncio
import collections
import logging
from collections.abc import Callable
from types import TracebackType
from typing import Any, Generic, Literal, TypeVar, overload

from reactivex import Observable, abc
from reactivex.disposable import CompositeDisposable, SingleAssignmentDisposable

from fluxer_rx.errors import BufferOverflow, StreamClosed
from fluxer_rx.operators.filtering import of_type
from fluxer_rx.streams import loop_scheduler

__all__ = ["BufferOverflow", "EventIterator", "StreamClosed", "aiter_events", "wait_for"]

T = TypeVar("T")

log = logging.getLogger("fluxer_rx.operators")




@overload
async def wait_for(
    events: Observable[Any],
    event_type: type[T],
    check: Callable[[T], bool] | None = None,
    timeout: float | None = None,
) -> T: ...
@overload
async def wait_for(
    events: Observable[Any],
    event_type: str,
    check: Callable[[Any], bool] | None = None,
    timeout: float | None = None,
) -> Any: ...


async def wait_for(
    events: Observable[Any],
    event_type: type[Any] | str,
    check: Callable[[Any], bool] | None = None,
    timeout: float | None = None,
) -> Any:
    """The first event of ``event_type`` (a class or an ``Events.*`` name) for which
    ``check(event)`` is true, among those emitted from now on.

    ::

        events:  --t--m1--m2--m3->       check: lambda m: m.content == "yes" (m2)
        await wait_for(events, MessageCreate, check)  -> m2

    Raises ``TimeoutError`` after ``timeout`` seconds (timed on the running loop, or on
    the virtual clock of a replay running on recorded time),
    :class:`StreamClosed` if ``events`` completes first, the stream's error if it fails,
    and whatever ``check`` raises. In every case, and on cancellation, the subscription is
    disposed before this returns.
    """
    loop = asyncio.get_running_loop()
    future: asyncio.Future[Any] = loop.create_future()
    stream = events.pipe(of_type(event_type))

    def on_next(event: Any) -> None:
        if future.done():
            return
        try:
            matched = check is None or check(event)
        except Exception as exc:  # the caller's check failed: that is the answer
            future.set_exception(exc)
            return
        if matched:
            future.set_result(event)

    def on_error(error: Exception) -> None:
        if not future.done():
            future.set_exception(error)

    def on_completed() -> None:
        if not future.done():
            future.set_exception(StreamClosed("the event stream completed while waiting"))

    subscription = stream.subscribe(on_next, on_error, on_completed)
    timers = loop_scheduler()
    if timeout is not None and timers is not None:
        # timed by the streams' scheduler, so on recorded time during a virtual replay
        def expire(_scheduler: abc.SchedulerBase, _state: Any = None) -> None:
            if not future.done():
                future.set_exception(TimeoutError())

        subscription = CompositeDisposable(subscription, timers.schedule_relative(timeout, expire))
        timeout = None
    try:
        async with asyncio.timeout(timeout):
            return await future
    finally:
        subscription.dispose()


Overflow = Literal["error", "drop_oldest"]


class _Buffer(Generic[T]):
    """The subscriber side of an :class:`EventIterator`; holds no reference to it, so
    dropping the iterator lets it be collected (and dispose the subscription)."""

    def __init__(self, limit: int, overflow: Overflow) -> None:
        self.limit = limit
        self.overflow = overflow
        self.dropped = 0
        self.burst = 0
        self.queue: collections.deque[T] = collections.deque()
        self.end: BaseException | None = None
        self.waiter: asyncio.Future[None] | None = None
        self.subscription = SingleAssignmentDisposable()

    def wake(self) -> None:
        waiter = self.waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    def on_next(self, value: T) -> None:
        if self.end is not None:
            return
        if len(self.queue) >= self.limit:
            if self.overflow == "error":
                self.stop(BufferOverflow(self.limit))
                return
            self.queue.popleft()
            self.dropped += 1
            if self.burst == 0:
                log.warning(
                    "event iterator buffer full (%d): dropping the oldest events", self.limit
                )
            self.burst += 1
        self.queue.append(value)
        self.wake()

    def on_error(self, error: Exception) -> None:
        self.stop(error)

    def on_completed(self) -> None:
        self.stop(StopAsyncIteration())

    def stop(self, end: BaseException) -> None:
        if self.end is None:
            self.end = end
        self.subscription.dispose()
        self.wake()


class EventIterator(Generic[T]):
    """An async iterator over an observable's values, with a bounded buffer.

    Build it with :func:`aiter_events`. It subscribes when built, so nothing emitted after
    that is missed, and buffers values until the consumer takes them. It disposes its
    subscription when the stream ends, on :meth:`aclose`, on leaving ``async with``, and
    when it is dropped (a ``break`` out of ``async for aiter_events(...)`` drops it).
    """

    def __init__(
        self,
        source: Observable[T],
        *,
        buffer: int = 1000,
        overflow: Overflow = "error",
        scheduler: abc.SchedulerBase | None = None,
    ) -> None:
        if isinstance(buffer, bool) or not isinstance(buffer, int) or buffer < 1:
            raise ValueError(f"buffer must be an int >= 1, got {buffer!r}")
        if overflow not in ("error", "drop_oldest"):
            raise ValueError(f"overflow must be 'error' or 'drop_oldest', got {overflow!r}")
        state: _Buffer[T] = _Buffer(buffer, overflow)
        self._state = state
        state.subscription.disposable = source.subscribe(
            state.on_next, state.on_error, state.on_completed, scheduler=scheduler
        )

    @property
    def buffer(self) -> int:
        """The most values held at once."""
        return self._state.limit

    @property
    def overflow(self) -> Overflow:
        """What a full buffer does: ``"error"`` or ``"drop_oldest"``."""
        return self._state.overflow

    @property
    def dropped(self) -> int:
        """How many values ``drop_oldest`` discarded so far."""
        return self._state.dropped

    @property
    def closed(self) -> bool:
        """Whether the subscription is gone (stream ended, overflowed or closed)."""
        return self._state.subscription.is_disposed

    def __aiter__(self) -> EventIterator[T]:
        return self

    async def __anext__(self) -> T:
        state = self._state
        while not state.queue:
            if state.end is not None:
                end = state.end
                if not isinstance(end, StopAsyncIteration):
                    state.end = StopAsyncIteration()
                raise end
            state.waiter = asyncio.get_running_loop().create_future()
            try:
                await state.waiter
            finally:
                state.waiter = None
        if state.burst:
            log.warning("event iterator dropped %d events in the last overflow", state.burst)
            state.burst = 0
        return state.queue.popleft()

    async def aclose(self) -> None:
        """Dispose the subscription and drop what is buffered; iteration then stops."""
        self._state.queue.clear()
        self._state.stop(StopAsyncIteration())

    async def __aenter__(self) -> EventIterator[T]:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    def __del__(self) -> None:
        state = getattr(self, "_state", None)
        if state is not None:
            state.subscription.dispose()


def aiter_events(
    observable: Observable[T],
    *,
    buffer: int = 1000,
    overflow: Overflow = "error",
    scheduler: abc.SchedulerBase | None = None,
) -> EventIterator[T]:
    """Iterate an observable with ``async for``, buffering at most ``buffer`` values.

    ::

        async for message in aiter_events(client.events.pipe(of_type(MessageCreate))):
            if message.content == "stop":
                break                      # the subscription is disposed here

    Overflow is never silent. With ``overflow="error"`` (the default) the subscription is
    disposed at the first value that does not fit; the consumer still gets every value
    buffered before it, then :class:`BufferOverflow`. With ``overflow="drop_oldest"`` the
    oldest buffered value makes room, :attr:`EventIterator.dropped` counts the drops and a
    warning is logged when a burst of drops starts and when the consumer catches up. When
    the observable completes, iteration stops after the buffered values; when it fails,
    its error is raised after them.
    """
    return EventIterator(observable, buffer=buffer, overflow=overflow, scheduler=scheduler)
