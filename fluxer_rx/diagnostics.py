"""What the client reports on ``client.diagnostics``.

A :class:`Diagnostic` never changes behaviour; it tells what happened. ``kind`` is a
:class:`Kind` (a ``StrEnum``: it compares equal to its plain string value, so code that
compares with ``"gap"`` keeps working), ``shard_id`` the shard concerned (``None`` for
client-level reports), ``detail`` a human-readable line without secrets, and ``data`` the
underlying object: the protocol action, the exception, or the frame that could not be
decoded (so nothing is lost: a malformed dispatch is still available here).
"""

from __future__ import annotations

import enum

__all__ = ["Diagnostic", "Kind"]


class Kind(enum.StrEnum):
    """Every ``kind`` a :class:`Diagnostic` can have: the client's own and the protocol
    machine's (which the shard passes through unchanged)."""

    STATE = "state"
    """A shard's connection state changed; ``data`` is the protocol's ``StateChanged``."""
    LATENCY = "heartbeat_latency"
    """``data`` is the round-trip time in seconds (float)."""
    DECODE_ERROR = "decode_error"
    """A frame or payload failed to decode; ``data`` is the ``DecodeError``; the frame (when
    the envelope decoded) is in ``frame``."""
    HANDLER_ERROR = "handler_error"
    """A handler or subscriber raised; ``data`` is the exception."""
    GAP = "gap"
    """Dispatches the server will never deliver; ``data`` is the protocol's ``GapDetected``."""
    SESSION_LOST = "session_lost"
    """A session ended for good and the cache was reset; ``data`` is ``SessionLost``."""
    CACHE = "cache"
    """A cache reducer met an inconsistent event; ``detail`` says which."""
    CONNECT_FAILED = "connect_failed"
    """Opening the socket failed; ``data`` is the exception. The shard retries."""
    CLOSED = "closed"
    """A gateway connection closed, by either side; ``data`` is a ``CloseReport`` (code,
    reason, who closed, what follows). A 4002 from the server is reported as a refused
    frame (too large or malformed)."""
    CLIENT_STATE = "client_state"
    """The client's lifecycle state changed; ``data`` is ``(old, new)`` ``ClientState``s."""
    HANDLER_OVERFLOW = "handler_overflow"
    """An async handler's queue was full and a call was dropped; ``data`` is a
    ``HandlerOverflow`` (handler, policy, dropped so far), or an ``EffectOverflow`` for a
    ``client.run_async`` operator."""
    LOOP_STALL = "loop_stall"
    """The event loop was blocked; ``data`` is the stall's duration in seconds."""
    PROTOCOL_VIOLATION = "protocol_violation"
    """The server sent something out of range (e.g. a heartbeat interval) that the client
    bounded or ignored; ``detail`` says what was done."""
    LATE_EVENT = "late_event"
    """An event-time operator met an event later than its allowed lateness (its window
    was already emitted); ``data`` is the operator's ``LateEvent``. Reported by passing
    ``on_late=client.report_late`` to ``window_by_event_time`` / ``count_by`` / ``top_k``."""
    CLOCK_STEP = "clock_step"
    """A replay on recorded time met a frame whose time goes backwards or jumps past the
    allowed gap, and delivered it at the time before (``on_bad_time="clamp"``); ``data``
    is a ``ClockStep`` (line, times) and ``frame`` the frame."""
    COMMAND_ERROR = "command_error"
    """A prefix command failed (``fluxer_rx.commands``); ``data`` is a ``CommandFailure``
    or the exception of the failed error reply."""
    COMMAND_OVERFLOW = "command_overflow"
    """Too many command invocations were running; ``data`` is the dropped message."""

    # -- passed through from the protocol machine (``fluxer_rx.gateway.actions.Diagnostic``)
    UNKNOWN_OPCODE = "unknown_opcode"
    """A frame with an opcode the client does not know was ignored (PROTOCOL §1.4)."""
    GATEWAY_ERROR = "gateway_error"
    """The server sent op 12 GATEWAY_ERROR (not fatal); ``detail`` is its code and message."""
    DUPLICATE_DISPATCH = "duplicate_dispatch"
    """A dispatch whose ``s`` was already delivered (a replay) was not delivered again."""
    UNEXPECTED_FRAME = "unexpected_frame"
    """A control frame out of place (HELLO twice, op 9 before HELLO, READY without a
    session id, ...); the machine ignored or bounded it."""
    ZOMBIE_CONNECTION = "zombie_connection"
    """No HEARTBEAT_ACK before the next beat: the connection is closed and resumed."""
    HELLO_TIMEOUT = "hello_timeout"
    """No HELLO after the socket opened: the connection is closed and retried."""
    UNKNOWN_CLOSE_CODE = "unknown_close_code"
    """The server closed with a code not in ``close_codes.CLOSE_CODES`` (resumed)."""
    RECONNECT_REQUESTED = "reconnect_requested"
    """The server sent op 7 RECONNECT: the connection is closed and resumed."""
    RESUME_ABANDONED = "resume_abandoned"
    """The resume window passed without a successful RESUME: the next connection
    IDENTIFYs."""
    UNDECODABLE_FRAME = "undecodable_frame"
    """A control frame's ``d`` could not be decoded; the frame was handled without it."""


class Diagnostic:
    """One report on ``client.diagnostics``; immutable.

    ``kind`` may be given as a :class:`Kind` or as its string value (``"gap"``); it is
    always stored as the :class:`Kind`, and an unknown string is a ``ValueError`` (a
    typo in a kind would otherwise never be matched by anyone).
    """

    __slots__ = ("data", "detail", "frame", "kind", "shard_id")
    __match_args__ = ("kind", "shard_id", "detail", "data", "frame")

    kind: Kind
    shard_id: int | None
    detail: str
    data: object
    frame: object

    def __init__(
        self,
        kind: Kind | str,
        shard_id: int | None,
        detail: str,
        data: object = None,
        frame: object = None,
    ) -> None:
        setattr_ = object.__setattr__
        setattr_(self, "kind", Kind(kind))
        setattr_(self, "shard_id", shard_id)
        setattr_(self, "detail", detail)
        setattr_(self, "data", data)
        setattr_(self, "frame", frame)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"Diagnostic is immutable (cannot set {name!r})")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"Diagnostic is immutable (cannot delete {name!r})")

    def __reduce__(self) -> tuple[type[Diagnostic], tuple[object, ...]]:
        return (Diagnostic, self._fields())  # copy and pickle rebuild through __init__

    def _fields(self) -> tuple[object, ...]:
        return (self.kind, self.shard_id, self.detail, self.data, self.frame)

    def __eq__(self, other: object) -> bool:
        if type(other) is not Diagnostic:
            return NotImplemented
        return self._fields() == other._fields()

    def __hash__(self) -> int:
        return hash(self._fields())

    def __repr__(self) -> str:
        return (
            f"Diagnostic(kind={self.kind.value!r}, shard_id={self.shard_id!r}, "
            f"detail={self.detail!r}, data={self.data!r}, frame={self.frame!r})"
        )
