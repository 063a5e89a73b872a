"""Models of REST-only responses: bans, user profiles, pins, reaction pages, instance info,
invites, webhooks, audit logs and the bot's application.

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
    "Application",
    "ApplicationBot",
    "AuditLog",
    "AuditLogChange",
    "AuditLogEntry",
    "AuditLogEntryOptions",
    "AuditLogWebhook",
    "Ban",
    "ChannelPin",
    "ChannelPins",
    "Instance",
    "InstanceEndpoints",
    "Invite",
    "InviteChannel",
    "InviteGuild",
    "InviteRecipient",
    "ProfileDetails",
    "ReactionUsersPage",
    "UserProfile",
    "Webhook",
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


class InviteGuild(Model, kw_only=True):
    """The guild an invite leads to (``GuildInviteResponseGuild``)."""

    banner: str | None = None
    banner_height: int | None = None
    banner_width: int | None = None
    embed_splash: str | None = None
    embed_splash_height: int | None = None
    embed_splash_width: int | None = None
    features: tuple[str, ...] = ()
    icon: str | None = None
    id: str
    name: str | None = None
    splash: str | None = None
    splash_card_alignment: int = 0
    splash_height: int | None = None
    splash_width: int | None = None


class InviteRecipient(Model, kw_only=True):
    """A group-DM recipient in an invite's channel: only the name."""

    username: str | None = None


class InviteChannel(Model, kw_only=True):
    """The channel an invite leads to (``ChannelPartialResponse``)."""

    id: str
    name: str | None = None
    recipients: tuple[InviteRecipient, ...] | None = None
    type: int = 0


class Invite(Model, kw_only=True):
    """An invite (``InviteResponseSchema``; with ``created_at``, ``uses``, ``max_uses`` and
    ``max_age``: ``InviteMetadataResponseSchema``). ``type`` 0 guild, 1 group DM, 2 pack."""

    channel: InviteChannel | None = None
    code: str
    created_at: str | None = None
    expires_at: str | None = None
    guild: InviteGuild | None = None
    inviter: PartialUser | None = None
    max_age: int | None = None
    max_uses: int | None = None
    member_count: int = 0
    presence_count: int = 0
    temporary: bool = False
    type: int = 0
    uses: int | None = None


class Webhook(Model, kw_only=True):
    """A webhook (``WebhookResponse``; without ``user``: ``WebhookTokenResponse``)."""

    avatar: str | None = None
    channel_id: str | None = None
    guild_id: str | None = None
    id: str
    name: str | None = None
    token: str | None = None
    user: PartialUser | None = None


class AuditLogChange(Model, kw_only=True):
    """One changed key of an audit-log entry; values as sent (any JSON)."""

    key: str | None = None
    new_value: Any = None
    old_value: Any = None


class AuditLogEntryOptions(Model, kw_only=True):
    """Extra details of some audit-log actions (``GuildAuditLogEntryResponseOptions``)."""

    channel_id: str | None = None
    count: float | None = None
    delete_member_days: str | None = None
    id: str | None = None
    integration_type: float | None = None
    inviter_id: str | None = None
    max_age: float | None = None
    max_uses: float | None = None
    members_removed: float | None = None
    message_id: str | None = None
    role_name: str | None = None
    temporary: bool | None = None
    type: float | None = None
    uses: float | None = None


class AuditLogEntry(Model, kw_only=True):
    """One audit-log entry (``GuildAuditLogEntryResponse``)."""

    action_type: int = 0
    changes: tuple[AuditLogChange, ...] | None = None
    id: str
    options: AuditLogEntryOptions | None = None
    reason: str | None = None
    target_id: str | None = None
    user_id: str | None = None


class AuditLogWebhook(Model, kw_only=True):
    """A webhook named by the audit log (``AuditLogWebhookResponse``)."""

    avatar_hash: str | None = None
    channel_id: str | None = None
    guild_id: str | None = None
    id: str
    name: str | None = None
    type: int = 0


class AuditLog(Model, kw_only=True):
    """``GET /guilds/{guild_id}/audit-logs`` (``GuildAuditLogListResponse``), newest first."""

    audit_log_entries: tuple[AuditLogEntry, ...] = ()
    users: tuple[PartialUser, ...] = ()
    webhooks: tuple[AuditLogWebhook, ...] = ()


class ApplicationBot(Model, kw_only=True):
    """The bot user of an application (``ApplicationsMeResponseBot``)."""

    authenticator_types: tuple[int, ...] | None = None
    avatar: str | None = None
    banner: str | None = None
    bio: str | None = None
    discriminator: str | None = None
    flags: int = 0
    id: str
    mfa_enabled: bool | None = None
    token: str | None = None
    username: str | None = None


class Application(Model, kw_only=True):
    """``GET /applications/@me``: the bot's application (``ApplicationsMeResponse``)."""

    bot: ApplicationBot | None = None
    bot_public: bool = False
    bot_require_code_grant: bool = False
    description: str | None = None
    icon: str | None = None
    id: str
    name: str | None = None
    owner: PartialUser | None = None
    redirect_uris: tuple[str, ...] | None = None
    verify_key: str | None = None
