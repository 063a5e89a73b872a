"""Actions the gateway protocol machine asks its driver to perform; the frame shape it reads.

Every action is a small frozen, slotted class that checks its fields when built. The
driver executes them in the order they are returned. See ``fluxer_rx.gateway.protocol``
for when each one is produced.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any, Protocol, TypeAlias

from fluxer_rx.diagnostics import Kind

__all__ = [
    "Action",
    "Close",
    "ConnectionState",
    "Diagnostic",
    "EmitDispatch",
    "EmitFrame",
    "Fatal",
    "FrameLike",
    "GapDetected",
    "GapReason",
    "HeartbeatLatency",
    "Reconnect",
    "SendFrame",
    "SessionEndReason",
    "SessionLost",
    "StateChanged",
]


class FrameLike(Protocol):
    """What the machine reads from a received frame (``fluxer_rx.models.Frame`` fits).

    ``data`` is ``d`` decoded to plain Python; the machine reads it only for control
    frames and READY, never for ordinary dispatches.
    """

    @property
    def op(self) -> int: ...

    @property
    def s(self) -> int | None: ...

    @property
    def t(self) -> str | None: ...

    @property
    def data(self) -> Any: ...


class ConnectionState(enum.Enum):
    """Where one gateway connection stands (``protocol.TABLE`` says how it moves)."""

    DISCONNECTED = "disconnected"
    """No socket. The driver connects when told by :class:`Reconnect` (or at start)."""
    AWAITING_HELLO = "awaiting_hello"
    """Socket open, HELLO not yet received."""
    IDENTIFYING = "identifying"
    """IDENTIFY sent, READY not yet received."""
    RESUMING = "resuming"
    """RESUME sent, RESUMED not yet received (replayed dispatches arrive here)."""
    READY = "ready"
    """A live session: user commands are sent."""
    INVALID_SESSION = "invalid_session"
    """op 9 received; a fresh IDENTIFY follows on this socket after a random 1-5 s wait."""
    CLOSING = "closing"
    """The machine asked the driver to close the socket and waits for it to be closed."""
    STOPPED = "stopped"
    """Final: closed by the user or by a fatal error. No more actions."""
    ERROR = "error"
    """Final and poisoned: the driver called the machine in a way its state did not allow
    (``ProtocolMisuse``); every later input raises ``ProtocolMisuse`` too. Never announced
    by a :class:`StateChanged` (the misusing call raised instead of returning actions)."""


class SessionEndReason(enum.StrEnum):
    """Why a session ended for good (:class:`SessionLost`, and the :class:`GapDetected`
    that goes with it). A ``StrEnum``: each compares equal to the sentence it stands for."""

    INVALIDATED = "the server invalidated the session (op 9)"
    """op 9 INVALID_SESSION (PROTOCOL §1.6)."""
    REPLACED = "a new READY replaced the session"
    """A READY with another session id arrived while the old session was live."""
    CLOSE_CODE = "the close code ends the session"
    """The server closed with a code whose rule is IDENTIFY (4003, 4007)."""
    RESUME_WINDOW_EXPIRED = "the resume window expired"
    """No RESUME succeeded within ``resume_window`` seconds of the drop."""


class GapReason(enum.StrEnum):
    """Why dispatches of a live session will never be delivered (:class:`GapDetected`)."""

    SKIPPED = "sequence numbers skipped (events not replayed)"
    """A dispatch's ``s`` jumped past the next one (an event the server never buffered)."""
    NOT_REPLAYED = "events before RESUMED were not replayed"
    """RESUMED carried a seq past the last replayed dispatch."""


@dataclass(frozen=True, slots=True)
class SendFrame:
    """Send ``payload`` (compact UTF-8 JSON, at most 4096 bytes) as one text message.

    ``op`` is the opcode inside, for logging. The repr never shows the payload, because an
    IDENTIFY or RESUME payload holds the token.
    """

    payload: bytes
    op: int

    def __post_init__(self) -> None:
        if not isinstance(self.payload, bytes):
            raise TypeError("SendFrame.payload must be bytes")

    def __repr__(self) -> str:
        return f"SendFrame(op={self.op}, size={len(self.payload)})"


