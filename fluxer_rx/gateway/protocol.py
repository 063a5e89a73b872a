"""The sans-I/O state machine of one Fluxer gateway connection (one shard's session).

Frames and time go in, actions come out. :class:`GatewayProtocol` has no socket, no
sleep and no clock: every input method takes ``now`` (seconds from a monotonic clock)
and returns a list of :mod:`~fluxer_rx.gateway.actions` for the driver to perform in
order. The driver sleeps until :meth:`GatewayProtocol.next_deadline` and then calls
:meth:`~GatewayProtocol.tick`.

Every rule that changes what happens next lives in this file's tables (``TABLE``: what
each input does in each state; ``_OPCODE_HANDLERS``) or in ``close_codes.CLOSE_CODES``.
``TABLE`` decides every state change, as h11's and websockets' machines do: an input
looks up ``(state, input)`` and the row names the next state; an input with no row in
the current state is a driver bug, raised as :class:`ProtocolMisuse`, after which the
machine is :attr:`~ConnectionState.ERROR` for good and every later call raises too.
Where each rule comes from (PROTOCOL.md is ``/work/shared/PROTOCOL.md``, copied
nowhere; transcripts are in ``tests/data/real-gateway/``):

* HELLO -> IDENTIFY, or RESUME when a session exists (PROTOCOL §1.5, §1.6). IDENTIFY
  carries the token without a ``Bot `` prefix, ``properties{os,browser,device}`` as
  strings, ``presence``, ``ignored_events`` and ``shard`` when sharded, never
  ``intents`` (§1.5, §1.10). RESUME carries ``session_id`` and the last delivered seq.
* Heartbeats every ``heartbeat_interval`` with a random first delay and the live seq,
  or the seq the driver has stored when it says so (``heartbeat_seq``) (§1.5). The
  server's ``{op:1,d:null}`` is answered at once and counts as a beat: the next regular
  beat is one interval later (§1.5; transcript 03b).
* Zombie: no ACK before the next beat is due -> close with 4000 (not 1000, so the
  session stays resumable) and resume (issue 4).
* op 7 RECONNECT -> close and resume (§1.6, [N] only).
* op 9 INVALID_SESSION -> wait a random 1-5 s, then a fresh IDENTIFY on the same
  socket if it is still open, else on a new one (§1.6; transcripts 07b, 07e). An op 9
  before HELLO ends the session the same way; the IDENTIFY waits for HELLO and the wait.
* HELLO's ``heartbeat_interval`` is clamped to ``HEARTBEAT_INTERVAL_RANGE`` and a clamp
  is reported: a server may send anything, and neither a beat per millisecond nor a
  timer past the end of time is usable (issue 11).
* Closes: see ``close_codes.py``. A session is given up only when the server says so
  (op 9, a close code whose rule is IDENTIFY such as 4007) or when ``resume_window``
  seconds have passed since the connection dropped (the [S] server keeps a detached
  session 10 s, [N] 60 s; transcripts 07e/07f). Failed connects and failed RESUME
  sockets inside the window only retry: the first at once, then with a full-jitter
  backoff capped at ``reconnect_delay_max`` (issue 11). Without a session, reconnects
  back off exponentially up to ``backoff_cap``. Both reset on READY/RESUMED.
* Dispatch delivery: each ``s`` at most once per session and in order; replays after
  RESUME are de-duplicated; a jump in ``s`` (an event the server never buffered,
  transcript 07) and a lost session are reported as :class:`GapDetected`.
* User payloads: at most 4096 bytes (§1.2, transcript 05b; checked before anything is
  queued) and a send budget under 120 payloads per 60 s with room kept for heartbeats
  (§1.11, transcript 06). Payloads over budget or sent before the session is ready are
  queued and released in order by later ticks, never dropped.
* Unknown opcodes are reported (:class:`Diagnostic`) and ignored (§1.4).
"""

from __future__ import annotations

import enum
import platform
import random
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from typing import Any, NoReturn

import msgspec

from fluxer_rx.credentials import bare_token
from fluxer_rx.diagnostics import Kind
from fluxer_rx.errors import GatewayError, InvalidToken, PayloadTooLarge, ProtocolMisuse
from fluxer_rx.gateway.actions import (
    Action,
    Close,
    ConnectionState,
    Diagnostic,
    EmitDispatch,
    EmitFrame,
    Fatal,
    FrameLike,
    GapDetected,
    GapReason,
    HeartbeatLatency,
    Reconnect,
    SendFrame,
    SessionEndReason,
    SessionLost,
    StateChanged,
)
from fluxer_rx.gateway.backoff import Backoff
from fluxer_rx.gateway.close_codes import CLOSE_CODES, CloseOutcome, classify_close
from fluxer_rx.gateway.dispatch_cursor import DispatchCursor
from fluxer_rx.gateway.send_budget import SendBudget
from fluxer_rx.gateway.session import Session

__all__ = [
    "HEARTBEAT_INTERVAL_RANGE",
    "MAX_PAYLOAD_SIZE",
    "OP",
    "TABLE",
    "TRANSITIONS",
    "ConnectionState",
    "GatewayProtocol",
    "Input",
    "ProtocolMisuse",
    "Session",
    "bare_token",
]

MAX_PAYLOAD_SIZE = 4096
"""Largest client message the gateway accepts, in bytes (PROTOCOL §1.2, transcript 05b)."""

HEARTBEAT_INTERVAL_RANGE = (1.0, 60.0)
"""Seconds: HELLO's interval is clamped into this range (Fluxer sends 41.25 s). Beating
more often than asked is harmless (the seq only grows); the floor keeps heartbeats well
under the 120 payloads per minute budget, the ceiling keeps zombie detection timely."""


