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

    color: int = 0
    hoist: bool = False
    hoist_position: int | None = None
    id: str
    mentionable: bool = False
    name: str | None = None
    permissions: str = "0"
    position: int = 0
    unicode_emoji: str | None = None


class Emoji(Model, kw_only=True):
    """A custom guild emoji (``GuildEmojiResponse``)."""

    animated: bool = False
    id: str
    name: str | None = None
    nsfw: bool = False
    user: PartialUser | None = None


class Sticker(Model, kw_only=True):
    """A guild sticker (``GuildStickerResponse``)."""

    animated: bool = False
    description: str | None = None
    id: str
    name: str | None = None
    nsfw: bool = False
    tags: tuple[str, ...] = ()
    user: PartialUser | None = None


class Member(Model, kw_only=True):
    """A guild member (``GuildMemberResponse``).

    ``user`` is ``None`` where the wire omits it (the ``member`` attached to MESSAGE_CREATE,
    reactions and typing carries no ``user``; READY members carry only ``{id}``).
    ``roles`` holds role ids.
    """

    accent_color: int | None = None
    avatar: str | None = None
    banner: str | None = None
    communication_disabled_until: str | None = None
    deaf: bool = False
    inviter_id: str | None = None
    join_source_type: int | None = None
    joined_at: str | None = None
    mention_flags: int | None = None
    mute: bool = False
    nick: str | None = None
    profile_flags: int | None = None
    roles: tuple[str, ...] = ()
    source_invite_code: str | None = None
    user: PartialUser | None = None


class Guild(Model, kw_only=True):
    """A guild (``GuildResponse``), flat, as REST and GUILD_UPDATE send it.

    GUILD_CREATE nests these fields under ``properties``; the decoder flattens them into
    :class:`fluxer_rx.models.events.GuildCreate`, a subclass of this class.
    """

    afk_channel_id: str | None = None
    afk_timeout: int = 0
    approximate_member_count: int | None = None
    approximate_presence_count: int | None = None
    banner: str | None = None
    banner_height: int | None = None
    banner_width: int | None = None
    channels: tuple[Channel, ...] | None = None
    content_warning_level: int = 0
    content_warning_text: str | None = None
    default_message_notifications: int = 0
    disabled_operations: int = 0
    embed_splash: str | None = None
    embed_splash_height: int | None = None
    embed_splash_width: int | None = None
    emojis: tuple[Emoji, ...] | None = None
    explicit_content_filter: int = 0
    features: tuple[str, ...] = ()
    icon: str | None = None
    id: str
    member_count: int | None = None
    message_history_cutoff: str | None = None
    mfa_level: int = 0
    name: str | None = None
    nsfw: bool = False
    nsfw_level: int = 0
    online_count: int | None = None
    owner_id: str | None = None
    permissions: str | None = None
    roles: tuple[Role, ...] | None = None
    rules_channel_id: str | None = None
    splash: str | None = None
    splash_card_alignment: int = 0
    splash_height: int | None = None
    splash_width: int | None = None
    stickers: tuple[Sticker, ...] | None = None
    system_channel_flags: int = 0
    system_channel_id: str | None = None
    vanity_url_code: str | None = None
    verification_level: int = 0


class UnavailableGuild(Model, kw_only=True):
    """A guild the session cannot see right now (``{id, unavailable: true}``)."""

    id: str
    unavailable: bool = True
    unavailable_hidden: bool | None = None
