"""Exactly-once accounting for the demo: what the sandbox sent the bot vs what it received.

:class:`Delivery` keys every dispatch by ``(session id, seq)``. The sent side is the
sandbox's :attr:`~fluxer_rx.sandbox.Sandbox.dispatch_log` (consumed by
:meth:`Delivery.sync`), restricted to the bot's sessions; the received side is every
dispatch frame on ``client.raw`` (after the client's own de-duplication of resumed
replays, which is what a user of the library sees). RESUMED is left out on both sides (it
repeats the client's last seq).

* ``received``: sent dispatches that arrived (each once); ``duplicated``: arrivals of a
  seq at or below the session's last one (a duplicate, or out of order).
* ``gap_reported``: dispatches the client reported as never to be delivered (Fluxer does
  not buffer reactions for a detached session; the client says so with a ``gap``
  diagnostic).
* ``in_flight``: sent, not (yet) received and not reported; after the end-of-run marker
  has arrived these are the **lost** dispatches.

Memory stays bounded by the dispatches in flight, not by the run's length.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field

from reactivex.abc import DisposableBase

from fluxer_rx.client import Client
from fluxer_rx.diagnostics import Diagnostic, Kind
from fluxer_rx.gateway.actions import GapDetected
from fluxer_rx.lifecycle import ClientState
from fluxer_rx.models import Ready
from fluxer_rx.models.frame import Frame
from fluxer_rx.sandbox import Sandbox

__all__ = ["Delivery", "Outage"]

Key = tuple[str, int]


@dataclass(slots=True)
class Outage:
    """One connection cut: when it was made, when the client noticed, when it was ready
    again, and whether the session was resumed (RESUMED) rather than identified anew.
    ``restored`` is set once the client is ready again."""

    cut_at: float
    noticed_at: float | None = None
    ready_at: float | None = None
    resumed: bool = False
    restored: asyncio.Event = field(default_factory=asyncio.Event)

    @property
    def downtime(self) -> float | None:
        """Seconds from the cut to ready again (``None`` while down)."""
        return None if self.ready_at is None else self.ready_at - self.cut_at


@dataclass(slots=True)
class _Gap:
    session_id: str
    first: int
    last: int | None

    def covers(self, key: Key) -> bool:
        session_id, seq = key
        return (
            session_id == self.session_id
            and self.first <= seq
            and (self.last is None or seq <= self.last)
        )


@dataclass(slots=True)
class _Counts:
    sent: int = 0
    received: int = 0
    duplicated: int = 0
    gap_reported: int = 0
    outstanding: set[Key] = field(default_factory=set)
    early: set[Key] = field(default_factory=set)


class Delivery:
    """Accounting of one client's deliveries from one sandbox; :meth:`close` unsubscribes.

    Create it before the client logs in: a session's dispatches are counted from its
    READY on. ``clock`` gives the times of :class:`Outage` records.
    """

    def __init__(self, client: Client, sandbox: Sandbox, clock: Callable[[], float]) -> None:
        self._sandbox = sandbox
        self._clock = clock
        self._counts = _Counts()
        self._sessions: set[str] = set()
        self._session: str | None = None
        self._last_seq: dict[str, int] = {}
        self._gaps: list[_Gap] = []
        self.outages: list[Outage] = []
        self._subscriptions: list[DisposableBase] = [
            client.raw.subscribe(self._frame),
            client.diagnostics.subscribe(self._diagnostic),
        ]

    # -- received side -------------------------------------------------------------------

    def _frame(self, frame: Frame) -> None:
        if frame.op != 0 or frame.s is None or frame.t == "RESUMED":
            if frame.t == "RESUMED" and self.outages:
                self.outages[-1].resumed = True
            return
        if frame.t == "READY":
            ready = frame.event
            if isinstance(ready, Ready):
                self._session = ready.session_id
                self._sessions.add(ready.session_id)
        if self._session is None:
            return
        counts = self._counts
        key = (self._session, frame.s)
        if frame.s <= self._last_seq.get(self._session, 0):
            counts.duplicated += 1
            return
        self._last_seq[self._session] = frame.s
        counts.received += 1
        if key in counts.outstanding:
            counts.outstanding.remove(key)
        else:
            counts.early.add(key)

    def _diagnostic(self, report: Diagnostic) -> None:
        if report.kind == Kind.GAP and isinstance(report.data, GapDetected):
            if self._session is not None:
                gap = _Gap(self._session, report.data.first_missing, report.data.last_missing)
                self._gaps.append(gap)
                covered = {key for key in self._counts.outstanding if gap.covers(key)}
                self._counts.outstanding -= covered
                self._counts.gap_reported += len(covered)
        elif report.kind == Kind.CLIENT_STATE and isinstance(report.data, tuple):
            old, new = report.data
            if old is ClientState.READY and new is ClientState.RECONNECTING and self.outages:
                outage = self.outages[-1]
                if outage.noticed_at is None:
                    outage.noticed_at = self._clock()
            elif new is ClientState.READY and self.outages and self.outages[-1].ready_at is None:
                self.outages[-1].ready_at = self._clock()
                self.outages[-1].restored.set()

    # -- sent side -----------------------------------------------------------------------

    def _is_mine(self, session_id: str) -> bool:
        if session_id in self._sessions:
            return True
        session = self._sandbox.gateway.sessions.get(session_id)
        if session is not None and session.user_id == self._sandbox.bot_id:
            self._sessions.add(session_id)
            return True
        return False

    def sync(self, upto: int | None = None) -> None:
        """Take in the dispatches the sandbox sent since the last call (up to the first
        ``upto`` entries of its dispatch log: a cut-off, e.g. a marker's).

        The entries taken in are removed from the sandbox's dispatch log, so a long run
        holds only the dispatches since the last call (``upto`` counts from there).
        """
        log = self._sandbox.dispatch_log
        end = len(log) if upto is None else min(upto, len(log))
        counts = self._counts
        for record in log[:end]:
            if record.t == "RESUMED" or not self._is_mine(record.session_id):
                continue
            counts.sent += 1
            key = (record.session_id, record.seq)
            if key in counts.early:
                counts.early.remove(key)
            elif any(gap.covers(key) for gap in self._gaps):
                counts.gap_reported += 1
            else:
                counts.outstanding.add(key)
        del log[:end]

    # -- outages -------------------------------------------------------------------------

    def cut(self, sockets: int) -> Outage | None:
        """Note that the bot's connection was cut now (``sockets`` aborted, none: no-op)."""
        if sockets <= 0:
            return None
        outage = Outage(cut_at=self._clock())
        self.outages.append(outage)
        return outage

    # -- figures -------------------------------------------------------------------------

    @property
    def sent(self) -> int:
        """Dispatches the sandbox sent to the bot's sessions (as of the last sync)."""
        return self._counts.sent

    @property
    def received(self) -> int:
        """Sent dispatches (as of the last sync) the client received, each counted once;
        so ``sent == received + gap_reported + in_flight``."""
        return self._counts.received - len(self._counts.early)

    @property
    def duplicated(self) -> int:
        """Dispatches received again (or out of order)."""
        return self._counts.duplicated

    @property
    def gap_reported(self) -> int:
        """Sent dispatches the client reported as never to be delivered."""
        return self._counts.gap_reported

    @property
    def in_flight(self) -> int:
        """Sent, neither received nor reported (lost, once the run's marker arrived)."""
        return len(self._counts.outstanding)

    def close(self) -> None:
        """Stop listening to the client."""
        for subscription in self._subscriptions:
            subscription.dispose()
