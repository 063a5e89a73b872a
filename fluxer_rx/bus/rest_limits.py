"""REST rate limits shared by every process of one bot, kept in Redis.

Fluxer counts REST requests per bot token, whichever process sends them, so processes
that each keep their own buckets (:mod:`fluxer_rx.rest.buckets`) overrun the server's
limits together. :class:`SharedRestLimits` keeps the same state in Redis and decides each
request in one atomic Lua script, with the same rules as the in-process limiter:

* **Route buckets**, learned from responses: ``limit``, ``remaining`` and the window's
  end; requests still in flight (in any process) count as used; a bucket whose limits are
  not known yet lets one request through at a time until an answer teaches them. Routes
  the server reports under one ``X-RateLimit-Bucket`` share one bucket per major id.
* **The global limit**: at most ``floor(rate)`` requests per ``floor(rate) / rate``
  seconds, a slot held from the start of a request until that period after its answer
  (so no period of server arrival times holds more, whatever the latency).
* **A 429 seen by one process slows all**: a route 429 empties the bucket until its
  ``retry_after``; a global 429 pauses every request of every process.

A permit whose process died before settling it stops counting after ``hold`` seconds (the
longest a request may take). Times come from the Redis server's clock.

Use: ``permit = await limits.acquire(route.key, route.major)``, send, then exactly one of
``settle(permit, info)``, ``rate_limited(permit, limited, info)`` or ``release(permit)``
(``info`` and ``limited`` parsed by :mod:`fluxer_rx.rest.headers`).
"""

from __future__ import annotations

import asyncio
import math
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Final

from fluxer_rx.bus.redis_broker import RedisBroker
from fluxer_rx.errors import RateLimitError
from fluxer_rx.rest.headers import BucketInfo, RateLimited

__all__ = ["SharedPermit", "SharedRestLimits"]

_NOW: Final = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
"""

_ACQUIRE: Final = (
    _NOW
    + """
local poll = tonumber(ARGV[7])
local paused = tonumber(redis.call('GET', KEYS[3]) or '0')
if now < paused then return {paused - now, ''} end
local hash = redis.call('HGET', KEYS[1], ARGV[1])
local bkey = ARGV[6] .. (hash or ARGV[1]) .. '|' .. ARGV[2]
local fkey = bkey .. '|inflight'
redis.call('ZREMRANGEBYSCORE', fkey, '-inf', now)
local inflight = redis.call('ZCARD', fkey)
local b = redis.call('HMGET', bkey, 'limit', 'remaining', 'reset_at', 'unlimited')
local limit, remaining, reset_at = tonumber(b[1]), tonumber(b[2]), tonumber(b[3])
local unlimited = b[4] == '1'
if reset_at and now >= reset_at then
  reset_at = nil
  redis.call('HDEL', bkey, 'reset_at')
  if limit then
    -- requests still in flight may land in the new window on the server
    remaining = math.max(0, limit - inflight)
    redis.call('HSET', bkey, 'remaining', remaining)
  else
    remaining = nil
    redis.call('HDEL', bkey, 'remaining')
  end
end
if remaining == 0 and reset_at == nil and inflight == 0 then
  -- exhausted, no window end known and no answer to come: start over
  remaining = nil
  redis.call('HDEL', bkey, 'remaining')
end
local can
if unlimited then can = true
elseif remaining == nil then can = inflight == 0
else can = remaining > 0 end
if not can then
  if reset_at then return {math.max(1, reset_at - now), ''} end
  return {poll, ''}
end
local count = tonumber(ARGV[4])
if count > 0 then
  redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
  if redis.call('ZCARD', KEYS[2]) >= count then
    local first = redis.call('ZRANGE', KEYS[2], 0, 0, 'WITHSCORES')
    return {math.max(1, math.min(tonumber(first[2]) - now, poll)), ''}
  end
  redis.call('ZADD', KEYS[2], now + tonumber(ARGV[5]), ARGV[3])
  redis.call('PEXPIRE', KEYS[2], tonumber(ARGV[5]) + 60000)
