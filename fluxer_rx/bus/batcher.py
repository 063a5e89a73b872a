"""Micro-batching of published frames: up to ``max_items`` or ``max_delay``, whichever first.

A gateway process receives frames one at a time on the event loop; sending each to Redis
alone would cost one round trip per frame. :class:`Batcher` collects them and hands them to
``send`` in batches. Guarantees:

* **Bounded latency and size.** A batch is cut when it holds ``max_items`` items, or
  ``max_delay`` seconds after its first item was added, whichever comes first.
* **Order.** Batches are sent one at a time, in the order they were cut, each with its
  items in the order they were added: a shard's stream receives frames as they arrived.
  Batches that were cut while the previous send was in flight go out together, up to
  ``coalesce`` batches in one send (that adds no latency: they were waiting anyway).
* **Nothing dropped on failure.** A batch whose ``send`` raises is reported to
  ``on_error`` and sent again (the same batch, first in line) after a backoff that doubles
  up to ``retry_delay_max``; later batches wait behind it. A retried send may store part
  of a batch twice; readers de-duplicate by (shard, session, seq).
* :meth:`add` never blocks and never awaits: it is safe in a ``ShardSink`` callback.
  Only one sender task exists at a time; none is created per item.

Time goes through ``call_later`` (the running loop's by default), so the timing rules are
tested on a fake clock.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Generic, Protocol, TypeVar

__all__ = ["Batcher", "TimerHandle"]

T = TypeVar("T")


class TimerHandle(Protocol):
    """What ``call_later`` returns: something that can be cancelled."""

    def cancel(self) -> None: ...


CallLater = Callable[[float, Callable[[], None]], TimerHandle]


def _loop_call_later(delay: float, callback: Callable[[], None]) -> TimerHandle:
    return asyncio.get_running_loop().call_later(delay, callback)


class Batcher(Generic[T]):
    """Collect items and send them in ordered batches (see the module docstring)."""

    def __init__(
        self,
        send: Callable[[list[T]], Awaitable[object]],
        *,
        max_items: int = 32,
        max_delay: float = 0.002,
        call_later: CallLater = _loop_call_later,
        on_error: Callable[[BaseException], None] | None = None,
        retry_delay: float = 0.05,
        retry_delay_max: float = 2.0,
        coalesce: int = 1,
    ) -> None:
        if max_items < 1:
            raise ValueError(f"max_items must be >= 1, got {max_items}")
        if max_delay < 0:
            raise ValueError(f"max_delay must be >= 0, got {max_delay}")
        if coalesce < 1:
            raise ValueError(f"coalesce must be >= 1, got {coalesce}")
        self._send = send
        self.coalesce = coalesce
        self.max_items = max_items
        self.max_delay = max_delay
        self._call_later = call_later
        self._on_error = on_error
        self._retry_delay = retry_delay
        self._retry_delay_max = retry_delay_max
        self._current: list[T] = []
        self._timer: TimerHandle | None = None
        self._ready: deque[list[T]] = deque()
        self._sender: asyncio.Task[None] | None = None
        self._idle = asyncio.Event()
        self._idle.set()
        self._closed = False
        self.sent_batches = 0
        self.failures = 0

    def __repr__(self) -> str:
        return (
            f"<Batcher buffered={len(self._current)} queued={len(self._ready)} "
            f"sent={self.sent_batches}>"
        )

    @property
    def buffered(self) -> int:
        """Items added to the batch that is not cut yet."""
        return len(self._current)

    @property
    def queued(self) -> list[int]:
        """Sizes of the cut batches not yet sent (the first may be in flight)."""
        return [len(batch) for batch in self._ready]

    def add(self, item: T) -> None:
        """Add ``item`` to the current batch; cut it if full. Raises after :meth:`aclose`."""
        if self._closed:
            raise RuntimeError("the batcher is closed")
        self._current.append(item)
        if len(self._current) >= self.max_items:
            self._cut()
        elif len(self._current) == 1:
            self._timer = self._call_later(self.max_delay, self._on_timer)

    async def flush(self) -> None:
        """Cut the current batch now and return once everything added so far was sent."""
        if self._current:
            self._cut()
        await self._idle.wait()

    async def aclose(self) -> None:
        """Flush, then refuse further items. Idempotent."""
        await self.flush()
        self._closed = True

    def _on_timer(self) -> None:
        self._timer = None
        if self._current:
            self._cut()

    def _cut(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        batch, self._current = self._current, []
        self._ready.append(batch)
        self._idle.clear()
        if self._sender is None:
            self._sender = asyncio.get_running_loop().create_task(self._run())

    async def _run(self) -> None:
        delay = self._retry_delay
        try:
            while self._ready:
                taken = min(self.coalesce, len(self._ready))
                batch = self._ready[0]
                if taken > 1:
                    batch = [item for i in range(taken) for item in self._ready[i]]
                try:
                    await self._send(batch)
                except Exception as exc:  # reported, then the same batches are sent again
                    self.failures += 1
                    if self._on_error is not None:
                        self._on_error(exc)
                    await self._wait(delay)
                    delay = min(delay * 2, self._retry_delay_max)
                    continue
                for _ in range(taken):
                    self._ready.popleft()
                self.sent_batches += taken
                delay = self._retry_delay
        finally:
            self._sender = None
            if not self._ready:
                self._idle.set()

    async def _wait(self, delay: float) -> None:
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()

        def wake() -> None:
            if not done.done():
                done.set_result(None)

        handle = self._call_later(delay, wake)
        try:
            await done
        finally:
            handle.cancel()
