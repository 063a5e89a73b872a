"""Server-side REST rate limits of the sandbox: route buckets, the global limit, headers.

The sandbox limits REST calls the way Fluxer's API does (``PROTOCOL.md`` §3.4):

* every route belongs to a *bucket rule* (``channel:message:create`` allows 20 requests per
  10 s, ...); one bucket exists per rule, major id (channel or guild id, or none) and caller;
* a *global* limit (50 requests per 1 s per caller) is checked first;
* style ``"S"`` counts in fixed windows that open at the first request, style ``"N"`` in
  leaky buckets that drain ``limit`` requests per window continuously (as the two server
  versions do); every window is ``window * window_scale`` seconds, so tests and
  benchmarks can shrink time;
* a request that is refused consumes nothing.

Headers come in the two styles the real servers use: ``"S"`` (the January 2026 server:
``X-RateLimit-Limit/-Remaining/-Reset`` with ``Reset`` in whole Unix seconds; a 429 adds
``X-RateLimit-Global`` and ``Retry-After``) and ``"N"`` (later servers: the same plus
``X-RateLimit-Reset-After`` and ``X-RateLimit-Bucket``, sent only to bot callers; a 429 adds
``X-RateLimit-Scope``; a global 429 carries only ``Retry-After``, ``X-RateLimit-Scope: global``
and ``X-RateLimit-Global: true``). ``X-RateLimit-Bucket`` is the first 16 hex digits of the
SHA-256 of the rule name: it names the route family, never the caller or the major id.

The limiter is plain synchronous code driven by an injectable clock, so its rules are
tested without a network or sleeps.
"""

from __future__ import annotations

import hashlib
import math
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Literal

__all__ = [
    "DEFAULT_RULES",
    "GLOBAL_RULE",
    "BucketRule",
    "Decision",
    "HeaderStyle",
    "RateLimiter",
    "bucket_hash",
]

HeaderStyle = Literal["S", "N"]


@dataclass(frozen=True, slots=True)
class BucketRule:
    """A bucket rule: at most ``limit`` requests per ``window`` seconds (before scaling)."""

    name: str
    limit: int
    window: float

    def __post_init__(self) -> None:
        if self.limit < 1:
            raise ValueError(f"bucket {self.name!r}: limit must be >= 1, got {self.limit}")
        if not self.window > 0:
            raise ValueError(f"bucket {self.name!r}: window must be > 0, got {self.window}")


def _rules(*rules: BucketRule) -> dict[str, BucketRule]:
    return {rule.name: rule for rule in rules}


GLOBAL_RULE = BucketRule("global", 50, 1.0)
"""The per-caller global limit of both server versions: 50 requests per second."""

DEFAULT_RULES: Mapping[str, BucketRule] = _rules(
    BucketRule("gateway:bot_info", 60, 60.0),
    BucketRule("instance:info", 60, 60.0),
    BucketRule("user:settings:get", 40, 10.0),
    BucketRule("user:read", 100, 10.0),
    BucketRule("user:profile", 100, 10.0),
    BucketRule("guild:read", 100, 10.0),
    BucketRule("guild:channels:list", 100, 10.0),
    BucketRule("guild:roles:list", 100, 10.0),
    BucketRule("guild:members", 40, 10.0),
    BucketRule("guild:bans", 40, 10.0),
    BucketRule("guild:leave", 10, 10.0),
    BucketRule("channel:read", 100, 10.0),
    BucketRule("channel:update", 20, 10.0),
    BucketRule("channel:delete", 20, 10.0),
    BucketRule("channel:messages:read", 100, 10.0),
    BucketRule("channel:message:get", 100, 10.0),
    BucketRule("channel:message:create", 20, 10.0),
    BucketRule("channel:message:update", 20, 10.0),
    BucketRule("channel:message:delete", 20, 10.0),
    BucketRule("channel:message:bulk_delete", 10, 10.0),
    BucketRule("channel:reactions", 30, 10.0),
    BucketRule("channel:typing", 20, 10.0),
    BucketRule("channel:pins", 20, 10.0),
    BucketRule("guild:list", 40, 10.0),
    BucketRule("user:channels", 40, 10.0),
    BucketRule("application:read", 40, 10.0),
    BucketRule("guild:update", 20, 10.0),
    BucketRule("guild:audit_logs", 20, 10.0),
    BucketRule("guild:member:roles", 20, 10.0),
    BucketRule("guild:roles", 20, 10.0),
    BucketRule("guild:channels", 20, 10.0),
    BucketRule("channel:invites", 20, 10.0),
    BucketRule("guild:invites", 20, 10.0),
    BucketRule("invite:read", 100, 10.0),
    BucketRule("invite:delete", 20, 10.0),
    BucketRule("channel:webhooks", 20, 10.0),
    BucketRule("guild:webhooks", 20, 10.0),
    BucketRule("webhook:read", 100, 10.0),
    BucketRule("webhook:update", 20, 10.0),
    BucketRule("webhook:delete", 20, 10.0),
    BucketRule("webhook:execute", 60, 60.0),
    BucketRule("webhook:message", 20, 10.0),
    BucketRule("guild:emojis", 20, 10.0),
    BucketRule("guild:stickers", 20, 10.0),
    BucketRule("expression:metadata", 100, 10.0),
)
"""The sandbox's bucket rules, with the limits of Fluxer's ``rate_limit_configs``."""


