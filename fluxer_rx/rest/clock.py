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
from types import TracebackType
from typing import Protocol

__all__ = ["Clock", "ClockTimeout", "LoopClock", "TimerHandle"]


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


class ClockTimeout:
    """``async with ClockTimeout(clock, when):`` what ``asyncio.timeout_at`` is, on a Clock.

    When ``clock.monotonic()`` reaches ``when`` while the block runs, the block is
    cancelled and ``TimeoutError`` is raised from the ``async with``. A cancellation
    from outside stays a ``CancelledError``. Must be entered inside a task.
    """

    __slots__ = ("_cancelling", "_clock", "_expired", "_handle", "_task", "_when")

    def __init__(self, clock: Clock, when: float) -> None:
        self._clock = clock
        self._when = when
        self._expired = False
        self._handle: TimerHandle | None = None
        self._task: asyncio.Task[object] | None = None
        self._cancelling = 0

    @property
    def expired(self) -> bool:
        """Whether the time ran out (the block was cancelled for it)."""
        return self._expired

    async def __aenter__(self) -> ClockTimeout:
        task = asyncio.current_task()
        if task is None:
            raise RuntimeError("ClockTimeout must be used inside a task")
        self._task = task
        self._cancelling = task.cancelling()
        self._handle = self._clock.call_at(self._when, self._expire)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._handle is not None:
            self._handle.cancel()
        if not self._expired or self._task is None:
            return
        # Undo our own cancel; a cancel from outside as well leaves the count above ours.
        outside = self._task.uncancel() > self._cancelling
        if exc_type is asyncio.CancelledError and not outside:
            raise TimeoutError

    def _expire(self) -> None:
        if self._task is not None and not self._task.done():
            self._expired = True
            self._task.cancel()
