"""A manual clock for the REST limiter and retry tests: time moves only when told to."""

from __future__ import annotations

import asyncio
import heapq
import itertools
from collections.abc import Callable


class _Handle:
    def __init__(self) -> None:
        self.cancelled = False

    def cancel(self) -> None:
        self.cancelled = True


class FakeClock:
    """Implements :class:`fluxer_rx.rest.clock.Clock`; ``advance(dt)`` fires due timers."""

    def __init__(self, start: float = 1000.0, wall_offset: float = 1_800_000_000.0) -> None:
        self.now = start
        self.wall_offset = wall_offset
        self._timers: list[tuple[float, int, _Handle, Callable[[], None]]] = []
        self._seq = itertools.count()
        self.sleeps: list[float] = []
        self._sleepers: set[asyncio.Future[None]] = set()

    def monotonic(self) -> float:
        return self.now

    def wall(self) -> float:
        return self.now + self.wall_offset

    def call_at(self, when: float, callback: Callable[[], None]) -> _Handle:
        handle = _Handle()
        heapq.heappush(self._timers, (when, next(self._seq), handle, callback))
        return handle

    async def sleep(self, delay: float) -> None:
        self.sleeps.append(delay)
        fut: asyncio.Future[None] = asyncio.get_running_loop().create_future()

        def wake() -> None:
            if not fut.done():
                fut.set_result(None)

        self.call_at(self.now + max(0.0, delay), wake)
        self._sleepers.add(fut)
        try:
            await fut
        finally:
            self._sleepers.discard(fut)

    @property
    def sleeping(self) -> int:
        """Tasks blocked in :meth:`sleep` whose wake-up time has not come yet."""
        return sum(1 for f in self._sleepers if not f.done())

    @property
    def pending_timers(self) -> int:
        return sum(1 for t in self._timers if not t[2].cancelled)

    def next_timer(self) -> float | None:
        """When the earliest live timer is due, or ``None``."""
        live = [t[0] for t in self._timers if not t[2].cancelled]
        return min(live) if live else None

    def advance(self, delta: float) -> None:
        """Move time forward by ``delta``, firing every due timer in order."""
        target = self.now + delta
        while self._timers and self._timers[0][0] <= target:
            when, _, handle, callback = heapq.heappop(self._timers)
            self.now = max(self.now, when)
            if not handle.cancelled:
                callback()
        self.now = target
