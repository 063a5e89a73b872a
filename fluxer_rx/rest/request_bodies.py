"""Request bodies of the typed endpoints, as msgspec Structs checked against the digest.

Each Struct is the JSON object one route takes (its digest schema is named in the
docstring). Fields are wire names in alphabetical order; ids are decimal strings and arrays
tuples, as in :mod:`fluxer_rx.models`. A field left at ``UNSET`` is not sent at all, so an
edit changes only what it names; ``None`` is sent as ``null`` (it clears the value) on the
fields typed ``... | None``. Endpoints accept these Structs or a plain mapping.
"""

from __future__ import annotations

import msgspec
from msgspec import UNSET, UnsetType

__all__ = [
    "ChannelOverwrite",
    "ChannelPosition",
    "CurrentMemberEdit",
    "CurrentUserEdit",
    "EmojiClone",
    "EmojiEdit",
    "GuildEdit",
    "InviteOptions",
    "MemberEdit",
    "MemberSearchQuery",
    "NewChannel",
    "NewEmoji",
    "NewEmojis",
    "NewRole",
    "NewSticker",
    "NewStickers",
    "NewWebhook",
    "OverwriteEdit",
    "PrivateChannelRecipient",
    "RequestBody",
    "RoleEdit",
    "RoleHoistPosition",
    "RolePosition",
    "StickerClone",
    "StickerEdit",
    "WebhookEdit",
    "WebhookTokenEdit",
]


class RequestBody(msgspec.Struct, kw_only=True, omit_defaults=True):
    """Base of the request bodies: keyword-only; unset fields are left out of the JSON."""


class PrivateChannelRecipient(RequestBody, kw_only=True):
    """``POST /users/@me/channels`` (``CreatePrivateChannelRequest``): a DM with one user."""

    recipient_id: str | UnsetType = UNSET
    recipients: tuple[str, ...] | UnsetType = UNSET


class MemberEdit(RequestBody, kw_only=True):
    """``PATCH /guilds/{guild_id}/members/{user_id}`` (``GuildMemberUpdateRequest``).

    ``communication_disabled_until`` (ISO 8601) times the member out; ``None`` lifts it.
    ``channel_id`` moves the member between voice channels (``None`` disconnects).
    """

    channel_id: str | UnsetType | None = UNSET
    communication_disabled_until: str | UnsetType | None = UNSET
    deaf: bool | UnsetType = UNSET
    mute: bool | UnsetType = UNSET
    nick: str | UnsetType | None = UNSET
    roles: tuple[str, ...] | UnsetType = UNSET
    timeout_reason: str | UnsetType | None = UNSET


class NewRole(RequestBody, kw_only=True):
    """``POST /guilds/{guild_id}/roles`` (``GuildRoleCreateRequest``)."""

    color: int | UnsetType = UNSET
    name: str
    permissions: str | UnsetType = UNSET


class RoleEdit(RequestBody, kw_only=True):
    """``PATCH /guilds/{guild_id}/roles/{role_id}`` (``GuildRoleUpdateRequest``)."""

    color: int | UnsetType = UNSET
    hoist: bool | UnsetType = UNSET
    hoist_position: int | UnsetType | None = UNSET
    mentionable: bool | UnsetType = UNSET
    name: str | UnsetType = UNSET
    permissions: str | UnsetType = UNSET


class RolePosition(RequestBody, kw_only=True):
    """One item of ``PATCH /guilds/{guild_id}/roles`` (``GuildRolePositionsRequestItem``)."""

    id: str
    position: int | UnsetType = UNSET


class OverwriteEdit(RequestBody, kw_only=True):
    """A permission overwrite: ``PUT /channels/{id}/permissions/{overwrite_id}``
    (``PermissionOverwriteCreateRequest``). ``type`` 0 = role, 1 = member; bitfields as
    decimal strings."""

    allow: str | UnsetType = UNSET
    deny: str | UnsetType = UNSET
    type: int


class ChannelOverwrite(OverwriteEdit, kw_only=True):
    """An item of ``NewChannel.permission_overwrites``: an overwrite for role or member ``id``."""

    id: str


