"""The asyncio driver of one gateway shard: sockets and timers around the protocol machine.

:class:`Shard` owns one :class:`~fluxer_rx.gateway.protocol.GatewayProtocol` and one
connection at a time. It feeds the machine what the socket and the clock produce and
performs the actions it returns, in order. Guarantees:

* Frames are decoded and handed to ``sink`` on the event loop, synchronously, in the
  order they arrived; no task is created per frame.
* A message that cannot be decoded is reported through ``sink.diagnostic`` and skipped;
  the connection goes on.
* Timers run on ``loop.call_at``; the machine is ticked when its next deadline is due.
* Every connection attempt is bounded: the transport's open (TCP, TLS, upgrade) and the
  server's HELLO together by ``connect_timeout`` (by at most ``RESUME_ATTEMPT_TIMEOUT``
  when resuming); a failed attempt is reported (``connect_failed``) and retried as the
  machine says.
* Every close, by either side, is reported (``closed``, with a
  :class:`~fluxer_rx.gateway.close_codes.CloseReport`). Closing our side waits at most
  ``close_timeout`` for the closing handshake, then drops the socket.
* :meth:`close` is honoured in every phase (waiting, identify queue, connecting,
  connected): :meth:`run` then returns within about ``close_timeout``. :meth:`run`
  raises only the typed error of a fatal close (``InvalidToken`` or ``GatewayError``),
  or ``WebSocketError`` after ``max_connect_failures`` consecutive failed attempts
  while there is no session to resume.
* A protocol built with a :class:`~fluxer_rx.gateway.session.Session` is resumed on the
  first connection (at the session's resume URL, without the identify gate).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from errno import ECONNREFUSED
from typing import Any, Protocol, TypeAlias, TypeVar
from urllib.parse import urlsplit

from fluxer_rx.diagnostics import Diagnostic, Kind
from fluxer_rx.errors import DecodeError, WebSocketError
from fluxer_rx.gateway.actions import (
    Action,
    Close,
    ConnectionState,
    EmitDispatch,
    EmitFrame,
    Fatal,
    GapDetected,
    HeartbeatLatency,
    Reconnect,
    SendFrame,
    SessionLost,
    StateChanged,
)
from fluxer_rx.gateway.actions import Diagnostic as ProtocolDiagnostic
from fluxer_rx.gateway.close_codes import CloseReport, NextStep, classify_close
from fluxer_rx.gateway.dispatch_cursor import take_next_dispatch
from fluxer_rx.gateway.protocol import GatewayProtocol, ProtocolMisuse
from fluxer_rx.gateway.transport import (
    Compression,
    GatewayConnection,
    TransportName,
    open_connection,
)
from fluxer_rx.models.frame import (
    ONE_PASS_BY_TAIL,
    ONE_PASS_MISSES,
    ONE_PASS_TAIL_LEN,
    Frame,
    decode_frame,
)

__all__ = ["RESUME_ATTEMPT_TIMEOUT", "Opener", "Shard", "ShardSink", "attempt_timeout"]

log = logging.getLogger("fluxer_rx.gateway")

_T = TypeVar("_T")

_NO_SOCKET_STATES = frozenset(
    {ConnectionState.STOPPED, ConnectionState.DISCONNECTED, ConnectionState.ERROR}
)
_AFTER_HELLO = frozenset(
    {ConnectionState.IDENTIFYING, ConnectionState.RESUMING, ConnectionState.INVALID_SESSION}
)
"""States HELLO leads to: a connection that reaches one was made (resets the failures)."""

DEFAULT_CLOSE_TIMEOUT = 0.5
"""Seconds to wait for the closing handshake before the socket is dropped."""

RESUME_ATTEMPT_TIMEOUT = 5.0
"""Seconds one connection attempt may take while resuming (``connect_timeout`` if lower).

