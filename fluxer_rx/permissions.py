"""Fluxer permissions: the :class:`Permissions` flags and a member's permissions in a
guild or a channel, computed the way Fluxer's gateway computes them.

The flags are Fluxer's (``fluxer_api/src/constants/Channel.ts``, PROTOCOL §5): the same
bits as Discord's where both have them, with Fluxer's own names (``MANAGE_EXPRESSIONS``,
``CREATE_EXPRESSIONS``, ``PIN_MESSAGES``, ``BYPASS_SLOWMODE``...). On the wire a bitfield
is an unsigned 64-bit integer written as a decimal string.

The computation (:func:`compute_permissions`) follows ``guild_permissions.erl``:

1. the guild owner has every bit (:data:`ALL_PERMISSIONS`, all 64);
2. base = the @everyone role (id = guild id) | every role of the member the guild has;
3. ``ADMINISTRATOR`` in the base gives every bit, and overwrites are not read;
4. in a channel, the overwrites apply in three steps, each ``(perms & ~deny) | allow``:
   the @everyone role's overwrite, then the union of the overwrites of the member's
   roles (their denies together, then their allows together), then the member's own.

There is no other rule: unlike Discord, Fluxer's computation does not clear the other
bits when ``VIEW_CHANNEL`` is missing, nor for a member in timeout.

:func:`permissions_for` reads the inputs from a client's :class:`~fluxer_rx.cache.CacheView`
and raises :class:`PermissionsUnknown` when the cache cannot say (rather than guessing
from half the inputs).
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from typing import Final

from fluxer_rx.cache import CachedMember, CacheView
from fluxer_rx.errors import PermissionsUnknown
from fluxer_rx.models.channel import PermissionOverwrite
from fluxer_rx.models.guild import Role

__all__ = [
    "ALL_PERMISSIONS",
    "DEFAULT_PERMISSIONS",
    "KNOWN_PERMISSIONS",
    "OVERWRITE_MEMBER",
    "OVERWRITE_ROLE",
    "Permissions",
    "PermissionsUnknown",
    "apply_overwrites",
    "base_permissions",
    "compute_permissions",
    "parse_permissions",
    "permissions_for",
]

_MASK: Final = (1 << 64) - 1

OVERWRITE_ROLE: Final = 0
"""``PermissionOverwrite.type`` of an overwrite for a role."""
OVERWRITE_MEMBER: Final = 1
"""``PermissionOverwrite.type`` of an overwrite for a member."""


class Permissions(enum.IntFlag):
    """A permission bitfield. Members are Fluxer's flags; any 64-bit value is accepted
    (bits Fluxer adds later are kept, unnamed).

    ``Permissions.KICK_MEMBERS in perms`` tests a bit; ``perms.to_wire()`` gives the
    decimal string Fluxer expects; :func:`parse_permissions` reads one.
    """

    CREATE_INSTANT_INVITE = 1 << 0
    KICK_MEMBERS = 1 << 1
    BAN_MEMBERS = 1 << 2
    ADMINISTRATOR = 1 << 3
    MANAGE_CHANNELS = 1 << 4
    MANAGE_GUILD = 1 << 5
    ADD_REACTIONS = 1 << 6
    VIEW_AUDIT_LOG = 1 << 7
    PRIORITY_SPEAKER = 1 << 8
    STREAM = 1 << 9
    VIEW_CHANNEL = 1 << 10
    SEND_MESSAGES = 1 << 11
    SEND_TTS_MESSAGES = 1 << 12
    MANAGE_MESSAGES = 1 << 13
    EMBED_LINKS = 1 << 14
    ATTACH_FILES = 1 << 15
    READ_MESSAGE_HISTORY = 1 << 16
    MENTION_EVERYONE = 1 << 17
    USE_EXTERNAL_EMOJIS = 1 << 18
    CONNECT = 1 << 20
    SPEAK = 1 << 21
    MUTE_MEMBERS = 1 << 22
    DEAFEN_MEMBERS = 1 << 23
    MOVE_MEMBERS = 1 << 24
    USE_VAD = 1 << 25
    CHANGE_NICKNAME = 1 << 26
    MANAGE_NICKNAMES = 1 << 27
    MANAGE_ROLES = 1 << 28
    MANAGE_WEBHOOKS = 1 << 29
    MANAGE_EXPRESSIONS = 1 << 30
    USE_EXTERNAL_STICKERS = 1 << 37
    MODERATE_MEMBERS = 1 << 40
    CREATE_EXPRESSIONS = 1 << 43
    PIN_MESSAGES = 1 << 51
    BYPASS_SLOWMODE = 1 << 52
    UPDATE_RTC_REGION = 1 << 53
    VIEW_CHANNEL_MEMBERS = 1 << 54
    """Newer servers only; setting it needs the ``X-Fluxer-Features:
    view_channel_members_permission`` header (PROTOCOL §5)."""

    def to_wire(self) -> str:
        """The decimal string Fluxer sends and expects (``"0"`` for none)."""
        return str(int(self))

    def missing(self, required: int) -> Permissions:
        """The bits of ``required`` that this value lacks (empty when it has them all)."""
        return Permissions(int(required) & ~int(self) & _MASK)

    @property
    def names(self) -> list[str]:
        """The names of the named flags set, lowest bit first (unnamed bits left out)."""
        return [flag.name for flag in Permissions if flag.name and flag.value & self.value]


KNOWN_PERMISSIONS: Final = Permissions(sum(flag.value for flag in Permissions))
"""Every named flag (what ``ALL_PERMISSIONS`` means in Fluxer's API constants)."""

ALL_PERMISSIONS: Final = Permissions(_MASK)
"""All 64 bits: what the guild owner and an ``ADMINISTRATOR`` have (the gateway's value)."""

DEFAULT_PERMISSIONS: Final = (
    Permissions.CREATE_INSTANT_INVITE
    | Permissions.ADD_REACTIONS
    | Permissions.STREAM
    | Permissions.VIEW_CHANNEL
    | Permissions.SEND_MESSAGES
    | Permissions.EMBED_LINKS
    | Permissions.ATTACH_FILES
    | Permissions.READ_MESSAGE_HISTORY
    | Permissions.USE_EXTERNAL_EMOJIS
    | Permissions.CONNECT
    | Permissions.SPEAK
    | Permissions.USE_VAD
    | Permissions.CHANGE_NICKNAME
    | Permissions.USE_EXTERNAL_STICKERS
    | Permissions.CREATE_EXPRESSIONS
)
"""The @everyone permissions of a new Fluxer guild."""



def parse_permissions(value: str | int | None) -> Permissions:
    """A wire bitfield as :class:`Permissions`, read as Fluxer's gateway reads it: a
    decimal string of ASCII digits or an int, masked to 64 bits; ``None``, an empty or
    malformed string, and a negative number read as no permissions (0)."""
    if value is None:
        return Permissions(0)
    if isinstance(value, str):
        text = value.strip()
        if not text.isascii() or not text.isdigit():
            return Permissions(0)
        number = int(text)
    else:
        number = int(value)
    if number < 0:
        return Permissions(0)
    return Permissions(number & _MASK)


def _bits(value: str | int | None) -> int:
    return int(parse_permissions(value))


def base_permissions(
    guild_id: str,
    owner_id: str | None,
    roles: Mapping[str, Role],
    user_id: str,
    member_roles: Iterable[str],
) -> Permissions:
    """The member's guild-wide permissions: :data:`ALL_PERMISSIONS` for the owner or with
    ``ADMINISTRATOR``, else the @everyone role's bits with those of every role in
    ``member_roles`` that ``roles`` (role id -> role) holds."""
    if owner_id is not None and user_id == owner_id:
        return ALL_PERMISSIONS
    everyone = roles.get(guild_id)
    bits = _bits(everyone.permissions) if everyone is not None else 0
    for role_id in member_roles:
        role = roles.get(role_id)
        if role is not None:
            bits |= _bits(role.permissions)
    if bits & Permissions.ADMINISTRATOR:
        return ALL_PERMISSIONS
    return Permissions(bits)


def apply_overwrites(
    base: int,
    overwrites: Iterable[PermissionOverwrite],
    guild_id: str,
    user_id: str,
    member_roles: Iterable[str],
) -> Permissions:
    """``base`` after a channel's overwrites (steps 4 of the module docstring): the
    @everyone overwrite, the member's roles' overwrites combined, the member's own.

    The owner's and an administrator's :data:`ALL_PERMISSIONS` are returned unchanged.
    A role overwrite applies when its id is in ``member_roles`` (whether or not the guild
    still has that role), as in Fluxer."""
    if int(base) == _MASK:
        return ALL_PERMISSIONS
    listed = tuple(overwrites)
    roles = set(member_roles)
    bits = int(base)
    for overwrite in listed:
        if overwrite.type == OVERWRITE_ROLE and overwrite.id == guild_id:
            bits = (bits & ~_bits(overwrite.deny)) | _bits(overwrite.allow)
    allow = deny = 0
    for overwrite in listed:
        if overwrite.type == OVERWRITE_ROLE and overwrite.id in roles:
            allow |= _bits(overwrite.allow)
            deny |= _bits(overwrite.deny)
    bits = (bits & ~deny) | allow
    for overwrite in listed:
        if overwrite.type == OVERWRITE_MEMBER and overwrite.id == user_id:
            bits = (bits & ~_bits(overwrite.deny)) | _bits(overwrite.allow)
    return Permissions(bits & _MASK)


def compute_permissions(
    *,
    guild_id: str,
    owner_id: str | None,
    roles: Mapping[str, Role],
    user_id: str,
    member_roles: Iterable[str],
    overwrites: Iterable[PermissionOverwrite] | None = None,
) -> Permissions:
    """A member's permissions in a guild (``overwrites=None``) or in one of its channels
    (that channel's overwrites), per the module docstring. Pure: no cache, no I/O."""
    member_roles = tuple(member_roles)
    base = base_permissions(guild_id, owner_id, roles, user_id, member_roles)
    if overwrites is None:
        return base
    return apply_overwrites(base, overwrites, guild_id, user_id, member_roles)


def permissions_for(
    cache: CacheView,
    member: CachedMember | str,
    *,
    channel_id: str | None = None,
    guild_id: str | None = None,
    roles: Iterable[str] | None = None,
) -> Permissions:
    """A member's permissions in ``channel_id`` (with its overwrites) or, without it, in
    ``guild_id``, read from ``cache``.

    ``member`` is a :class:`~fluxer_rx.cache.CachedMember` (its guild and roles are used)
    or a user id. ``roles`` (role ids) replaces the member's cached roles, e.g. with a
    message's ``member.roles``, so that an uncached member can be checked. The channel's
    guild is used when ``channel_id`` is given; a ``guild_id`` that disagrees raises
    ``ValueError``, as does a channel outside any guild (a DM) or giving neither id.

    Raises :class:`PermissionsUnknown` when the guild or the channel is not cached, the
    guild's roles are not known yet, or the member's roles are neither given nor cached
    (the owner needs no roles). Reading does not change LRU recency.
    """
    user_id = member.user_id if isinstance(member, CachedMember) else str(member)
    if isinstance(member, CachedMember):
        if guild_id is not None and str(guild_id) != member.guild_id:
            raise ValueError(f"member of guild {member.guild_id} given with guild_id {guild_id}")
        guild_id = member.guild_id
    overwrites: tuple[PermissionOverwrite, ...] | None = None
    if channel_id is not None:
        channel = cache.channels.get(str(channel_id))
        if channel is None:
            raise PermissionsUnknown(f"channel {channel_id} is not cached")
        if channel.guild_id is None:
            raise ValueError(f"channel {channel_id} is not in a guild: it has no permissions")
        if guild_id is not None and str(guild_id) != channel.guild_id:
            raise ValueError(f"channel {channel_id} is in guild {channel.guild_id}, not {guild_id}")
        guild_id = channel.guild_id
        overwrites = channel.permission_overwrites
    if guild_id is None:
        raise ValueError("permissions_for needs a channel_id or a guild_id")
    guild_id = str(guild_id)
    guild = cache.guilds.get(guild_id)
    if guild is None or guild.unavailable:
        raise PermissionsUnknown(f"guild {guild_id} is not cached")
    if guild.owner_id is not None and user_id == guild.owner_id:
        return ALL_PERMISSIONS
    if guild.id not in guild.roles:
        raise PermissionsUnknown(f"the roles of guild {guild_id} are not cached")
    if roles is None:
        if isinstance(member, CachedMember):
            roles = member.roles
        else:
            cached = cache.members.get(guild_id, {}).get(user_id)
            if cached is None:
                raise PermissionsUnknown(
                    f"member {user_id} of guild {guild_id} is not cached; pass roles="
                )
            roles = cached.roles
    return compute_permissions(
        guild_id=guild_id,
        owner_id=guild.owner_id,
        roles=guild.roles,
        user_id=user_id,
        member_roles=roles,
        overwrites=overwrites,
    )
