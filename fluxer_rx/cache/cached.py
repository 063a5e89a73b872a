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

import sys
from datetime import UTC, datetime, timedelta
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


class _UserExtra(msgspec.Struct, frozen=True, gc=False):
    """The user fields that are usually at their defaults (kept apart to save memory)."""

    bot: bool = False
    system: bool = False
    banner: str | None = None


class CachedUser(msgspec.Struct, kw_only=True, gc=False, repr_omit_defaults=True):
    """A user, stored once however many guilds it is a member of.

    Attributes (same names and meanings as :class:`~fluxer_rx.models.PartialUser`):
    ``id``, ``username``, ``discriminator``, ``global_name``, ``avatar``,
    ``avatar_color``, ``flags``, ``bot`` and ``system`` (plain bools, ``False`` when the
    wire omitted them) and ``banner``. Build one with :func:`user_from_wire`.

    Storage is compact: an avatar hash (32 hex digits, optionally ``a_``-prefixed) is
    kept as 16 bytes, discriminators are shared strings, and ``bot`` / ``system`` /
    ``banner`` live in a shared side record only when set.
    """

    id: str
    username: str | None = None
    discriminator: str | None = None
    global_name: str | None = None
    avatar_key: str | bytes | None = None
    """The avatar hash as stored (bytes when packed); read :attr:`avatar` instead."""
    avatar_color: int | None = None
    flags: int = 0
    extra: _UserExtra | None = None
    """``bot`` / ``system`` / ``banner`` when any is set; read those attributes instead."""

    @property
    def avatar(self) -> str | None:
        """The avatar hash, exactly as the wire sent it (``None`` when unset)."""
        return unpack_hash(self.avatar_key)

    @property
    def bot(self) -> bool:
        """Whether the user is a bot."""
        return self.extra is not None and self.extra.bot

    @property
    def system(self) -> bool:
        """Whether the user is a system user."""
        return self.extra is not None and self.extra.system

    @property
    def banner(self) -> str | None:
        """The profile banner hash, if any."""
        return self.extra.banner if self.extra is not None else None

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


class _MemberExtra(msgspec.Struct, frozen=True, gc=False):
    """The member fields that are usually at their defaults (kept apart to save memory)."""

    avatar: str | None = None
    communication_disabled_until: str | None = None
    mute: bool = False
    deaf: bool = False
    flags: int = 0