class NewChannel(RequestBody, kw_only=True):
    """``POST /guilds/{guild_id}/channels`` (``ChannelCreateRequest``; ``type`` 0 text,
    2 voice, 4 category, 998 link)."""

    bitrate: int | UnsetType | None = UNSET
    content_warning_level: int | UnsetType | None = UNSET
    content_warning_text: str | UnsetType | None = UNSET
    name: str
    nsfw: bool | UnsetType = UNSET
    nsfw_override: bool | UnsetType | None = UNSET
    parent_id: str | UnsetType | None = UNSET
    permission_overwrites: tuple[ChannelOverwrite, ...] | UnsetType = UNSET
    rate_limit_per_user: int | UnsetType = UNSET
    topic: str | UnsetType | None = UNSET
    type: int = 0
    url: str | UnsetType | None = UNSET
    user_limit: int | UnsetType | None = UNSET
    voice_connection_limit: int | UnsetType | None = UNSET


class ChannelPosition(RequestBody, kw_only=True):
    """One item of ``PATCH /guilds/{guild_id}/channels`` (``ChannelPositionUpdateRequestItem``)."""

    id: str
    lock_permissions: bool | UnsetType = UNSET
    parent_id: str | UnsetType | None = UNSET
    position: int | UnsetType = UNSET
    preceding_sibling_id: str | UnsetType | None = UNSET


class GuildEdit(RequestBody, kw_only=True):
    """``PATCH /guilds/{guild_id}`` (``GuildUpdateRequest``, without its owner-only MFA
    fields). Images are data URIs (``data:image/png;base64,...``)."""

    afk_channel_id: str | UnsetType | None = UNSET
    afk_timeout: int | UnsetType = UNSET
    banner: str | UnsetType | None = UNSET
    content_warning_level: int | UnsetType = UNSET
    content_warning_text: str | UnsetType | None = UNSET
    default_message_notifications: int | UnsetType = UNSET
    embed_splash: str | UnsetType | None = UNSET
    explicit_content_filter: int | UnsetType = UNSET
    features: tuple[str, ...] | UnsetType = UNSET
    icon: str | UnsetType | None = UNSET
    message_history_cutoff: str | UnsetType | None = UNSET
    name: str | UnsetType = UNSET
    nsfw: bool | UnsetType = UNSET
    nsfw_level: int | UnsetType = UNSET
    splash: str | UnsetType | None = UNSET
    splash_card_alignment: int | UnsetType = UNSET
    system_channel_flags: int | UnsetType = UNSET
    system_channel_id: str | UnsetType | None = UNSET
    verification_level: int | UnsetType = UNSET


class CurrentUserEdit(RequestBody, kw_only=True):
    """``PATCH /users/@me`` (``UserUpdateWithVerificationRequest``, the profile fields a
    bot may change)."""

    accent_color: int | UnsetType | None = UNSET
    avatar: str | UnsetType | None = UNSET
    banner: str | UnsetType | None = UNSET
    bio: str | UnsetType | None = UNSET
    global_name: str | UnsetType | None = UNSET
    pronouns: str | UnsetType | None = UNSET
    username: str | UnsetType = UNSET


class InviteOptions(RequestBody, kw_only=True):
    """``POST /channels/{channel_id}/invites`` (``ChannelInviteCreateRequest``):
    ``max_age`` in seconds (0 = never expires), ``max_uses`` (0 = unlimited)."""

    max_age: int | UnsetType = UNSET
    max_uses: int | UnsetType = UNSET
    temporary: bool | UnsetType = UNSET
    unique: bool | UnsetType = UNSET


class NewWebhook(RequestBody, kw_only=True):
    """``POST /channels/{channel_id}/webhooks`` (``WebhookCreateRequest``)."""

    avatar: str | UnsetType | None = UNSET
    name: str


class WebhookEdit(RequestBody, kw_only=True):
    """``PATCH /webhooks/{webhook_id}`` (``WebhookUpdateRequest``); ``channel_id`` moves it."""

    avatar: str | UnsetType | None = UNSET
    channel_id: str | UnsetType = UNSET
    name: str | UnsetType = UNSET


