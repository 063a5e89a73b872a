"""REST fault switches of the sandbox: 5xx answers, slow answers, 429 storms, dropped sockets.

A :class:`RestFaults` is consulted once per REST request, after authentication and before
the rate limiter. A ``"slow"`` fault waits before the request is served (a client giving
up meanwhile leaves nothing applied); a ``"late"`` fault serves the request at once and
waits before answering (a client giving up meanwhile sees a timeout although the write was
applied: the case a retried POST must not apply twice). Two sources of faults exist,
checked in this order:

* **scripted**: ``fail_next``, ``slow_next``, ``late_next``, ``rate_limit_next`` and
  ``drop_next`` queue a fault for the next ``count`` matching requests (a request matches
  when ``bucket`` is ``None`` or equals its bucket rule name, e.g.
  ``"channel:message:create"``); queued faults are used first-in, first-out;
* **seeded-random**: :meth:`set_random` gives each request independent probabilities of a
  5xx, a 429, a drop or a slow answer, drawn from a ``random.Random(seed)``, so one seed
  and one request sequence always produce the same faults.

``injected`` counts the faults applied so far by kind, so a test can account for each one.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass
from typing import Literal

__all__ = ["Fault", "FaultKind", "RestFaults"]

FaultKind = Literal["error", "slow", "late", "rate_limit", "drop"]


@dataclass(frozen=True, slots=True)
class Fault:
    """One fault to apply to one request.

    ``status`` is the HTTP status of an ``"error"`` and ``header_retry_after`` the
    ``Retry-After`` seconds it carries (``None``: none, except a 503's usual 1);
    ``delay`` the extra seconds of a ``"slow"`` answer (the request is then served
    normally) or of a ``"late"`` one (the request is served first, the answer waits);
    ``retry_after`` and ``is_global`` describe a ``"rate_limit"`` 429. A ``"drop"``
    closes the connection without an answer.
    """

    kind: FaultKind
    status: int = 500
    delay: float = 0.0
    retry_after: float = 0.1
    is_global: bool = False
    header_retry_after: float | None = None


class _Scripted:
    __slots__ = ("bucket", "fault", "remaining")

    def __init__(self, fault: Fault, count: int, bucket: str | None) -> None:
        self.fault = fault
        self.remaining = count
        self.bucket = bucket


class RestFaults:
    """The REST fault switches; see the module docstring. Lives on the server's loop."""

    def __init__(self, seed: int = 0) -> None:
        self._rng = random.Random(seed)
        self._queue: list[_Scripted] = []
        self.error_rate = 0.0
        self.rate_limit_rate = 0.0
        self.drop_rate = 0.0
        self.slow_rate = 0.0
        self.error_status = 500
        self.slow_delay = 0.05
        self.retry_after = 0.05
        self.injected: Counter[FaultKind] = Counter()

    def fail_next(
        self,
        count: int = 1,
        *,
        status: int = 500,
        retry_after: float | None = None,
        bucket: str | None = None,
    ) -> None:
        """Answer the next ``count`` matching requests with ``status`` (a 5xx), nothing
        applied; ``retry_after`` adds a ``Retry-After`` header of that many seconds."""
        if not 500 <= status <= 599:
            raise ValueError(f"status must be a 5xx, got {status}")
        if retry_after is not None and retry_after < 0:
            raise ValueError(f"retry_after must be >= 0, got {retry_after}")
        self._push(Fault("error", status=status, header_retry_after=retry_after), count, bucket)

    def slow_next(self, count: int = 1, *, delay: float, bucket: str | None = None) -> None:
        """Delay the next ``count`` matching answers by ``delay`` seconds."""
        if delay < 0:
            raise ValueError(f"delay must be >= 0, got {delay}")
        self._push(Fault("slow", delay=delay), count, bucket)

    def late_next(self, count: int = 1, *, delay: float, bucket: str | None = None) -> None:
        """Serve the next ``count`` matching requests at once and answer ``delay`` seconds
        later (the write is applied even if the client gives up before the answer)."""
        if delay < 0:
            raise ValueError(f"delay must be >= 0, got {delay}")
        self._push(Fault("late", delay=delay), count, bucket)

    def rate_limit_next(
        self,
        count: int = 1,
        *,
        retry_after: float = 0.1,
        is_global: bool = False,
        bucket: str | None = None,
    ) -> None:
        """Answer the next ``count`` matching requests with a 429 (a "429 storm")."""
        if retry_after < 0:
            raise ValueError(f"retry_after must be >= 0, got {retry_after}")
        self._push(Fault("rate_limit", retry_after=retry_after, is_global=is_global), count, bucket)

    def drop_next(self, count: int = 1, *, bucket: str | None = None) -> None:
        """Close the connection of the next ``count`` matching requests without an answer."""
        self._push(Fault("drop"), count, bucket)

    def set_random(
        self,
        *,
        error_rate: float = 0.0,
        rate_limit_rate: float = 0.0,
        drop_rate: float = 0.0,
        slow_rate: float = 0.0,
        error_status: int = 500,
        slow_delay: float = 0.05,
        retry_after: float = 0.05,
    ) -> None:
        """Set the per-request probabilities of random faults (all 0 turns them off)."""
        rates = (error_rate, rate_limit_rate, drop_rate, slow_rate)
        if any(not 0.0 <= r <= 1.0 for r in rates) or sum(rates) > 1.0:
            raise ValueError(f"rates must be in [0, 1] and sum to at most 1, got {rates}")
        if not 500 <= error_status <= 599:
            raise ValueError(f"error_status must be a 5xx, got {error_status}")
        self.error_rate, self.rate_limit_rate, self.drop_rate, self.slow_rate = rates
        self.error_status = error_status
        self.slow_delay = slow_delay
        self.retry_after = retry_after

    def clear(self) -> None:
        """Forget every scripted fault and turn random faults off."""
        self._queue.clear()
        self.set_random()

    @property
    def pending(self) -> int:
        """How many scripted faults are still queued."""
        return sum(s.remaining for s in self._queue)

    def pick(self, bucket: str) -> Fault | None:
        """The fault to apply to the next request on ``bucket``, if any (and count it)."""
        fault = self._pick_scripted(bucket) or self._pick_random()
        if fault is not None:
            self.injected[fault.kind] += 1
        return fault

    def _push(self, fault: Fault, count: int, bucket: str | None) -> None:
        if count < 1:
            raise ValueError(f"count must be >= 1, got {count}")
        self._queue.append(_Scripted(fault, count, bucket))

    def _pick_scripted(self, bucket: str) -> Fault | None:
        for i, scripted in enumerate(self._queue):
            if scripted.bucket is None or scripted.bucket == bucket:
                scripted.remaining -= 1
                if scripted.remaining == 0:
                    del self._queue[i]
                return scripted.fault
        return None

    def _pick_random(self) -> Fault | None:
        if not (self.error_rate or self.rate_limit_rate or self.drop_rate or self.slow_rate):
            return None
        x = self._rng.random()
        if x < self.error_rate:
            return Fault("error", status=self.error_status)
        x -= self.error_rate
        if x < self.rate_limit_rate:
            return Fault("rate_limit", retry_after=self.retry_after)
        x -= self.rate_limit_rate
        if x < self.drop_rate:
            return Fault("drop")
        x -= self.drop_rate
        if x < self.slow_rate:
            return Fault("slow", delay=self.slow_delay)
        return None