end
redis.call('ZADD', fkey, now + tonumber(ARGV[5]), ARGV[3])
redis.call('PEXPIRE', fkey, tonumber(ARGV[5]) + 60000)
if remaining and not unlimited then redis.call('HSET', bkey, 'remaining', remaining - 1) end
redis.call('PEXPIRE', bkey, 3600000)
return {0, bkey}
"""
)
"""KEYS: route→hash map, global slots, global pause. ARGV: route key, major, ticket,
global count (0: none), hold ms, bucket key prefix, poll ms. Returns {wait ms, bucket key}:
the permit is granted when wait is 0."""

_SETTLE: Final = (
    _NOW
    + """
local bkey = ARGV[4]
local fkey = bkey .. '|inflight'
redis.call('ZREM', fkey, ARGV[3])
redis.call('ZREMRANGEBYSCORE', fkey, '-inf', now)
local inflight = redis.call('ZCARD', fkey)
if redis.call('ZSCORE', KEYS[2], ARGV[3]) then
  redis.call('ZADD', KEYS[2], 'XX', now + tonumber(ARGV[12]), ARGV[3])
end
local outcome = ARGV[5]
local limit = tonumber(ARGV[7])
if outcome == 'global' then
  local untl = now + tonumber(ARGV[11])
  if untl > tonumber(redis.call('GET', KEYS[3]) or '0') then
    redis.call('SET', KEYS[3], untl, 'PX', untl - now + 1000)
  end
elseif outcome == 'route' then
  if limit then redis.call('HSET', bkey, 'limit', limit) end
  local wait = tonumber(ARGV[11])
  if ARGV[10] == '1' and ARGV[9] ~= '' then wait = math.max(wait, tonumber(ARGV[9])) end
  redis.call('HSET', bkey, 'unlimited', 0, 'remaining', 0, 'reset_at', now + wait)
elseif outcome == 'settle' then
  if limit then
    local estimate = math.max(0, tonumber(ARGV[8]) - inflight)
    local stored = tonumber(redis.call('HGET', bkey, 'remaining'))
    if stored then estimate = math.min(stored, estimate) end
    redis.call('HSET', bkey, 'limit', limit, 'unlimited', 0, 'remaining', estimate)
    if ARGV[9] ~= '' then
      local e = now + tonumber(ARGV[9])
      local r = tonumber(redis.call('HGET', bkey, 'reset_at'))
      if r == nil or e > r then redis.call('HSET', bkey, 'reset_at', e) end
    end
  elseif ARGV[6] == '1' and not redis.call('HGET', bkey, 'limit') then
    redis.call('HSET', bkey, 'unlimited', 1)
  end
end
redis.call('PEXPIRE', bkey, 3600000)
if ARGV[13] ~= '' and redis.call('HGET', KEYS[1], ARGV[1]) ~= ARGV[13] then
  redis.call('HSET', KEYS[1], ARGV[1], ARGV[13])
  local nkey = ARGV[14] .. ARGV[13] .. '|' .. ARGV[2]
  if nkey ~= bkey and redis.call('EXISTS', nkey) == 0 then
    if redis.call('EXISTS', bkey) == 1 then redis.call('RENAME', bkey, nkey) end
    if redis.call('EXISTS', fkey) == 1 then redis.call('RENAME', fkey, nkey .. '|inflight') end
  end
