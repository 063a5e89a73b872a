"""Models of REST-only responses: bans, user profiles, pins, reaction pages, instance info.

They follow the conventions of :mod:`fluxer_rx.models.base` (wire names, defaults for
everything but identifying fields, unknown fields ignored). The API objects shared with
the gateway (users, guilds, channels, members, roles, messages) live in
:mod:`fluxer_rx.models`.
"""

from __future__ import annotations

from typing import Any

import msgspec

from fluxer_rx.models import Member, Message, PartialUser
from fluxer_rx.models.base import Model

__all__ = [
    "Ban",
    "ChannelPin",
    "ChannelPins",
    "Instance",
    "InstanceEndpoints",
    "ProfileDetails",
    "ReactionUsersPage",
    "UserProfile",
]


class Ban(Model, kw_only=True):
    """A guild ban (``GuildBanResponse``)."""

    user: PartialUser
    reason: str | None = None
    moderator_id: str | None = None
    banned_at: str | None = None
    expires_at: str | None = None


class ProfileDetails(Model, kw_only=True):
    """The ``user_profile`` part of a profile: bio, pronouns, banner and colours."""

    bio: str | None = None
    pronouns: str | None = None
    banner: str | None = None
    banner_color: int | None = None
    accent_color: int | None = None


class UserProfile(Model, kw_only=True):
    """``GET /users/{id}/profile`` (``UserProfileFullResponse``).

    ``guild_member`` is present when the profile was asked for with ``guild_id``.
    """

    user: PartialUser
    user_profile: ProfileDetails | None = None
    guild_member: Member | None = None
    guild_member_profile: ProfileDetails | None = None
    premium_type: int | None = None
    premium_since: str | None = None
    mutual_guilds: list[dict[str, Any]] | None = None
    timezone_offset: int | None = None
    profile_limited: bool = False


class ChannelPin(Model, kw_only=True):
    """One pinned message and when it was pinned."""

    message: Message
    pinned_at: str | None = None


class ChannelPins(Model, kw_only=True):
    """A page of pins ([N] ``ChannelPinsResponse``)."""

    items: list[ChannelPin] = []
    has_more: bool = False


class ReactionUsersPage(Model, kw_only=True):
    """A page of users who reacted ([N] ``ReactionUsersPageResponse``)."""

    items: list[PartialUser] = []
    has_more: bool = False
    next_after: str | None = None


class InstanceEndpoints(Model, kw_only=True):
    """Where the instance's services live. ``cdn`` is [S], ``static_cdn`` [N]."""

    api: str | None = None
    api_client: str | None = None
    api_public: str | None = None
    gateway: str | None = None
    media: str | None = None
    cdn: str | None = None
    static_cdn: str | None = None
    marketing: str | None = None
    admin: str | None = None
    invite: str | None = None
    gift: str | None = None
    webapp: str | None = None


class Instance(Model, kw_only=True):
    """Instance discovery: ``/.well-known/fluxer`` ([N]) or ``/instance`` ([S]).

    ``features`` and ``limits`` are kept as sent (their keys differ between versions).
    """

    api_code_version: int = 0
    endpoints: InstanceEndpoints = msgspec.field(default_factory=InstanceEndpoints)
    features: dict[str, Any] = {}
    limits: dict[str, Any] | None = None
    captcha: dict[str, Any] | None = None
