"""Reconnect delays: exponential backoff with full jitter, capped, with an optional free first try.

``Backoff`` holds no clock: it only answers "how long to wait before the next attempt".
The caller resets it when a connection succeeds (READY or RESUMED).
"""

from __future__ import annotations

import random

__all__ = ["Backoff"]

_MAX_EXPONENT = 32  # 2**32 * any sane base is far above any cap


class Backoff:
    """Delays ``uniform(0, min(cap, base * 2**n))`` for the n-th consecutive failure.

    With ``immediate=True`` the first attempt after a reset waits 0 s (used for a resumable
    drop, so the session is resumed well inside the server's resume window); later
    attempts back off as usual. ``floor`` raises any delay to at least that many seconds.
    """

    __slots__ = ("_attempts", "_rng", "base", "cap")

    def __init__(self, base: float = 1.0, cap: float = 60.0, rng: random.Random | None = None):
        if base <= 0 or cap < base:
            raise ValueError(f"need 0 < base <= cap, got base={base} cap={cap}")
        self.base = base
        self.cap = cap
        self._rng = rng if rng is not None else random.Random()
        self._attempts = 0

    @property
    def attempts(self) -> int:
        """Delays handed out since the last :meth:`reset`."""
        return self._attempts

    def next_delay(self, *, immediate: bool = False, floor: float = 0.0) -> float:
        """The delay before the next attempt, in seconds; counts one attempt."""
        n = self._attempts
        self._attempts += 1
        if immediate and n == 0 and floor <= 0:
            return 0.0
        ceiling = min(self.cap, self.base * 2 ** min(n, _MAX_EXPONENT))
        return max(floor, self._rng.uniform(0.0, ceiling))

    def reset(self) -> None:
        """Forget past failures (call after a successful READY or RESUMED)."""
        self._attempts = 0