end
return 1
"""
)
"""KEYS: route→hash map, global slots, global pause. ARGV: route key, major, ticket,
bucket key, outcome (settle | route | global | release), success (1/0), limit, remaining,
reset_after ms, exact (1/0), retry_after ms, global period ms, bucket hash, key prefix."""


@dataclass(frozen=True, slots=True)
class SharedPermit:
    """The right to send one request; settle it exactly once."""

    route_key: str
    major: str
    ticket: str
    bucket_key: str


def _ms(seconds: float | None) -> str:
    return "" if seconds is None else str(math.ceil(seconds * 1000))


class SharedRestLimits:
    """Route buckets and the global limit of one bot token, shared through ``broker``'s Redis.

    ``global_rate`` is requests per second (``None``: no proactive global limit; global
    429s still pause everyone). ``hold`` bounds how long an unsettled permit counts.
    ``poll`` is how often a request re-asks while its bucket waits for an answer in flight.
    """

    def __init__(
        self,
        broker: RedisBroker,
        *,
        global_rate: float | None = 50.0,
        hold: float = 15.0,
        poll: float = 0.02,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        if global_rate is not None and not (math.isfinite(global_rate) and global_rate > 0):
            raise ValueError(f"global_rate must be a positive number or None, got {global_rate}")
        self._redis = broker.redis
        self._call = broker.call
        self._keys = [broker.key("rest", "hashes"), broker.key("rest", "global"),
                      broker.key("rest", "paused")]  # fmt: skip
        self._bucket_prefix = broker.key("rest", "bucket") + ":"
        self.count = 0 if global_rate is None else max(1, math.floor(global_rate))
        self.period = 0.0 if global_rate is None else self.count / global_rate
        self.hold = hold
        self.poll = poll
        self._sleep = sleep
        self._acquire = self._redis.register_script(_ACQUIRE)
        self._settle = self._redis.register_script(_SETTLE)

    def __repr__(self) -> str:
        return f"<SharedRestLimits global={self.count}/{self.period:g}s>"

    async def try_acquire(
        self, route_key: str, major: str = ""
    ) -> tuple[float, SharedPermit | None]:
        """A permit now, or how many seconds to wait before asking again."""
        ticket = secrets.token_hex(8)
        args: list[str | int] = [
            route_key, major, ticket, self.count, _ms(self.hold), self._bucket_prefix,
            _ms(self.poll),
        ]  # fmt: skip
        reply: Any = await self._call("rest acquire", self._acquire(keys=self._keys, args=args))
        wait_ms, bucket_key = int(reply[0]), reply[1]
        if wait_ms > 0:
            return wait_ms / 1000, None
        key = bucket_key.decode() if isinstance(bucket_key, bytes) else str(bucket_key)
        return 0.0, SharedPermit(route_key, major, ticket, key)

    async def acquire(
        self, route_key: str, major: str = "", *, max_wait: float | None = None
    ) -> SharedPermit:
        """Wait for a permit. A single wait longer than ``max_wait`` raises
        :class:`~fluxer_rx.errors.RateLimitError` instead of waiting."""
        while True:
            wait, permit = await self.try_acquire(route_key, major)
            if permit is not None:
                return permit
            if max_wait is not None and wait > max_wait:
                raise RateLimitError(wait, bucket=f"{route_key} [{major}]")
            await self._sleep(wait)

    async def _finish(
        self,
        permit: SharedPermit,
        outcome: str,
        *,
        success: bool = False,
        info: BucketInfo | None = None,
        retry_after: float = 0.0,
    ) -> None:
        args = [
            permit.route_key, permit.major, permit.ticket, permit.bucket_key, outcome,
            "1" if success else "0",
            "" if info is None else info.limit,
            "" if info is None else info.remaining,
            _ms(None if info is None else info.reset_after),
            "1" if info is not None and info.exact else "0",
            _ms(retry_after), _ms(self.period),
            (info.bucket if info is not None else None) or "",
            self._bucket_prefix,
        ]  # fmt: skip
        await self._call("rest settle", self._settle(keys=self._keys, args=args))

    async def settle(
        self, permit: SharedPermit, info: BucketInfo | None, *, success: bool = True
    ) -> None:
        """A response arrived (not a 429): learn its bucket headers (``info``)."""
        await self._finish(permit, "settle", success=success, info=info)

    async def rate_limited(
        self, permit: SharedPermit, limited: RateLimited, info: BucketInfo | None
    ) -> None:
        """A 429 arrived: slow the bucket (or, for a global 429, everyone) down."""
        outcome = "global" if limited.is_global else "route" if limited.has_bucket else "release"
        await self._finish(permit, outcome, info=info, retry_after=limited.retry_after)

    async def release(self, permit: SharedPermit) -> None:
        """No response was read (connection error, timeout, cancellation)."""
        await self._finish(permit, "release")
