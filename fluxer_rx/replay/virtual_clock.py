"""A virtual clock for replays: recorded time, as fast as the CPU allows.

:class:`VirtualClock` is a reactivex virtual-time scheduler
(:class:`~reactivex.scheduler.VirtualTimeScheduler`) whose clock is Unix time in seconds.
Given to a replay (``client.replay(path, clock=VirtualClock())``, or
``clock="recorded"``), it runs the timers of the loop's scheduler for the replay's
duration (see :mod:`fluxer_rx.schedulers`): every subscription to the client's streams
that did not name a scheduler, made before the replay or during it, times on it:
``buffer_with_time``, ``debounce``, ``throttle``, ``timeout``, the collectors'
``time``/``idle``, ``wait_for``'s timeout, event-time ``idle`` flushes. The player moves
the clock to each frame's recorded time before delivering the frame, so those operators
see the recorded pace whatever the replay's real speed.

Guarantees:

* Timers run in due-time order (equal due times in the order they were scheduled), each
  with the clock reading its due time, and every timer due at or before a frame's time has
  run before that frame is delivered.
* The clock never goes backwards (:meth:`VirtualClock.advance_to` an earlier time raises
  ``ValueError``).
* Loop-only, like the client: no locks; use it from the loop's thread.

When the clock starts: at ``start`` if given; else a replay of a recording file moves a
fresh clock to the header's ``started_at``, so ``clock.now`` is the wall time the frame was
received (and close to the time its snowflake carries); else Unix time 0.

How a replay ends and what it does with bad times (``tail``, ``max_gap``,
``on_bad_time``) is described on :class:`VirtualClock`.
"""

from __future__ import annotations

import heapq
import math
from datetime import datetime
from typing import Literal, TypeVar

from reactivex import abc, typing
from reactivex.scheduler import VirtualTimeScheduler
from reactivex.scheduler.scheduleditem import ScheduledItem

__all__ = ["BadTimePolicy", "ClockStep", "VirtualClock"]

_T = TypeVar("_T")

BadTimePolicy = Literal["error", "clamp"]


class ClockStep:
    """A frame whose recorded time went backwards or jumped more than ``max_gap``.

    ``line``: its line in the recording (its 1-based position when the frames were not
    read from a file); ``at``: its recorded time; ``previous``: the time of the frame before;
    ``step``: ``at - previous``. Under the ``clamp`` policy the frame was delivered at
    ``previous`` and ``step`` was taken off every later frame.
    """

    __slots__ = ("at", "line", "previous", "step")

    def __init__(self, line: int, at: float, previous: float) -> None:
        self.line = line
        self.at = at
        self.previous = previous
        self.step = at - previous

    def __repr__(self) -> str:
        return f"ClockStep(line={self.line}, at={self.at}, previous={self.previous})"

    def describe(self) -> str:
        """One line for a diagnostic or an error message."""
        moved = "went backwards" if self.step < 0 else "jumped"
        return f"recorded time {moved} by {abs(self.step):.6f} s ({self.previous} -> {self.at})"


def _seconds(value: typing.AbsoluteOrRelativeTime) -> float:
    return float(VirtualTimeScheduler.to_seconds(value))