def bucket_hash(rule_name: str) -> str:
    """The ``X-RateLimit-Bucket`` value of a rule: 16 hex digits of SHA-256 of its name."""
    return hashlib.sha256(rule_name.encode()).hexdigest()[:16]


@dataclass(frozen=True, slots=True)
class Decision:
    """The outcome of one :meth:`RateLimiter.acquire`.

    ``headers`` are the rate-limit headers to send with the response (success or 429).
    When ``allowed`` is false, ``retry_after`` is the fractional delay after which one
    more request would pass (at least 0.001 s) and ``is_global`` tells whether the global
    limit refused it.
    """

    allowed: bool
    headers: Mapping[str, str]
    retry_after: float = 0.0
    is_global: bool = False


class _Bucket:
    """Usage of one bucket under one algorithm; times are monotonic seconds.

    ``"S"`` (fixed window): the window opens at its first request and lasts ``period``;
    ``used`` counts its requests. ``"N"`` (leaky bucket): ``used`` is the level, which
    drains continuously at ``limit / period`` per second; a request fits while the level
    stays at most ``limit``.
    """

    __slots__ = ("leaky", "limit", "period", "start", "used")

    def __init__(self, now: float, limit: int, period: float, *, leaky: bool) -> None:
        self.leaky = leaky
        self.limit = limit
        self.period = period
        self.start = now
        self.used = 0.0

    def advance(self, now: float) -> None:
        """Bring the bucket to ``now`` (drain it, or open a new window)."""
        if self.leaky:
            self.used = max(0.0, self.used - (now - self.start) * self.limit / self.period)
            self.start = now
        elif now >= self.start + self.period:
            self.start = now
            self.used = 0.0

    def fits(self) -> bool:
        """Whether one more request fits now (after :meth:`advance`)."""
        return self.used + 1.0 <= self.limit + 1e-9

    def idle(self, now: float) -> bool:
        """Whether the bucket is back to its initial state at ``now``."""
        return now >= self.start + self.reset_after(self.start)

    def remaining(self) -> int:
        return max(0, int(self.limit - self.used + 1e-9))

    def reset_after(self, now: float) -> float:
        """Seconds until the bucket is fully available again."""
        if self.leaky:
            return self.used * self.period / self.limit
        return max(0.0, self.start + self.period - now)

    def retry_after(self, now: float) -> float:
        """Seconds until one more request fits."""
        if self.leaky:
            return max(0.0, (self.used + 1.0 - self.limit) * self.period / self.limit)
        return self.reset_after(now)


