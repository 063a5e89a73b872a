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

import math
from collections import deque

from fluxer_rx.rest.clock import Clock
from fluxer_rx.rest.fifo_gate import FifoGate

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


class GlobalLimiter(FifoGate[GlobalSlot]):
    """At most ``rate`` requests per second (``None``: no proactive limit), honouring pauses.

    ``await limiter.acquire()`` waits (FIFO) for a :class:`GlobalSlot`.
    """

    __slots__ = ("_paused_until", "_recent", "count", "in_flight", "period", "rate")

    def __init__(self, rate: float | None, clock: Clock) -> None:
        if rate is not None and not (math.isfinite(rate) and rate > 0):
            raise ValueError(f"global rate limit must be a positive number or None, got {rate}")
        super().__init__(clock)
        self.rate = rate
        self.count = max(1, math.floor(rate)) if rate is not None else 0
        self.period = self.count / rate if rate is not None else 0.0
        self.in_flight = 0
        self._recent: deque[float] = deque()  # answer times of finished requests, ascending
        self._paused_until = 0.0

    def __repr__(self) -> str:
        return (
            f"<GlobalLimiter rate={self.rate} in_flight={self.in_flight} "
            f"waiting={len(self._waiters)}>"
        )

    @property
    def paused_until(self) -> float:
        """Monotonic time before which no request starts (after a global 429)."""
        return self._paused_until

    def pause(self, retry_after: float) -> None:
        """A global 429: start nothing for ``retry_after`` seconds from now."""
        until = self._clock.monotonic() + max(0.0, retry_after)
        if until > self._paused_until:
            self._paused_until = until
        self._pump()

    # -- the gate's hooks -------------------------------------------------------------------

    def _try_grant(self, now: float) -> GlobalSlot | None:
        if not self._free(now):
            return None
        self.in_flight += 1
        return GlobalSlot(self)

    def _wake_at(self, now: float) -> float | None:
        if now < self._paused_until:
            return self._paused_until
        if self.rate is not None and self._recent and self.in_flight < self.count:
            return self._recent[0] + self.period
        return None  # a release will wake the queue

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

    def _release(self) -> None:
        self.in_flight -= 1
        if self.rate is not None:
            self._recent.append(self._clock.monotonic())
        self._pump()
