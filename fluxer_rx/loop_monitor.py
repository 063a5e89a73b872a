"""A loop-lag monitor: it tells when the event loop could run nothing for too long.

A probe is scheduled with ``loop.call_at`` every ``interval`` seconds; when the loop is
blocked (a handler that sleeps or computes without awaiting), the probe runs late by
about as long as the block lasted. A lateness above ``threshold`` is reported as one stall
of that many seconds. There is no thread: the report comes when the loop runs again, the
first moment anything can act on it. A probe costs one timer callback per ``interval``.

Guarantees, for a loop that was free and is then blocked for ``D`` seconds:

* the stall is reported once, with a duration above ``D - interval`` (the probe due
  during the block measures it, and the probe before ran while the loop was free); it
  exceeds ``D`` only by the other callbacks the loop ran before the probe;
* so a block longer than ``threshold + interval`` is always reported;
* nothing is reported while the monitor is stopped, and :meth:`LoopMonitor.stop` leaves
  no timer behind.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Final

__all__ = ["LoopMonitor", "probe_interval"]

_MIN_INTERVAL: Final = 0.01
_MAX_INTERVAL: Final = 0.25


def probe_interval(threshold: float) -> float:
    """Seconds between probes for ``threshold``: a quarter of it, within 10 ms..250 ms,
    so a reported duration is at most that much short of the real one."""
    return min(max(threshold / 4, _MIN_INTERVAL), _MAX_INTERVAL)


class LoopMonitor:
    """Reports stalls of the running loop longer than ``threshold`` seconds to
    ``on_stall(seconds)``; ``threshold=None`` makes a monitor that never runs.

    ``interval`` defaults to :func:`probe_interval`. Raises ``ValueError`` for a
    threshold or an interval that is not > 0.
    """

    def __init__(
        self,
        threshold: float | None,
        on_stall: Callable[[float], None],
        *,
        interval: float | None = None,
    ) -> None:
        if threshold is not None and not threshold > 0:
            raise ValueError(f"loop_stall_threshold must be > 0 or None, not {threshold!r}")
        if interval is not None and not interval > 0:
            raise ValueError(f"interval must be > 0, not {interval!r}")
        self._threshold = threshold
        self._interval = (
            interval if interval is not None or threshold is None else probe_interval(threshold)
        )
        self._on_stall = on_stall
        self._loop: asyncio.AbstractEventLoop | None = None
        self._probe: asyncio.TimerHandle | None = None
        self._due = 0.0

    @property
    def running(self) -> bool:
        """Whether a probe is scheduled."""
        return self._probe is not None

    def start(self) -> None:
        """Start probing the running loop (again from now if already started); a
        monitor without a threshold does nothing."""
        self.stop()
        if self._threshold is None or self._interval is None:
            return
        self._loop = asyncio.get_running_loop()
        self._schedule(self._loop.time())

    def stop(self) -> None:
        """Stop probing; harmless when not started."""
        if self._probe is not None:
            self._probe.cancel()
            self._probe = None
        self._loop = None

    def _schedule(self, now: float) -> None:
        assert self._loop is not None and self._interval is not None
        self._due = now + self._interval
        self._probe = self._loop.call_at(self._due, self._check)

    def _check(self) -> None:
        loop = self._loop
        if loop is None:
            return
        now = loop.time()
        late = now - self._due
        self._schedule(now)
        if self._threshold is not None and late > self._threshold:
            self._on_stall(late)
