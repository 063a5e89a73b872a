"""The sandbox's settings, shared by its gateway and REST halves.

:class:`~fluxer_rx.sandbox.server.Sandbox` binds its socket first, then builds one
:class:`SandboxConfig` (so the URLs are final) and mounts the REST routes with
``fluxer_rx.sandbox.rest.add_routes(app, world, config)`` when that module exists.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

__all__ = ["HELLO_INTERVAL_S", "SandboxConfig"]

HELLO_INTERVAL_S = 41.25
"""The real gateway's heartbeat interval, in seconds (HELLO says 41250 ms)."""


@dataclass(frozen=True, slots=True)
class SandboxConfig:
    """Settings of one running sandbox.

    * ``base_url``: ``http://127.0.0.1:<port>`` (no trailing slash).
    * ``api_url``: REST base, ``base_url + "/v1"``; the routes are also served without
      ``/v1`` and ``/.well-known/fluxer`` at the root.
    * ``gateway_url``: ``ws://127.0.0.1:<port>`` with no query string (what
      ``GET /gateway/bot`` returns, as the real server does).
    * ``heartbeat_interval``: seconds; HELLO announces it in ms and the server's
      heartbeat timers scale with it.
    * ``resume_window``: seconds a detached session stays resumable (does not scale).
    * ``rate_limit_headers``: ``"S"`` or ``"N"`` style REST rate-limit headers.
    * ``rest_window_scale``: factor applied to every REST rate-limit window.
    * ``rest_global_limit``: REST requests per (scaled) second per caller (Fluxer: 50).
    * ``rest_bucket_limits``: ``{bucket rule: (limit, window seconds)}`` overrides of the
      REST route buckets, e.g. ``{"channel:message:create": (10, 1.0)}``; the rule names
      are those of ``fluxer_rx.sandbox.ratelimit.DEFAULT_RULES``.
    * ``client_rate_limit``: ``(payloads, window seconds)`` for client→server gateway
      frames; beyond it the socket closes 4008.
    * ``replay_buffer_size``: dispatches kept per session for RESUME.
    * ``record_dispatches``: whether ``dispatch_log`` records dispatches.
    * ``presence_subscriptions``: when True, a session gets a guild's PRESENCE_UPDATE
      only for users it listed in op 14 ``subscriptions.<guild_id>.members``, as the real
      gateway does for bots; False (default) delivers every guild presence.
    """

    base_url: str
    api_url: str
    gateway_url: str
    heartbeat_interval: float = HELLO_INTERVAL_S
    resume_window: float = 10.0
    rate_limit_headers: Literal["S", "N"] = "N"
    rest_window_scale: float = 1.0
    rest_global_limit: int = 50
    rest_bucket_limits: Mapping[str, tuple[int, float]] = field(default_factory=dict)
    client_rate_limit: tuple[int, float] = (120, 60.0)
    replay_buffer_size: int = 4096
    record_dispatches: bool = True
    presence_subscriptions: bool = False

    @property
    def heartbeat_interval_ms(self) -> int:
        """The interval HELLO announces, in whole milliseconds (at least 1)."""
        return max(1, round(self.heartbeat_interval * 1000))
