"""Configuration objects: :class:`ClientOptions`, which composes the options of each layer:
:class:`RestOptions` (:mod:`fluxer_rx.rest.options`), :class:`CacheOptions` with
:class:`CachedResource` and :class:`CacheSizeLimits` (:mod:`fluxer_rx.cache.options`) and
:class:`GatewayOptions` (:mod:`fluxer_rx.gateway.options`), all re-exported here. Lower
layers never import this module.

All are frozen dataclasses with defaults that work against the real Fluxer service; none
of them holds the token (the token is passed to ``login`` and never stored in options).

:class:`RedisBus` (:mod:`fluxer_rx.bus.bus_options`) is re-exported too, imported on first
read: a client without a bus does not import the bus package.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Literal

from fluxer_rx.cache.options import CachedResource, CacheOptions, CacheSizeLimits
from fluxer_rx.gateway.options import GatewayOptions
from fluxer_rx.gateway.transport import TransportName as Transport
from fluxer_rx.lazy_names import lazy_attributes, listing
from fluxer_rx.rest.options import DEFAULT_API_URL, RestOptions

if TYPE_CHECKING:
    from fluxer_rx.bus.bus_options import RedisBus

__all__ = [
    "DEFAULT_API_URL",
    "CacheOptions",
    "CacheSizeLimits",
    "CachedResource",
    "ClientOptions",
    "GatewayOptions",
    "RedisBus",
    "RestOptions",
    "Transport",
]

__getattr__ = lazy_attributes(__name__, {"RedisBus": "fluxer_rx.bus.bus_options"}, globals())
__dir__ = listing(globals(), __all__)


@dataclass(frozen=True, slots=True)
class ClientOptions:
    """Everything a :class:`~fluxer_rx.Client` can be told before ``login``: the client's
    own settings, and one options object per layer it composes: ``rest``
    (:class:`RestOptions`), ``cache`` (:class:`CacheOptions`) and ``gateway``
    (:class:`~fluxer_rx.gateway.options.GatewayOptions`: URL, transport, shards,
    timeouts, resume window, backoff).

    The seed's fields keep their names and meaning:

    * ``intents`` is accepted for source compatibility and never sent: Fluxer has no
      intents (``GatewayOptions.ignored_events`` names events the server should not send).
    * ``presence`` and ``gateway_version`` are the gateway's ``presence`` and ``version``;
      either spelling may be used (both, differently: ``ValueError``), and both read the same.
      ``dataclasses.replace`` may change either spelling: the one it changes wins (both,
      differently: ``ValueError``), so ``replace(options, presence=None)`` and
      ``replace(options, gateway=replace(options.gateway, presence=None))`` both clear it.
    * ``cache`` also accepts the seed's ``CacheSizeLimits``, read as
      ``CacheOptions(limits=...)``: ``options.cache`` is always a :class:`CacheOptions`.
    * ``wait_for_guilds``: readiness, and the READY event itself (on ``events`` and to
      handlers), wait until the guild burst that follows each new session's READY is
      over: READY is emitted after that burst's GUILD_CREATEs (its frame keeps its place
      on ``raw``), once ``is_ready`` is true. A replay does not hold READY.
      ``guild_ready_timeout`` is the quiet period (seconds without a GUILD_CREATE) that
      ends the burst; ``chunk_guilds`` also waits for every guild's member list.

    Handlers:

    * ``handler_queue_size`` bounds the calls waiting for each async ``on``/``on_typed``
      handler; on overflow ``handler_overflow`` says which call is dropped
      (``"drop_oldest"`` or ``"drop_newest"``), reported on ``diagnostics``.
    * ``loop_stall_threshold``: an event-loop stall (a handler blocking the loop) longer
      than this many seconds is reported on ``diagnostics``; ``None`` turns the monitor off.

    Scale-out: with ``bus`` (a :class:`~fluxer_rx.bus.bus_options.RedisBus`) the client is
    a worker: ``login`` reads the shard streams it can lease from Redis instead of
    connecting to the gateway (``gateway`` options are then unused), sends its gateway
    commands through Redis and, unless ``bus.share_rest_limits`` is off, shares its REST
    rate limits with every process of the bot. Needs the ``redis`` extra.
    """

    intents: int = 0
    presence: Mapping[str, Any] | None = None
    rest: RestOptions = field(default_factory=RestOptions)
    gateway_version: str = "1"
    wait_for_guilds: bool = False
    cache: CacheOptions = field(default_factory=CacheOptions)
    gateway: GatewayOptions = field(default_factory=GatewayOptions)
    guild_ready_timeout: float = 2.0
    chunk_guilds: bool = False
    handler_queue_size: int = 1000
    handler_overflow: Literal["drop_oldest", "drop_newest"] = "drop_oldest"
    loop_stall_threshold: float | None = 0.5
    bus: RedisBus | None = None
    _in_sync: tuple[Mapping[str, Any] | None, str] | None = field(
        default=None, repr=False, compare=False
    )
    """Not an option: the (presence, version) both spellings held once this object was
    built. ``dataclasses.replace`` hands it to the copy, which can then tell which
    spelling the replace changed."""

    def __post_init__(self) -> None:
        cache: CacheOptions | CacheSizeLimits = self.cache
        if isinstance(cache, CacheSizeLimits):  # the seed's ClientOptions(cache=limits)
            object.__setattr__(self, "cache", CacheOptions(limits=cache))
        gateway = self.gateway
        was_presence, was_version = self._in_sync or (None, "1")
        presence = _one_of("presence", self.presence, gateway.presence, was_presence)
        version = _one_of("gateway_version", self.gateway_version, gateway.version, was_version)
        object.__setattr__(self, "presence", presence)
        object.__setattr__(self, "gateway_version", version)
        object.__setattr__(self, "_in_sync", (presence, version))
        if (presence, version) != (gateway.presence, gateway.version):
            gateway = replace(gateway, presence=presence, version=version)
            object.__setattr__(self, "gateway", gateway)


def _one_of(name: str, seed_value: Any, gateway_value: Any, before: Any) -> Any:
    """The value of a seed field that :class:`GatewayOptions` also has: whichever of the
    two differs from ``before`` (the default, or what both held before a
    ``dataclasses.replace``); ``ValueError`` when both do, differently."""
    if seed_value == before:
        return gateway_value
    if gateway_value not in (before, seed_value):
        raise ValueError(f"{name} is set twice, differently: here and in gateway=GatewayOptions")
    return seed_value
