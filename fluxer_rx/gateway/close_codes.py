"""What to do when the gateway connection closes: the close-code table.

One row per close code, each with the rule's source. ``classify_close`` is the only
lookup; the protocol machine (``fluxer_rx.gateway.protocol``) never special-cases a code
itself. Sources: ``PROTOCOL.md`` §1.7 (Fluxer's ``constants.erl`` and the [N] docs) and
the recorded transcripts in ``tests/data/real-gateway/`` (which win where they differ).
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass

__all__ = [
    "CLOSE_CODES",
    "CloseOutcome",
    "CloseReport",
    "CloseRule",
    "NextStep",
    "classify_close",
]


class CloseOutcome(enum.Enum):
    """The next step after a close."""

    RESUME = "resume"
    """Reconnect and RESUME if a session exists, else IDENTIFY."""
    IDENTIFY = "identify"
    """The session is gone: reconnect with a fresh IDENTIFY."""
    BACKOFF_RESUME = "backoff_resume"
    """Rate limited: wait (backoff with a floor), then resume."""
    FATAL_TOKEN = "fatal_token"
    """Stop for good and raise ``InvalidToken``."""
    FATAL = "fatal"
    """Stop for good and raise ``GatewayError(code, reason)``."""


@dataclass(frozen=True, slots=True)
class CloseRule:
    """One row of the table: the code, what it means, what to do, and where that is from."""

    code: int
    meaning: str
    outcome: CloseOutcome
    source: str


_R = CloseOutcome
_ROWS: tuple[CloseRule, ...] = (
    CloseRule(1000, "normal closure by the server", _R.RESUME,
              "issue 4; transcript 07: a 1000 close leaves the session resumable"),
    CloseRule(1001, "going away (server restart)", _R.RESUME, "issue 4"),
    CloseRule(1006, "abnormal closure (no close frame)", _R.RESUME, "issue 4"),
    CloseRule(1007, "invalid frame data (bad UTF-8 from us)", _R.RESUME,
              "transcript 05j3: websocket-level close, session untouched"),
    CloseRule(1011, "server handler crashed", _R.RESUME,
              "transcripts 05f3, 05k, 05l: handler crashes close 1011"),
    CloseRule(4000, "unknown error / session start failed / drain", _R.RESUME,
              "PROTOCOL §1.7; transcript 05g3"),
    CloseRule(4001, "unknown opcode or missing d", _R.RESUME,
              "PROTOCOL §1.7; transcripts 05c, 05c2, 05c3"),
    CloseRule(4002, "decode error / payload too large / bad payload", _R.RESUME,
              "PROTOCOL §1.7; transcripts 05a, 05b, 05c4, 05c5, 05f, 05f2, 05j2, 08b"),
    CloseRule(4003, "not authenticated", _R.IDENTIFY,
              "PROTOCOL §1.7 ([N]: nothing to resume); transcripts 05d, 05d2"),
    CloseRule(4004, "authentication failed", _R.FATAL_TOKEN,
              "PROTOCOL §1.7; transcripts 05g, 07d"),
    CloseRule(4005, "already authenticated", _R.RESUME, "PROTOCOL §1.7; transcript 05e"),
    CloseRule(4007, "invalid sequence", _R.IDENTIFY,
              "PROTOCOL §1.7; transcripts 05i, 05i2, 07c"),
    CloseRule(4008, "rate limited", _R.BACKOFF_RESUME,
              "PROTOCOL §1.7 and §1.11; transcripts 06, 05g2"),
    CloseRule(4009, "session timeout (heartbeat missed)", _R.RESUME,
              "PROTOCOL §1.7; transcripts 03, 03c (an immediate RESUME succeeds)"),
    CloseRule(4010, "invalid shard", _R.FATAL, "PROTOCOL §1.7 ([N] only)"),
    CloseRule(4011, "sharding required", _R.FATAL, "PROTOCOL §1.7 ([N] only)"),
    CloseRule(4012, "invalid API version", _R.FATAL, "PROTOCOL §1.7; transcripts 05h, 05h2"),
)  # fmt: skip

CLOSE_CODES: Mapping[int, CloseRule] = {row.code: row for row in _ROWS}
"""Close code -> rule. Codes not listed get a RESUME rule (see classify_close)."""

UNKNOWN_CLOSE_SOURCE = "not in the table: reconnect and resume, like other transient closes"


def classify_close(code: int) -> CloseRule:
    """The rule for ``code``; an unlisted code gets a RESUME rule marked as unknown."""
    rule = CLOSE_CODES.get(code)
    if rule is not None:
        return rule
    return CloseRule(code, "unknown close code", CloseOutcome.RESUME, UNKNOWN_CLOSE_SOURCE)


class NextStep(enum.StrEnum):
    """What the client does after a closed connection (:attr:`CloseReport.next_step`); a
    ``StrEnum``, equal to its plain string value."""

    RESUME = "resume"
    """Reconnect and RESUME the session."""
    IDENTIFY = "identify"
    """Reconnect with a fresh IDENTIFY (no session to resume)."""
    STOP = "stop"
    """Nothing: the client closed for good."""
    FATAL = "fatal"
    """Nothing: the close code was fatal and its error is raised."""


@dataclass(frozen=True, slots=True)
class CloseReport:
    """One closed gateway connection, as reported on ``client.diagnostics`` (kind ``closed``).

    ``by_server`` is True when the server sent the close frame first or the connection
    dropped (``code`` 1006), False when the client closed it. ``meaning`` is the table's
    description of ``code``; ``next_step`` what the client does next (a
    :class:`NextStep`). ``reason`` is the close frame's own text, whatever the peer sent.
    """

    code: int
    reason: str
    by_server: bool
    meaning: str
    next_step: NextStep

    def describe(self) -> str:
        """One line for logs and diagnostics (never holds a secret: a close has none)."""
        if self.by_server:
            line = f"closed by the server with {self.code} ({self.meaning})"
        else:
            line = f"closed by the client with {self.code}"
        if self.reason:
            line += f": {self.reason!r}"
        if self.by_server and self.code == 4002:
            line += "; the server refused a frame the client sent (too large or malformed)"
        if self.code == 1006:
            line = "connection lost without a close frame (1006)"
        return f"{line}; next: {self.next_step}"
