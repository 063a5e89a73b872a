"""Typed payloads of the gateway dispatches a bot receives, one class per event name.

Each class is named after its event in CamelCase (``MESSAGE_CREATE`` -> :class:`MessageCreate`)
and is exactly the object the client's streams emit. :data:`EVENT_TYPES` maps event names
to these classes. Decoding rules that differ from a plain ``msgspec`` decode (flattening
GUILD_CREATE, normalising version differences) live in :mod:`fluxer_rx.models.frame`;
the classes here state the result.

Version differences handled (PROTOCOL.md section 6):

* READY ``rtc_regions``: ids or ``{id, name, emoji}`` objects; both become :class:`RtcRegion`.
* RESUMED ``d``: ``null`` ([S]) or ``{}`` ([N]); both become ``Resumed()``.
* TYPING_START ``timestamp``: milliseconds ([S]) or seconds ([N]); always seconds here.
* Unavailable guilds: a GUILD_CREATE stub ([S]) decodes to ``GuildCreate(unavailable=True)``,
  a GUILD_DELETE ([N]) to ``GuildDelete(unavailable=True)``.
"""

from __future__ import annotations

from typing import Any, Final

from fluxer_rx.models.base import Model
from fluxer_rx.models.channel import Channel
from fluxer_rx.models.guild import Emoji, Guild, Member, Role, Sticker
from fluxer_rx.models.message import Message, PartialEmoji
from fluxer_rx.models.presence import Presence, Session
from fluxer_rx.models.user import PartialUser, PrivateUser
from fluxer_rx.models.voice import VoiceState

__all__ = [
    "ChannelCreate",
    "ChannelDelete",
    "ChannelPinsUpdate",
    "ChannelUpdate",
    "ChannelUpdateBulk",
    "GuildBanAdd",
    "GuildBanRemove",
    "GuildCreate",
    "GuildDelete",
    "GuildEmojisUpdate",
    "GuildMemberAdd",
    "GuildMemberRemove",
    "GuildMemberUpdate",
    "GuildMembersChunk",
    "GuildRoleCreate",
    "GuildRoleDelete",
    "GuildRoleUpdate",
    "GuildRoleUpdateBulk",
    "GuildStickersUpdate",
    "GuildSync",
    "GuildUpdate",
    "InviteCreate",
    "InviteDelete",
    "MessageCreate",
    "MessageDelete",
    "MessageDeleteBulk",
    "MessageReactionAdd",
    "MessageReactionRemove",
    "MessageReactionRemoveAll",
    "MessageReactionRemoveEmoji",
    "MessageUpdate",
    "PresenceUpdate",
    "Ready",
    "Resumed",
    "RtcRegion",
    "SessionsReplace",
    "TypingStart",
    "UserUpdate",
    "VoiceServerUpdate",
    "VoiceStateUpdate",
    "WebhooksUpdate",
]


# --- session -------------------------------------------------------------------------


class RtcRegion(Model, kw_only=True):
    """A voice region; ``name``/``emoji`` are ``None`` when the server sent only the id."""

    emoji: str | None = None
    id: str
    name: str | None = None


class Ready(Model, kw_only=True):
    """READY: the session is established.

    ``session_id`` and ``user`` are required; everything else defaults when absent and
    unknown keys are ignored, so READY decodes across server versions. ``guilds`` are
    :class:`GuildCreate` objects (flattened like GUILD_CREATE); for bots they are empty
    or unavailable stubs (``unavailable=True``). Fields the library does not model are
    kept as plain JSON values (``Any``).
    """

    auth_session_id_hash: str | None = None
    country_code: str | None = None
    favorite_memes: Any = None
    guild_join_requests: Any = None
    guilds: tuple[GuildCreate, ...] = ()
    notes: Any = None
    pinned_dms: Any = None
    presences: tuple[Presence, ...] = ()
    private_channels: tuple[Channel, ...] = ()
    read_states: Any = None
    relationships: tuple[Any, ...] = ()
    resume_gateway_url: str | None = None
    rtc_regions: tuple[RtcRegion, ...] | None = None
    session_id: str
    sessions: tuple[Session, ...] = ()
    shard: tuple[int, ...] | None = None
    user: PrivateUser
    user_guild_settings: Any = None
    user_settings: Any = None
    users: tuple[PartialUser, ...] = ()
    version: int | None = None


class Resumed(Model, kw_only=True):
    """RESUMED: the replay after a RESUME is complete (``d`` is ``null`` or ``{}``)."""


class SessionsReplace(Model, kw_only=True):
    """SESSIONS_REPLACE: the user's sessions changed; ``d`` on the wire is the list itself."""

    sessions: tuple[Session, ...] = ()


