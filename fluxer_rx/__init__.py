"""fluxer_rx: a reactive event-stream client for Fluxer.

Public entry points: :class:`Client`, :class:`ClientOptions` composing the options of each
layer (:class:`RestOptions`, :class:`GatewayOptions`, :class:`CacheOptions` with
:class:`CachedResource` and :class:`CacheSizeLimits`),
:class:`ClientState` (the lifecycle), :class:`Events`
(dispatch names as string constants), :class:`Permissions` (permission flags), and for
message bodies :class:`Embed` and :class:`AllowedMentions` (:mod:`fluxer_rx.messages`).
CDN URLs: :mod:`fluxer_rx.cdn`.

``import fluxer_rx`` is cheap: each name above (and each subpackage, such as
``fluxer_rx.models``) is imported the first time it is read, so a tool that needs only
part of the library (the CLI, the sandbox, a replay reader) does not pay for the client,
aiohttp or the transports. ``from fluxer_rx import Client`` imports what the client needs.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from fluxer_rx._version import __version__

if TYPE_CHECKING:
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

_LAZY = {
    "AllowedMentions": "fluxer_rx.messages",
    "CacheOptions": "fluxer_rx.options",
    "CacheSizeLimits": "fluxer_rx.options",
    "CachedResource": "fluxer_rx.options",
    "Client": "fluxer_rx.client",
    "ClientOptions": "fluxer_rx.options",
    "ClientState": "fluxer_rx.lifecycle",
    "Embed": "fluxer_rx.messages",
    "Events": "fluxer_rx.models.event_names",
    "GatewayOptions": "fluxer_rx.options",
    "Permissions": "fluxer_rx.permissions",
    "RestOptions": "fluxer_rx.options",
}
"""Public name -> the module that defines it (imported on first read)."""

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


def __getattr__(name: str) -> Any:
    """A public name, or a submodule, imported on first read (then a plain attribute)."""
    module = _LAZY.get(name)
    if module is not None:
        value = getattr(importlib.import_module(module), name)
    elif not name.startswith("__"):
        try:
            value = importlib.import_module(f"{__name__}.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"{__name__}.{name}":
                raise  # the submodule exists but something it imports does not
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