class WebhookTokenEdit(RequestBody, kw_only=True):
    """``PATCH /webhooks/{webhook_id}/{token}`` (``WebhookTokenUpdateRequest``)."""

    avatar: str | UnsetType | None = UNSET
    name: str | UnsetType = UNSET


class NewEmoji(RequestBody, kw_only=True):
    """``POST /guilds/{guild_id}/emojis`` (``GuildEmojiCreateRequest``); ``image`` is a
    data URI."""

    image: str
    name: str


class EmojiEdit(RequestBody, kw_only=True):
    """``PATCH /guilds/{guild_id}/emojis/{emoji_id}`` (``GuildEmojiUpdateRequest``)."""

    name: str


class NewSticker(RequestBody, kw_only=True):
    """``POST /guilds/{guild_id}/stickers`` (``GuildStickerCreateRequest``)."""

    description: str | UnsetType | None = UNSET
    image: str
    name: str
    tags: tuple[str, ...] | UnsetType = UNSET


class StickerEdit(RequestBody, kw_only=True):
    """``PATCH /guilds/{guild_id}/stickers/{sticker_id}`` (``GuildStickerUpdateRequest``)."""

    description: str | UnsetType | None = UNSET
    name: str
    tags: tuple[str, ...] | UnsetType = UNSET


class CurrentMemberEdit(RequestBody, kw_only=True):
    """``PATCH /guilds/{guild_id}/members/@me`` (``MyGuildMemberUpdateRequest``, the
    guild profile a bot may set for itself). ``nick`` ``None`` clears the nickname."""

    accent_color: int | UnsetType | None = UNSET
    avatar: str | UnsetType | None = UNSET
    banner: str | UnsetType | None = UNSET
    bio: str | UnsetType | None = UNSET
    nick: str | UnsetType | None = UNSET
    pronouns: str | UnsetType | None = UNSET


class MemberSearchQuery(RequestBody, kw_only=True):
    """``POST /guilds/{guild_id}/members-search`` (``GuildMemberSearchRequest``).

    ``query`` matches usernames, global names and nicknames; ``role_ids`` must all be held;
    timestamps are Unix seconds; ``sort_by`` ``"joinedAt"`` or ``"relevance"``,
    ``sort_order`` ``"asc"`` or ``"desc"``; ``limit``/``offset`` page the results.
    """

    is_bot: bool | UnsetType = UNSET
    joined_at_gte: int | UnsetType = UNSET
    joined_at_lte: int | UnsetType = UNSET
    limit: int | UnsetType = UNSET
    offset: int | UnsetType = UNSET
    query: str | UnsetType = UNSET
    role_ids: tuple[str, ...] | UnsetType = UNSET
    sort_by: str | UnsetType = UNSET
    sort_order: str | UnsetType = UNSET
    user_created_at_gte: int | UnsetType = UNSET
    user_created_at_lte: int | UnsetType = UNSET


class RoleHoistPosition(RequestBody, kw_only=True):
    """One item of ``PATCH /guilds/{guild_id}/roles/hoist-positions``
    (``GuildRoleHoistPositionsRequestItem``): where a hoisted role shows in the member list."""

    hoist_position: int
    id: str


class NewEmojis(RequestBody, kw_only=True):
    """``POST /guilds/{guild_id}/emojis/bulk`` (``GuildEmojiBulkCreateRequest``, 1..50)."""

    emojis: tuple[NewEmoji, ...]


class NewStickers(RequestBody, kw_only=True):
    """``POST /guilds/{guild_id}/stickers/bulk`` (``GuildStickerBulkCreateRequest``, 1..50)."""

    stickers: tuple[NewSticker, ...]


class EmojiClone(RequestBody, kw_only=True):
    """``POST /guilds/{guild_id}/emojis/clone`` (``GuildEmojiCloneRequest``)."""

    source_emoji_id: str


class StickerClone(RequestBody, kw_only=True):
    """``POST /guilds/{guild_id}/stickers/clone`` (``GuildStickerCloneRequest``)."""

    source_sticker_id: str
