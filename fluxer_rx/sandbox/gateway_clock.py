"""The sandbox gateway's sense of time: monotonic seconds and one-shot timers.

:class:`~fluxer_rx.sandbox.gateway.GatewayHub` reads every time and schedules every timer
(heartbeat checks, session expiry, the client rate-limit window) through a
:class:`GatewayClock`. :class:`LoopClock` is real time on the running event loop (the
default); :class:`ManualGatewayClock` moves only when told, so a test can say "0.9 x the
interval has passed" and see the heartbeat request at once, without waiting for it.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import time
from collections.abc import Callable
from typing import Protocol

__all__ = ["GatewayClock", "LoopClock", "ManualGatewayClock", "Timer"]


class Timer(Protocol):
    """A scheduled callback (``asyncio.TimerHandle`` fits)."""

    def cancel(self) -> None:
        """Do not run the callback (harmless if it already ran)."""


class GatewayClock(Protocol):
    """What the sandbox gateway asks of time."""

    def monotonic(self) -> float:
        """Seconds from an arbitrary origin; never goes back."""

    def call_later(self, delay: float, callback: Callable[[], None]) -> Timer:
        """Run ``callback`` once, ``delay`` seconds from now, on the event loop's thread."""


class LoopClock:
    """Real time: ``time.monotonic`` and the running loop's ``call_later``."""

    def monotonic(self) -> float:
        return time.monotonic()

    def call_later(self, delay: float, callback: Callable[[], None]) -> Timer:
        return asyncio.get_running_loop().call_later(delay, callback)


class _ManualTimer:
    __slots__ = ("callback", "cancelled", "when")

    def __init__(self, when: float, callback: Callable[[], None]) -> None:
        self.when = when
        self.callback = callback
        self.cancelled = False

    def cancel(self) -> None:
        self.cancelled = True


class ManualGatewayClock:
    """A clock that stands still until :meth:`advance` (for tests).

    :meth:`advance` runs every timer that falls due, in time order (ties in the order
    they were scheduled), synchronously, with :meth:`monotonic` reading each timer's
    own due time while it runs; timers scheduled by a callback run in the same call
    when they fall due before its end.
    """

    def __init__(self, start: float = 1000.0) -> None:
        self._now = start
        self._heap: list[tuple[float, int, _ManualTimer]] = []
        self._order = itertools.count()

    def monotonic(self) -> float:
        return self._now

    def call_later(self, delay: float, callback: Callable[[], None]) -> Timer:
        timer = _ManualTimer(self._now + max(0.0, delay), callback)
        heapq.heappush(self._heap, (timer.when, next(self._order), timer))
        return timer

    @property
    def pending(self) -> int:
        """Timers scheduled and neither run nor cancelled."""
        return sum(1 for _, _, timer in self._heap if not timer.cancelled)

    def advance(self, seconds: float) -> None:
        """Move time forward by ``seconds`` (>= 0), running the timers due on the way."""
        if seconds < 0:
            raise ValueError("time does not go back")
        target = self._now + seconds
        heap = self._heap
        while heap and heap[0][0] <= target:
            when, _, timer = heapq.heappop(heap)
            if timer.cancelled:
                continue
            self._now = max(self._now, when)
            timer.cancelled = True  # ran: a late cancel() is harmless
            timer.callback()
        self._now = target
