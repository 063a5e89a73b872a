"""The compact forms the cache stores, and how each is built from a wire model.

Cached objects are slimmer than the wire models and refer to each other by id: a
:class:`CachedMember` holds ``user_id`` (the user is stored once, in ``cache.users``), and
its ``roles`` is a tuple shared by every member with the same role set. All are msgspec
Structs with ``gc=False`` (never tracked by the garbage collector), so a million cached
members add nothing to a GC pause.

They are the cache's own objects: read them, do not mutate them (the cache updates some
in place when an event changes them). Use :meth:`CachedUser.to_wire`,
:meth:`CachedChannel.to_wire` and ``Cache.member_to_wire`` for independent wire copies.
"""

from __future__ import annotations

from typing import Any, Final

import msgspec

from fluxer_rx.models.channel import Channel, PermissionOverwrite
from fluxer_rx.models.guild import Emoji, Guild, Member, Role, Sticker
from fluxer_rx.models.presence import CustomStatus, Presence
from fluxer_rx.models.user import PartialUser

__all__ = [
    "GUILD_PROPERTY_FIELDS",
    "CachedChannel",
    "CachedGuild",
    "CachedMember",
    "CachedPresence",
    "CachedUser",
    "RoleTuples",
]


class CachedUser(msgspec.Struct, kw_only=True, gc=False):
    """A user, stored once however many guilds it is a member of.

    Same field names and meanings as :class:`~fluxer_rx.models.PartialUser`; ``bot`` and
    ``system`` are plain bools (``False`` when the wire omitted them).
    """

    id: str
    username: str | None = None
    discriminator: str | None = None
    global_name: str | None = None
    avatar: str | None = None
    avatar_color: int | None = None
    bot: bool = False
    system: bool = False
    flags: int = 0
    banner: str | None = None

    @property
    def name(self) -> str | None:
        """The name to show: ``global_name`` when set, else ``username``."""
        return self.global_name or self.username

    @property
    def mention(self) -> str:
        """``<@id>``."""
        return f"<@{self.id}>"

    def to_wire(self) -> PartialUser:
        """A new :class:`~fluxer_rx.models.PartialUser` with this user's fields."""
        return PartialUser(
            id=self.id,
            username=self.username,
            discriminator=self.discriminator,
            global_name=self.global_name,
            avatar=self.avatar,
            avatar_color=self.avatar_color,
            bot=self.bot or None,
            system=self.system or None,
            flags=self.flags,
            banner=self.banner,
        )


class CachedMember(msgspec.Struct, kw_only=True, gc=False):
    """A guild member without its user: ``user_id`` refers to ``cache.users``.

    ``roles`` holds role ids, sorted, as a tuple shared between members with the same
    roles. ``flags`` is the wire ``profile_flags`` (0 when absent).
    """

    guild_id: str
    user_id: str
    nick: str | None = None
    avatar: str | None = None
    roles: tuple[str, ...] = ()
    joined_at: str | None = None
    communication_disabled_until: str | None = None
    mute: bool = False
    deaf: bool = False
    flags: int = 0

    @property
    def id(self) -> str:
        """The member's user id (same as ``user_id``)."""
        return self.user_id

    @property
    def mention(self) -> str:
        """``<@user_id>``."""
        return f"<@{self.user_id}>"


class CachedGuild(msgspec.Struct, kw_only=True, gc=False):
    """A guild: its properties (the flat :class:`~fluxer_rx.models.Guild` fields), its role,
    emoji and sticker tables by id, and the ids of its cached channels.

    ``unavailable`` is true during an outage (GUILD_DELETE or GUILD_CREATE with
    ``unavailable``); a stub known only from READY has ``name is None`` too.
    ``channel_ids`` always equals the set of ``cache.channels`` entries whose
    ``guild_id`` is this guild. ``member_count`` is the server's count, kept up to date
    by member add/remove events (it is not the number of cached members).
    """

    id: str
    name: str | None = None
    icon: str | None = None
    banner: str | None = None
    splash: str | None = None
    owner_id: str | None = None
    vanity_url_code: str | None = None
    system_channel_id: str | None = None
    system_channel_flags: int = 0
    rules_channel_id: str | None = None
    afk_channel_id: str | None = None
    afk_timeout: int = 0
    features: tuple[str, ...] = ()
    verification_level: int = 0
    mfa_level: int = 0
    nsfw_level: int = 0
    nsfw: bool = False
    explicit_content_filter: int = 0
    default_message_notifications: int = 0
    disabled_operations: int = 0
    permissions: str | None = None
    member_count: int | None = None
    online_count: int | None = None
    joined_at: str | None = None
    unavailable: bool = False
    roles: dict[str, Role] = {}
    emojis: dict[str, Emoji] = {}
    stickers: dict[str, Sticker] = {}
    channel_ids: set[str] = set()

    @property
    def everyone_role(self) -> Role | None:
        """The @everyone role (its id equals the guild id), when known."""
        return self.roles.get(self.id)


