"""The REST client of fluxer_rx: :class:`Rest` and what it takes and returns.

``Rest(token, RestOptions(...))`` holds one aiohttp session, learns per-route buckets
from the server's headers, limits requests globally, retries within ``max_retries`` (a
POST or PATCH only when the server demonstrably did not apply it), ends every call within
``RestOptions.timeout`` and maps error bodies to typed errors. :class:`Route` and
:meth:`Rest.request` reach routes that have no typed method yet; :class:`File` attaches
files to messages.

Each name is imported from its module on first read, so importing a light part of the
package (``fluxer_rx.rest.options``, which the client's options need) does not import the
REST client and its endpoints (``benchmarks/bench_import.py``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from fluxer_rx.lazy_names import lazy_attributes

if TYPE_CHECKING:
    from fluxer_rx.rest.client import EmojiLike, Rest, Snowflake, new_nonce
    from fluxer_rx.rest.files import File
    from fluxer_rx.rest.requester import RestStats
    from fluxer_rx.rest.responses import (
        Ban,
        ChannelPin,
        ChannelPins,
        Instance,
        InstanceEndpoints,
        ProfileDetails,
        ReactionUsersPage,
        UserProfile,
    )
    from fluxer_rx.rest.retry import RetryPolicy, is_idempotent
    from fluxer_rx.rest.routes import Route

__all__ = [
    "Ban",
    "ChannelPin",
    "ChannelPins",
    "EmojiLike",
    "File",
    "Instance",
    "InstanceEndpoints",
    "ProfileDetails",
    "ReactionUsersPage",
    "Rest",
    "RestStats",
    "RetryPolicy",
    "Route",
    "Snowflake",
    "UserProfile",
    "is_idempotent",
    "new_nonce",
]

__getattr__ = lazy_attributes(
    __name__,
    {
        **dict.fromkeys(("EmojiLike", "Rest", "Snowflake", "new_nonce"), "fluxer_rx.rest.client"),
        "File": "fluxer_rx.rest.files",
        "RestStats": "fluxer_rx.rest.requester",
        **dict.fromkeys(
            (
                "Ban",
                "ChannelPin",
                "ChannelPins",
                "Instance",
                "InstanceEndpoints",
                "ProfileDetails",
                "ReactionUsersPage",
                "UserProfile",
            ),
            "fluxer_rx.rest.responses",
        ),
        **dict.fromkeys(("RetryPolicy", "is_idempotent"), "fluxer_rx.rest.retry"),
        "Route": "fluxer_rx.rest.routes",
    },
    globals(),
)


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
