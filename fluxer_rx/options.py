"""Configuration objects: :class:`ClientOptions`, :class:`RestOptions`, and the cache's
:class:`CacheOptions` (with :class:`CachedResource` and :class:`CacheSizeLimits`, defined in
:mod:`fluxer_rx.cache.options` and re-exported here).

All are frozen dataclasses with defaults that work against the real Fluxer service; none
of them holds the token (the token is passed to ``login`` and never stored in options).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from fluxer_rx._version import __version__
from fluxer_rx.cache.options import CachedResource, CacheOptions, CacheSizeLimits
from fluxer_rx.gateway.options import GatewayOptions

__all__ = [
    "CacheOptions",
    "CacheSizeLimits",
    "CachedResource",
    "ClientOptions",
    "RestOptions",
    "Transport",
]

Transport = Literal["websockets", "aiohttp"]

DEFAULT_API_URL = "https://api.fluxer.app/v1"


@dataclass(frozen=True, slots=True)
class RestOptions:
    """How the REST client talks to the API.

    ``api_url`` includes the version prefix (``/v1``). ``timeout`` is per request in
    seconds. ``max_retries`` bounds retries of 429, 5xx, timeouts and connection errors.
    ``global_rate_limit`` is the proactive global limit in requests per second
    (``None`` disables proactive limiting; the server's 429s are still honoured).
    ``retry_backoff`` is the base delay in seconds before retrying a 5xx, timeout or
    connection error (doubled per retry, with jitter, capped at ``retry_backoff_max``).
    ``max_rate_limit_wait`` caps any single rate-limit wait (a 429's ``retry_after``, a
    bucket or the global limit): a longer wait raises ``RateLimitError`` instead of
    waiting. ``timeout`` bounds the whole call, rate-limit waits and retries included.
    """

    api_url: str = DEFAULT_API_URL
    timeout: float = 15.0
    max_retries: int = 3
    user_agent: str = f"fluxer_rx/{__version__} (https://github.com/fluxer-rx/fluxer_rx)"
    global_rate_limit: float | None = 50.0
    retry_backoff: float = 0.5
    retry_backoff_max: float = 8.0
    max_rate_limit_wait: float = 60.0


@dataclass(frozen=True, slots=True)
class ClientOptions:
    """Everything a :class:`~fluxer_rx.Client` can be told before ``login``.

    ``intents`` is accepted for source compatibility with Discord libraries and is never
    sent: Fluxer has no intents. Use ``ignored_events`` (event names the server should not
    send) instead.

    ``wait_for_guilds``: readiness, and the READY event itself (on ``events`` and to
    handlers), wait until the guild burst that follows each new session's READY is over:
    READY is emitted after that burst's GUILD_CREATEs (its frame keeps its place on
    ``raw``, where the gateway put it), once ``is_ready`` is true. A replay does not hold
    READY. ``guild_ready_timeout`` is the quiet period (seconds without a GUILD_CREATE)
    that ends the burst. ``identify_interval`` spaces the
    IDENTIFYs of this process's shards. ``transport`` picks the WebSocket library;
    ``aiohttp`` is the default because it measured faster end to end
    (``benchmarks/bench_gateway.py``); ``websockets`` stays selectable.

    ``cache`` is the cache's own :class:`CacheOptions` (which stores, their size limits,
    recent messages per channel). The seed's form, ``cache=CacheSizeLimits(...)``, is
    accepted too and read as ``CacheOptions(limits=...)``: ``options.cache`` is always a
    :class:`CacheOptions`.

    Reliability:

    * ``connect_timeout`` bounds one whole connection attempt (TCP, TLS, WebSocket
      upgrade and the server's HELLO); past it the attempt fails and is retried. While
      resuming, an attempt is bounded by at most 5 s, so an attempt started during an
      outage does not outlive the server's resume window.
    * ``resume_window``: how long after a drop the client keeps trying to RESUME the
      session (Fluxer keeps a detached session 10 s in [S], 60 s in [N]); the server has
      the last word (op 9, close 4007 or a refused RESUME end it sooner).
    * ``reconnect_delay_max`` caps the backoff between reconnect attempts inside the
      resume window (the first attempt is immediate).
    * ``handler_queue_size`` bounds the calls waiting for each async ``on``/``on_typed``
      handler; on overflow ``handler_overflow`` says which call is dropped
      (``"drop_oldest"`` or ``"drop_newest"``), reported on ``diagnostics``.
    * ``loop_stall_threshold``: an event-loop stall (a handler blocking the loop) longer
      than this many seconds is reported on ``diagnostics``; ``None`` turns the monitor off.
    """

    intents: int = 0
    presence: Mapping[str, Any] | None = None
    rest: RestOptions = field(default_factory=RestOptions)
    gateway_version: str = "1"
    wait_for_guilds: bool = False
    guild_ready_timeout: float = 2.0
    cache: CacheOptions = field(default_factory=CacheOptions)
    ignored_events: Sequence[str] = ()
    gateway_url: str | None = None
    transport: Transport = "aiohttp"
    shard_ids: Sequence[int] | None = None
    shard_count: int | None = None
    identify_interval: float = 1.0
    chunk_guilds: bool = False
    connect_timeout: float = 15.0
    resume_window: float = 60.0
    reconnect_delay_max: float = 1.0
    handler_queue_size: int = 1000
    handler_overflow: Literal["drop_oldest", "drop_newest"] = "drop_oldest"
    loop_stall_threshold: float | None = 0.5

    def __post_init__(self) -> None:
        cache: CacheOptions | CacheSizeLimits = self.cache
        if isinstance(cache, CacheSizeLimits):  # the seed's ClientOptions(cache=limits)
            object.__setattr__(self, "cache", CacheOptions(limits=cache))

    @property
    def gateway(self) -> GatewayOptions:
        """The gateway layer's own options, built from this object's gateway fields."""
        return GatewayOptions(
            url=self.gateway_url,
            version=self.gateway_version,
            transport=self.transport,
            shard_ids=self.shard_ids,
            shard_count=self.shard_count,
            identify_interval=self.identify_interval,
            presence=self.presence,
            ignored_events=self.ignored_events,
            connect_timeout=self.connect_timeout,
            resume_window=self.resume_window,
            reconnect_delay_max=self.reconnect_delay_max,
        )