A SYN lost in a network outage is retransmitted by the kernel only after 1, 3, 7, 15 s:
an attempt started during the outage could outlive a 10 s server resume window although
the network came back long before. Inside the window a fresh attempt is worth more."""


def attempt_timeout(connect_timeout: float, resuming: bool) -> float:
    """How long one connection attempt (open and HELLO) may take."""
    return min(connect_timeout, RESUME_ATTEMPT_TIMEOUT) if resuming else connect_timeout


Opener: TypeAlias = Callable[[str, float], Awaitable[GatewayConnection]]
"""``opener(url, timeout)``: open one gateway connection within ``timeout`` seconds."""


class ShardSink(Protocol):
    """Where a shard delivers what it receives. Every method is called on the loop."""

    def frame(self, frame: Frame) -> None:
        """A decoded frame that is not delivered as an event (control frames, duplicates)."""

    def dispatch(self, frame: Frame) -> None:
        """A dispatch to deliver as an event: exactly once per ``s``, in order.

        Every decoded frame reaches the sink exactly once, through either :meth:`frame` or
        this method, so a sink that publishes all frames does so here too.
        """

    def diagnostic(self, report: Diagnostic) -> None:
        """Something to report on ``client.diagnostics``."""

    def session_lost(self, shard_id: int, lost: SessionLost) -> None:
        """The session ended for good; derived state (the cache) must be reset."""

    def state_changed(self, shard_id: int, old: ConnectionState, new: ConnectionState) -> None:
        """The connection state changed."""


class Shard:
    """One gateway connection (with reconnects) for shard ``shard_id`` of ``shard_count``.

    ``url`` is the full gateway URL with its query string. ``identify_gate`` is awaited
    before every connection that will IDENTIFY (not before a RESUME), so several shards
    can be spaced by an identify queue.

    ``max_connect_failures``: after that many consecutive failed connection attempts
    while the protocol has no session it can resume (it never reached READY, or the
    session was lost), :meth:`run` raises
    :class:`~fluxer_rx.errors.WebSocketError` with the last attempt's error as
    ``__cause__``. An attempt fails when the socket cannot be opened (refused,
    unreachable, timed out, upgrade refused) or when it opened but no HELLO came before
    it closed; an attempt that gets HELLO resets the count. ``None`` retries for ever.

    ``opener(url, timeout)`` opens one connection (default: :func:`open_connection`
    with ``transport`` and ``compress``); tests and other transports pass their own, with the same
    contract (raise ``OSError`` or ``TimeoutError`` on failure).
    """

    def __init__(
        self,
        shard_id: int,
        protocol: GatewayProtocol,
        url: str,
        sink: ShardSink,
        *,
        transport: TransportName = "websockets",
        compress: Compression | None = None,
        identify_gate: Callable[[], Awaitable[None]] | None = None,
        connect_timeout: float = 15.0,
        close_timeout: float = DEFAULT_CLOSE_TIMEOUT,
        max_connect_failures: int | None = None,
        opener: Opener | None = None,
    ) -> None:
        if max_connect_failures is not None and max_connect_failures < 1:
            raise ValueError("max_connect_failures must be >= 1 or None")
        self.shard_id = shard_id
        self.protocol = protocol
        self.url = url
        self.transport: TransportName = transport
        self.compress: Compression | None = compress
        self._sink = sink
        self._identify_gate = identify_gate
        self._connect_timeout = connect_timeout
        self._close_timeout = close_timeout
        self._loop: asyncio.AbstractEventLoop | None = None
        self._conn: GatewayConnection | None = None
        self._we_closed = False
        self._our_close: Close | None = None
        self._timer: asyncio.TimerHandle | None = None
        self._timer_at: float | None = None
        self._next: Reconnect | None = protocol.first_connection()
        self._max_failures = max_connect_failures
        self._opener = opener
        self._failures = 0  # consecutive failed attempts without a session
        self._hello_seen = False
        self._fatal: Exception | None = None
        self._writes: asyncio.Queue[SendFrame | Close | None] | None = None
        self._writer: asyncio.Task[None] | None = None
        self._stop = asyncio.Event()  # set once, by close() or a fatal close; never cleared
        self._stopping = False

    def __repr__(self) -> str:
        return f"<Shard id={self.shard_id} state={self.protocol.state.value}>"

    @property
    def latency(self) -> float | None:
        """The last heartbeat round trip in seconds, or ``None`` before the first ACK."""
        return self.protocol.latency

    # ------------------------------------------------------------------ lifecycle

    async def run(self) -> None:
        """Connect, and reconnect as the protocol says, until :meth:`close` or a fatal close."""
        self._loop = asyncio.get_running_loop()
        try:
            await self._run()
        finally:
            self._cancel_timer()
        if self._fatal is not None:
            raise self._fatal

    async def _run(self) -> None:
        loop = self._loop
        assert loop is not None
        while not self._stopping and self._next is not None:
            plan, self._next = self._next, None
            if plan.delay > 0 and not await self._wait_or_stop(plan.delay):
                return
            if not plan.resume and self._identify_gate is not None:
                gate = self._identify_gate
                if not await self._unless_stopped(gate()) or self._stopping:
                    return
            url = plan.url or self.url
            started = loop.time()
            timeout = attempt_timeout(self._connect_timeout, plan.resume)
            if self._opener is not None:
                opening = self._opener(url, timeout)
            else:
                opening = open_connection(url, self.transport, timeout, self.compress)
            try:
                opened = await self._unless_stopped(opening)
            except Exception as exc:  # any failed open is retried, never fatal
                if self._stopping:
                    return
                reason = _connect_failure(url, exc)
                self._report(Kind.CONNECT_FAILED, reason, exc)
                self._perform(self.protocol.connection_failed(self._now()))
                self._attempt_failed(reason, exc)
                continue
            if opened is None:
                return  # closed while connecting; the open was cancelled and released
            conn = opened[0]
            if self._stopping:
                await self._drop(conn)
                return
            report = await self._serve(conn, hello_by=started + timeout)
            if self._hello_seen:
                self._failures = 0
            elif not self._stopping:
                reason = f"no HELLO: {report.describe()}"
                self._attempt_failed(reason, ConnectionError(reason))

    def _attempt_failed(self, reason: str, exc: Exception) -> None:
        """Count a failed attempt if there is no session to resume; give up at the limit."""
        if self.protocol.session_id is not None or self._stopping:
            return
        self._failures += 1
        if self._max_failures is None or self._failures < self._max_failures:
            return
        error = WebSocketError(self.shard_id, self._failures, reason)
        error.__cause__ = exc
        self._fatal = error
        self._stopping = True
        self._stop.set()
        self._next = None
        if self.protocol.state is ConnectionState.DISCONNECTED:
            self._perform(self.protocol.close(self._now()))

    async def close(self) -> None:
        """Close the connection for good; :meth:`run` returns once it is closed (within
        about ``close_timeout``: a peer that does not answer the close is dropped)."""
        self._stopping = True
        self._stop.set()
        if self.protocol.state not in (ConnectionState.STOPPED, ConnectionState.ERROR):
            self._perform(self.protocol.close(self._now()))

    async def _wait_or_stop(self, delay: float) -> bool:
        """Wait ``delay`` seconds; False (at once) if the shard is closed meanwhile."""
        if self._stopping:
            return False
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stop.wait(), delay)
        return not self._stopping

    async def _unless_stopped(self, work: Awaitable[_T]) -> tuple[_T] | None:
        """``(result,)`` of ``work``, or ``None`` if the shard is closed first (``work`` is
        then cancelled and awaited, so whatever it opened is released)."""
        task = asyncio.ensure_future(work)
        stop = asyncio.ensure_future(self._stop.wait())
        try:
            await asyncio.wait((task, stop), return_when=asyncio.FIRST_COMPLETED)
        finally:
            stop.cancel()
            if not task.done():
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task
                current = asyncio.current_task()
                if current is not None and current.cancelling():
                    raise asyncio.CancelledError  # ours, swallowed while waiting for ``task``
        if task.cancelled():
            return None
        return (task.result(),)

    async def _drop(self, conn: GatewayConnection) -> None:
        """Close ``conn`` politely, dropping it when the peer does not answer in time."""
        with contextlib.suppress(Exception):  # timed out or failed: the socket goes anyway
            await asyncio.wait_for(conn.close(1000, "client closing"), self._close_timeout)
        with contextlib.suppress(Exception):
            await conn.release()

    async def _serve(self, conn: GatewayConnection, *, hello_by: float) -> CloseReport:
        self._conn = conn
        self._we_closed = False
        self._our_close = None
        self._hello_seen = False
        self._writes = asyncio.Queue()
        self._writer = asyncio.create_task(self._write_loop(conn, self._writes))
        self._perform(self.protocol.connection_opened(self._now(), hello_by=hello_by))
        # The hot path: one decode, one sequence check and one sink call per dispatch,
        # written out in this one function because each call per message costs as much as
        # the check around it: decode_frame's one-pass table (the inline form documented
        # at ONE_PASS_BY_TAIL) and take_next_dispatch (GatewayProtocol.dispatch_cursor).
        # A frame the table decodes is an ordinary dispatch, so the check reads only ``s``
        # (``None == n`` is False); everything else takes the general way, _on_frame.
        cursor = self.protocol.dispatch_cursor
        by_tail = ONE_PASS_BY_TAIL
        cut = -ONE_PASS_TAIL_LEN
        shard_id = self.shard_id
        deliver = self._sink.dispatch
        on_frame = self._on_frame

        def on_message(message: bytes) -> None:
            try:
                frame = by_tail[message[cut:]](message)
            except ONE_PASS_MISSES:
                on_frame(message)
                return
            frame._message = message
            if shard_id:  # decoded frames say 0 already
                frame.shard_id = shard_id
            s = frame.s
            if s == cursor.seq + 1 and cursor.open:
                cursor.seq = s
                try:
                    deliver(frame)
                except Exception as exc:  # the sink's bug must not end the session
                    self._sink_failed(frame, exc)
                return
            self._receive(frame)

        writer = self._writer
        try:
            await conn.pump(on_message)
        finally:
            self._writes.put_nowait(None)
            try:
                # the writer may be stuck on a dead socket: give it a moment, no more
                await asyncio.wait((writer,), timeout=self._close_timeout)
            finally:
                writer.cancel()
                with contextlib.suppress(Exception):
                    await conn.release()
                self._conn = None
        code = conn.close_code if conn.close_code is not None else 1006
        reason = conn.close_reason
        by_server = not self._we_closed
        if not by_server and self._our_close is not None:
            code, reason = self._our_close.code, self._our_close.reason
        actions: list[Action] = []
        if self.protocol.state not in _NO_SOCKET_STATES:
            actions = self.protocol.connection_closed(
                conn.close_code if conn.close_code is not None else 1006,
                conn.close_reason,
                self._now(),
                by_server=by_server,
            )
        report = CloseReport(code, reason, by_server, classify_close(code).meaning, _next(actions))
        self._report(Kind.CLOSED, report.describe(), report)
        self._perform(actions)
        return report

    def _on_frame(self, message: bytes) -> None:
        """A message the one-pass table did not take: decoded the general way (a decode
        error is reported and the message skipped), then as the hot path does."""
        try:
            frame = decode_frame(message)
        except DecodeError as exc:
            self._report(Kind.DECODE_ERROR, f"undecodable gateway message: {exc}", exc)
            return
        if self.shard_id:  # decoded frames say 0 already
            frame.shard_id = self.shard_id
        if take_next_dispatch(self.protocol.dispatch_cursor, frame):
            try:
                self._sink.dispatch(frame)
            except Exception as exc:  # the sink's bug must not end the session
                self._sink_failed(frame, exc)
            return
        self._receive(frame)

    def _receive(self, frame: Frame) -> None:
        """Hand ``frame`` to the protocol machine and perform what it answers."""
        try:
            actions = self.protocol.receive_frame(frame, self._now())
        except ProtocolMisuse as exc:  # the machine is poisoned: this shard cannot go on
            self._poisoned(exc)
            return
        except Exception as exc:  # a machine bug must not end the session
            log.exception(
                "shard %d: the protocol machine failed on op %s", self.shard_id, frame.op
            )
            self._report(Kind.PROTOCOL_VIOLATION, f"frame op {frame.op} ignored: {exc!r}", exc)
            return
        self._perform(actions)

    def _poisoned(self, exc: ProtocolMisuse) -> None:
        """The machine refused an input for good (a driver bug): stop and raise it from
        :meth:`run` rather than feed a machine that can only raise."""
        log.error("shard %d: the protocol machine is unusable: %s", self.shard_id, exc)
        if self._fatal is None:
            self._fatal = exc
        self._stopping = True
        self._stop.set()
        self._next = None
        if self._writes is not None:
            self._writes.put_nowait(Close(4000, "client error"))
            self._we_closed = True

    async def _write_loop(
        self, conn: GatewayConnection, queue: asyncio.Queue[SendFrame | Close | None]
    ) -> None:
        while True:
            item = await queue.get()
            if item is None:
                return
            if isinstance(item, Close):
                try:
                    await asyncio.wait_for(conn.close(item.code, item.reason), self._close_timeout)
                except Exception:  # no answer to our close: drop the socket, pump ends
                    await conn.release()
                return
            await conn.send(item.payload.decode())

    # ------------------------------------------------------------------ actions

    def _now(self) -> float:
        loop = self._loop or asyncio.get_running_loop()
        return loop.time()

    def _perform(self, actions: list[Action]) -> None:
        sink = self._sink
        for action in actions:
            kind = type(action)
            if kind is EmitDispatch or kind is EmitFrame:
                # the machine hands back the very Frame objects this driver gave it
                frame: Frame = action.frame  # type: ignore[union-attr, assignment]
                try:
                    if kind is EmitDispatch:
                        sink.dispatch(frame)
                    else:
                        sink.frame(frame)
                except Exception as exc:  # the sink's bug must not end the session
                    self._sink_failed(frame, exc)
            elif isinstance(action, SendFrame):
                if self._writes is not None:
                    self._writes.put_nowait(action)
            elif isinstance(action, Close):
                self._we_closed = True
                self._our_close = action
                if self._writes is not None:
                    self._writes.put_nowait(action)
            elif isinstance(action, Reconnect):
                self._next = action
            elif isinstance(action, StateChanged):
                if action.old is ConnectionState.AWAITING_HELLO and action.new in _AFTER_HELLO:
                    self._hello_seen = True
                sink.state_changed(self.shard_id, action.old, action.new)
                self._report(Kind.STATE, f"{action.old.value} -> {action.new.value}", action)
            elif isinstance(action, HeartbeatLatency):
                self._report(Kind.LATENCY, f"{action.seconds * 1000:.1f} ms", action.seconds)
            elif isinstance(action, GapDetected):
                last = "?" if action.last_missing is None else str(action.last_missing)
                self._report(
                    Kind.GAP, f"missing s={action.first_missing}..{last}: {action.reason}", action
                )
            elif isinstance(action, SessionLost):
                sink.session_lost(self.shard_id, action)
                self._report(Kind.SESSION_LOST, action.reason, action)
            elif isinstance(action, Fatal):
                self._fatal = action.error
                self._stopping = True
                self._stop.set()
            elif isinstance(action, ProtocolDiagnostic):
                self._report(action.kind, action.detail, action)
        self._reschedule()

    def _reschedule(self) -> None:
        deadline = self.protocol.next_deadline()
        if deadline == self._timer_at:
            return
        self._cancel_timer()
        if deadline is not None:
            loop = self._loop or asyncio.get_running_loop()
            self._timer_at = deadline
            self._timer = loop.call_at(deadline, self._on_timer)

    def _cancel_timer(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
        self._timer = None
        self._timer_at = None

    def _on_timer(self) -> None:
        self._timer = None
        self._timer_at = None
        if self.protocol.state in (ConnectionState.STOPPED, ConnectionState.ERROR):
            return
        self._perform(self.protocol.tick(self._now()))

    # ------------------------------------------------------------------ commands

    def send(self, op: int, d: Any) -> None:
        """Queue a user payload (see ``GatewayProtocol.send`` for errors and ordering)."""
        self._perform(self.protocol.send(op, d, self._now()))

    def update_presence(self, presence: dict[str, Any]) -> None:
        """Send PRESENCE_UPDATE and keep ``presence`` for later IDENTIFYs."""
        self._perform(self.protocol.update_presence(presence, self._now()))

    def request_guild_members(self, guild_id: str, **fields: Any) -> None:
        """Send REQUEST_GUILD_MEMBERS (op 8); see ``GatewayProtocol.request_guild_members``."""
        self._perform(self.protocol.request_guild_members(guild_id, self._now(), **fields))

    def _sink_failed(self, frame: Frame, exc: Exception) -> None:
        log.error(
            "shard %d: delivering %s s=%s failed", self.shard_id, frame.t, frame.s, exc_info=exc
        )
        self._report(Kind.HANDLER_ERROR, f"delivering {frame.t} s={frame.s} failed: {exc!r}", exc)

    def _report(self, kind: Kind, detail: str, data: object = None) -> None:
        if kind not in (Kind.STATE, Kind.LATENCY):
            log.info("shard %d: %s: %s", self.shard_id, kind, detail)
        self._sink.diagnostic(Diagnostic(kind, self.shard_id, detail, data))


def _connect_failure(url: str, exc: Exception) -> str:
    """A one-line reason naming the endpoint (the gateway URL holds no secret)."""
    parts = urlsplit(url)
    where = f"{parts.hostname}:{parts.port or (443 if parts.scheme == 'wss' else 80)}"
    if isinstance(exc, TimeoutError):
        what = "timed out"
    elif isinstance(exc, ConnectionRefusedError) or getattr(exc, "errno", None) == ECONNREFUSED:
        what = "connection refused"  # aiohttp wraps it, keeping the errno
    else:
        what = f"{type(exc).__name__}: {exc}"
    return f"cannot connect to the gateway at {where}: {what}"


def _next(actions: list[Action]) -> NextStep:
    """What follows a close, from the machine's answer to it."""
    for action in actions:
        if isinstance(action, Reconnect):
            return NextStep.RESUME if action.resume else NextStep.IDENTIFY
        if isinstance(action, Fatal):
            return NextStep.FATAL
    return NextStep.STOP
