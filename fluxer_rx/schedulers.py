"""The scheduler of the client's streams: the running loop's, or a replay's virtual clock.

:func:`loop_scheduler` gives one :class:`LoopScheduler` per running asyncio loop; every
observable the client hands out subscribes on it by default (see :mod:`fluxer_rx.streams`).
A :class:`LoopScheduler` forwards its timers to a *backing* scheduler: the loop's
:class:`~reactivex.scheduler.eventloop.AsyncIOScheduler` normally, a replay's virtual
clock while :func:`scheduler_override` is in effect (a replay on recorded time, see
:mod:`fluxer_rx.replay.virtual_clock`).

Guarantees:

* Its clock (:attr:`LoopScheduler.seconds`, and ``now``) is continuous: it follows the
  backing scheduler's clock and never jumps when the backing changes, so durations
  measured across a change stay right. Live, it reads Unix time (the loop's monotonic
  clock, offset once); during a replay it advances with the virtual clock.
* A timer scheduled on it comes due once its delay has passed on its clock, whichever
  backing scheduler runs it: when the backing changes, every pending timer moves to the
  new one with the delay it has left, in due-time order. So a window opened before a
  replay on recorded time closes on recorded time, and a timer still pending when the
  replay ends runs on the loop for the rest of its delay.
* Loop-only (no locks), like the rest of the client. There is one per loop, shared by
  every client on it: a replay on recorded time moves the stream timers of all of them
  (the gateway's own timers, heartbeats included, never use it). Replay in a loop of its
  own (``asyncio.run``) to keep a live client's operators on the wall clock meanwhile.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any, Final, TypeVar
from weakref import WeakKeyDictionary

from reactivex import abc, typing
from reactivex.disposable import Disposable
from reactivex.scheduler.eventloop import AsyncIOScheduler
from reactivex.scheduler.periodicscheduler import PeriodicScheduler

__all__ = ["LoopScheduler", "loop_scheduler", "scheduler_override", "seconds_clock"]

_T = TypeVar("_T")


def seconds_clock(scheduler: abc.SchedulerBase) -> Callable[[], float]:
    """A function reading, in seconds, the clock ``scheduler`` times relative delays by:
    its ``clock_seconds`` method when it has one (a :class:`LoopScheduler`, a replay's
    virtual clock), the loop's ``time()`` for an asyncio scheduler, else its ``now``."""
    reader = getattr(scheduler, "clock_seconds", None)
    if callable(reader):
        return reader  # type: ignore[no-any-return]
    if isinstance(scheduler, AsyncIOScheduler):
        return scheduler._loop.time
    return lambda: float(scheduler.to_seconds(scheduler.now))


class _Timer(abc.DisposableBase):
    """One pending timer of a :class:`LoopScheduler`; disposing it cancels it."""

    __slots__ = ("action", "due", "inner", "owner", "state")

    def __init__(
        self, owner: LoopScheduler, due: float, action: abc.ScheduledAction[Any], state: Any
    ) -> None:
        self.owner: LoopScheduler | None = owner
        self.due = due
        self.action = action
        self.state = state
        self.inner: abc.DisposableBase = _NOTHING

    def _fire(self, _scheduler: abc.SchedulerBase, _state: Any = None) -> Any:
        owner, self.owner = self.owner, None
        if owner is None:
            return None
        del owner._pending[self]
        return owner.invoke_action(self.action, self.state)

    def dispose(self) -> None:
        owner, self.owner = self.owner, None
        if owner is not None:
            del owner._pending[self]
        self.inner.dispose()


_NOTHING: Final = Disposable()


