"""The waiting room shared by the REST limiters: a FIFO of waiters and one wake-up timer.

A :class:`FifoGate` hands out *grants* (a bucket's permit, a global slot). Subclasses say
when a grant can be issued (:meth:`FifoGate._try_grant`) and when it is worth looking
again without outside news (:meth:`FifoGate._wake_at`); the gate does the rest.
Guarantees:

* First come, first served: a request never overtakes one that waits on the same gate,
  and a grant goes to the head of the queue before anyone later is considered.
* A waiter cancelled after it was granted gives the grant back (``release()``), so
  cancellation never leaks capacity.
* ``acquire(max_wait=...)`` never waits longer than ``max_wait``, and fails at once,
  without queueing, when the gate already knows it will not grant sooner.
* At most one timer is armed per gate, re-armed only when its time changes; a timer
  that the loop fires slightly early never lets the gate act before the time it was
  armed for.
"""

from __future__ import annotations

import asyncio
import math
from collections import deque
from typing import Generic, Protocol, TypeVar

from fluxer_rx.rest.clock import Clock, TimerHandle

__all__ = ["FifoGate", "GateTimeout", "Grant"]


class Grant(Protocol):
    """What a gate hands out: something that can be given back."""

    def release(self) -> None: ...


G = TypeVar("G", bound=Grant)


class GateTimeout(Exception):
    """``acquire(max_wait=...)`` gave up.

    ``known_wait`` is how long the gate said it would stay closed when it refused at once
    (``None`` when the waiter timed out in the queue instead).
    """

    def __init__(self, known_wait: float | None) -> None:
        self.known_wait = known_wait
        super().__init__(
            "no grant within the allowed wait"
            if known_wait is None
            else f"the gate stays closed for {known_wait:.3f}s"
        )


class FifoGate(Generic[G]):
    """FIFO waiters for grants of type ``G``, woken by news (:meth:`_pump`) or a timer."""

    __slots__ = ("_clock", "_timer", "_timer_at", "_waiters")

    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._waiters: deque[asyncio.Future[G]] = deque()
        self._timer: TimerHandle | None = None
        self._timer_at: float | None = None

    @property
    def waiting(self) -> int:
        """Requests queued for a grant."""
        return sum(1 for w in self._waiters if not w.done())

    async def acquire(self, max_wait: float | None = None) -> G:
        """Wait (FIFO) until a grant can be issued, and return it.

        With ``max_wait`` (seconds), raise :class:`GateTimeout` instead of waiting longer:
        at once, if the gate is closed until a known time further away than that, else
        when ``max_wait`` has passed in the queue.
        """
        now = self._clock.monotonic()
        if not self._waiters:
            grant = self._try_grant(now)
            if grant is not None:
                return grant
        if max_wait is not None:
            wake = self._wake_at(now)
            if wake is not None and wake - now > max_wait:
                raise GateTimeout(wake - now)
        waiter: asyncio.Future[G] = asyncio.get_running_loop().create_future()
        self._waiters.append(waiter)
        self._pump()
        expiry: TimerHandle | None = None
        if max_wait is not None and not waiter.done() and math.isfinite(max_wait):

            def give_up() -> None:
                if not waiter.done():
                    waiter.set_exception(GateTimeout(None))

            expiry = self._clock.call_at(now + max_wait, give_up)
        try:
            return await waiter
        except asyncio.CancelledError:
            if waiter.done() and not waiter.cancelled() and waiter.exception() is None:
                waiter.result().release()
            raise
        finally:
            if expiry is not None:
                expiry.cancel()

    # -- for subclasses -------------------------------------------------------------------

    def _try_grant(self, now: float) -> G | None:
        """Issue a grant if one may start at ``now``, else ``None``."""
        raise NotImplementedError

    def _wake_at(self, now: float) -> float | None:
        """When to look again while someone waits (``None``: only news can help)."""
        raise NotImplementedError

    def _before_pump(self, now: float) -> None:
        """Bring the subclass's state up to ``now`` before waiters are served."""

    def _pump(self, at_least: float = 0.0) -> None:
        """Serve waiters in order while grants can be issued, then arm the timer."""
        # A loop timer may fire up to its clock resolution early; never act before it.
        now = max(self._clock.monotonic(), at_least)
        self._before_pump(now)
        waiters = self._waiters
        while waiters:
            head = waiters[0]
            if head.done():
                waiters.popleft()
                continue
            grant = self._try_grant(now)
            if grant is None:
                break
            waiters.popleft()
            head.set_result(grant)
        if self.waiting:
            self._arm(self._wake_at(now))

    # -- the timer --------------------------------------------------------------------------

    def _arm(self, when: float | None) -> None:
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