GUILD_PROPERTY_FIELDS: Final[tuple[str, ...]] = tuple(
    name
    for name in CachedGuild.__struct_fields__
    if name in Guild.__struct_fields__
    and name not in ("id", "roles", "emojis", "stickers", "member_count", "online_count")
)
"""The guild property fields GUILD_CREATE and GUILD_UPDATE overwrite."""


class CachedChannel(msgspec.Struct, kw_only=True, gc=False):
    """A channel; same fields as :class:`~fluxer_rx.models.Channel`, except that DM
    ``recipients`` are stored as ``recipient_ids`` (the users live in ``cache.users``)
    and lists are tuples."""

    id: str
    type: int = 0
    guild_id: str | None = None
    name: str | None = None
    topic: str | None = None
    url: str | None = None
    icon: str | None = None
    owner_id: str | None = None
    position: int | None = None
    parent_id: str | None = None
    bitrate: int | None = None
    user_limit: int | None = None
    rtc_region: str | None = None
    last_message_id: str | None = None
    last_pin_timestamp: str | None = None
    permission_overwrites: tuple[PermissionOverwrite, ...] = ()
    recipient_ids: tuple[str, ...] = ()
    nsfw: bool = False
    rate_limit_per_user: int | None = None

    @property
    def mention(self) -> str:
        """``<#id>``."""
        return f"<#{self.id}>"

    def to_wire(self) -> Channel:
        """A new :class:`~fluxer_rx.models.Channel` with this channel's fields
        (``recipients`` as id-only users)."""
        fields: dict[str, Any] = {name: getattr(self, name) for name in _CHANNEL_COPY}
        fields["permission_overwrites"] = list(self.permission_overwrites)
        if self.recipient_ids:
            fields["recipients"] = [PartialUser(id=uid) for uid in self.recipient_ids]
        return Channel(**fields)


_CHANNEL_COPY: Final = tuple(
    name
    for name in CachedChannel.__struct_fields__
    if name not in ("permission_overwrites", "recipient_ids")
)


class CachedPresence(msgspec.Struct, kw_only=True, gc=False):
    """A user's last known presence (kept only with ``cache_presences=True``)."""

    user_id: str
    status: str | None = None
    mobile: bool = False
    afk: bool = False
    custom_status: CustomStatus | None = None


class RoleTuples:
    """Interns role-id tuples: members with the same roles share one sorted tuple.

    The table grows with the number of distinct role sets seen (and their wire
    orderings); :meth:`clear` empties it.
    """

    __slots__ = ("_table",)

    def __init__(self) -> None:
        self._table: dict[tuple[str, ...], tuple[str, ...]] = {(): ()}

    def get(self, roles: list[str] | tuple[str, ...]) -> tuple[str, ...]:
        """The shared sorted tuple holding ``roles``."""
        key = tuple(roles)
        shared = self._table.get(key)
        if shared is None:
            ordered = tuple(sorted(key))
            shared = self._table.setdefault(ordered, ordered)
            self._table[key] = shared
        return shared

    def clear(self) -> None:
        """Forget every interned tuple."""
        self._table = {(): ()}

    def __len__(self) -> int:
        return len(self._table)


# --- builders from wire models ----------------------------------------------------------


def user_from_wire(user: PartialUser) -> CachedUser:
    """The cached form of a wire user."""
    return CachedUser(
        id=user.id,
        username=user.username,
        discriminator=user.discriminator,
        global_name=user.global_name,
        avatar=user.avatar,
        avatar_color=user.avatar_color,
        bot=bool(user.bot),
        system=bool(user.system),
        flags=user.flags,
        banner=user.banner,
    )


