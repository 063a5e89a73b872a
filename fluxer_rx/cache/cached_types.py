"""The compact records the cache stores: :class:`CachedUser`, :class:`CachedMember`,
:class:`CachedGuild`, :class:`CachedChannel`, :class:`CachedPresence`.

Cached records are slimmer than the wire models and refer to each other by id: a
:class:`CachedMember` holds ``user_id`` (the user is stored once, in ``cache.users``), and
its ``roles`` is a tuple shared by every member with the same role set. All are msgspec
Structs with ``gc=False`` (never tracked by the garbage collector), so a million cached
members add nothing to a GC pause. Some fields are stored packed (see
:mod:`fluxer_rx.cache.compact`); their properties give the wire's values back. How each
record is built from a wire model is in :mod:`fluxer_rx.cache.codecs`.

They are the cache's own objects: read them, do not mutate them (the cache updates some
in place when an event changes them). Use :meth:`CachedUser.to_wire`,
:meth:`CachedChannel.to_wire` and ``Cache.member_to_wire`` for independent wire copies.
"""

from __future__ import annotations

from typing import Any, Final

import msgspec

from fluxer_rx.cache.compact import ms_to_iso, unpack_hash
from fluxer_rx.models.channel import Channel, PermissionOverwrite
from fluxer_rx.models.guild import Emoji, Guild, Role, Sticker
from fluxer_rx.models.presence import CustomStatus
from fluxer_rx.models.user import PartialUser

__all__ = [
    "GUILD_PROPERTY_FIELDS",
    "CachedChannel",
    "CachedGuild",
    "CachedMember",
    "CachedPresence",
    "CachedUser",
    "MemberExtra",
    "UserExtra",
]


class UserExtra(msgspec.Struct, frozen=True, gc=False):
    """The user fields that are usually at their defaults (kept apart to save memory)."""

    bot: bool = False
    system: bool = False
    banner: str | None = None


class CachedUser(msgspec.Struct, kw_only=True, gc=False, repr_omit_defaults=True):
    """A user, stored once however many guilds it is a member of.

    Attributes (same names and meanings as :class:`~fluxer_rx.models.PartialUser`):
    ``id``, ``username``, ``discriminator``, ``global_name``, ``avatar``,
    ``avatar_color``, ``flags``, ``bot`` and ``system`` (plain bools, ``False`` when the
    wire omitted them) and ``banner``. Built by
    :func:`fluxer_rx.cache.codecs.user_from_wire`.

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
    extra: UserExtra | None = None
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


class MemberExtra(msgspec.Struct, frozen=True, gc=False):
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
    extra: MemberExtra | None = None
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
    """A user's last known presence (kept only with ``CachedResource.PRESENCES``)."""

    user_id: str
    status: str | None = None
    mobile: bool = False
    afk: bool = False
    custom_status: CustomStatus | None = None
