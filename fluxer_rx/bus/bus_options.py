"""What a process needs to join a scale-out on Redis: :class:`RedisBus`.

``ClientOptions(bus=RedisBus(url, group=..., shard_count=N))`` turns a
:class:`~fluxer_rx.Client` into a worker; :func:`~fluxer_rx.bus.gateway_run.run_gateway`
(``fluxer-rx gateway``) runs the gateway processes from the same value. This module does
not import redis (the broker is opened by :meth:`RedisBus.open_broker`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

if TYPE_CHECKING:
    from fluxer_rx.bus.redis_broker import RedisBroker, RedisBrokerOptions

__all__ = ["RedisBus", "parse_shard_range"]


def _broker_options() -> Any:
    from fluxer_rx.bus.redis_broker import RedisBrokerOptions

    return RedisBrokerOptions()


@dataclass(frozen=True, slots=True)
class RedisBus:
    """One bot's streams on the Redis (or Valkey) server at ``url``.

    * ``group``: the consumer group a worker reads for. Workers of one group share the
      shards (one reader per shard, by lease); another group reads the same streams
      independently (fan-out to another service).
    * ``shard_count``: how many shards the bot runs in all; ``shards`` the ones this
      process competes for (``None``: all of them).
    * ``lease_ttl``: seconds a dead process keeps its shards before another takes them.
    * ``broker``: key prefix, stream retention, identify spacing and timeouts
      (:class:`~fluxer_rx.bus.redis_broker.RedisBrokerOptions`).
    * ``batch_size`` / ``batch_delay``: a gateway process publishes a shard's frames in
      batches of up to ``batch_size`` frames or ``batch_delay`` seconds, whichever first.
    * ``read_count``: the most entries a worker reads per round trip.
    * ``snapshot_interval``: seconds between a worker's cache snapshots of each shard it
      holds (also taken when it gives a shard up); ``None`` turns snapshots off.
    * ``share_rest_limits``: a worker's REST client takes its rate limits from Redis,
      shared by every process of the bot.

    The URL's password is never shown in the repr.
    """

    url: str
    group: str = "bot"
    shard_count: int = 1
    shards: Sequence[int] | None = None
    lease_ttl: float = 10.0
    broker: RedisBrokerOptions = field(default_factory=_broker_options)
    batch_size: int = 32
    batch_delay: float = 0.002
    read_count: int = 512
    snapshot_interval: float | None = 30.0
    share_rest_limits: bool = True

    def __post_init__(self) -> None:
        if urlsplit(self.url).scheme not in ("redis", "rediss", "unix", "valkey", "valkeys"):
            raise ValueError(f"url must be a redis:// URL, got {_safe_url(self.url)!r}")
        if not self.group or any(c.isspace() for c in self.group):
            raise ValueError(f"group must be a non-empty word, got {self.group!r}")
        if self.shard_count < 1:
            raise ValueError(f"shard_count must be >= 1, got {self.shard_count}")
        if self.shards is not None:
            shards = tuple(self.shards)
            bad = [s for s in shards if not 0 <= s < self.shard_count]
            if bad or not shards:
                raise ValueError(
                    f"shards must be ids in 0..{self.shard_count - 1}, got {list(shards)}"
                )
            object.__setattr__(self, "shards", shards)
        if not self.lease_ttl > 0:
            raise ValueError(f"lease_ttl must be > 0, got {self.lease_ttl}")
        if self.batch_size < 1 or self.read_count < 1:
            raise ValueError("batch_size and read_count must be >= 1")
        if self.batch_delay < 0:
            raise ValueError(f"batch_delay must be >= 0, got {self.batch_delay}")
        if self.snapshot_interval is not None and not self.snapshot_interval > 0:
            raise ValueError(f"snapshot_interval must be > 0 or None, got {self.snapshot_interval}")

    def __repr__(self) -> str:
        return (
            f"RedisBus(url={_safe_url(self.url)!r}, group={self.group!r}, "
            f"shard_count={self.shard_count}, shards={self.shards!r})"
        )

    @property
    def shard_ids(self) -> tuple[int, ...]:
        """The shards this process competes for."""
        return tuple(self.shards) if self.shards is not None else tuple(range(self.shard_count))

    def open_broker(self) -> RedisBroker:
        """A :class:`~fluxer_rx.bus.redis_broker.RedisBroker` on :attr:`url` (connects on
        first use; close it when done). Needs the ``redis`` extra."""
        from fluxer_rx.bus.redis_broker import RedisBroker

        scheme, colon, rest = self.url.partition(":")
        # redis-py knows only the redis schemes; a Valkey server speaks the same protocol
        scheme = _REDIS_SCHEME.get(scheme.lower(), scheme)
        return RedisBroker(scheme + colon + rest, self.broker)


_REDIS_SCHEME = {"valkey": "redis", "valkeys": "rediss"}


def _safe_url(url: str) -> str:
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.hostname or ""
    netloc = f"{parts.username or ''}:***@{host}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit(parts._replace(netloc=netloc))


def parse_shard_range(text: str) -> tuple[int, ...]:
    """``"0-7"``, ``"3"`` or ``"0-3,8,10-11"`` as shard ids (``ValueError`` otherwise)."""
    ids: list[int] = []
    for part in text.split(","):
        first, dash, last = part.strip().partition("-")
        try:
            lo = int(first)
            hi = int(last) if dash else lo
        except ValueError:
            raise ValueError(f"not a shard range: {text!r} (e.g. 0-7 or 0,2,5-6)") from None
        if lo < 0 or hi < lo:
            raise ValueError(f"not a shard range: {text!r} (e.g. 0-7 or 0,2,5-6)")
        ids.extend(range(lo, hi + 1))
    if len(set(ids)) != len(ids):
        raise ValueError(f"shard range {text!r} names a shard twice")
    return tuple(ids)