class LoopScheduler(PeriodicScheduler):
    """The scheduler of the client's streams on one loop (see the module)."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        super().__init__()
        self._loop_scheduler = AsyncIOScheduler(loop)
        self._backing: abc.SchedulerBase = self._loop_scheduler
        self._backing_clock: Callable[[], float] = loop.time
        self._offset = time.time() - loop.time()
        self._pending: dict[_Timer, None] = {}  # insertion order: scheduling order
        self._overridden = False

    def __repr__(self) -> str:
        return f"<LoopScheduler on {self._backing!r} timers={len(self._pending)}>"

    @property
    def backing(self) -> abc.SchedulerBase:
        """The scheduler that runs this one's timers now."""
        return self._backing

    @property
    def seconds(self) -> float:
        """This scheduler's clock in seconds (continuous; see the module)."""
        return self._backing_clock() + self._offset

    def clock_seconds(self) -> float:
        """:attr:`seconds`, as a method (what :func:`seconds_clock` hands out)."""
        return self._backing_clock() + self._offset

    @property
    def now(self) -> datetime:
        """:attr:`seconds` as an aware UTC ``datetime``."""
        return datetime.fromtimestamp(self.seconds, UTC)

    def schedule(
        self, action: abc.ScheduledAction[_T], state: _T | None = None
    ) -> abc.DisposableBase:
        """Run ``action`` as soon as the backing scheduler can (the loop's next turn, or a
        virtual clock's next advance)."""

        def run(_scheduler: abc.SchedulerBase, _state: Any = None) -> Any:
            return self.invoke_action(action, state)

        return self._backing.schedule(run)

    def schedule_relative(
        self,
        duetime: typing.RelativeTime,
        action: abc.ScheduledAction[_T],
        state: _T | None = None,
    ) -> abc.DisposableBase:
        """Run ``action`` once ``duetime`` (seconds or a ``timedelta``) has passed on this
        scheduler's clock, on whichever backing scheduler is in place by then."""
        delay = duetime if type(duetime) is float else float(self.to_seconds(duetime))
        timer = _Timer(self, self._backing_clock() + self._offset + delay, action, state)
        self._pending[timer] = None
        timer.inner = self._backing.schedule_relative(delay if delay > 0 else 0.0, timer._fire)
        return timer

    def schedule_absolute(
        self,
        duetime: typing.AbsoluteTime,
        action: abc.ScheduledAction[_T],
        state: _T | None = None,
    ) -> abc.DisposableBase:
        """Run ``action`` at ``duetime`` on this scheduler's clock (see :attr:`now`)."""
        return self.schedule_relative(self.to_seconds(duetime) - self.seconds, action, state)

    def switch_to(self, backing: abc.SchedulerBase | None) -> None:
        """Make ``backing`` (``None``: the loop's own) run this scheduler's timers from now
        on; the pending ones move to it with the delay they have left, in due order."""
        target = backing if backing is not None else self._loop_scheduler
        now = self.seconds
        self._backing = target
        self._backing_clock = seconds_clock(target)
        self._offset = now - self._backing_clock()
        for timer in sorted(self._pending, key=lambda t: t.due):  # stable: equal dues in order
            timer.inner.dispose()
            delay = timer.due - now
            timer.inner = target.schedule_relative(delay if delay > 0 else 0.0, timer._fire)


_schedulers: WeakKeyDictionary[asyncio.AbstractEventLoop, LoopScheduler] = WeakKeyDictionary()


def loop_scheduler() -> LoopScheduler | None:
    """The :class:`LoopScheduler` of the running loop (one per loop), or ``None`` outside
    a loop."""
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        return None
    scheduler = _schedulers.get(loop)
    if scheduler is None:
        scheduler = _schedulers[loop] = LoopScheduler(loop)
    return scheduler


@contextlib.contextmanager
def scheduler_override(backing: abc.SchedulerBase) -> Iterator[LoopScheduler]:
    """Let ``backing`` run the running loop's :class:`LoopScheduler` until the block ends
    (a replay on a virtual clock uses this); yields that scheduler.

    Every timer of the client's streams, pending or new, runs on ``backing`` meanwhile;
    afterwards the pending ones go back to the loop with the delay they have left. One
    override per loop at a time: nesting raises ``RuntimeError``, and so does calling this
    outside a running loop.
    """
    scheduler = loop_scheduler()
    if scheduler is None:
        raise RuntimeError("scheduler_override needs a running event loop")
    if scheduler._overridden:
        raise RuntimeError("another scheduler override is already in effect on this loop")
    scheduler._overridden = True
    scheduler.switch_to(backing)
    try:
        yield scheduler
    finally:
        scheduler.switch_to(None)
        scheduler._overridden = False
