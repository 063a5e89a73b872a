"""fluxer_rx: a reactive event-stream client for Fluxer.

Public entry points: :class:`Client`, :class:`ClientOptions` composing the options of each
layer (:class:`RestOptions`, :class:`GatewayOptions`, :class:`CacheOptions` with
:class:`CachedResource` and :class:`CacheSizeLimits`),
:class:`ClientState` (the lifecycle), :class:`Events`
(dispatch names as string constants), :class:`Permissions` (permission flags), and for
message bodies :class:`Embed` and :class:`AllowedMentions` (:mod:`fluxer_rx.messages`).
CDN URLs: :mod:`fluxer_rx.cdn`.
"""

from __future__ import annotations

from fluxer_rx._version import __version__
from fluxer_rx.client import Client
from fluxer_rx.lifecycle import ClientState
from fluxer_rx.messages import AllowedMentions, Embed
from fluxer_rx.models.event_names import Events
from fluxer_rx.options import (
    CachedResource,
    CacheOptions,
    CacheSizeLimits,
    ClientOptions,
    GatewayOptions,
    RestOptions,
)
from fluxer_rx.permissions import Permissions

__all__ = [
    "AllowedMentions",
    "CacheOptions",
    "CacheSizeLimits",
    "CachedResource",
    "Client",
    "ClientOptions",
    "ClientState",
    "Embed",
    "Events",
    "GatewayOptions",
    "Permissions",
    "RestOptions",
    "__version__",
]