@dataclass(frozen=True, slots=True)
class Close:
    """Close the socket with ``code`` and ``reason``, then call ``connection_closed``.

    The machine decides what follows (a :class:`Reconnect`, or nothing when stopping);
    codes other than 1000 keep the session resumable on every server version.
    """

    code: int
    reason: str

    def __post_init__(self) -> None:
        if not (self.code == 1000 or 3000 <= self.code <= 4999):
            raise ValueError(f"a client may not close with code {self.code}")


@dataclass(frozen=True, slots=True)
class Reconnect:
    """Open a new socket after ``delay`` seconds, then call ``connection_opened``.

    ``resume`` says whether the machine will RESUME (True) or IDENTIFY (False) on it; an
    identify queue should gate only the latter. ``url`` is the session's
    ``resume_gateway_url`` when resuming and the server gave one, else ``None`` (use the
    normal gateway URL).
    """

    delay: float
    resume: bool
    url: str | None = None

    def __post_init__(self) -> None:
        if self.delay < 0:
            raise ValueError("Reconnect.delay must be >= 0")


@dataclass(frozen=True, slots=True)
class EmitFrame:
    """Pass ``frame`` on to raw-frame subscribers. Every received frame yields exactly one
    :class:`EmitFrame` or :class:`EmitDispatch` (its subclass)."""

    frame: FrameLike


@dataclass(frozen=True, slots=True)
class EmitDispatch(EmitFrame):
    """A dispatch (op 0) to deliver as an event: each ``s`` at most once per session, in
    order (replays after RESUME are de-duplicated). READY and RESUMED are always emitted."""


@dataclass(frozen=True, slots=True)
class StateChanged:
    """The connection state moved from ``old`` to ``new``."""

    old: ConnectionState
    new: ConnectionState


@dataclass(frozen=True, slots=True, init=False)
class SessionLost:
    """The session ``session_id`` is gone; the next READY starts a new one.

    Reset anything derived from the old session (the cache) now: dispatches of the new
    session follow. ``last_seq`` is the last sequence delivered in the old session.
    ``reason`` may be given as a :class:`SessionEndReason` or its sentence; it is stored
    as the :class:`SessionEndReason` (an unknown sentence is a ``ValueError``).
    """

    session_id: str
    last_seq: int
    reason: SessionEndReason

    def __init__(self, session_id: str, last_seq: int, reason: SessionEndReason | str) -> None:
        object.__setattr__(self, "session_id", session_id)
        object.__setattr__(self, "last_seq", last_seq)
        object.__setattr__(self, "reason", SessionEndReason(reason))


@dataclass(frozen=True, slots=True)
class GapDetected:
    """Dispatches ``first_missing``..``last_missing`` (inclusive) will never be delivered.

    ``last_missing`` is ``None`` when the end is unknown (a lost session: everything the
    old session sent after ``first_missing - 1``; ``reason`` is then the
    :class:`SessionEndReason`).
    """

    first_missing: int
    last_missing: int | None
    reason: GapReason | SessionEndReason

    def __post_init__(self) -> None:
        if self.last_missing is not None and self.last_missing < self.first_missing:
            raise ValueError("GapDetected: last_missing < first_missing")


@dataclass(frozen=True, slots=True)
class Fatal:
    """Stop: ``error`` (``InvalidToken`` or ``GatewayError``) is to be raised to the user.
    The machine is STOPPED; the socket is already closed."""

    error: Exception


@dataclass(frozen=True, slots=True)
class HeartbeatLatency:
    """Seconds between our last heartbeat and its ACK."""

    seconds: float


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """Something worth reporting that changes nothing.

    ``kind`` is one of the protocol kinds of :class:`fluxer_rx.diagnostics.Kind`
    (``UNKNOWN_OPCODE`` ... ``UNDECODABLE_FRAME``, and ``PROTOCOL_VIOLATION`` for a value
    out of range, e.g. a HELLO interval, that the machine bounded); the shard passes it
    through to ``client.diagnostics`` unchanged.
    """

    kind: Kind
    detail: str


Action: TypeAlias = (
    SendFrame
    | Close
    | Reconnect
    | EmitFrame
    | StateChanged
    | SessionLost
    | GapDetected
    | Fatal
    | HeartbeatLatency
    | Diagnostic
)
"""Any action (``EmitDispatch`` is an ``EmitFrame``)."""
