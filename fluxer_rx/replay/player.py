"""Replaying recorded frames into a client, as a shard would deliver them, with no network.

A :class:`FramePlayer` hands each recorded frame to a sink with the methods the client
exposes to its shards (``frame``, ``dispatch``, ``session_lost``, ``diagnostic``), so a
replayed frame takes the client's own path: ``raw``, decode, cache fold, ``events``,
handlers. Nothing of the client's dispatch logic is repeated here.

What the player decides is only what the live gateway protocol decided per frame, with
the protocol's rules per shard: a dispatch whose ``s`` is not above the last delivered
one (a resumed replay the client had already seen) goes to ``frame`` (``raw`` only),
every other dispatch to ``dispatch``; a READY with a new ``session_id`` after an earlier
one first reports the old session lost; a READY whose ``d`` does not decode is reported
as a ``DecodeError`` (``decode_error`` on ``diagnostics``, with the frame) and goes to
``frame`` only. So every event is delivered exactly once and in recorded order, as it was
live, and no frame ends a replay (only a malformed line of the file does).
Connection-level reports (state changes, heartbeat latency, gaps) are not in a recording
and are not replayed.

Pacing: with ``speed=None`` frames go as fast as possible (the loop gets a turn every
``batch`` frames; from a file, after the block of frames read at once that reaches
``batch``); with ``speed=x`` the frame recorded at ``at`` is delivered at
``start + at / x`` on the pacing clock (never earlier; late frames go at once, in order).

Recorded time: with ``clock="recorded"`` or a :class:`~fluxer_rx.replay.VirtualClock`,
frames go as fast as possible while the virtual clock is the scheduler of everything
subscribed to the client's streams (:mod:`fluxer_rx.schedulers`): before each
frame the clock advances to the frame's recorded time (running the timers due by then, in
order), and after the last one it advances past it (see ``VirtualClock.tail``), so
time-based operators give the windows a ``speed=1`` replay gives. Async code (handlers,
``wait_for``) runs when the loop gets its turn, every ``batch`` frames, and reads the
clock then. A frame whose time goes backwards or jumps is an error naming its line, or is
clamped and reported, as the clock's ``on_bad_time`` says.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Final, Literal, Protocol

from fluxer_rx.diagnostics import Diagnostic, Kind
from fluxer_rx.errors import DecodeError
from fluxer_rx.gateway.actions import SessionLost
from fluxer_rx.models.frame import Frame
from fluxer_rx.replay.format import MalformedRecording
from fluxer_rx.replay.reader import RecordedBlock, RecordedFrame, RecordingReader
from fluxer_rx.replay.virtual_clock import ClockStep, VirtualClock
from fluxer_rx.schedulers import scheduler_override

__all__ = [
    "FramePlayer",
    "LoopPacingClock",
    "PacingClock",
    "ReplayClock",
    "ReplaySink",
    "ReplaySummary",
]

_DISPATCH: Final = 0


class ReplaySink(Protocol):
    """Where replayed frames go (a subset of the shard sink; ``Client`` is one)."""

    def frame(self, frame: Frame) -> None:
        """A frame not delivered as an event (control frames, duplicates)."""

    def dispatch(self, frame: Frame) -> None:
        """A dispatch to deliver as an event."""

    def session_lost(self, shard_id: int, lost: SessionLost) -> None:
        """A shard's session ended; its next READY starts a new one."""

    def diagnostic(self, report: Diagnostic) -> None:
        """A report for ``diagnostics`` (a READY whose ``d`` does not decode)."""


class PacingClock(Protocol):
    """The time a paced replay follows (a fake one makes pacing testable)."""

    def monotonic(self) -> float:
        """Seconds on a clock that never goes backwards."""
        ...

    async def sleep(self, delay: float) -> None:
        """Return once ``delay`` seconds have passed on this clock."""
        ...


class LoopPacingClock:
    """The running event loop's clock and ``asyncio.sleep``."""

    def monotonic(self) -> float:
        return asyncio.get_running_loop().time()

    async def sleep(self, delay: float) -> None:
        await asyncio.sleep(delay)


