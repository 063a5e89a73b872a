"""When and how long to wait before retrying a failed REST request.

Retried: 429 (after the server's ``retry_after``), 5xx responses, timeouts and connection
errors (after an exponential backoff with jitter); for non-idempotent methods (see
:func:`is_idempotent`) only the failures that prove the server did not apply the request.
Every retry, whatever its cause, counts against one budget of ``max_retries`` per request;
when it is spent the last failure is raised as a typed error.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Final

__all__ = ["IDEMPOTENT_METHODS", "RetryPolicy", "is_idempotent"]

IDEMPOTENT_METHODS: Final = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
"""Methods whose request applied twice has the effect of applying it once (RFC 9110).

PATCH is left out on purpose: RFC 5789 does not make it idempotent, and on Fluxer a
retried PATCH can undo a change someone else made between the two copies (a message or
channel edited meanwhile) or move things twice (position updates)."""


def is_idempotent(method: str) -> bool:
    """Whether a request with ``method`` may be sent again after an unclear failure."""
    return method.upper() in IDEMPOTENT_METHODS



@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Exponential backoff with "equal jitter", bounded by ``max_retries``.

    The delay before retry ``n`` (0-based) is drawn uniformly from ``[d/2, d]`` with
    ``d = min(backoff_max, backoff * 2**n)``; a server's ``Retry-After`` raises it to at
    least that value. ``random`` returns a float in ``[0, 1)`` and is injectable for tests.
    """

    max_retries: int = 3
    backoff: float = 0.5
    backoff_max: float = 8.0
    random: Callable[[], float] = field(default=random.random, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.max_retries < 0:
            raise ValueError(f"max_retries must be >= 0, got {self.max_retries}")
        if self.backoff < 0 or self.backoff_max < 0:
            raise ValueError("backoff and backoff_max must be >= 0")

    def can_retry(self, retries_done: int) -> bool:
        """Whether one more retry is allowed after ``retries_done`` retries."""
        return retries_done < self.max_retries

    def backoff_delay(self, retries_done: int, retry_after: float | None = None) -> float:
        """Seconds to wait before retry number ``retries_done`` (0 for the first retry)."""
        ceiling = min(self.backoff_max, self.backoff * (2.0 ** min(retries_done, 30)))
        delay = ceiling / 2 + (ceiling / 2) * self.random()
        if retry_after is not None and retry_after > delay:
            delay = retry_after
        return delay