def update_user(cached: CachedUser, user: PartialUser) -> None:
    """Copy ``user``'s fields into ``cached`` (only when something changed)."""
    if (
        cached.username != user.username
        or cached.global_name != user.global_name
        or cached.avatar != user.avatar
        or cached.discriminator != user.discriminator
        or cached.flags != user.flags
        or cached.avatar_color != user.avatar_color
        or cached.banner != user.banner
        or cached.bot != bool(user.bot)
    ):
        cached.username = user.username
        cached.discriminator = user.discriminator
        cached.global_name = user.global_name
        cached.avatar = user.avatar
        cached.avatar_color = user.avatar_color
        cached.bot = bool(user.bot)
        cached.system = bool(user.system)
        cached.flags = user.flags
        cached.banner = user.banner


def member_from_wire(
    member: Member, guild_id: str, user_id: str, role_tuples: RoleTuples
) -> CachedMember:
    """The cached form of a wire member of ``guild_id`` whose user is ``user_id``."""
    return CachedMember(
        guild_id=guild_id,
        user_id=user_id,
        nick=member.nick,
        avatar=member.avatar,
        roles=role_tuples.get(member.roles),
        joined_at=member.joined_at,
        communication_disabled_until=member.communication_disabled_until,
        mute=member.mute,
        deaf=member.deaf,
        flags=member.profile_flags or 0,
    )


def same_member(cached: CachedMember, member: Member) -> bool:
    """Whether ``member`` would leave ``cached`` unchanged (role order ignored)."""
    return (
        cached.nick == member.nick
        and cached.joined_at == member.joined_at
        and cached.avatar == member.avatar
        and cached.communication_disabled_until == member.communication_disabled_until
        and cached.mute == member.mute
        and cached.deaf == member.deaf
        and cached.flags == (member.profile_flags or 0)
        and len(cached.roles) == len(member.roles)
        and (cached.roles == tuple(member.roles) or set(cached.roles) == set(member.roles))
    )


def guild_from_wire(guild: Guild, guild_id: str) -> CachedGuild:
    """The cached form of a wire guild (roles, emojis and stickers by id; no channels)."""
    cached = CachedGuild(
        id=guild_id,
        roles={},
        emojis={},
        stickers={},
        channel_ids=set(),
        member_count=guild.member_count,
        online_count=guild.online_count,
    )
    update_guild(cached, guild)
    return cached


def update_guild(cached: CachedGuild, guild: Guild) -> None:
    """Copy the properties of a flat wire guild into ``cached``; the role, emoji and
    sticker tables are replaced when the wire carries them (not ``None``)."""
    for name in GUILD_PROPERTY_FIELDS:
        value = getattr(guild, name)
        setattr(cached, name, tuple(value) if name == "features" else value)
    if guild.member_count is not None:
        cached.member_count = guild.member_count
    if guild.online_count is not None:
        cached.online_count = guild.online_count
    if guild.roles is not None:
        cached.roles = {role.id: role for role in guild.roles}
    if guild.emojis is not None:
        cached.emojis = {emoji.id: emoji for emoji in guild.emojis}
    if guild.stickers is not None:
        cached.stickers = {sticker.id: sticker for sticker in guild.stickers}


def channel_from_wire(channel: Channel, guild_id: str | None) -> CachedChannel:
    """The cached form of a wire channel (belonging to ``guild_id``)."""
    return CachedChannel(
        id=channel.id,
        type=channel.type,
        guild_id=guild_id,
        name=channel.name,
        topic=channel.topic,
        url=channel.url,
        icon=channel.icon,
        owner_id=channel.owner_id,
        position=channel.position,
        parent_id=channel.parent_id,
        bitrate=channel.bitrate,
        user_limit=channel.user_limit,
        rtc_region=channel.rtc_region,
        last_message_id=channel.last_message_id,
        last_pin_timestamp=channel.last_pin_timestamp,
        permission_overwrites=tuple(channel.permission_overwrites or ()),
        recipient_ids=tuple(u.id for u in channel.recipients or ()),
        nsfw=bool(channel.nsfw),
        rate_limit_per_user=channel.rate_limit_per_user,
    )


def presence_from_wire(presence: Presence, user_id: str) -> CachedPresence:
    """The cached form of a presence."""
    return CachedPresence(
        user_id=user_id,
        status=presence.status,
        mobile=presence.mobile,
        afk=presence.afk,
        custom_status=presence.custom_status,
    )
