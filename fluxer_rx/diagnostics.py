"""What the client reports on ``client.diagnostics``.

A :class:`Diagnostic` never changes behaviour; it tells what happened. ``kind`` is a short
stable name (see :class:`Kind`), ``shard_id`` the shard concerned (``None`` for
client-level reports), ``detail`` a human-readable line without secrets, and ``data`` the
underlying object: the protocol action, the exception, or the frame that could not be
decoded (so nothing is lost: a malformed dispatch is still available here).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

__all__ = ["Diagnostic", "Kind"]


class Kind:
    """The ``kind`` values the client emits (protocol kinds pass through unchanged)."""

    STATE: Final = "state"
    """A shard's connection state changed; ``data`` is the protocol's ``StateChanged``."""
    LATENCY: Final = "heartbeat_latency"
    """``data`` is the round-trip time in seconds (float)."""
    DECODE_ERROR: Final = "decode_error"
    """A frame or payload failed to decode; ``data`` is the ``DecodeError``; the frame (when
    the envelope decoded) is in ``frame``."""
    HANDLER_ERROR: Final = "handler_error"
    """A handler or subscriber raised; ``data`` is the exception."""
    GAP: Final = "gap"
    """Dispatches the server will never deliver; ``data`` is the protocol's ``GapDetected``."""
    SESSION_LOST: Final = "session_lost"
    """A session ended for good and the cache was reset; ``data`` is ``SessionLost``."""
    CACHE: Final = "cache"
    """A cache reducer met an inconsistent event; ``detail`` says which."""
    CONNECT_FAILED: Final = "connect_failed"
    """Opening the socket failed; ``data`` is the exception. The shard retries."""
    CLOSED: Final = "closed"
    """A gateway connection closed, by either side; ``data`` is a ``CloseReport`` (code,
    reason, who closed, what follows). A 4002 from the server is reported as a refused
    frame (too large or malformed)."""
    CLIENT_STATE: Final = "client_state"
    """The client's lifecycle state changed; ``data`` is ``(old, new)`` ``ClientState``s."""
    HANDLER_OVERFLOW: Final = "handler_overflow"
    """An async handler's queue was full and a call was dropped; ``data`` is a
    ``HandlerOverflow`` (handler, policy, dropped so far), or an ``EffectOverflow`` for a
    ``client.run_async`` operator."""
    LOOP_STALL: Final = "loop_stall"
    """The event loop was blocked; ``data`` is the stall's duration in seconds."""
    PROTOCOL_VIOLATION: Final = "protocol_violation"
    """The server sent something out of range (e.g. a heartbeat interval) that the client
    bounded or ignored; ``detail`` says what was done."""


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One report on ``client.diagnostics``."""

    kind: str
    shard_id: int | None
    detail: str
    data: object = None
    frame: object = None