class OP:
    """Gateway opcodes (PROTOCOL §1.4)."""

    DISPATCH = 0
    HEARTBEAT = 1
    IDENTIFY = 2
    PRESENCE_UPDATE = 3
    VOICE_STATE_UPDATE = 4
    RESUME = 6
    RECONNECT = 7
    REQUEST_GUILD_MEMBERS = 8
    INVALID_SESSION = 9
    HELLO = 10
    HEARTBEAT_ACK = 11
    GATEWAY_ERROR = 12


_MACHINE_OWNED_OPS = frozenset({OP.HEARTBEAT, OP.IDENTIFY, OP.RESUME})
"""Client opcodes only the machine sends; :meth:`GatewayProtocol.send` refuses them."""


class Input(enum.Enum):
    """What can happen to the machine: the columns of :data:`TABLE`.

    Where one event can lead to different states (a HELLO with or without a session to
    resume), the machine names the case as its own input, so the table alone decides.
    """

    OPENED = "opened"
    """``connection_opened``: a socket is open."""
    CONNECT_FAILED = "connect_failed"
    """``connection_failed``: a connect attempt failed before any socket."""
    IDENTIFY = "identify"
    """IDENTIFY sent: after HELLO with no session, or when op 9's wait is over."""
    RESUME = "resume"
    """RESUME sent: after HELLO with a session to resume."""
    DEFER_IDENTIFY = "defer_identify"
    """HELLO after an op 9 whose random wait is not over: IDENTIFY later (``tick``)."""
    INVALID_SESSION = "invalid_session"
    """op 9 received: the session is gone."""
    READY = "ready"
    """READY received."""
    RESUMED = "resumed"
    """RESUMED received."""
    CLOSE = "close"
    """The machine closes the socket itself (zombie, op 7, no or bad HELLO)."""
    USER_CLOSE = "user_close"
    """``close()``: shut down for good."""
    CLOSED = "closed"
    """``connection_closed``: the socket closed and a reconnect follows."""
    CLOSED_TO_STOP = "closed_to_stop"
    """``connection_closed`` completing the close that ``close()`` asked for."""
    FATAL_CLOSE = "fatal_close"
    """``connection_closed`` by the server with a fatal code (4004, 4010-4012)."""


_S = ConnectionState
_I = Input
_SOCKET_STATES = (_S.AWAITING_HELLO, _S.IDENTIFYING, _S.RESUMING, _S.READY, _S.INVALID_SESSION)
"""States with an open socket the machine is still using (CLOSING aside)."""


def _socket_row(own: Mapping[Input, ConnectionState]) -> dict[Input, ConnectionState]:
    """A row of a state with an open socket: ``own`` plus what every such state shares."""
    return {
        **own,
        _I.CLOSE: _S.CLOSING,  # zombie, op 7, hello timeout, bad HELLO
        _I.USER_CLOSE: _S.CLOSING,  # close(): our Close, then STOPPED
        _I.CLOSED: _S.DISCONNECTED,  # dropped or closed by the server: reconnect
        _I.FATAL_CLOSE: _S.STOPPED,  # 4004, 4010-4012: Fatal
    }


TABLE: Mapping[ConnectionState, Mapping[Input, ConnectionState]] = {
    _S.DISCONNECTED: {
        _I.OPENED: _S.AWAITING_HELLO,
        _I.CONNECT_FAILED: _S.DISCONNECTED,  # retry (a Reconnect says when)
        _I.USER_CLOSE: _S.STOPPED,  # no socket to close
    },
    _S.AWAITING_HELLO: _socket_row(
        {
            _I.IDENTIFY: _S.IDENTIFYING,  # §1.5
            _I.RESUME: _S.RESUMING,  # §1.6
            _I.DEFER_IDENTIFY: _S.INVALID_SESSION,  # an op 9 came before HELLO (07e)
            _I.INVALID_SESSION: _S.AWAITING_HELLO,  # op 9 before HELLO: HELLO decides
        }
    ),
    _S.IDENTIFYING: _socket_row(
        {
            _I.READY: _S.READY,
            _I.INVALID_SESSION: _S.INVALID_SESSION,  # identify rate limit ([S])
        }
    ),
    _S.RESUMING: _socket_row(
        {
            _I.READY: _S.READY,  # the server chose a new session
            _I.RESUMED: _S.READY,
            _I.INVALID_SESSION: _S.INVALID_SESSION,  # unknown or expired session (07b, 07e)
        }
    ),
    _S.READY: _socket_row(
        {
            _I.READY: _S.READY,  # a new session replaces the old one (SessionLost)
            _I.RESUMED: _S.READY,
            _I.INVALID_SESSION: _S.INVALID_SESSION,  # the session process died (§1.6)
        }
    ),
    _S.INVALID_SESSION: _socket_row(
        {
            _I.IDENTIFY: _S.IDENTIFYING,  # the wait is over: same socket (07b)
            _I.INVALID_SESSION: _S.INVALID_SESSION,  # a second op 9 restarts the wait
        }
    ),
    _S.CLOSING: {
        _I.USER_CLOSE: _S.CLOSING,  # already closing: stop once it is closed
        _I.CLOSED: _S.DISCONNECTED,  # our close done: reconnect
        _I.CLOSED_TO_STOP: _S.STOPPED,  # our close done after close()
        _I.FATAL_CLOSE: _S.STOPPED,
    },
    _S.STOPPED: {
        _I.USER_CLOSE: _S.STOPPED,  # close() twice is harmless
    },
    _S.ERROR: {},
}
"""State -> input -> next state: the only place a state change is decided.

An input missing from the current state's row is driver misuse (:class:`ProtocolMisuse`)
and poisons the machine (:attr:`~ConnectionState.ERROR`). READY and RESUMED dispatches
are delivered in any state (de-duplicated as ever); they move the state only where a row
says so, and a READY always records its session. ``send`` and ``tick`` are not inputs:
they move nothing (a ``send`` after STOPPED is refused without poisoning, since a user
command racing ``close()`` is no driver bug).
"""

