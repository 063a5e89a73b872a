"""The time source of the REST limiters and retry policy, injectable for tests.

Everything in :mod:`fluxer_rx.rest` that waits or reads the time goes through a
:class:`Clock`, so the rate-limit and retry rules run unchanged on a fake clock in tests.
:class:`LoopClock` is the real one: the running event loop's monotonic time, ``time.time``
for the Unix-seconds ``X-RateLimit-Reset`` header, and ``loop.call_at`` for timers.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Protocol

__all__ = ["Clock", "LoopClock", "TimerHandle"]


class TimerHandle(Protocol):
    """A scheduled callback that can be cancelled."""

    def cancel(self) -> None: ...


class Clock(Protocol):
    """Monotonic time, wall time, timers and sleeping, in seconds."""

    def monotonic(self) -> float:
        """Seconds on a clock that never goes backwards."""
        ...

    def wall(self) -> float:
        """Unix time in seconds (only used to read ``X-RateLimit-Reset``)."""
        ...

    def call_at(self, when: float, callback: Callable[[], None]) -> TimerHandle:
        """Run ``callback`` on the event loop once ``monotonic() >= when``."""
        ...

    async def sleep(self, delay: float) -> None:
        """Return after ``delay`` seconds of this clock."""
        ...


class LoopClock:
    """The running event loop's clock (``loop.time()``); the default :class:`Clock`."""

    __slots__ = ()

    def monotonic(self) -> float:
        return asyncio.get_running_loop().time()

    def wall(self) -> float:
        return time.time()

    def call_at(self, when: float, callback: Callable[[], None]) -> TimerHandle:
        return asyncio.get_running_loop().call_at(when, callback)

    async def sleep(self, delay: float) -> None:
        await asyncio.sleep(max(0.0, delay))

    def __repr__(self) -> str:
        return "<LoopClock>"
