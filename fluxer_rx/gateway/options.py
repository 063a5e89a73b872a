""":class:`GatewayOptions`: how a shard group connects, identifies and reconnects.

The gateway layer's own configuration: a :class:`~fluxer_rx.gateway.shard_group.ShardGroup`
is built from it alone, and :class:`~fluxer_rx.options.ClientOptions` composes it. It
never holds the token.
"""

from __future__ import annotations

import importlib.util
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, get_args

from fluxer_rx.gateway.transport import (
    TRANSPORT_NAMES,
    Compression,
    TransportName,
    default_transport,
)

__all__ = ["GatewayOptions"]


@dataclass(frozen=True, slots=True)
class GatewayOptions:
    """Connection, identify and reconnect settings of a shard group.

    * ``url``: the gateway URL (``None``: discovered through ``GET /gateway/bot``);
      ``version`` is the ``v`` query parameter added to it.
    * ``transport``: the WebSocket library. The default is the fastest installed
      (:func:`~fluxer_rx.gateway.transport.default_transport`): ``"picows"`` with the
      ``fluxer_rx[fast]`` extra, else ``"aiohttp"`` (``benchmarks/bench_gateway.py``);
      ``"aiohttp"`` and ``"websockets"`` stay selectable by name. Naming a transport that
      is not installed raises ``ImportError`` here.
    * ``compress``: ``"zstd-stream"`` asks the server to compress what it sends
      (PROTOCOL §1.2; less on the wire, more CPU per frame: ``benchmarks/bench_gateway.py``
      measures both); needs the ``fluxer_rx[zstd]`` extra (``ImportError`` here without
      it). ``None``: uncompressed JSON.
    * ``shard_ids`` / ``shard_count``: which shards this process runs, of how many
      (``None``: one unsharded connection, or all of ``shard_count``).
    * ``identify_interval``: seconds between IDENTIFYs of this process's shards.
    * ``presence`` and ``ignored_events`` (event names the server should not send) go in
      IDENTIFY; Fluxer has no intents.
    * ``connect_timeout`` bounds one connection attempt (TCP, TLS, upgrade and HELLO);
      while resuming an attempt is bounded by at most 5 s.
    * ``resume_window``: how long after a drop the session is resumed before it is given
      up (the server has the last word: op 9, close 4007 or a refused RESUME end it
      sooner); ``reconnect_delay_max`` caps the backoff between attempts inside it.
    * ``max_connect_failures``: consecutive failed connection attempts, while the shard
      has no session to resume, after which the run fails with
      :class:`~fluxer_rx.errors.WebSocketError` (``None``: retry for ever).

    Protocol knobs (the defaults are what Fluxer's servers call for; see
    :class:`~fluxer_rx.gateway.protocol.GatewayProtocol`):

    * ``backoff_base`` / ``backoff_cap``: reconnects that will IDENTIFY wait
      ``uniform(0, min(cap, base * 2**n))`` after the n-th consecutive failure;
      ``rate_limited_delay`` is the least wait after a 4008 close.
    * ``hello_timeout``: seconds from socket open to HELLO (``None``: ``connect_timeout``).
    * ``invalid_session_delay``: ``(low, high)``: after op 9 the new IDENTIFY waits
      ``uniform(low, high)`` seconds.
    * ``rng``: the random source of every jitter (first heartbeat, backoff, op 9 wait);
      a seeded ``random.Random`` makes a run reproducible.
    """

    url: str | None = None
    version: str = "1"
    transport: TransportName = field(default_factory=default_transport)
    shard_ids: Sequence[int] | None = None
    shard_count: int | None = None
    identify_interval: float = 1.0
    presence: Mapping[str, Any] | None = None
    ignored_events: Sequence[str] = ()
    connect_timeout: float = 15.0
    resume_window: float = 60.0
    reconnect_delay_max: float = 1.0
    max_connect_failures: int | None = 10
    backoff_base: float = 1.0
    backoff_cap: float = 60.0
    rate_limited_delay: float = 5.0
    hello_timeout: float | None = None
    invalid_session_delay: tuple[float, float] = (1.0, 5.0)
    rng: random.Random | None = field(default=None, compare=False)
    compress: Compression | None = None

    def __post_init__(self) -> None:
        if self.transport not in TRANSPORT_NAMES:
            raise ValueError(f"transport must be one of {TRANSPORT_NAMES}, got {self.transport!r}")
        if self.compress is not None and self.compress not in get_args(Compression):
            raise ValueError(f"compress must be 'zstd-stream' or None, got {self.compress!r}")
        _require("picows", "fast", "transport='picows'", self.transport == "picows")
        _require("zstandard", "zstd", "compress='zstd-stream'", self.compress is not None)
        if self.shard_count is not None and self.shard_count < 1:
            raise ValueError(f"shard_count must be >= 1, got {self.shard_count}")
        if self.shard_ids is not None and len(self.shard_ids) == 0:
            raise ValueError("shard_ids must name at least one shard (None: all of them)")
        if isinstance(self.ignored_events, str):
            raise TypeError(
                f"ignored_events takes a sequence of event names, not the string "
                f"{self.ignored_events!r} (write ({self.ignored_events!r},))"
            )
        count = self.shard_count or 1
        for shard_id in self.shard_ids or ():
            if not 0 <= shard_id < count:
                raise ValueError(f"shard id {shard_id} is not in 0..{count - 1}")
        for name in ("identify_interval", "connect_timeout", "resume_window"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must be >= 0")
        if self.max_connect_failures is not None and self.max_connect_failures < 1:
            raise ValueError("max_connect_failures must be >= 1 or None")

    @property
    def sharded(self) -> bool:
        """True when IDENTIFY carries a ``shard`` pair (shard ids or a count were given)."""
        return self.shard_count is not None or self.shard_ids is not None

    @property
    def ids(self) -> tuple[int, ...]:
        """The ids of the shards this process runs."""
        if self.shard_ids is not None:
            return tuple(self.shard_ids)
        return tuple(range(self.shard_count or 1))


def _require(module: str, extra: str, what: str, needed: bool) -> None:
    if needed and importlib.util.find_spec(module) is None:
        raise ImportError(f"{what} needs {module}: pip install 'fluxer_rx[{extra}]'")
