"""Client-side send budget that keeps a connection under the gateway's payload rate limit.

The server closes with 4008 after 120 payloads in a sliding 60 s window, heartbeats
included (transcript 06, PROTOCOL §1.11). ``SendBudget`` records every payload sent and
lets *user* payloads through only while the window holds fewer than
``limit - margin - reserved`` of them, so heartbeats, IDENTIFY and RESUME always fit.
No clock of its own: every call gets ``now`` (seconds, monotonic, non-decreasing).
"""

from __future__ import annotations

from collections import deque

__all__ = ["SendBudget"]


class SendBudget:
    """A sliding-window counter of sent payloads.

    ``limit`` is the server's limit per ``window`` seconds; ``margin`` payloads are never
    used (clock skew between client and server); ``reserved`` more are kept for the
    protocol's own frames. User payloads may use ``user_capacity`` slots per window.
    Control payloads are always recorded and never refused.
    """

    __slots__ = ("_sent", "limit", "margin", "reserved", "window")

    def __init__(
        self, limit: int = 120, window: float = 60.0, *, reserved: int = 10, margin: int = 5
    ):
        if window <= 0 or reserved < 0 or margin < 0 or limit - margin - reserved < 1:
            raise ValueError("the budget must leave at least one user slot per window")
        self.limit = limit
        self.window = window
        self.reserved = reserved
        self.margin = margin
        self._sent: deque[float] = deque()

    @property
    def user_capacity(self) -> int:
        """User payloads allowed per window."""
        return self.limit - self.margin - self.reserved

    def _expire(self, now: float) -> None:
        sent = self._sent
        horizon = now - self.window
        while sent and sent[0] <= horizon:
            sent.popleft()

    def used(self, now: float) -> int:
        """Payloads (of any kind) sent in the window ending at ``now``."""
        self._expire(now)
        return len(self._sent)

    def record(self, now: float) -> None:
        """Count one payload sent at ``now``."""
        self._sent.append(now)

    def user_slot_free(self, now: float) -> bool:
        """Whether a user payload may be sent at ``now``."""
        return self.used(now) < self.user_capacity

    def next_user_slot(self, now: float) -> float:
        """The earliest time >= ``now`` at which a user payload may be sent."""
        used = self.used(now)
        if used < self.user_capacity:
            return now
        # The window must drop (used - capacity + 1) of its oldest entries.
        return self._sent[used - self.user_capacity] + self.window