class RateLimiter:
    """Buckets per (rule, major id, caller) plus a global limit per caller.

    Style ``"S"`` uses fixed windows (as the January 2026 server), style ``"N"`` leaky
    buckets (as later servers): ``limit`` requests fit at once and capacity comes back
    at ``limit / window`` per second. In both, ``X-RateLimit-Reset-After`` / ``Reset`` is
    the time until the bucket is fully available again and a 429's ``retry_after`` the
    time until one more request fits; a client that waits for the reset whenever
    ``Remaining`` reaches 0 is never refused by either.

    ``overrides`` replaces the limit and window of named rules (for example
    ``{"channel:message:create": (10, 1.0)}``); ``global_limit`` / ``global_window``
    replace the 50 per 1 s global rule. Every window is multiplied by ``window_scale``.
    ``clock`` is monotonic seconds; ``wall_clock`` is Unix seconds (the
    ``X-RateLimit-Reset`` header). Not thread-safe: it lives on the server's event loop.
    """

    def __init__(
        self,
        *,
        header_style: HeaderStyle = "N",
        window_scale: float = 1.0,
        global_limit: int = GLOBAL_RULE.limit,
        global_window: float = GLOBAL_RULE.window,
        overrides: Mapping[str, tuple[int, float]] | None = None,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], float] = time.time,
    ) -> None:
        if header_style not in ("S", "N"):
            raise ValueError(f"header_style must be 'S' or 'N', got {header_style!r}")
        if not window_scale > 0:
            raise ValueError(f"window_scale must be > 0, got {window_scale}")
        rules = dict(DEFAULT_RULES)
        for name, (limit, window) in (overrides or {}).items():
            if name not in rules:
                raise ValueError(f"unknown bucket rule {name!r}; known: {sorted(rules)}")
            rules[name] = BucketRule(name, limit, window)
        self.header_style: HeaderStyle = header_style
        self.window_scale = window_scale
        self.rules: Mapping[str, BucketRule] = rules
        self.global_rule = BucketRule("global", global_limit, global_window)
        self._clock = clock
        self._wall_clock = wall_clock
        self._buckets: dict[tuple[str, str, str], _Bucket] = {}
        self.rejections = 0
        """How many requests this limiter has refused (route and global)."""

    def window_of(self, rule: BucketRule) -> float:
        """The scaled window length of ``rule`` in seconds."""
        return rule.window * self.window_scale

    def _bucket(self, key: tuple[str, str, str], rule: BucketRule, now: float) -> _Bucket:
        bucket = self._buckets.get(key)
        if bucket is None:
            bucket = _Bucket(now, rule.limit, self.window_of(rule), leaky=self.header_style == "N")
            self._buckets[key] = bucket
        else:
            bucket.advance(now)
        return bucket

    def acquire(self, rule_name: str, major: str, caller: str, *, bot: bool = True) -> Decision:
        """Count one request of ``caller`` on ``rule_name`` / ``major``, or refuse it.

        The global limit is checked first; a refused request consumes neither bucket.
        ``bot`` says whether the caller authenticated with a bot token: style ``"N"``
        sends success headers only to bots.
        """
        rule = self.rules[rule_name]
        now = self._clock()
        self._prune(now)
        global_bucket = self._bucket(("global", "", caller), self.global_rule, now)
        if not global_bucket.fits():
            return self._refusal(
                self.global_rule, 0, global_bucket.reset_after(now),
                global_bucket.retry_after(now), is_global=True,
            )  # fmt: skip
        bucket = self._bucket((rule.name, major, caller), rule, now)
        if not bucket.fits():
            return self._refusal(
                rule, 0, bucket.reset_after(now), bucket.retry_after(now), is_global=False
            )
        global_bucket.used += 1.0
        bucket.used += 1.0
        if not bot and self.header_style == "N":
            return Decision(True, {})
        return Decision(True, self._headers(rule, bucket.remaining(), bucket.reset_after(now)))

    def refusal(
        self, rule_name: str, major: str, caller: str, retry_after: float, *, is_global: bool
    ) -> Decision:
        """A 429 decision with ``retry_after`` that does not touch any bucket (fault storms).

        The headers say ``Remaining: 0`` and a reset ``retry_after`` from now, so a
        client that honours them recovers.
        """
        rule = self.global_rule if is_global else self.rules[rule_name]
        return self._refusal(rule, 0, retry_after, retry_after, is_global=is_global)

    def _refusal(
        self,
        rule: BucketRule,
        remaining: int,
        reset_after: float,
        retry_after: float,
        *,
        is_global: bool,
    ) -> Decision:
        self.rejections += 1
        retry_after = round(max(0.001, retry_after), 3)
        headers: dict[str, str]
        if self.header_style == "N" and is_global:
            headers = {"X-RateLimit-Global": "true", "X-RateLimit-Scope": "global"}
        else:
            headers = self._headers(rule, remaining, max(reset_after, retry_after))
            if self.header_style == "N":
                headers["X-RateLimit-Scope"] = "user"
            else:
                headers["X-RateLimit-Global"] = "true" if is_global else "false"
        headers["Retry-After"] = str(max(1, math.ceil(retry_after)))
        return Decision(False, headers, retry_after, is_global)

    def _headers(self, rule: BucketRule, remaining: int, reset_after: float) -> dict[str, str]:
        reset_at = self._wall_clock() + reset_after
        headers = {
            "X-RateLimit-Limit": str(rule.limit),
            "X-RateLimit-Remaining": str(remaining),
        }
        if self.header_style == "S":
            headers["X-RateLimit-Reset"] = str(math.ceil(reset_at))
        else:
            headers["X-RateLimit-Reset"] = f"{reset_at:.3f}"
            headers["X-RateLimit-Reset-After"] = f"{reset_after:.3f}"
            headers["X-RateLimit-Bucket"] = bucket_hash(rule.name)
        return headers

    def _prune(self, now: float) -> None:
        # Idle buckets are dropped now and then so a long run does not grow without bound.
        if len(self._buckets) < 4096:
            return
        for key in [k for k, b in self._buckets.items() if b.idle(now)]:
            del self._buckets[key]
