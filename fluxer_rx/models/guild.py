"""Guilds and what hangs off them: roles, emojis, stickers, members, unavailable guilds."""

from __future__ import annotations

from fluxer_rx.models.base import Model
from fluxer_rx.models.channel import Channel
from fluxer_rx.models.user import PartialUser

__all__ = ["Emoji", "Guild", "Member", "Role", "Sticker", "UnavailableGuild"]


class Role(Model, kw_only=True):
    """A guild role (``GuildRoleResponse``); the @everyone role's id equals the guild id.

    ``permissions`` is a decimal-string bitfield.
    """

    id: str
    name: str | None = None
    color: int = 0
    position: int = 0
    hoist_position: int | None = None
    permissions: str = "0"
    hoist: bool = False
    mentionable: bool = False
    unicode_emoji: str | None = None


class Emoji(Model, kw_only=True):
    """A custom guild emoji (``GuildEmojiResponse``)."""

    id: str
    name: str | None = None
    animated: bool = False
    nsfw: bool = False
    user: PartialUser | None = None


class Sticker(Model, kw_only=True):
    """A guild sticker (``GuildStickerResponse``)."""

    id: str
    name: str | None = None
    description: str | None = None
    tags: list[str] = []
    animated: bool = False
    nsfw: bool = False
    user: PartialUser | None = None


class Member(Model, kw_only=True):
    """A guild member (``GuildMemberResponse``).

    ``user`` is ``None`` where the wire omits it (the ``member`` attached to MESSAGE_CREATE,
    reactions and typing carries no ``user``; READY members carry only ``{id}``).
    ``roles`` holds role ids.
    """

    user: PartialUser | None = None
    nick: str | None = None
    avatar: str | None = None
    banner: str | None = None
    accent_color: int | None = None
    roles: list[str] = []
    joined_at: str | None = None
    join_source_type: int | None = None
    source_invite_code: str | None = None
    inviter_id: str | None = None
    mute: bool = False
    deaf: bool = False
    communication_disabled_until: str | None = None
    profile_flags: int | None = None
    mention_flags: int | None = None


class Guild(Model, kw_only=True):
    """A guild (``GuildResponse``), flat, as REST and GUILD_UPDATE send it.

    GUILD_CREATE nests these fields under ``properties``; the decoder flattens them into
    :class:`fluxer_rx.models.events.GuildCreate`, a subclass of this class.
    """

    id: str
    name: str | None = None
    icon: str | None = None
    banner: str | None = None
    banner_width: int | None = None
    banner_height: int | None = None
    splash: str | None = None
    splash_width: int | None = None
    splash_height: int | None = None
    splash_card_alignment: int = 0
    embed_splash: str | None = None
    embed_splash_width: int | None = None
    embed_splash_height: int | None = None
    vanity_url_code: str | None = None
    owner_id: str | None = None
    system_channel_id: str | None = None
    system_channel_flags: int = 0
    rules_channel_id: str | None = None
    afk_channel_id: str | None = None
    afk_timeout: int = 0
    features: list[str] = []
    verification_level: int = 0
    mfa_level: int = 0
    nsfw_level: int = 0
    nsfw: bool = False
    content_warning_level: int = 0
    content_warning_text: str | None = None
    explicit_content_filter: int = 0
    default_message_notifications: int = 0
    disabled_operations: int = 0
    message_history_cutoff: str | None = None
    permissions: str | None = None
    roles: list[Role] | None = None
    emojis: list[Emoji] | None = None
    stickers: list[Sticker] | None = None
    channels: list[Channel] | None = None
    member_count: int | None = None
    online_count: int | None = None
    approximate_member_count: int | None = None
    approximate_presence_count: int | None = None


class UnavailableGuild(Model, kw_only=True):
    """A guild the session cannot see right now (``{id, unavailable: true}``)."""

    id: str
    unavailable: bool = True
    unavailable_hidden: bool | None = None