ReplayClock = PacingClock | VirtualClock | Literal["recorded"]
"""What a replay's ``clock=`` takes: a :class:`PacingClock` for a paced replay, or a
:class:`~fluxer_rx.replay.VirtualClock` (``"recorded"``: a new one) for recorded time."""


@dataclass(frozen=True, slots=True)
class ReplaySummary:
    """What a replay did.

    ``frames``: frames handed to the client; ``dispatches``: of those, delivered as
    events; ``duplicates``: dispatches already delivered (``raw`` only);
    ``recorded_seconds``: the ``at`` of the last frame replayed; ``elapsed_seconds``: time
    the replay took on its clock (a virtual clock's: recorded time, ``tail`` included);
    ``completed``: whether it reached the end of the recording (``False`` when stopped by
    ``destroy()``); ``clock_steps``: frames whose time was clamped (virtual clock,
    ``on_bad_time="clamp"``).
    """

    frames: int
    dispatches: int
    duplicates: int
    recorded_seconds: float
    elapsed_seconds: float
    completed: bool
    clock_steps: int = 0


class _ShardSession:
    __slots__ = ("seq", "session_id")

    def __init__(self) -> None:
        self.session_id: str | None = None
        self.seq = 0


def _started_at(reader: RecordingReader | None) -> datetime | None:
    """When the recording started, from its header (``None`` if absent or unreadable)."""
    text = reader.header.started_at if reader is not None else None
    if text is None:
        return None
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        return None
    return when if when.tzinfo is not None else when.replace(tzinfo=UTC)


def _session_id_of(data: object) -> str | None:
    session_id = data.get("session_id") if isinstance(data, dict) else None
    return session_id if isinstance(session_id, str) else None


def _blocks_of(frames: Iterable[RecordedFrame], size: int) -> Iterator[RecordedBlock]:
    """``frames`` as blocks, each frame's "line" its 1-based position: ``size`` frames a
    block from a sequence, one frame a block from any other iterable (which may make its
    frames as they are asked for, so none is taken before the one before is delivered)."""
    if not isinstance(frames, Sequence):
        for position, (at, frame) in enumerate(frames, 1):
            yield RecordedBlock([at], [frame], (position,))
        return
    for first in range(0, len(frames), size):
        ats: list[float] = []
        block: list[Frame] = []
        for at, frame in frames[first : first + size]:
            ats.append(at)
            block.append(frame)
        yield RecordedBlock(ats, block, range(first + 1, first + 1 + len(block)))


