"""Per-route rate-limit buckets, learned from the server's headers.

Guarantees:

* **Never more in flight than the bucket has left.** A request takes a :class:`Permit`
  before it is sent; a bucket hands out at most ``remaining`` permits per window, counting
  requests still in flight as used. A bucket whose limits are not known yet lets exactly
  one request through and the rest wait for its answer.
* **Buckets are independent.** Waiting for one bucket never delays another: every bucket
  has its own FIFO queue of waiters and its own reset timer.
* **Learning.** A bucket is identified by ``X-RateLimit-Bucket`` when the server sends it
  ([N]), else by the route's ``METHOD /template`` ([S]); in both cases per major id
  (channel, guild, webhook). Routes the server reports as sharing a bucket hash share one
  bucket per major id from then on.
* Routes whose responses carry no rate-limit headers become unlimited buckets.

All timing goes through a :class:`~fluxer_rx.rest.clock.Clock`; nothing here does I/O.
"""

from __future__ import annotations

from typing import Final

from fluxer_rx.rest.clock import Clock
from fluxer_rx.rest.fifo_gate import FifoGate
from fluxer_rx.rest.headers import BucketInfo
from fluxer_rx.rest.routes import Route

__all__ = ["Bucket", "BucketLimiter", "Permit"]

_SWEEP_THRESHOLD: Final = 2048


class Permit:
    """The right to send one request on a bucket. Settle it exactly once.

    ``settle(info)`` after a response (``info`` from its headers, or ``None``),
    ``rate_limited(retry_after, info)`` after a route 429, ``release()`` when no response
    was read (connection error, timeout, cancellation). Later calls are ignored.
    """

    __slots__ = ("_bucket", "_done")

    def __init__(self, bucket: Bucket) -> None:
        self._bucket = bucket
        self._done = False

    @property
    def bucket(self) -> Bucket:
        return self._bucket

    def settle(self, info: BucketInfo | None, *, success: bool = True) -> None:
        """Record a response's bucket headers (``success``: a 2xx/3xx/4xx answer)."""
        if not self._done:
            self._done = True
            self._bucket._settle(info, success)

    def rate_limited(self, retry_after: float, info: BucketInfo | None) -> None:
        """Record a route 429: nothing more until ``retry_after`` seconds have passed."""
        if not self._done:
            self._done = True
            self._bucket._rate_limited(retry_after, info)

    def release(self) -> None:
        """Give the permit back without any news from the server."""
        if not self._done:
            self._done = True
            self._bucket._settle(None, False)