TRANSITIONS: Mapping[ConnectionState, frozenset[ConnectionState]] = {
    state: frozenset(row.values()) - {state} for state, row in TABLE.items()
}
"""State -> the states it may move to (derived from :data:`TABLE`); every
:class:`StateChanged` the machine emits is one of these moves."""

_OPEN_STATES = frozenset(_SOCKET_STATES)
_ERROR = ConnectionState.ERROR  # a module global: read on the hot path

_encode = msgspec.json.Encoder().encode



def _default_properties() -> dict[str, str]:
    system = platform.system().lower() or "unknown"
    return {"os": system, "browser": "fluxer_rx", "device": "fluxer_rx"}


def _data_of(frame: FrameLike, actions: list[Action]) -> Any:
    """``frame.data``, or ``None`` with a diagnostic when ``d`` cannot be decoded."""
    try:
        return frame.data
    except Exception as exc:  # a frame's own decoder may fail in its own way; never fatal
        actions.append(Diagnostic(Kind.UNDECODABLE_FRAME, f"op {frame.op}: {exc}"))
        return None


def _heartbeat_seconds(data: Any) -> float | None:
    """HELLO's ``heartbeat_interval`` in seconds, or ``None`` when it is missing, not a
    number, not finite or not positive (a huge integer is clamped later, not an error)."""
    interval_ms = data.get("heartbeat_interval") if isinstance(data, Mapping) else None
    if not isinstance(interval_ms, int | float) or isinstance(interval_ms, bool):
        return None
    if isinstance(interval_ms, int):
        if interval_ms <= 0:
            return None
        if interval_ms > 10**12:
            return float("inf")  # far past any clamp; float() of a huge int would overflow
    seconds = interval_ms / 1000.0
    if seconds != seconds or seconds <= 0:  # NaN, zero, negative
        return None
    return seconds


class _Pending:
    """A user payload waiting for the session or for budget."""

    __slots__ = ("op", "payload")

    def __init__(self, op: int, payload: bytes):
        self.op = op
        self.payload = payload


