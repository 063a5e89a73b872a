"""The ``on`` / ``on_typed`` handlers of a client: who is called, in which order, and how
the calls of a slow asynchronous handler are bounded.

:class:`Handlers` keeps the registered handlers as ready-made *calls* (one plain callable
each), in :attr:`Handlers.named` (event name -> calls) and :attr:`Handlers.typed`; the
client calls them per event. Both containers are empty, and so cost one truth test per
event, when nothing is registered.

Guarantees:

* The calls for one event run in registration order; the events reach each handler in
  the order they were given.
* A synchronous handler runs at once, inside the call (so inside the client's dispatch,
  with the cache holding its event).
* An asynchronous handler runs one call at a time, in event order, on one task per
  handler. It is an ``async def`` function (called when its turn comes), or any handler
  that returns an awaitable: its synchronous part runs at once, the awaitable waits its
  turn. The calls waiting for a handler (the running one excluded) are at most
  ``queue_size``. Past that, ``overflow`` picks the call that is dropped: ``drop_oldest``
  the one waiting longest, ``drop_newest`` the new one. A dropped call never runs: a
  dropped coroutine is closed, a dropped future cancelled.
* Drops are reported, without flooding: a :class:`HandlerOverflow` at the first drop,
  then at most one per ``report_interval`` seconds while drops go on, each with the
  handler's running count; the last count is reported at most ``report_interval``
  seconds after the last drop (or by :meth:`Handlers.close`, whichever comes first).
* A handler that raises, or whose awaitable raises, is reported to ``on_error``; later
  calls, and the other handlers, go on.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Final, Literal

__all__ = ["Call", "Handler", "HandlerOverflow", "Handlers", "OverflowPolicy"]

Handler = Callable[[Any], Awaitable[None] | None]
"""What ``on`` / ``on_typed`` accept: a function of the payload, sync or async."""

Call = Callable[[Any], None]
"""A registered handler as the client calls it: never raises, never blocks on I/O."""

OverflowPolicy = Literal["drop_oldest", "drop_newest"]

_POLICIES: Final = ("drop_oldest", "drop_newest")
REPORT_INTERVAL: Final = 1.0
"""Seconds between two overflow reports of one handler while its drops go on."""


@dataclass(frozen=True, slots=True)
class HandlerOverflow:
    """The ``data`` of a ``handler_overflow`` diagnostic: ``handler``'s queue was full.

    ``dropped`` counts the calls of this handler dropped so far in the run (a running
    total, not the drops since the last report); ``policy`` and ``queue_size`` are the
    options in force.
    """

    handler: Handler
    policy: OverflowPolicy
    dropped: int
    queue_size: int


def _release(item: object) -> None:
    """Free a dropped awaitable that will never be awaited."""
    if inspect.iscoroutine(item):
        item.close()
    elif isinstance(item, asyncio.Future):
        item.cancel()


class HandlerQueue:
    """The waiting calls of one asynchronous handler, run one at a time by one task.

    With ``calls=True`` (an ``async def`` handler) the queue holds the payloads and the
    handler is called when its turn comes; otherwise it holds the awaitables the handler
    already returned. The task exists only while calls wait or run.
    """

    def __init__(
        self,
        handler: Handler,
        *,
        calls: bool,
        size: int,
        policy: OverflowPolicy,
        on_error: Callable[[Exception], None],
        on_overflow: Callable[[HandlerOverflow], None],
        report_interval: float,
    ) -> None:
        self._handler = handler
        self._calls = calls
        self._size = size
        self._policy = policy
        self._on_error = on_error
        self._on_overflow = on_overflow
        self._report_interval = report_interval
        self._pending: deque[Any] = deque()
        self._task: asyncio.Task[None] | None = None
        self._summary: asyncio.TimerHandle | None = None
        self.dropped = 0
        self._reported = 0

    @property
    def task(self) -> asyncio.Task[None] | None:
        """The task running the calls, while there is one."""
        return self._task

    @property
    def waiting(self) -> int:
        """How many calls wait (the running one excluded)."""
        return len(self._pending)

    def push(self, item: Any) -> None:
        """Queue one call (a payload, or an awaitable): dropped per the policy when full."""
        pending = self._pending
        if len(pending) < self._size:
            pending.append(item)
        else:
            self._drop(item)
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._drain())

    async def _drain(self) -> None:
        pending, handler, calls = self._pending, self._handler, self._calls
        try:
            while pending:
                item = pending.popleft()
                try:
                    await (handler(item) if calls else item)  # type: ignore[misc]  # awaitable
                except Exception as exc:  # a handler error is reported, never fatal
                    self._on_error(exc)
        finally:
            self._task = None

    def _drop(self, item: Any) -> None:
        if self._policy == "drop_newest":
            dropped = item
        else:
            dropped = self._pending.popleft()
            self._pending.append(item)
        if not self._calls:
            _release(dropped)
        self.dropped += 1
        if self._summary is None:  # no report due: report now, summarise later
            self._report()
            self._summary = asyncio.get_running_loop().call_later(
                self._report_interval, self._summarise
            )

    def _summarise(self) -> None:
        self._summary = None
        if self.dropped > self._reported:
            self._report()
            self._summary = asyncio.get_running_loop().call_later(
                self._report_interval, self._summarise
            )

    def _report(self) -> None:
        self._reported = self.dropped
        self._on_overflow(HandlerOverflow(self._handler, self._policy, self.dropped, self._size))

    async def close(self) -> None:
        """Cancel the running call, drop the waiting ones (without counting them), report
        drops not reported yet, and start over empty: the queue can be used again."""
        if self._summary is not None:
            self._summary.cancel()
            self._summary = None
        if self.dropped > self._reported:
            self._report()
        self.dropped = self._reported = 0
        task = self._task
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        while self._pending:
            item = self._pending.popleft()
            if not self._calls:
                _release(item)


class Handlers:
    """The handlers of one client (see the module's guarantees).

    Raises ``ValueError`` for a ``queue_size`` below 1 or an unknown ``overflow``.
    """

    def __init__(
        self,
        *,
        queue_size: int,
        overflow: OverflowPolicy,
        on_error: Callable[[Exception], None],
        on_overflow: Callable[[HandlerOverflow], None],
        report_interval: float = REPORT_INTERVAL,
    ) -> None:
        if isinstance(queue_size, bool) or not isinstance(queue_size, int) or queue_size < 1:
            raise ValueError(f"handler_queue_size must be an int >= 1, not {queue_size!r}")
        if overflow not in _POLICIES:
            raise ValueError(f"handler_overflow must be one of {_POLICIES}, not {overflow!r}")
        self._size = queue_size
        self._policy: OverflowPolicy = overflow
        self._on_error = on_error
        self._on_overflow = on_overflow
        self._report_interval = report_interval
        self.named: dict[str, list[Call]] = {}
        """Event name -> the calls of the handlers registered for it (never an empty list)."""
        self.typed: list[Call] = []
        """The calls of the handlers of every typed event."""
        self._queues: dict[Handler, HandlerQueue] = {}

    def add(self, handler: Handler, name: str | None = None) -> Callable[[], None]:
        """Register ``handler`` for the dispatches named ``name`` (``None``: every typed
        event); returns a function that removes it (harmless to call twice)."""
        call = self.call_for(handler)
        calls = self.typed if name is None else self.named.setdefault(name, [])
        calls.append(call)

        def remove() -> None:
            with contextlib.suppress(ValueError):
                calls.remove(call)
            if not calls and name is not None and self.named.get(name) is calls:
                del self.named[name]

        return remove

    def queue(self, handler: Handler) -> HandlerQueue | None:
        """The queue of an asynchronous ``handler``, once it has one."""
        return self._queues.get(handler)

    def _queue_for(self, handler: Handler, *, calls: bool) -> HandlerQueue:
        queue = self._queues.get(handler)
        if queue is None:
            queue = self._queues[handler] = HandlerQueue(
                handler,
                calls=calls,
                size=self._size,
                policy=self._policy,
                on_error=self._on_error,
                on_overflow=self._on_overflow,
                report_interval=self._report_interval,
            )
        return queue

    def call_for(self, handler: Handler) -> Call:
        """The call that runs ``handler`` under the module's rules (its queue, errors and
        overflow reports), without registering it: for callers that deliver the values
        themselves (``client.listen`` routes them from ``client.events``). One handler
        has one queue, however many calls are made for it."""
        if inspect.iscoroutinefunction(handler):
            return self._queue_for(handler, calls=True).push
        on_error, queue_for = self._on_error, self._queue_for

        def call(value: Any) -> None:
            try:
                result = handler(value)
            except Exception as exc:  # a handler error is reported, never fatal
                on_error(exc)
                return
            if result is not None and inspect.isawaitable(result):
                queue_for(handler, calls=False).push(result)

        return call

    async def idle(self, stop: asyncio.Event) -> None:
        """Return once no call waits or runs, or once ``stop`` is set."""
        while not stop.is_set():
            running = [q.task for q in self._queues.values() if q.task is not None]
            if not running:
                return
            halt = asyncio.ensure_future(stop.wait())
            try:
                await asyncio.wait([*running, halt], return_when=asyncio.FIRST_COMPLETED)
            finally:
                halt.cancel()

    async def close(self) -> None:
        """Close every queue (see :meth:`HandlerQueue.close`); handlers stay registered."""
        for queue in list(self._queues.values()):
            await queue.close()
