"""The global REST limiter: a proactive requests-per-second cap plus the server's global 429s.

Proactive limiting (``rate`` requests per second, 50 by default as on Fluxer) works on
*slots*: a request holds a slot from the moment it is allowed to start until one
``period`` after its response arrived. At most ``count`` slots exist, with
``count = max(1, floor(rate))`` and ``period = count / rate``.

Why the response time: the server counts a request when it *arrives*, some time between
our send and our receipt of the answer. Anchoring the slot at the answer therefore
guarantees that no ``period``-long interval of server arrival times ever holds more than
``count`` requests, whatever the latency, for fixed windows and leaky buckets alike.

A global 429 pauses every request until its ``retry_after`` has passed, whether or not
proactive limiting is on. Waiters are served first come, first served.
"""

from __future__ import annotations

import asyncio
import math
from collections import deque

from fluxer_rx.rest.clock import Clock, TimerHandle

__all__ = ["GlobalLimiter", "GlobalSlot"]


class GlobalSlot:
    """A started request's hold on the global limiter; ``release()`` it when answered."""

    __slots__ = ("_done", "_limiter")

    def __init__(self, limiter: GlobalLimiter) -> None:
        self._limiter = limiter
        self._done = False

    def release(self) -> None:
        """The request is over (answered or failed); later calls do nothing."""
        if not self._done:
            self._done = True
            self._limiter._release()


class GlobalLimiter:
    """At most ``rate`` requests per second (``None``: no proactive limit), honouring pauses."""

    def __init__(self, rate: float | None, clock: Clock) -> None:
        if rate is not None and not (math.isfinite(rate) and rate > 0):
            raise ValueError(f"global rate limit must be a positive number or None, got {rate}")
        self._clock = clock
        self.rate = rate
        self.count = max(1, math.floor(rate)) if rate is not None else 0
        self.period = self.count / rate if rate is not None else 0.0
        self.in_flight = 0
        self._recent: deque[float] = deque()  # answer times of finished requests, ascending
        self._paused_until = 0.0
        self._waiters: deque[asyncio.Future[GlobalSlot]] = deque()
        self._timer: TimerHandle | None = None
        self._timer_at: float | None = None

    def __repr__(self) -> str:
        return (
            f"<GlobalLimiter rate={self.rate} in_flight={self.in_flight} "
            f"waiting={len(self._waiters)}>"
        )

    @property
    def waiting(self) -> int:
        """Requests queued for a slot."""
        return sum(1 for w in self._waiters if not w.done())

    @property
    def paused_until(self) -> float:
        """Monotonic time before which no request starts (after a global 429)."""
        return self._paused_until

    async def acquire(self) -> GlobalSlot:
        """Wait (FIFO) until one more request may start now and return its slot."""
        if not self._waiters and self._free(self._clock.monotonic()):
            return self._issue()
        waiter: asyncio.Future[GlobalSlot] = asyncio.get_running_loop().create_future()
        self._waiters.append(waiter)
        self._pump()
        try:
            return await waiter
        except asyncio.CancelledError:
            if waiter.done() and not waiter.cancelled():
                waiter.result().release()
            raise

    def pause(self, retry_after: float) -> None:
        """A global 429: start nothing for ``retry_after`` seconds from now."""
        until = self._clock.monotonic() + max(0.0, retry_after)
        if until > self._paused_until:
            self._paused_until = until
        self._pump()

    # -- internals ------------------------------------------------------------------------

    def _free(self, now: float) -> bool:
        if now < self._paused_until:
            return False
        if self.rate is None:
            return True
        recent = self._recent
        while recent and recent[0] + self.period <= now:
            recent.popleft()
        return self.in_flight + len(recent) < self.count

    def _issue(self) -> GlobalSlot:
        self.in_flight += 1
        return GlobalSlot(self)

    def _release(self) -> None:
        self.in_flight -= 1
        if self.rate is not None:
            self._recent.append(self._clock.monotonic())
        self._pump()

    def _pump(self, at_least: float = 0.0) -> None:
        # A loop timer may fire up to its clock resolution early; never act before it.
        now = max(self._clock.monotonic(), at_least)
        while self._waiters:
            head = self._waiters[0]
            if head.done():
                self._waiters.popleft()
                continue
            if not self._free(now):
                break
            self._waiters.popleft()
            head.set_result(self._issue())
        self._arm_timer(now)

    def _arm_timer(self, now: float) -> None:
        if not self.waiting:
            return
        if now < self._paused_until:
            when: float | None = self._paused_until
        elif self.rate is not None and self._recent and self.in_flight < self.count:
            when = self._recent[0] + self.period
        else:
            when = None  # a release will wake the queue
        if when is None or (self._timer is not None and self._timer_at == when):
            return
        if self._timer is not None:
            self._timer.cancel()
        self._timer_at = when
        self._timer = self._clock.call_at(when, self._on_timer)

    def _on_timer(self) -> None:
        fired_for = self._timer_at or 0.0
        self._timer = None
        self._timer_at = None
        self._pump(fired_for)
