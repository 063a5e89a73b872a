"""Spacing of IDENTIFYs across the shards of one process.

Fluxer's ``session_start_limit.max_concurrency`` is decorative (PROTOCOL §1.5), but the
[S] gateway can limit IDENTIFY to one per 5 s per node and [N] to 300 per minute per IP, so
shards starting together take turns. :class:`IdentifyQueue` lets one caller through per
``interval`` seconds, in arrival order.
"""

from __future__ import annotations

import asyncio

__all__ = ["IdentifyQueue"]


class IdentifyQueue:
    """Admit callers of :meth:`wait` one at a time, at least ``interval`` seconds apart."""

    def __init__(self, interval: float) -> None:
        if interval < 0:
            raise ValueError("interval must be >= 0")
        self.interval = interval
        self._lock = asyncio.Lock()
        self._last: float | None = None

    async def wait(self) -> None:
        """Return when the caller may IDENTIFY (FIFO among waiters)."""
        async with self._lock:
            loop = asyncio.get_running_loop()
            if self._last is not None:
                delay = self._last + self.interval - loop.time()
                if delay > 0:
                    await asyncio.sleep(delay)
            self._last = loop.time()