class CachedMember(msgspec.Struct, kw_only=True, gc=False, repr_omit_defaults=True):
    """A guild member without its user: ``user_id`` refers to ``cache.users``.

    Attributes: ``guild_id``, ``user_id`` (also ``id``), ``nick``, ``roles`` (role ids,
    sorted, a tuple shared between members with the same roles), ``joined_at_ms`` (Unix
    milliseconds; ``joined_at`` gives Fluxer's ISO-8601 string; ``None`` when unknown or
    unparseable), ``avatar`` (guild avatar), ``communication_disabled_until``, ``mute``,
    ``deaf`` and ``flags`` (the wire ``profile_flags``, 0 when absent). The last five
    live in a side record that exists only when one of them is set. Not kept: the
    invite bookkeeping (``join_source_type``, ``source_invite_code``, ``inviter_id``) and
    the profile ``banner`` / ``accent_color``; fetch the member over REST for those.
    """

    guild_id: str
    user_id: str
    nick: str | None = None
    roles: tuple[str, ...] = ()
    joined_at_ms: int | None = None
    extra: _MemberExtra | None = None
    """``avatar`` / ``communication_disabled_until`` / ``mute`` / ``deaf`` / ``flags``
    when any is set; read those attributes instead."""

    @property
    def id(self) -> str:
        """The member's user id (same as ``user_id``)."""
        return self.user_id

    @property
    def joined_at(self) -> str | None:
        """The join time as ``YYYY-MM-DDTHH:MM:SS.mmmZ`` (UTC), or ``None``."""
        return ms_to_iso(self.joined_at_ms)

    @property
    def avatar(self) -> str | None:
        """The member's guild avatar hash, if any."""
        return self.extra.avatar if self.extra is not None else None

    @property
    def communication_disabled_until(self) -> str | None:
        """When the member's timeout ends (ISO-8601), if timed out."""
        return self.extra.communication_disabled_until if self.extra is not None else None

    @property
    def mute(self) -> bool:
        """Whether the member is server-muted in voice."""
        return self.extra is not None and self.extra.mute

    @property
    def deaf(self) -> bool:
        """Whether the member is server-deafened in voice."""
        return self.extra is not None and self.extra.deaf

    @property
    def flags(self) -> int:
        """The member's ``profile_flags`` (0 when absent)."""
        return self.extra.flags if self.extra is not None else 0

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

    Only sorted tuples are kept (one per distinct role set seen), so the table grows with
    the number of distinct role sets, not with their wire orderings; :meth:`clear`
    empties it.
    """

    __slots__ = ("_table",)

    def __init__(self) -> None:
        self._table: dict[tuple[str, ...], tuple[str, ...]] = {(): ()}

    def get(self, roles: list[str] | tuple[str, ...]) -> tuple[str, ...]:
        """The shared sorted tuple holding ``roles`` (its role ids are shared strings)."""
        key = tuple(roles)
        shared = self._table.get(key)
        if shared is None:
            key = tuple(sorted(sys.intern(role) for role in key))
            shared = self._table.setdefault(key, key)
        return shared

    def clear(self) -> None:
        """Forget every interned tuple."""
        self._table = {(): ()}

    def __len__(self) -> int:
        return len(self._table)


# --- builders from wire models ----------------------------------------------------------

_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)
_MS: Final = timedelta(milliseconds=1)


def iso_to_ms(value: str | None) -> int | None:
    """Unix milliseconds of an ISO-8601 timestamp (naive means UTC); ``None`` for
    ``None`` or an unparseable value."""
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return (moment - _EPOCH) // _MS


def ms_to_iso(ms: int | None) -> str | None:
    """Unix milliseconds as Fluxer writes timestamps: ``YYYY-MM-DDTHH:MM:SS.mmmZ``."""
    if ms is None:
        return None
    moment = _EPOCH + timedelta(milliseconds=ms)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{ms % 1000:03d}Z"


def _intern(value: str | None) -> str | None:
    # discriminators repeat across users (at most 10,000 values): share one string each
    return sys.intern(value) if value is not None else None


def pack_hash(value: str | None) -> str | bytes | None:
    """An asset hash in compact form: 32 lowercase hex digits (``a_``-prefixed for
    animated) become 16 bytes (17 with a leading ``1``); anything else stays as is."""
    if value is None or len(value) not in (32, 34):
        return value
    animated = value.startswith("a_")
    digits = value[2:] if animated else value
    if len(digits) != 32:
        return value
    try:
        raw = bytes.fromhex(digits)
    except ValueError:
        return value
    if raw.hex() != digits:  # upper case or spaces: keep the exact text
        return value
    return b"\x01" + raw if animated else raw


def unpack_hash(value: str | bytes | None) -> str | None:
    """The inverse of :func:`pack_hash`."""
    if value is None or isinstance(value, str):
        return value
    if len(value) == 17:
        return "a_" + value[1:].hex()
    return value.hex()


def _user_extra(user: PartialUser) -> _UserExtra | None:
    if not user.bot and not user.system and user.banner is None:
        return None
    return _UserExtra(bot=bool(user.bot), system=bool(user.system), banner=user.banner)


def user_from_wire(user: PartialUser) -> CachedUser:
    """The cached form of a wire user."""
    return CachedUser(
        id=user.id,
        username=user.username,
        discriminator=_intern(user.discriminator),
        global_name=user.global_name,
        avatar_key=pack_hash(user.avatar),
        avatar_color=user.avatar_color,
        flags=user.flags,
        extra=_user_extra(user),
    )


def _same_avatar(key: str | bytes | None, wire: str | None) -> bool:
    if key is None or key.__class__ is str:
        return key == wire
    return wire is not None and unpack_hash(key) == wire


def update_user(cached: CachedUser, user: PartialUser) -> None:
    """Copy ``user``'s fields into ``cached`` when any differs (one comparison chain in
    the common, unchanged case)."""
    extra = cached.extra
    if (
        cached.username == user.username
        and cached.global_name == user.global_name
        and cached.discriminator == user.discriminator
        and cached.avatar_color == user.avatar_color
        and cached.flags == user.flags
        and _same_avatar(cached.avatar_key, user.avatar)
        and (
            (extra is None and not user.bot and not user.system and user.banner is None)
            or (
                extra is not None
                and extra.bot == bool(user.bot)
                and extra.system == bool(user.system)
                and extra.banner == user.banner
            )
        )
    ):
        return
    cached.username = user.username
    cached.global_name = user.global_name
    cached.discriminator = _intern(user.discriminator)
    cached.avatar_key = pack_hash(user.avatar)
    cached.avatar_color = user.avatar_color
    cached.flags = user.flags
    cached.extra = _user_extra(user)


def _member_extra(member: Member) -> _MemberExtra | None:
    if (
        member.avatar is None
        and member.communication_disabled_until is None
        and not member.mute
        and not member.deaf
        and not member.profile_flags
    ):
        return None
    return _MemberExtra(
        avatar=member.avatar,
        communication_disabled_until=member.communication_disabled_until,
        mute=member.mute,
        deaf=member.deaf,
        flags=member.profile_flags or 0,
    )


def member_from_wire(
    member: Member, guild_id: str, user_id: str, role_tuples: RoleTuples
) -> CachedMember:
    """The cached form of a wire member of ``guild_id`` whose user is ``user_id``."""
    return CachedMember(
        guild_id=guild_id,
        user_id=user_id,
        nick=member.nick,
        roles=role_tuples.get(member.roles),
        joined_at_ms=iso_to_ms(member.joined_at),
        extra=_member_extra(member),
    )


def same_member(cached: CachedMember, member: Member) -> bool:
    """Whether ``member`` would leave ``cached`` unchanged (role order ignored).

    ``joined_at`` is compared only for presence: it cannot change while the membership
    lasts, and a new membership arrives as GUILD_MEMBER_ADD, which always replaces.
    """
    if cached.nick != member.nick:
        return False
    roles = cached.roles
    wire_roles = member.roles
    if len(roles) != len(wire_roles):
        return False
    if roles and tuple(wire_roles) != roles and set(wire_roles) != set(roles):
        return False
    if (cached.joined_at_ms is None) != (member.joined_at is None):
        return False
    extra = cached.extra
    if extra is None:
        return (
            member.avatar is None
            and member.communication_disabled_until is None
            and not member.mute
            and not member.deaf
            and not member.profile_flags
        )
    return (
        extra.avatar == member.avatar
        and extra.communication_disabled_until == member.communication_disabled_until
        and extra.mute == member.mute
        and extra.deaf == member.deaf
        and extra.flags == (member.profile_flags or 0)
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
