"""Models of REST-only responses: bans, user profiles, pins, reaction pages, instance info,
invites, webhooks, audit logs, the bot's application, member search, slowmode state,
vanity URLs and expression metadata / bulk creation.

They follow the conventions of :mod:`fluxer_rx.models.base` (wire names, defaults for
everything but identifying fields, unknown fields ignored). The API objects shared with
the gateway (users, guilds, channels, members, roles, messages) live in
:mod:`fluxer_rx.models`.
"""

from __future__ import annotations

from typing import Any

import msgspec

from fluxer_rx.models import Emoji, Member, Message, PartialUser, Sticker
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
    "BulkCreateFailure",
    "ChannelPin",
    "ChannelPins",
    "EmojiBulkCreate",
    "ExpressionMetadata",
    "Instance",
    "InstanceEndpoints",
    "Invite",
    "InviteChannel",
    "InviteGuild",
    "InviteRecipient",
    "MemberSearch",
    "MemberSearchResult",
    "MemberSearchSupplemental",
    "ProfileDetails",
    "ReactionUsersPage",
    "SlowmodeState",
    "StickerBulkCreate",
    "UserProfile",
    "VanityUrl",
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


class MemberSearchSupplemental(Model, kw_only=True):
    """How a found member joined (``GuildMemberSearchResultSupplemental``)."""

    inviter_id: str | None = None
    join_source_type: int | None = None
    source_invite_code: str | None = None


class MemberSearchResult(Model, kw_only=True):
    """One found member (``GuildMemberSearchResult``); ``joined_at`` in Unix seconds."""

    discriminator: str | None = None
    global_name: str | None = None
    guild_id: str | None = None
    id: str
    is_bot: bool = False
    joined_at: float | None = None
    nickname: str | None = None
    role_ids: tuple[str, ...] = ()
    supplemental: MemberSearchSupplemental | None = None
    user_id: str | None = None
    username: str | None = None


class MemberSearch(Model, kw_only=True):
    """``POST /guilds/{guild_id}/members-search`` (``GuildMemberSearchResponse``): one page
    of matches and how many match in all. ``indexing``: the server is still indexing."""

    guild_id: str | None = None
    indexing: bool = False
    members: tuple[MemberSearchResult, ...] = ()
    page_result_count: int = 0
    total_result_count: int = 0


class SlowmodeState(Model, kw_only=True):
    """``GET /channels/{channel_id}/slowmode`` (``ChannelSlowmodeStateResponse``):
    the interval in seconds (0 = off) and when the caller may send next."""

    can_bypass: bool = False
    next_send_allowed_at: str | None = None
    rate_limit_per_user: int = 0
    retry_after_ms: int = 0


class VanityUrl(Model, kw_only=True):
    """A guild's vanity invite code (``GuildVanityUrlResponse``, and without ``uses``
    ``GuildVanityUrlUpdateResponse``); ``code`` is ``None`` when none is set."""

    code: str | None = None
    uses: int = 0


class ExpressionMetadata(Model, kw_only=True):
    """``GET /emojis/{id}/metadata`` or ``/stickers/{id}/metadata``
    (``GuildEmojiMetadataResponse`` / ``GuildStickerMetadataResponse``)."""

    allow_cloning: bool = False
    animated: bool = False
    guild_id: str | None = None
    id: str
    name: str | None = None


class BulkCreateFailure(Model, kw_only=True):
    """An item a bulk create refused, by ``name``, with the server's ``error``."""

    error: str | None = None
    name: str | None = None


class EmojiBulkCreate(Model, kw_only=True):
    """``POST /guilds/{guild_id}/emojis/bulk`` (``GuildEmojiBulkCreateResponse``)."""

    failed: tuple[BulkCreateFailure, ...] = ()
    success: tuple[Emoji, ...] = ()


class StickerBulkCreate(Model, kw_only=True):
    """``POST /guilds/{guild_id}/stickers/bulk`` (``GuildStickerBulkCreateResponse``)."""

    failed: tuple[BulkCreateFailure, ...] = ()
    success: tuple[Sticker, ...] = ()