class FramePlayer:
    """Feeds ``frames`` to ``sink`` with :meth:`run`; counters tell the progress.

    ``speed``: ``None`` for as fast as possible, else a finite factor > 0 (2.0 = twice as
    fast as recorded); ``ValueError`` otherwise. ``clock``: the :class:`PacingClock` a
    paced replay follows (:class:`LoopPacingClock` by default), or a
    :class:`~fluxer_rx.replay.VirtualClock` (``"recorded"``: a new one) to replay on
    recorded time (see the module; ``speed`` must then be ``None``). Errors of ``frames``
    (a malformed line) propagate from :meth:`run` after every earlier frame has been
    delivered.
    """

    def __init__(
        self,
        sink: ReplaySink,
        frames: Iterable[RecordedFrame],
        *,
        speed: float | None = None,
        clock: ReplayClock | None = None,
        batch: int = 256,
    ) -> None:
        if speed is not None and not (math.isfinite(speed) and speed > 0):
            raise ValueError(f"speed must be a finite number > 0 or None, not {speed!r}")
        if batch < 1:
            raise ValueError(f"batch must be >= 1, not {batch!r}")
        if clock == "recorded":
            clock = VirtualClock()
        elif isinstance(clock, str):
            raise ValueError(f"clock must be 'recorded', a clock object or None, not {clock!r}")
        self._virtual: VirtualClock | None = None
        if isinstance(clock, VirtualClock):
            if speed is not None:
                raise ValueError("a replay on a virtual clock runs at recorded time: no speed")
            self._virtual, clock = clock, None
        self._sink = sink
        self._frames = frames
        self._speed = speed
        self._clock: PacingClock = clock if clock is not None else LoopPacingClock()
        self._batch = batch
        self._sessions: dict[int, _ShardSession] = {}
        self._started: float | None = None
        self._finished: float | None = None
        self.frames = 0
        self.dispatches = 0
        self.duplicates = 0
        self.clock_steps = 0
        self.last_at = 0.0

    @property
    def virtual_clock(self) -> VirtualClock | None:
        """The virtual clock this replay runs on, or ``None`` for a paced or plain one."""
        return self._virtual

    async def run(self) -> None:
        """Deliver every frame (paced if a ``speed`` was given, on recorded time with a
        virtual clock), then return."""
        if self._virtual is not None:
            reader = self._frames if isinstance(self._frames, RecordingReader) else None
            # the clock starts before it backs the loop's scheduler, which then never jumps
            base = self._started = self._virtual.begin(_started_at(reader))
            with scheduler_override(self._virtual):
                await self._run_virtual(self._virtual, base, reader)
            return
        clock, speed, batch = self._clock, self._speed, self._batch
        start = self._started = clock.monotonic()
        if speed is None and isinstance(self._frames, RecordingReader):
            await self._run_batches(self._frames)
            self._finished = clock.monotonic()
            return
        unyielded = 0
        for at, frame in self._frames:
            if speed is not None:
                delay = start + at / speed - clock.monotonic()
                if delay > 0:
                    await clock.sleep(delay)
                    unyielded = 0
            self._deliver(frame)
            self.last_at = at
            unyielded += 1
            if unyielded >= batch:
                await asyncio.sleep(0)  # let handlers, timers and I/O run between batches
                unyielded = 0
        self._finished = clock.monotonic()

    async def _run_batches(self, reader: RecordingReader) -> None:
        """As fast as possible from a file: a block of frames read and decoded, then
        delivered in a tight loop, then the loop's turn once ``batch`` frames went without
        one. A dispatch in order on a shard whose session is known goes straight to the
        sink; every other frame takes :meth:`_deliver` (the same decisions, spelt out)."""
        sessions, dispatch, deliver = self._sessions, self._sink.dispatch, self._deliver
        batch, unyielded = self._batch, 0
        for block in reader._blocks:
            direct = 0
            for frame in block.frames:
                # _deliver's decisions for a one-pass dispatch (op 0, neither READY nor
                # RESUMED: the class says so), inlined: this loop is the replay's hot path
                if frame.ordinary_dispatch:
                    s = frame.s
                    session = sessions.get(frame.shard_id)
                    if s is not None and session is not None and s > session.seq:
                        session.seq = s
                        direct += 1
                        dispatch(frame)
                        continue
                deliver(frame)
            self.frames += direct
            self.dispatches += direct
            self.last_at = block.ats[-1]
            unyielded += len(block.frames)
            if unyielded >= batch:
                await asyncio.sleep(0)  # let handlers, timers and I/O run between batches
                unyielded = 0

    async def _run_virtual(
        self, clock: VirtualClock, base: float, reader: RecordingReader | None
    ) -> None:
        if reader is not None:
            blocks, path = reader._blocks, reader.path
        else:
            blocks, path = _blocks_of(self._frames, self._batch), "<frames>"
        sessions, dispatch, deliver = self._sessions, self._sink.dispatch, self._deliver
        max_gap, clamp = clock.max_gap, clock.on_bad_time == "clamp"
        limit = math.inf if max_gap is None else max_gap
        batch = self._batch
        unyielded = 0
        shift = 0.0  # the clock steps taken off so far (clamp)
        previous, highest = -math.inf, math.inf  # the range the next frame's time is in
        direct = 0  # dispatches of the inlined path not yet added to the counters
        try:
            for block in blocks:
                ats = block.ats
                for index, frame in enumerate(block.frames):
                    at = ats[index]
                    if not previous <= at <= highest:
                        step = ClockStep(block.lines[index], at, previous)
                        if not clamp:
                            raise MalformedRecording(path, step.line, step.describe())
                        shift -= step.step
                        self.clock_steps += 1
                        detail = (
                            f"line {step.line}: {step.describe()}; delivered at the time before"
                        )
                        report = Diagnostic(Kind.CLOCK_STEP, frame.shard_id, detail, step, frame)
                        self._sink.diagnostic(report)
                    previous, highest = at, at + limit
                    when = base + at + shift
                    if when < clock._clock:  # rounding after a clamped step
                        when = clock._clock
                    # Timers due by the frame's time run first. VirtualClock.advance_to's
                    # fast path (nothing due) is inlined: the only per-frame cost of the clock.
                    if when < clock._next_due:
                        clock._clock = when
                    else:
                        clock.advance_to(when)
                    unyielded += 1
                    # _deliver's decisions for a one-pass dispatch, inlined as in _run_batches:
                    # one call less per frame on the replay's hot path
                    if frame.ordinary_dispatch:
                        s = frame.s
                        session = sessions.get(frame.shard_id)
                        if s is not None and session is not None and s > session.seq:
                            session.seq = s
                            direct += 1  # counted on the player at the loop's turn
                            dispatch(frame)
                        else:
                            deliver(frame)
                    else:
                        deliver(frame)
                    if unyielded >= batch:
                        self.last_at = at
                        self.frames += direct
                        self.dispatches += direct
                        direct = 0
                        await asyncio.sleep(0)  # handlers, tasks, then what they scheduled
                        clock.advance_to(clock.seconds)
                        unyielded = 0
                self.last_at = previous
        finally:  # a malformed line ends the replay: what was delivered is counted
            self.frames += direct
            self.dispatches += direct
        await asyncio.sleep(0)
        clock.settle(clock.seconds)
        self._finished = clock.seconds

    def summary(self) -> ReplaySummary:
        """The counters now; ``completed`` once :meth:`run` has returned."""
        now = self._virtual.seconds if self._virtual is not None else None
        if self._started is None:
            elapsed = 0.0
        else:
            if self._finished is not None:
                end = self._finished
            else:
                end = now if now is not None else self._clock.monotonic()
            elapsed = end - self._started
        return ReplaySummary(
            frames=self.frames,
            dispatches=self.dispatches,
            duplicates=self.duplicates,
            recorded_seconds=self.last_at,
            elapsed_seconds=elapsed,
            completed=self._finished is not None,
            clock_steps=self.clock_steps,
        )

    def _deliver(self, frame: Frame) -> None:
        self.frames += 1
        if frame.op != _DISPATCH:
            self._sink.frame(frame)
            return
        session = self._sessions.get(frame.shard_id)
        if session is None:
            session = self._sessions[frame.shard_id] = _ShardSession()
        s, t = frame.s, frame.t
        if t == "READY":
            try:
                session_id = _session_id_of(frame.data)
            except DecodeError as exc:
                report = Diagnostic(Kind.DECODE_ERROR, frame.shard_id, str(exc), exc, frame)
                self._sink.diagnostic(report)
                session_id = None
            if session_id is None:  # the protocol does not deliver such a READY either
                self._sink.frame(frame)
                return
            if session.session_id is not None and session.session_id != session_id:
                lost = SessionLost(
                    session.session_id, session.seq, "a new READY replaced the session"
                )
                self._sink.session_lost(frame.shard_id, lost)
            session.session_id = session_id
            session.seq = s if s is not None else 0
        elif t == "RESUMED":
            if s is not None and s > session.seq and session.session_id is not None:
                session.seq = s
        elif s is not None:
            if s <= session.seq:
                self.duplicates += 1
                self._sink.frame(frame)
                return
            session.seq = s
        self.dispatches += 1
        self._sink.dispatch(frame)
