"""How the cache builds its records from wire models, and tells when an update changes
nothing: ``*_from_wire`` builders, in-place ``update_*`` functions, :func:`same_member`,
and :class:`RoleTuples` (shared role-id tuples).

Builders never keep a reference to the wire model or its lists; strings the cache holds
many times (discriminators, role ids) are interned, hashes and timestamps are packed
(:mod:`fluxer_rx.cache.compact`).
"""

from __future__ import annotations

import sys

from fluxer_rx.cache.cached_types import (
    GUILD_PROPERTY_FIELDS,
    CachedChannel,
    CachedGuild,
    CachedMember,
    CachedPresence,
    CachedUser,
    MemberExtra,
    UserExtra,
)
from fluxer_rx.cache.compact import intern_or_none, iso_to_ms, pack_hash, unpack_hash
from fluxer_rx.models.channel import Channel
from fluxer_rx.models.guild import Guild, Member
from fluxer_rx.models.presence import Presence
from fluxer_rx.models.user import PartialUser

__all__ = [
    "RoleTuples",
    "channel_from_wire",
    "guild_from_wire",
    "member_from_wire",
    "presence_from_wire",
    "same_member",
    "update_guild",
    "update_user",
    "user_from_wire",
]


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
        table = self._table
        shared = table.get(key)
        if shared is None:  # a new role set, or one known but in another order
            ordered = tuple(sorted(key))
            shared = table.get(ordered)
            if shared is None:
                shared = tuple(sys.intern(role) for role in ordered)
                table[shared] = shared
        return shared

    def clear(self) -> None:
        """Forget every interned tuple."""
        self._table = {(): ()}

    def __len__(self) -> int:
        return len(self._table)


def _user_extra(user: PartialUser) -> UserExtra | None:
    if not user.bot and not user.system and user.banner is None:
        return None
    return UserExtra(bot=bool(user.bot), system=bool(user.system), banner=user.banner)


def user_from_wire(user: PartialUser) -> CachedUser:
    """The cached form of a wire user."""
    return CachedUser(
        id=user.id,
        username=user.username,
        discriminator=intern_or_none(user.discriminator),
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


def update_user(cached: CachedUser, user: PartialUser) -> bool:
    """Copy ``user``'s fields into ``cached`` when any differs (one comparison chain in
    the common, unchanged case); returns whether it did."""
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
        return False
    cached.username = user.username
    cached.global_name = user.global_name
    cached.discriminator = intern_or_none(user.discriminator)
    cached.avatar_key = pack_hash(user.avatar)
    cached.avatar_color = user.avatar_color
    cached.flags = user.flags
    cached.extra = _user_extra(user)
    return True


def _member_extra(member: Member) -> MemberExtra | None:
    if (
        member.avatar is None
        and member.communication_disabled_until is None
        and not member.mute
        and not member.deaf
        and not member.profile_flags
    ):
        return None
    return MemberExtra(
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
