"""The REST client of fluxer_rx: :class:`Rest` and what it takes and returns.

``Rest(token, RestOptions(...))`` holds one aiohttp session, learns per-route buckets
from the server's headers, limits requests globally, retries within ``max_retries`` (a
POST or PATCH only when the server demonstrably did not apply it), ends every call within
``RestOptions.timeout`` and maps error bodies to typed errors. :class:`Route` and
:meth:`Rest.request` reach routes that have no typed method yet; :class:`File` attaches
files to messages.
"""

from __future__ import annotations

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