class UserUpdate(PrivateUser, kw_only=True):
    """USER_UPDATE: the logged-in user changed; the full private user."""


class PresenceUpdate(Presence, kw_only=True):
    """PRESENCE_UPDATE: a user's status changed."""


# --- guilds ----------------------------------------------------------------------------


class GuildCreate(Guild, kw_only=True):
    """GUILD_CREATE: a guild became available (or was joined), with its full state.

    The wire nests the guild under ``properties``; here those fields are flat (``.name``,
    ``.owner_id``, ...), next to ``roles``, ``channels``, ``emojis``, ``stickers``,
    ``members`` (usually only the bot's own member), ``voice_states`` and ``joined_at``.
    An unavailable guild (``{id, unavailable: true}``) has ``unavailable=True`` and every
    other field at its default. A flat (Discord-shaped) payload decodes too.
    """

    joined_at: str | None = None
    members: tuple[Member, ...] = ()
    presences: tuple[Presence, ...] = ()
    unavailable: bool = False
    unavailable_hidden: bool | None = None
    voice_states: tuple[VoiceState, ...] = ()


class GuildSync(GuildCreate, kw_only=True):
    """GUILD_SYNC ([N]): same shape as GUILD_CREATE."""


class GuildUpdate(Guild, kw_only=True):
    """GUILD_UPDATE: the flat guild object after the change."""

    guild_id: str | None = None


class GuildDelete(Model, kw_only=True):
    """GUILD_DELETE: ``unavailable=True`` means an outage (the guild stays joined);
    otherwise the bot left or was removed, or the guild was deleted (``guild_id`` set)."""

    guild_id: str | None = None
    id: str
    unavailable: bool = False
    unavailable_hidden: bool | None = None


class GuildMemberAdd(Member, kw_only=True):
    """GUILD_MEMBER_ADD: a full member plus ``guild_id``."""

    guild_id: str


class GuildMemberUpdate(Member, kw_only=True):
    """GUILD_MEMBER_UPDATE: the full member after the change, plus ``guild_id``."""

    guild_id: str


class GuildMemberRemove(Model, kw_only=True):
    """GUILD_MEMBER_REMOVE: only ``user.id`` is reliably present."""

    guild_id: str
    user: PartialUser


class GuildMembersChunk(Model, kw_only=True):
    """GUILD_MEMBERS_CHUNK: one reply chunk (at most 1000 members) to REQUEST_GUILD_MEMBERS."""

    chunk_count: int = 1
    chunk_index: int = 0
    guild_id: str
    members: tuple[Member, ...] = ()
    nonce: str | None = None
    not_found: tuple[str, ...] | None = None
    presences: tuple[Presence, ...] | None = None


class GuildRoleCreate(Model, kw_only=True):
    """GUILD_ROLE_CREATE."""

    guild_id: str
    role: Role


class GuildRoleUpdate(Model, kw_only=True):
    """GUILD_ROLE_UPDATE: the role after the change."""

    guild_id: str
    role: Role


class GuildRoleUpdateBulk(Model, kw_only=True):
    """GUILD_ROLE_UPDATE_BULK: several roles changed (e.g. positions)."""

    guild_id: str
    roles: tuple[Role, ...] = ()


class GuildRoleDelete(Model, kw_only=True):
    """GUILD_ROLE_DELETE."""

    guild_id: str
    role_id: str


class GuildEmojisUpdate(Model, kw_only=True):
    """GUILD_EMOJIS_UPDATE: the guild's whole emoji collection."""

    emojis: tuple[Emoji, ...] = ()
    guild_id: str


class GuildStickersUpdate(Model, kw_only=True):
    """GUILD_STICKERS_UPDATE: the guild's whole sticker collection."""

    guild_id: str
    stickers: tuple[Sticker, ...] = ()


class GuildBanAdd(Model, kw_only=True):
    """GUILD_BAN_ADD."""

    guild_id: str
    user: PartialUser


class GuildBanRemove(Model, kw_only=True):
    """GUILD_BAN_REMOVE."""

    guild_id: str
    user: PartialUser


# --- channels --------------------------------------------------------------------------


class ChannelCreate(Channel, kw_only=True):
    """CHANNEL_CREATE: the new channel."""


class ChannelUpdate(Channel, kw_only=True):
    """CHANNEL_UPDATE: the channel after the change."""


class ChannelDelete(Channel, kw_only=True):
    """CHANNEL_DELETE: the channel as it was before deletion."""


class ChannelUpdateBulk(Model, kw_only=True):
    """CHANNEL_UPDATE_BULK: several channels changed; only those this session can view."""

    channels: tuple[Channel, ...] = ()
    guild_id: str | None = None