class VirtualClock(VirtualTimeScheduler):
    """A virtual-time scheduler for replays; its clock is Unix time in seconds.

    ``start``: where the clock starts (a ``datetime``, or Unix seconds); ``None`` lets a
    replay of a file start it at the recording's ``started_at``.

    ``tail``: how a replay ends. After the last frame the clock advances ``tail`` seconds
    past it; by default (``None``) by the longest delay any timer asked for since the
    replay began, so every timer pending at the end comes due, and so does any deadline
    it moves (an idle period restarted by a late event): open windows, debounces,
    collector time limits and timeouts all end as they would had time gone on. A
    periodic timer fires for every period in that span (a ``buffer_with_time(1.0)``
    alongside a 30 s collector gives 30 more, empty, windows): give ``tail`` to bound it.

    ``max_gap`` (seconds, ``None``: no limit) and ``on_bad_time`` say what a replay does
    with a frame whose recorded time goes backwards, or forwards by more than ``max_gap``
    (a live recording holds a heartbeat ACK at least every heartbeat interval, about
    41 s, so a longer gap means edited times or a stepped clock):

    * ``"error"`` (default): the replay raises
      :class:`~fluxer_rx.replay.MalformedRecording` naming the line, before delivering
      that frame (the earlier frames were delivered);
    * ``"clamp"``: the frame is delivered at the time of the frame before, the step is
      taken off every later frame (so their spacing is kept), and the step is reported
      to the replay's sink (``client.diagnostics``) as a ``protocol_violation``
      diagnostic whose ``data`` is a :class:`ClockStep` and ``frame`` the frame.

    A recording file whose ``at`` goes backwards is refused by its reader under both
    policies (the format forbids it), with the line number.
    """

    def __init__(
        self,
        start: datetime | float | None = None,
        *,
        tail: float | None = None,
        max_gap: float | None = 300.0,
        on_bad_time: BadTimePolicy = "error",
    ) -> None:
        if tail is not None and not (math.isfinite(tail) and tail >= 0):
            raise ValueError(f"tail must be a finite number >= 0 or None, not {tail!r}")
        if max_gap is not None and not (math.isfinite(max_gap) and max_gap > 0):
            raise ValueError(f"max_gap must be a finite number > 0 or None, not {max_gap!r}")
        if on_bad_time not in ("error", "clamp"):
            raise ValueError(f"on_bad_time must be 'error' or 'clamp', not {on_bad_time!r}")
        begin = 0.0 if start is None else _seconds(start)
        super().__init__(begin)
        self._clock: float = begin
        self.tail = tail
        self.max_gap = max_gap
        self.on_bad_time: BadTimePolicy = on_bad_time
        self._fixed_start = start is not None
        self._initial = begin
        self._used = False
        self._running = False
        self._timers: list[tuple[float, int, ScheduledItem]] = []
        self._sequence = 0
        self._next_due = math.inf
        self._longest = 0.0

    def __repr__(self) -> str:
        return f"<VirtualClock {self.now.isoformat()} timers={len(self._timers)}>"

    @property
    def seconds(self) -> float:
        """The clock: Unix time in seconds."""
        return self._clock

    def clock_seconds(self) -> float:
        """:attr:`seconds`, as a method (what ``fluxer_rx.schedulers.seconds_clock``
        hands out)."""
        return self._clock

    @property
    def pending(self) -> int:
        """How many timers are scheduled and not cancelled."""
        return sum(1 for _, _, item in self._timers if not item.is_cancelled())

    def begin(self, started_at: datetime | None) -> float:
        """Where a replay starts: the clock now, after moving a fresh clock (no ``start``,
        never advanced, nothing scheduled) to ``started_at`` when that is given. The
        longest delay asked for (see :attr:`tail`) counts from here."""
        fresh = not (self._fixed_start or self._used or self._clock != self._initial)
        if started_at is not None and fresh:
            self._clock = started_at.timestamp()
        self._used = True
        self._longest = max(
            (due - self._clock for due, _, item in self._timers if not item.is_cancelled()),
            default=0.0,
        )
        return self._clock

    # ------------------------------------------------------------------ scheduling

    def schedule(
        self, action: abc.ScheduledAction[_T], state: _T | None = None
    ) -> abc.DisposableBase:
        """Run ``action`` at the current time (at the next advance)."""
        return self._enqueue(self._clock, action, state)

    def schedule_relative(
        self,
        duetime: typing.RelativeTime,
        action: abc.ScheduledAction[_T],
        state: _T | None = None,
    ) -> abc.DisposableBase:
        """Run ``action`` ``duetime`` seconds (or a ``timedelta``) from now; negative is now."""
        return self._enqueue(self._clock + max(0.0, _seconds(duetime)), action, state)

    def schedule_absolute(
        self,
        duetime: typing.AbsoluteTime,
        action: abc.ScheduledAction[_T],
        state: _T | None = None,
    ) -> abc.DisposableBase:
        """Run ``action`` at ``duetime`` (a ``datetime`` or Unix seconds); a past time is now."""
        return self._enqueue(max(self._clock, _seconds(duetime)), action, state)

    def _enqueue(
        self, due: float, action: abc.ScheduledAction[_T], state: _T | None
    ) -> abc.DisposableBase:
        self._used = True
        if due - self._clock > self._longest:
            self._longest = due - self._clock
        item = ScheduledItem(self, state, action, self.to_datetime(due))
        self._sequence += 1
        heapq.heappush(self._timers, (due, self._sequence, item))
        if due < self._next_due:
            self._next_due = due
        return item.disposable

    # ------------------------------------------------------------------ time

    def advance_to(self, time: typing.AbsoluteTime) -> None:
        """Run every timer due at or before ``time`` in order, then set the clock to it.

        ``time`` is a ``datetime`` or Unix seconds; ``ValueError`` if it is earlier than
        the clock. Called from inside a timer it only moves the clock (the outer advance
        runs what comes due).
        """
        target = time if type(time) is float else _seconds(time)
        if target < self._next_due and target >= self._clock:
            self._clock = target  # the per-frame path: nothing due
            return
        if target < self._clock:
            raise ValueError(f"a virtual clock cannot go back ({target} < {self._clock})")
        self._used = True
        if self._running:
            self._clock = target
            return
        self._running = True
        timers = self._timers
        try:
            while timers and timers[0][0] <= target:
                due, _, item = heapq.heappop(timers)
                if due > self._clock:
                    self._clock = due
                if not item.is_cancelled():
                    item.invoke()
            self._clock = target
        finally:
            self._running = False
            self._next_due = timers[0][0] if timers else math.inf

    def advance_by(self, time: typing.RelativeTime) -> None:
        """:meth:`advance_to` the clock plus ``time`` (seconds or a ``timedelta``)."""
        self.advance_to(self._clock + _seconds(time))

    def sleep(self, time: typing.RelativeTime) -> None:
        """Move the clock ``time`` forward without running any timer."""
        delay = _seconds(time)
        if delay < 0:
            raise ValueError(f"a virtual clock cannot go back ({delay} s)")
        self._clock += delay

    def start(self) -> None:
        """Run timers in order until none is left (never returns while a periodic timer
        is active: prefer :meth:`advance_to`)."""
        while self._timers:
            self.advance_to(max(self._clock, self._timers[0][0]))

    def stop(self) -> None:
        """Nothing to stop: the clock only moves when advanced."""

    def settle(self, after: float) -> None:
        """End a replay whose last frame was at ``after`` (Unix seconds): advance as
        :attr:`tail` says (see the class)."""
        tail = self.tail if self.tail is not None else self._longest
        self.advance_to(max(after + tail, self._clock))