class GatewayProtocol:
    """One gateway connection's protocol state; see the module docstring for the rules.

    Construct it, then feed it inputs; each input returns the actions to perform, in
    order:

    * :meth:`connection_opened`, :meth:`receive_frame`, :meth:`connection_closed`,
      :meth:`connection_failed`: what happened on the socket;
    * :meth:`tick`: time passed (call it at :meth:`next_deadline`);
    * :meth:`send`, :meth:`update_presence`, :meth:`request_guild_members`: user commands;
    * :meth:`close`: shut down for good.

    The machine starts :attr:`~ConnectionState.DISCONNECTED`; the driver connects
    once at start (as :meth:`first_connection` says) and afterwards only when told by a
    :class:`Reconnect` action.

    Knobs (defaults are the values Fluxer's servers call for):

    * ``backoff_base``/``backoff_cap``: reconnects without a session (to IDENTIFY) wait
      ``uniform(0, min(cap, base * 2**n))`` after the n-th consecutive failure;
      ``rate_limited_delay`` is the least wait after a 4008 close.
    * ``resume_window``: seconds after a drop during which the session is resumed
      before it is given up; ``reconnect_delay_max`` caps the wait between attempts
      inside it (the first is immediate).
    * ``hello_timeout``: seconds from socket open to HELLO before the socket is closed
      and the attempt retried.
    * ``invalid_session_delay``: ``(low, high)`` seconds: after op 9 a fresh IDENTIFY
      waits ``uniform(low, high)`` (PROTOCOL §1.6: 1-5 s).
    * ``rng`` drives every random choice (first heartbeat delay, op 9 wait, backoff
      jitter); pass a seeded ``random.Random`` for reproducible runs.
    * ``session``: a :class:`~fluxer_rx.gateway.session.Session` (perhaps from another
      process) to RESUME on the first connection instead of IDENTIFYing; its ``shard``
      must match ``shard`` (which defaults to it).
    * ``heartbeat_seq``: when given, heartbeats acknowledge only up to what it returns
      (the last seq the driver has durably stored, or ``None`` for none yet): their ``d``
      is ``min(heartbeat_seq(), seq)`` and never the received seq beyond it, since the
      server trims its replay buffer up to the heartbeat's seq (PROTOCOL §1.5), so a
      RESUME from the stored seq by another process still gets the rest replayed.
      :attr:`session` carries the same seq. By default heartbeats carry :attr:`seq`.

    The token is kept private and never appears in a repr, an action repr, a diagnostic
    or :attr:`session`.
    """

    def __init__(
        self,
        token: str,
        *,
        properties: Mapping[str, str] | None = None,
        presence: Mapping[str, Any] | None = None,
        ignored_events: Sequence[str] = (),
        shard: tuple[int, int] | None = None,
        flags: int | None = None,
        rng: random.Random | None = None,
        backoff_base: float = 1.0,
        backoff_cap: float = 60.0,
        rate_limited_delay: float = 5.0,
        resume_window: float = 60.0,
        reconnect_delay_max: float = 1.0,
        hello_timeout: float = 30.0,
        invalid_session_delay: tuple[float, float] = (1.0, 5.0),
        send_budget: SendBudget | None = None,
        session: Session | None = None,
        heartbeat_seq: Callable[[], int | None] | None = None,
    ) -> None:
        self._token = bare_token(token)
        if session is not None:
            if shard is None:
                shard = session.shard
            elif session.shard != shard:
                raise ValueError(f"the session was identified as shard {session.shard!r}")
        props = dict(properties) if properties is not None else _default_properties()
        for key in ("os", "browser", "device"):
            if not isinstance(props.get(key), str):
                raise ValueError(f"properties[{key!r}] must be a string")
        if shard is not None:
            shard_id, shard_count = shard
            if shard_count < 1 or not 0 <= shard_id < shard_count:
                raise ValueError(f"invalid shard {shard!r}: need 0 <= id < count")
        if resume_window < 0:
            raise ValueError("resume_window must be >= 0")
        if reconnect_delay_max <= 0:
            raise ValueError("reconnect_delay_max must be > 0")
        if hello_timeout <= 0:
            raise ValueError("hello_timeout must be > 0")
        low, high = invalid_session_delay
        if not 0 <= low <= high:
            raise ValueError(f"need 0 <= low <= high, got invalid_session_delay={low, high}")
        self._properties = props
        self._presence: dict[str, Any] | None = dict(presence) if presence else None
        self._ignored_events = [str(name) for name in ignored_events]
        self._shard = shard
        self._flags = flags
        self._rng = rng if rng is not None else random.Random()
        self._backoff = Backoff(backoff_base, backoff_cap, self._rng)
        self._resume_backoff = Backoff(
            min(0.25, reconnect_delay_max), reconnect_delay_max, self._rng
        )
        self._rate_limited_delay = rate_limited_delay
        self._resume_window = resume_window
        self._hello_timeout = hello_timeout
        self._invalid_session_delay = (float(low), float(high))
        self._budget = send_budget if send_budget is not None else SendBudget()
        self._identify_payload()  # size-check the IDENTIFY now (PayloadTooLarge)

        self._state = ConnectionState.DISCONNECTED
        # session
        self._session_id: str | None = None if session is None else session.session_id
        self._resume_url: str | None = None if session is None else session.resume_url
        self._user: Any = None
        self._cursor = DispatchCursor(0 if session is None else session.seq)
        self._heartbeat_seq = heartbeat_seq
        self._dropped_at: float | None = None  # when the live session lost its socket
        # heartbeat (seconds)
        self._interval: float | None = None
        self._next_beat: float | None = None
        self._beat_sent_at: float | None = None
        self._ack_pending = False
        self._latency: float | None = None
        # other timers
        self._hello_deadline: float | None = None
        self._identify_at: float | None = None  # after op 9: IDENTIFY not before this
        # what follows our own Close
        self._after_close: CloseOutcome | None = None
        self._stop_after_close = False
        self._last_now = 0.0
        # user payloads waiting for the session or for budget
        self._queue: deque[_Pending] = deque()

    def __repr__(self) -> str:
        return f"<GatewayProtocol state={self._state.value} seq={self._seq} shard={self._shard}>"

    # ------------------------------------------------------------------ read-only state

    @property
    def state(self) -> ConnectionState:
        """The current connection state."""
        return self._state

    @property
    def session_id(self) -> str | None:
        """The session from READY, or ``None`` when there is none to resume."""
        return self._session_id

    @property
    def session(self) -> Session | None:
        """The live session as a value (id, last delivered seq, resume URL, shard), or
        ``None`` when there is none to resume. It is a snapshot: ``seq`` moves on with
        every dispatch, so take it when you need it (for instance as the process stops).
        With a ``heartbeat_seq`` knob, ``seq`` is the acknowledged seq (0 for none)."""
        if self._session_id is None:
            return None
        return Session(
            session_id=self._session_id,
            seq=self._acknowledged_seq() or 0,
            resume_url=self._resume_url,
            shard=self._shard,
        )

    def first_connection(self) -> Reconnect:
        """How the driver makes its first connection: at once, to RESUME the session given
        to the constructor (at its resume URL, if any), else to IDENTIFY."""
        resume = self._session_id is not None
        return Reconnect(0.0, resume, self._resume_url if resume else None)

    @property
    def resume_gateway_url(self) -> str | None:
        """READY's ``resume_gateway_url`` if the server sent one (Fluxer usually does not)."""
        return self._resume_url

    @property
    def user(self) -> Any:
        """READY's ``user`` object (plain Python), or ``None`` before the first READY."""
        return self._user

    @property
    def seq(self) -> int:
        """The last sequence number delivered in this session (0 before any)."""
        return self._cursor.seq

    @property
    def dispatch_cursor(self) -> DispatchCursor:
        """The cell holding :attr:`seq`, shared with the driver's hot path: a driver may
        take a frame by :func:`~fluxer_rx.gateway.dispatch_cursor.take_next_dispatch` (or
        its check written out inline) instead of :meth:`accept_next_dispatch`: it takes a
        subset of what that takes, with the same effect. The machine keeps the cell for
        its whole life; only the machine closes it (ERROR) or moves ``seq`` anywhere but
        to the next dispatch."""
        return self._cursor

    @property
    def _seq(self) -> int:
        return self._cursor.seq

    @_seq.setter
    def _seq(self, seq: int) -> None:
        self._cursor.seq = seq

    @property
    def heartbeat_interval(self) -> float | None:
        """Seconds between heartbeats, from the last HELLO."""
        return self._interval

    @property
    def latency(self) -> float | None:
        """The last measured heartbeat round trip, in seconds."""
        return self._latency

    @property
    def pending_sends(self) -> int:
        """User payloads queued and not yet handed out as :class:`SendFrame`."""
        return len(self._queue)

    @property
    def shard(self) -> tuple[int, int] | None:
        """``(shard_id, shard_count)`` sent in IDENTIFY, or ``None``."""
        return self._shard

    def next_deadline(self) -> float | None:
        """The time at which :meth:`tick` has work to do, or ``None`` if no timer runs.

        It changes after every input; re-read it after each call.
        """
        candidates: list[float] = []
        if self._hello_deadline is not None:
            candidates.append(self._hello_deadline)
        if self._next_beat is not None:
            candidates.append(self._next_beat)
        if self._identify_at is not None and self._state is _S.INVALID_SESSION:
            candidates.append(self._identify_at)
        if self._queue and self._state is _S.READY:
            candidates.append(self._budget.next_user_slot(self._budget_now()))
        return min(candidates) if candidates else None

    # ------------------------------------------------------------------ socket inputs

    def connection_opened(self, now: float, *, hello_by: float | None = None) -> list[Action]:
        """A socket is open; HELLO is expected next, within ``hello_timeout`` and, when
        given, by ``hello_by`` (the driver's deadline for the whole connection attempt)."""
        actions: list[Action] = []
        self._fire(_I.OPENED, actions)
        deadline = now + self._hello_timeout
        self._hello_deadline = deadline if hello_by is None else min(deadline, hello_by)
        self._last_now = now
        return actions

    def receive_frame(self, frame: FrameLike, now: float) -> list[Action]:
        """A frame arrived; returns exactly one :class:`EmitFrame` for it (an
        :class:`EmitDispatch` when it is to be delivered as an event) plus what it causes.

        Order guarantees: a :class:`GapDetected` comes right before the dispatch after the
        gap; ``StateChanged(..., READY)`` comes before READY's or RESUMED's
        :class:`EmitDispatch`, and queued user sends released by it come after. Frames
        arriving while CLOSING are passed on (dispatches still de-duplicated) but cause
        nothing else.
        """
        if self._state is _ERROR:
            self._poison("receive_frame")
        self._last_now = now
        op = frame.op
        if op == OP.DISPATCH:
            return self._on_dispatch(frame, now)
        if self._state not in _OPEN_STATES:
            # Frames still arriving after we asked to close (or after a stop) are passed
            # on but cause nothing.
            return [EmitFrame(frame)]
        handler = _OPCODE_HANDLERS.get(op)
        actions: list[Action] = [EmitFrame(frame)]
        if handler is None:
            actions.append(Diagnostic(Kind.UNKNOWN_OPCODE, f"ignored a frame with op {op}"))
            return actions
        handler(self, frame, now, actions)
        return actions

    def accept_next_dispatch(self, frame: FrameLike) -> bool:
        """The hot path of :meth:`receive_frame`, for the frame nearly every message is: an
        ordinary dispatch carrying the next sequence number.

        Returns True when ``frame`` is such a dispatch; the sequence number is then taken,
        and the frame is to be delivered exactly as if :meth:`receive_frame` had returned
        ``[EmitDispatch(frame)]`` (which is all it would have returned). Returns False,
        changing nothing, for anything else: the caller then passes the frame to
        :meth:`receive_frame`. READY and RESUMED never take this path, nor does any frame
        once the machine is :attr:`~ConnectionState.ERROR` (:meth:`receive_frame` raises).
        """
        s = frame.s
        cursor = self._cursor
        if s is None or s != cursor.seq + 1 or frame.op != OP.DISPATCH:
            return False
        t = frame.t
        if t == "READY" or t == "RESUMED" or not cursor.open:
            return False
        cursor.seq = s
        return True

    def connection_closed(
        self, code: int, reason: str, now: float, *, by_server: bool = True
    ) -> list[Action]:
        """The socket is closed. ``code`` is 1006 when it dropped without a close frame.

        ``by_server`` is True when the server started the close (its close frame came
        first) or the connection dropped; False when it completes a :class:`Close` we
        asked for. A fatal code from the server stops the machine with :class:`Fatal`.
        """
        self._last_now = now
        was = self._state
        rule = classify_close(code)
        fatal = by_server and rule.outcome in (CloseOutcome.FATAL, CloseOutcome.FATAL_TOKEN)
        if fatal:
            event = _I.FATAL_CLOSE
        elif was is _S.CLOSING and self._stop_after_close:
            event = _I.CLOSED_TO_STOP
        else:
            event = _I.CLOSED
        target = self._next_state(event)  # misuse (no socket) raises before any change
        actions: list[Action] = []
        self._stop_timers()
        if fatal:
            error: Exception = (
                InvalidToken("the gateway refused the token (close 4004)")
                if rule.outcome is CloseOutcome.FATAL_TOKEN
                else GatewayError(code, reason)
            )
            self._enter(target, actions)
            actions.append(Fatal(error))
            return actions
        if event is _I.CLOSED_TO_STOP:
            self._enter(target, actions)
            return actions
        if was is _S.CLOSING and self._after_close is not None:
            outcome = self._after_close
        else:
            outcome = rule.outcome
            if code not in CLOSE_CODES:
                actions.append(Diagnostic(Kind.UNKNOWN_CLOSE_CODE, f"code {code}: {reason!r}"))
        self._after_close = None
        if self._identify_at is not None and self._session_id is None:
            # op 9 dropped the session (on this socket, or before its HELLO); IDENTIFY on
            # a new socket once the random wait is over (07b: same socket only if it
            # stays open).
            wait = max(0.0, self._identify_at - now)
            self._identify_at = None
            self._enter(target, actions)
            actions.append(Reconnect(wait, False))
            return actions
        self._identify_at = None
        self._enter(target, actions)
        self._plan_reconnect(outcome, now, actions)
        return actions

    def connection_failed(self, now: float) -> list[Action]:
        """A connect attempt failed before the socket opened (refused, unreachable, timed
        out); retry. Inside the resume window this never gives the session up."""
        actions: list[Action] = []
        self._fire(_I.CONNECT_FAILED, actions)
        self._last_now = now
        self._plan_reconnect(CloseOutcome.RESUME, now, actions)
        return actions

    # ------------------------------------------------------------------ time

    def tick(self, now: float) -> list[Action]:
        """Time has reached ``now``: run every timer that is due."""
        if self._state is _S.ERROR:
            self._poison("tick")
        self._last_now = now
        actions: list[Action] = []
        if self._hello_deadline is not None and now >= self._hello_deadline:
            self._hello_deadline = None
            actions.append(Diagnostic(Kind.HELLO_TIMEOUT, "no HELLO after the socket opened"))
            self._begin_close(4000, "no HELLO received", CloseOutcome.RESUME, _I.CLOSE, actions)
            return actions
        if self._next_beat is not None and now >= self._next_beat:
            if self._ack_pending:
                actions.append(
                    Diagnostic(Kind.ZOMBIE_CONNECTION, "no HEARTBEAT_ACK before the next beat")
                )
                self._begin_close(
                    4000, "heartbeat ACK not received", CloseOutcome.RESUME, _I.CLOSE, actions
                )
                return actions
            self._send_heartbeat(now, actions)
        if (
            self._identify_at is not None
            and self._state is _S.INVALID_SESSION
            and now >= self._identify_at
        ):
            self._identify_at = None
            self._send_identify(now, actions)
        self._flush_queue(now, actions)
        return actions

    # ------------------------------------------------------------------ user commands

    def send(self, op: int, d: Any, now: float) -> list[Action]:
        """Send ``{"op": op, "d": d}`` as a user payload.

        Raises ``PayloadTooLarge`` (nothing is queued) when the encoded payload exceeds
        4096 bytes, ``TypeError`` when ``d`` is not JSON-encodable, ``ValueError`` for the
        opcodes the machine owns (1, 2, 6) and ``ProtocolMisuse`` once STOPPED (which
        leaves the machine STOPPED) or :attr:`~ConnectionState.ERROR`. The
        payload is sent at once when the session is READY and the budget allows;
        otherwise it is queued and released, in order, by a later input or :meth:`tick`
        (see :meth:`next_deadline`).
        """
        if self._state is _S.ERROR:
            self._poison("send")
        self._last_now = now
        if op in _MACHINE_OWNED_OPS:
            raise ValueError(f"op {op} is sent by the protocol machine itself")
        if self._state is _S.STOPPED:
            raise ProtocolMisuse("send after the connection stopped")
        try:
            payload = _encode({"op": op, "d": d})
        except (TypeError, msgspec.EncodeError) as exc:
            raise TypeError(f"op {op}: d cannot be encoded as JSON: {exc}") from None
        if len(payload) > MAX_PAYLOAD_SIZE:
            raise PayloadTooLarge(len(payload), MAX_PAYLOAD_SIZE)
        self._queue.append(_Pending(op, payload))
        actions: list[Action] = []
        self._flush_queue(now, actions)
        return actions

    def update_presence(self, presence: Mapping[str, Any], now: float) -> list[Action]:
        """Send PRESENCE_UPDATE (op 3) and use ``presence`` in every later IDENTIFY.

        ``presence`` is ``{status, afk?, mobile?, custom_status?}``; ``status`` must be one
        of online, idle, dnd, invisible, offline (a missing one crashes the [S] gateway,
        transcript 05k), else ``ValueError``.
        """
        status = presence.get("status")
        if status not in ("online", "idle", "dnd", "invisible", "offline"):
            raise ValueError(
                f"presence status must be online/idle/dnd/invisible/offline, got {status!r}"
            )
        previous = self._presence
        self._presence = dict(presence)
        try:
            self._identify_payload()
            return self.send(OP.PRESENCE_UPDATE, dict(presence), now)
        except Exception:
            self._presence = previous
            raise

    def request_guild_members(
        self,
        guild_id: str | int,
        now: float,
        *,
        query: str | None = None,
        limit: int | None = None,
        user_ids: Sequence[str | int] | None = None,
        presences: bool | None = None,
        nonce: str | None = None,
    ) -> list[Action]:
        """Send REQUEST_GUILD_MEMBERS (op 8); replies arrive as GUILD_MEMBERS_CHUNK dispatches.

        ``query``/``limit`` and ``user_ids`` are as in PROTOCOL §1.8 (at most 100 ids; a
        nonce of at most 32 bytes, else ``ValueError``).
        """
        d: dict[str, Any] = {"guild_id": str(guild_id)}
        if user_ids is not None:
            ids = [str(u) for u in user_ids]
            if len(ids) > 100:
                raise ValueError("at most 100 user_ids per request")
            d["user_ids"] = ids
        if query is not None or user_ids is None:
            d["query"] = query or ""
            d["limit"] = 0 if limit is None else int(limit)
        elif limit is not None:
            d["limit"] = int(limit)
        if presences is not None:
            d["presences"] = presences
        if nonce is not None:
            if len(nonce.encode()) > 32:
                raise ValueError("nonce must be at most 32 bytes")
            d["nonce"] = nonce
        return self.send(OP.REQUEST_GUILD_MEMBERS, d, now)

    def close(self, now: float, code: int = 1000, reason: str = "client closing") -> list[Action]:
        """Shut down for good: close the socket (if any), then STOPPED. Queued sends are
        discarded. Calling it again is harmless (but not once ERROR: it raises)."""
        was = self._state
        target = self._next_state(_I.USER_CLOSE)
        self._last_now = now
        actions: list[Action] = []
        if was is _S.STOPPED:
            return actions
        self._queue.clear()
        self._stop_after_close = True
        if was is _S.CLOSING:
            return actions  # our Close is out: STOPPED once it completes
        if target is _S.STOPPED:  # no socket
            self._stop_timers()
            self._enter(target, actions)
            return actions
        self._begin_close(code, reason, None, _I.USER_CLOSE, actions)
        return actions

    # ------------------------------------------------------------------ opcode handlers

    def _on_dispatch(self, frame: FrameLike, now: float) -> list[Action]:
        s = frame.s
        t = frame.t
        if t == "READY":
            return self._on_ready(frame, now)
        if t == "RESUMED":
            return self._on_resumed(frame, now)
        if s is None:
            return [EmitDispatch(frame)]
        last = self._seq
        if s <= last:
            return [
                EmitFrame(frame),
                Diagnostic(Kind.DUPLICATE_DISPATCH, f"{t} s={s} already delivered (last {last})"),
            ]
        self._seq = s
        if s == last + 1:
            return [EmitDispatch(frame)]
        return [
            GapDetected(last + 1, s - 1, GapReason.SKIPPED),
            EmitDispatch(frame),
        ]

    def _on_ready(self, frame: FrameLike, now: float) -> list[Action]:
        actions: list[Action] = []
        data = _data_of(frame, actions)
        if not isinstance(data, Mapping) or not isinstance(data.get("session_id"), str):
            actions.append(EmitFrame(frame))
            actions.append(Diagnostic(Kind.UNEXPECTED_FRAME, "READY without a session_id"))
            return actions
        if self._session_id is not None and self._session_id != data["session_id"]:
            self._drop_session(SessionEndReason.REPLACED, actions)
        self._session_id = data["session_id"]
        url = data.get("resume_gateway_url")
        self._resume_url = url if isinstance(url, str) and url else None
        self._user = data.get("user")
        self._seq = frame.s if frame.s is not None else 0
        self._reconnected()
        self._follow(_I.READY, actions)
        actions.append(EmitDispatch(frame))
        self._flush_queue(now, actions)
        return actions

    def _on_resumed(self, frame: FrameLike, now: float) -> list[Action]:
        actions: list[Action] = []
        s = frame.s
        # [S] echoes the client's seq; [N] sends its current seq, which may be past the
        # last replayed event when some were not buffered.
        if s is not None and s > self._seq and self._session_id is not None:
            actions.append(GapDetected(self._seq + 1, s, GapReason.NOT_REPLAYED))
            self._seq = s
        self._reconnected()
        self._follow(_I.RESUMED, actions)
        actions.append(EmitDispatch(frame))
        self._flush_queue(now, actions)
        return actions

    def _on_hello(self, frame: FrameLike, now: float, actions: list[Action]) -> None:
        if self._state is not _S.AWAITING_HELLO:
            actions.append(Diagnostic(Kind.UNEXPECTED_FRAME, "HELLO on an established connection"))
            return
        data = _data_of(frame, actions)
        interval = _heartbeat_seconds(data)
        if interval is None:
            actions.append(Diagnostic(Kind.UNEXPECTED_FRAME, "HELLO without a heartbeat_interval"))
            self._begin_close(4000, "bad HELLO", CloseOutcome.RESUME, _I.CLOSE, actions)
            return
        low, high = HEARTBEAT_INTERVAL_RANGE
        if not low <= interval <= high:
            clamped = min(max(interval, low), high)
            actions.append(
                Diagnostic(
                    Kind.PROTOCOL_VIOLATION,
                    f"HELLO heartbeat_interval {interval:.6g} s is outside {low:g}-{high:g} s; "
                    f"using {clamped:g} s",
                )
            )
            interval = clamped
        self._hello_deadline = None
        self._interval = interval
        self._ack_pending = False
        self._beat_sent_at = None
        self._next_beat = now + self._interval * self._rng.random()
        if self._session_id is not None:
            self._send_resume(now, actions)
        elif self._identify_at is not None and self._identify_at > now:
            # an op 9 came before HELLO: IDENTIFY once its wait is over (tick)
            self._fire(_I.DEFER_IDENTIFY, actions)
        else:
            self._identify_at = None
            self._send_identify(now, actions)

    def _on_heartbeat_request(self, frame: FrameLike, now: float, actions: list[Action]) -> None:
        if self._interval is None:
            actions.append(Diagnostic(Kind.UNEXPECTED_FRAME, "heartbeat request before HELLO"))
            return
        self._send_heartbeat(now, actions)

    def _on_heartbeat_ack(self, frame: FrameLike, now: float, actions: list[Action]) -> None:
        if not self._ack_pending or self._beat_sent_at is None:
            return
        self._ack_pending = False
        self._latency = now - self._beat_sent_at
        actions.append(HeartbeatLatency(self._latency))

    def _on_reconnect(self, frame: FrameLike, now: float, actions: list[Action]) -> None:
        actions.append(Diagnostic(Kind.RECONNECT_REQUESTED, "server sent op 7 RECONNECT"))
        self._begin_close(4000, "reconnect requested", CloseOutcome.RESUME, _I.CLOSE, actions)

    def _on_invalid_session(self, frame: FrameLike, now: float, actions: list[Action]) -> None:
        self._drop_session(SessionEndReason.INVALIDATED, actions)
        self._identify_at = now + self._rng.uniform(*self._invalid_session_delay)
        self._fire(_I.INVALID_SESSION, actions)
        if self._state is _S.AWAITING_HELLO:
            # nothing to heartbeat yet: HELLO decides (see _on_hello)
            actions.append(Diagnostic(Kind.UNEXPECTED_FRAME, "op 9 before HELLO"))

    def _on_gateway_error(self, frame: FrameLike, now: float, actions: list[Action]) -> None:
        data = _data_of(frame, actions)
        if isinstance(data, Mapping):
            detail = f"{data.get('code')}: {data.get('message')}"
        else:
            detail = repr(data)
        actions.append(Diagnostic(Kind.GATEWAY_ERROR, detail))

    # ------------------------------------------------------------------ helpers

    def _next_state(self, event: Input) -> ConnectionState:
        """The state :data:`TABLE` gives for ``event`` now; poisons and raises if none."""
        new = TABLE[self._state].get(event)
        if new is None:
            self._poison(event.value)
        return new

    def _fire(self, event: Input, actions: list[Action]) -> None:
        """Move as :data:`TABLE` says for ``event`` (misuse if it has no row here)."""
        self._enter(self._next_state(event), actions)

    def _follow(self, event: Input, actions: list[Action]) -> None:
        """Move as :data:`TABLE` says for a frame ``event``, if its row has one; a frame
        the row does not list moves nothing (the server, not the driver, sent it)."""
        new = TABLE[self._state].get(event)
        if new is not None:
            self._enter(new, actions)

    def _enter(self, new: ConnectionState, actions: list[Action]) -> None:
        old = self._state
        if new is not old:
            self._state = new
            actions.append(StateChanged(old, new))

    def _poison(self, what: str) -> NoReturn:
        """Misuse: become ERROR for good (timers and queue dropped) and raise."""
        was = self._state
        self._state = _S.ERROR
        self._cursor.open = False  # every frame reaches the machine now, and raises
        self._stop_timers()
        self._identify_at = None
        self._queue.clear()
        if was is _S.ERROR:
            raise ProtocolMisuse(f"{what}: the machine is unusable after an earlier misuse")
        raise ProtocolMisuse(f"{what} in state {was.value}")

    def _budget_now(self) -> float:
        return self._last_now

    def _stop_timers(self) -> None:
        self._hello_deadline = None
        self._next_beat = None
        self._ack_pending = False
        self._beat_sent_at = None

    def _emit_send(self, op: int, payload: bytes, now: float, actions: list[Action]) -> None:
        self._budget.record(now)
        actions.append(SendFrame(payload, op))

    def _acknowledged_seq(self) -> int | None:
        """The seq a heartbeat acknowledges: the delivered seq, capped by the
        ``heartbeat_seq`` knob; ``None`` without a session or before any seq."""
        if self._session_id is None or self._seq <= 0:
            return None
        if self._heartbeat_seq is None:
            return self._seq
        stored = self._heartbeat_seq()
        if stored is None or stored <= 0:
            return None
        return min(stored, self._seq)

    def _send_heartbeat(self, now: float, actions: list[Action]) -> None:
        seq = self._acknowledged_seq()
        self._emit_send(OP.HEARTBEAT, _encode({"op": OP.HEARTBEAT, "d": seq}), now, actions)
        self._ack_pending = True
        self._beat_sent_at = now
        assert self._interval is not None
        self._next_beat = now + self._interval

    def _identify_payload(self) -> bytes:
        d: dict[str, Any] = {"token": self._token, "properties": self._properties}
        if self._presence is not None:
            d["presence"] = self._presence
        if self._ignored_events:
            d["ignored_events"] = self._ignored_events
        if self._shard is not None:
            d["shard"] = list(self._shard)
        if self._flags is not None:
            d["flags"] = self._flags
        payload = _encode({"op": OP.IDENTIFY, "d": d})
        if len(payload) > MAX_PAYLOAD_SIZE:
            raise PayloadTooLarge(len(payload), MAX_PAYLOAD_SIZE)
        return payload

    def _send_identify(self, now: float, actions: list[Action]) -> None:
        self._next_state(_I.IDENTIFY)  # checked before anything is sent
        self._seq = 0
        self._emit_send(OP.IDENTIFY, self._identify_payload(), now, actions)
        self._fire(_I.IDENTIFY, actions)

    def _send_resume(self, now: float, actions: list[Action]) -> None:
        self._next_state(_I.RESUME)  # checked before anything is sent
        d = {"token": self._token, "session_id": self._session_id, "seq": self._seq}
        self._emit_send(OP.RESUME, _encode({"op": OP.RESUME, "d": d}), now, actions)
        self._fire(_I.RESUME, actions)

    def _drop_session(self, reason: SessionEndReason, actions: list[Action]) -> None:
        if self._session_id is None:
            return
        actions.append(SessionLost(self._session_id, self._seq, reason))
        actions.append(GapDetected(self._seq + 1, None, reason))
        self._session_id = None
        self._resume_url = None
        self._seq = 0
        self._dropped_at = None

    def _begin_close(
        self,
        code: int,
        reason: str,
        then: CloseOutcome | None,
        event: Input,
        actions: list[Action],
    ) -> None:
        target = self._next_state(event)
        self._stop_timers()
        self._identify_at = None
        self._after_close = then
        self._enter(target, actions)
        actions.append(Close(code, reason))

    def _reconnected(self) -> None:
        """A session is live again (READY or RESUMED): forget the drop and the backoff."""
        self._backoff.reset()
        self._resume_backoff.reset()
        self._dropped_at = None

    def _plan_reconnect(self, outcome: CloseOutcome, now: float, actions: list[Action]) -> None:
        """Decide resume or identify, and how long to wait, after a close or failed connect."""
        if outcome is CloseOutcome.IDENTIFY:
            self._drop_session(SessionEndReason.CLOSE_CODE, actions)
        if self._session_id is not None:
            if self._dropped_at is None:
                self._dropped_at = now
            elif now - self._dropped_at > self._resume_window:
                actions.append(
                    Diagnostic(
                        Kind.RESUME_ABANDONED,
                        f"no RESUME within the resume window ({self._resume_window:g} s); "
                        "identifying",
                    )
                )
                self._drop_session(SessionEndReason.RESUME_WINDOW_EXPIRED, actions)
        resume = self._session_id is not None
        if outcome is CloseOutcome.BACKOFF_RESUME:
            delay = self._backoff.next_delay(floor=self._rate_limited_delay)
        elif resume:
            delay = self._resume_backoff.next_delay(immediate=True)
        else:
            delay = self._backoff.next_delay()
        actions.append(Reconnect(delay, resume, self._resume_url if resume else None))

    def _flush_queue(self, now: float, actions: list[Action]) -> None:
        if self._state is not _S.READY:
            return
        queue = self._queue
        budget = self._budget
        while queue and budget.user_slot_free(now):
            item = queue.popleft()
            self._emit_send(item.op, item.payload, now, actions)


_Handler = Callable[[GatewayProtocol, FrameLike, float, list[Action]], None]

_OPCODE_HANDLERS: Mapping[int, _Handler] = {
    OP.HELLO: GatewayProtocol._on_hello,  # §1.5
    OP.HEARTBEAT: GatewayProtocol._on_heartbeat_request,  # §1.5, transcript 03b
    OP.HEARTBEAT_ACK: GatewayProtocol._on_heartbeat_ack,  # §1.5, transcript 02
    OP.RECONNECT: GatewayProtocol._on_reconnect,  # §1.6 ([N] only)
    OP.INVALID_SESSION: GatewayProtocol._on_invalid_session,  # §1.6, transcripts 07b, 07e
    OP.GATEWAY_ERROR: GatewayProtocol._on_gateway_error,  # §1.9: not fatal
}
"""Received control opcode -> handler. Opcodes not here (and not 0) are reported and ignored."""