class ChannelPinsUpdate(Model, kw_only=True):
    """CHANNEL_PINS_UPDATE."""

    channel_id: str
    guild_id: str | None = None
    last_pin_timestamp: str | None = None


# --- invites, webhooks -----------------------------------------------------------------


class InviteCreate(Model, kw_only=True):
    """INVITE_CREATE (sent only to sessions with MANAGE_CHANNELS)."""

    channel_id: str | None = None
    code: str
    created_at: str | None = None
    expires_at: str | None = None
    guild_id: str | None = None
    inviter: PartialUser | None = None
    max_age: int | None = None
    max_uses: int | None = None
    temporary: bool = False
    type: int | None = None
    uses: int = 0


class InviteDelete(Model, kw_only=True):
    """INVITE_DELETE."""

    channel_id: str | None = None
    code: str
    guild_id: str | None = None


class WebhooksUpdate(Model, kw_only=True):
    """WEBHOOKS_UPDATE: a channel's webhooks changed (fetch them via REST)."""

    channel_id: str | None = None
    guild_id: str | None = None


# --- messages --------------------------------------------------------------------------


class MessageCreate(Message, kw_only=True):
    """MESSAGE_CREATE: the message itself (``.id``, ``.channel_id``, ``.content``,
    ``.author``, ...) with ``guild_id`` (``None`` in DMs), ``member`` (the author's guild
    member, without ``user``) and ``channel_type`` filled in by the gateway."""


class MessageUpdate(Message, kw_only=True):
    """MESSAGE_UPDATE: the full current message with ``guild_id`` and ``member``."""


class MessageDelete(Model, kw_only=True):
    """MESSAGE_DELETE; ``content`` and ``author_id`` are sent by [S] when known."""

    author_id: str | None = None
    channel_id: str
    content: str | None = None
    guild_id: str | None = None
    id: str
    member: Member | None = None


class MessageDeleteBulk(Model, kw_only=True):
    """MESSAGE_DELETE_BULK."""

    channel_id: str
    guild_id: str | None = None
    ids: tuple[str, ...]


class MessageReactionAdd(Model, kw_only=True):
    """MESSAGE_REACTION_ADD; ``member`` is set in guilds, ``session_id`` only in DMs when
    the REST call passed one."""

    channel_id: str
    emoji: PartialEmoji
    guild_id: str | None = None
    member: Member | None = None
    message_id: str
    session_id: str | None = None
    user_id: str


class MessageReactionRemove(Model, kw_only=True):
    """MESSAGE_REACTION_REMOVE."""

    channel_id: str
    emoji: PartialEmoji
    guild_id: str | None = None
    member: Member | None = None
    message_id: str
    session_id: str | None = None
    user_id: str


class MessageReactionRemoveAll(Model, kw_only=True):
    """MESSAGE_REACTION_REMOVE_ALL; ``emoji`` is set by the [S] DM quirk in which removing
    one emoji's reactions is sent under this name."""

    channel_id: str
    emoji: PartialEmoji | None = None
    guild_id: str | None = None
    message_id: str


class MessageReactionRemoveEmoji(Model, kw_only=True):
    """MESSAGE_REACTION_REMOVE_EMOJI: every reaction with ``emoji`` was removed."""

    channel_id: str
    emoji: PartialEmoji
    guild_id: str | None = None
    message_id: str


class TypingStart(Model, kw_only=True):
    """TYPING_START; ``timestamp`` is Unix time in **seconds** (float).

    [S] sends milliseconds, [N] documents seconds: a wire value above 10**11 is taken as
    milliseconds and divided by 1000 (10**11 s is in the year 5138, 10**11 ms in 1973).
    """

    channel_id: str
    guild_id: str | None = None
    member: Member | None = None
    timestamp: float | None = None
    user_id: str

    def __post_init__(self) -> None:
        if self.timestamp is not None and self.timestamp > _MS_THRESHOLD:
            self.timestamp = self.timestamp / 1000


_MS_THRESHOLD: Final = 10**11


# --- voice -----------------------------------------------------------------------------


class VoiceStateUpdate(VoiceState, kw_only=True):
    """VOICE_STATE_UPDATE: a user's voice state changed."""


class VoiceServerUpdate(Model, kw_only=True):
    """VOICE_SERVER_UPDATE: where to connect for voice (LiveKit). ``token`` is a secret and
    is left out of ``repr``."""

    channel_id: str | None = None
    connection_id: str | None = None
    endpoint: str | None = None
    guild_id: str | None = None
    token: str

    def __repr__(self) -> str:
        return (
            f"VoiceServerUpdate(token=<hidden>, endpoint={self.endpoint!r}, "
            f"connection_id={self.connection_id!r}, channel_id={self.channel_id!r}, "
            f"guild_id={self.guild_id!r})"
        )