class Bucket(FifoGate[Permit]):
    """One rate-limit bucket: a window of ``limit`` requests that ends at ``reset_at``.

    ``remaining`` is the number of permits that may still be handed out in the current
    window (``None`` while unknown); ``reset_at`` is on the clock's monotonic scale.
    ``await bucket.acquire()`` waits (FIFO) for a :class:`Permit`.
    """

    __slots__ = ("in_flight", "key", "limit", "remaining", "reset_at", "unlimited")

    def __init__(self, key: str, clock: Clock) -> None:
        super().__init__(clock)
        self.key = key
        self.limit: int | None = None
        self.remaining: int | None = None
        self.reset_at: float | None = None
        self.in_flight = 0
        self.unlimited = False

    def __repr__(self) -> str:
        return (
            f"<Bucket {self.key} limit={self.limit} remaining={self.remaining} "
            f"in_flight={self.in_flight} waiting={len(self._waiters)}>"
        )

    @property
    def idle(self) -> bool:
        """Nothing in flight, nobody waiting, and no window still running."""
        now = self._clock.monotonic()
        return (
            self.in_flight == 0
            and not self._waiters
            and (self.reset_at is None or now >= self.reset_at)
        )

    # -- the gate's hooks -------------------------------------------------------------------

    def _try_grant(self, now: float) -> Permit | None:
        self._roll_window(now)
        if not self._can_issue():
            return None
        self.in_flight += 1
        if self.remaining is not None and not self.unlimited:
            self.remaining -= 1
        return Permit(self)

    def _wake_at(self, now: float) -> float | None:
        # with the window end unknown, an answer in flight will tell it
        return None if self._can_issue() else self.reset_at

    def _before_pump(self, now: float) -> None:
        stuck = self._waiters and self.reset_at is None and self.in_flight == 0
        if stuck and not self._can_issue():
            # Exhausted with no window end known and no answer to come: start over.
            self.reset_at = now

    # -- internals ------------------------------------------------------------------------

    def _can_issue(self) -> bool:
        if self.unlimited:
            return True
        if self.remaining is None:
            return self.in_flight == 0
        return self.remaining > 0

    def _roll_window(self, now: float) -> None:
        if self.reset_at is not None and now >= self.reset_at:
            self.reset_at = None
            # Requests still in flight may land in the new window on the server.
            self.remaining = None if self.limit is None else max(0, self.limit - self.in_flight)

    def _settle(self, info: BucketInfo | None, success: bool) -> None:
        self.in_flight -= 1
        if info is None:
            if success and self.limit is None:
                self.unlimited = True
        else:
            self.unlimited = False
            self.limit = info.limit
            # The server's count minus everything else still in flight (some of which it
            # may already have counted) never overestimates what is left; neither does
            # our own count, so keep the smaller. An answer from a window that already
            # ended can only make this more cautious, never less.
            estimate = max(0, info.remaining - self.in_flight)
            self.remaining = estimate if self.remaining is None else min(self.remaining, estimate)
            if info.reset_after is not None:
                end = self._clock.monotonic() + info.reset_after
                self.reset_at = end if self.reset_at is None else max(self.reset_at, end)
        self._pump()

    def _rate_limited(self, retry_after: float, info: BucketInfo | None) -> None:
        self.in_flight -= 1
        if info is not None:
            self.limit = info.limit
        self.unlimited = False
        self.remaining = 0
        # The 429 is the server's newest word: wait out its delay, or the full drain time
        # when the 429 states it exactly ([N]), not a window end learned earlier.
        wait = retry_after
        if info is not None and info.exact and info.reset_after is not None:
            wait = max(wait, info.reset_after)
        self.reset_at = self._clock.monotonic() + wait
        self._pump()


class BucketLimiter:
    """Finds the :class:`Bucket` of a route and learns bucket hashes from responses.

    ``bucket_for(route)`` returns the bucket to wait on; ``learn(route, bucket_hash)``
    records the server's ``X-RateLimit-Bucket`` for the route family so later requests
    use the shared bucket. Idle buckets are forgotten once many exist, to bound memory.
    """

    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._buckets: dict[tuple[str, str], Bucket] = {}
        self._hashes: dict[str, str] = {}

    def __len__(self) -> int:
        return len(self._buckets)

    def bucket_for(self, route: Route) -> Bucket:
        """The bucket ``route`` is counted against (created on first use)."""
        bucket_hash = self._hashes.get(route.key)
        if bucket_hash is None:
            key = (route.key, route.major)
            bucket = self._buckets.get(key)
            if bucket is None:
                self._sweep()
                bucket = self._buckets[key] = Bucket(f"{route.key} [{route.major}]", self._clock)
            return bucket
        key = (bucket_hash, route.major)
        bucket = self._buckets.get(key)
        if bucket is None:
            self._sweep()
            bucket = self._buckets.pop((route.key, route.major), None) or Bucket(
                f"{bucket_hash} [{route.major}]", self._clock
            )
            self._buckets[key] = bucket
        return bucket

    def learn(self, route: Route, bucket_hash: str | None) -> None:
        """Remember that ``route``'s family is the server bucket ``bucket_hash``."""
        if bucket_hash and self._hashes.get(route.key) != bucket_hash:
            self._hashes[route.key] = bucket_hash
            old = self._buckets.get((route.key, route.major))
            if old is not None and (bucket_hash, route.major) not in self._buckets:
                del self._buckets[(route.key, route.major)]
                self._buckets[(bucket_hash, route.major)] = old

    def _sweep(self) -> None:
        if len(self._buckets) < _SWEEP_THRESHOLD:
            return
        for key in [k for k, b in self._buckets.items() if b.idle]:
            del self._buckets[key]
