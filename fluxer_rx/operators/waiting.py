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
from reactivex.disposable import SingleAssignmentDisposable

from fluxer_rx.errors import FluxerError
from fluxer_rx.operators.filtering import of_type

__all__ = ["BufferOverflow", "EventIterator", "StreamClosed", "aiter_events", "wait_for"]

T = TypeVar("T")

log = logging.getLogger("fluxer_rx.operators")


class StreamClosed(FluxerError):
    """The observable completed before the awaited event arrived (the client shut down)."""


class BufferOverflow(FluxerError):
    """An :class:`EventIterator` with ``overflow="error"`` received more events than its
    buffer holds while the consumer was behind. The events buffered before the overflow
    were all yielded first; ``limit`` is the buffer size."""

    def __init__(self, limit: int) -> None:
        super().__init__(
            f"event buffer overflow: more than {limit} events were waiting; the consumer is "
            "too slow (raise buffer=, or use overflow='drop_oldest')"
        )
        self.limit = limit


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

    Raises ``TimeoutError`` after ``timeout`` seconds (timed on the running loop),
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
    try:
        async with asyncio.timeout(timeout):
            return await future
    finally:
        subscription.dispose()


Overflow = Literal["error", "drop_oldest"]


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
        self.buffer = buffer
        self.overflow: Overflow = overflow
        self.dropped = 0
        self._queue: collections.deque[T] = collections.deque()
        self._end: BaseException | None = None
        self._waiter: asyncio.Future[None] | None = None
        self._burst = 0
        self._subscription = SingleAssignmentDisposable()
        self._subscription.disposable = source.subscribe(
            self._on_next, self._on_error, self._on_completed, scheduler=scheduler
        )

    @property
    def closed(self) -> bool:
        """Whether the subscription is gone (stream ended, overflowed or closed)."""
        return self._subscription.is_disposed

    def _wake(self) -> None:
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    def _on_next(self, value: T) -> None:
        if self._end is not None:
            return
        if len(self._queue) >= self.buffer:
            if self.overflow == "error":
                self._stop(BufferOverflow(self.buffer))
                return
            self._queue.popleft()
            self.dropped += 1
            if self._burst == 0:
                log.warning(
                    "event iterator buffer full (%d): dropping the oldest events", self.buffer
                )
            self._burst += 1
        self._queue.append(value)
        self._wake()

    def _on_error(self, error: Exception) -> None:
        self._stop(error)

    def _on_completed(self) -> None:
        self._stop(StopAsyncIteration())

    def _stop(self, end: BaseException) -> None:
        if self._end is None:
            self._end = end
        self._subscription.dispose()
        self._wake()

    def __aiter__(self) -> EventIterator[T]:
        return self

    async def __anext__(self) -> T:
        while not self._queue:
            if self._end is not None:
                end = self._end
                if not isinstance(end, StopAsyncIteration):
                    self._end = StopAsyncIteration()
                raise end
            self._waiter = asyncio.get_running_loop().create_future()
            try:
                await self._waiter
            finally:
                self._waiter = None
        if self._burst:
            log.warning("event iterator dropped %d events in the last overflow", self._burst)
            self._burst = 0
        return self._queue.popleft()

    async def aclose(self) -> None:
        """Dispose the subscription and drop what is buffered; iteration then stops."""
        self._queue.clear()
        self._stop(StopAsyncIteration())

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
        subscription = getattr(self, "_subscription", None)
        if subscription is not None:
            subscription.dispose()


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
