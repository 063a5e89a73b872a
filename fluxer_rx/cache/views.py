"""What users read of the cache: :class:`CacheView` (read-only, live), and
:class:`NestedView`, its read-only map of maps (members by guild, voice states by scope).

A :class:`CacheView` has no way to change what the cache holds: the state, its bounded maps
and the reducer table stay with :class:`~fluxer_rx.cache.Cache`, which folds events and
writes REST results. Reading never changes anything either, except that the ``get_*`` and
``touch_*`` lookups mark an entry used (that is what keeps hot entries in a bounded
cache: see :class:`~fluxer_rx.cache.CacheSizeLimits`).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Generic, TypeVar

from fluxer_rx.cache.cached_types import (
    CachedChannel,
    CachedGuild,
    CachedMember,
    CachedPresence,
    CachedUser,
)
from fluxer_rx.cache.options import CacheOptions
from fluxer_rx.cache.state import CacheState
from fluxer_rx.models.guild import Member, Role
from fluxer_rx.models.message import Message
from fluxer_rx.models.user import PartialUser
from fluxer_rx.models.voice import VoiceState

__all__ = ["CacheCounts", "CacheView", "NestedView"]

V = TypeVar("V")


class NestedView(Mapping[str, Mapping[str, V]], Generic[V]):
    """A live, read-only ``Mapping[str, Mapping[str, V]]`` over a dict of dicts.

    Inner mappings are read-only proxies too; both reflect later changes of the cache.
    Reading does not mark anything used.
    """

    __slots__ = ("_outer",)

    def __init__(self, outer: dict[str, dict[str, V]]) -> None:
        self._outer = outer

    def __getitem__(self, key: str) -> Mapping[str, V]:
        return MappingProxyType(self._outer[key])

    def __iter__(self) -> Iterator[str]:
        return iter(self._outer)

    def __len__(self) -> int:
        return len(self._outer)

    def __contains__(self, key: object) -> bool:
        return key in self._outer

    def __repr__(self) -> str:
        return f"<NestedView of {len(self._outer)}>"


@dataclass(frozen=True, slots=True)
class CacheCounts:
    """How many entries each store holds at one instant (see :meth:`CacheView.counts`)."""

    guilds: int
    channels: int
    users: int
    members: int
    """Members across all guilds."""
    presences: int
    voice_states: int
    """Voice states across all guilds and calls."""
    messages: int
    """Cached messages across all channels."""


class CacheView:
    """What the client knows about guilds, channels, users and members, read-only.

    Every mapping is live (it reflects later events) and read-only; reading a mapping
    does not mark anything used; the ``get_*`` and ``touch_*`` methods do. Which stores
    are filled is said by :attr:`options` (a store switched off stays empty).
    """

    __slots__ = (
        "_channels",
        "_guilds",
        "_members",
        "_presences",
        "_state",
        "_users",
        "_voice_states",
    )

    def __init__(self, state: CacheState) -> None:
        self._state = state
        self._guilds = MappingProxyType(state.guilds.data)
        self._channels = MappingProxyType(state.channels.data)
        self._users = MappingProxyType(state.users.data)
        self._members: NestedView[CachedMember] = NestedView(state.members.by_guild)
        self._presences = MappingProxyType(state.presences)
        self._voice_states: NestedView[VoiceState] = NestedView(state.voice_states)

    def __repr__(self) -> str:
        state = self._state
        return (
            f"<{type(self).__name__} guilds={len(state.guilds)} channels={len(state.channels)} "
            f"users={len(state.users)} members={len(state.members)}>"
        )

    @property
    def options(self) -> CacheOptions:
        """What the cache keeps and its limits."""
        return self._state.options

    def counts(self) -> CacheCounts:
        """How many entries each store holds now (O(channels + guilds) for the messages
        and voice states, O(1) for the rest)."""
        state = self._state
        return CacheCounts(
            guilds=len(state.guilds),
            channels=len(state.channels),
            users=len(state.users),
            members=len(state.members),
            presences=len(state.presences),
            voice_states=sum(len(inner) for inner in state.voice_states.values()),
            messages=sum(len(recent) for recent in state.messages.data.values()),
        )

    # -- the stores ----------------------------------------------------------------------

    @property
    def self_user(self) -> CachedUser | None:
        """The bot user, from READY and USER_UPDATE (``None`` before READY)."""
        return self._state.self_user

    @property
    def guilds(self) -> Mapping[str, CachedGuild]:
        """Guilds by id (unavailable ones included, with ``unavailable=True``)."""
        return self._guilds

    @property
    def channels(self) -> Mapping[str, CachedChannel]:
        """Channels (guild channels and DMs) by id."""
        return self._channels

    @property
    def users(self) -> Mapping[str, CachedUser]:
        """Users by id (empty without ``CachedResource.USERS``)."""
        return self._users

    @property
    def members(self) -> Mapping[str, Mapping[str, CachedMember]]:
        """Members by guild id, then user id (a cached guild always has an entry, possibly
        empty; empty without ``CachedResource.MEMBERS``)."""
        return self._members

    @property
    def presences(self) -> Mapping[str, CachedPresence]:
        """Presences by user id; only users not offline; empty without
        ``CachedResource.PRESENCES``."""
        return self._presences

    @property
    def voice_states(self) -> Mapping[str, Mapping[str, VoiceState]]:
        """Voice states by guild id (a DM call's by channel id), then user id; only users
        in a voice channel; empty without ``CachedResource.VOICE_STATES``."""
        return self._voice_states

    def messages(self, channel_id: str) -> Sequence[Message]:
        """The channel's cached messages, oldest first (at most ``message_cache_size``;
        empty when the message cache is off or holds nothing for the channel)."""
        recent = self._state.messages.data.get(channel_id)
        return tuple(recent) if recent is not None else ()

    # -- recency-aware lookups -----------------------------------------------------------

    def touch_guild(self, guild_id: str) -> bool:
        """Mark a guild recently used; returns whether it is cached."""
        return self._state.guilds.touch(guild_id)

    def touch_channel(self, channel_id: str) -> bool:
        """Mark a channel recently used; returns whether it is cached."""
        return self._state.channels.touch(channel_id)

    def touch_user(self, user_id: str) -> bool:
        """Mark a user recently used; returns whether it is cached."""
        return self._state.users.touch(user_id)

    def touch_member(self, guild_id: str, user_id: str) -> bool:
        """Mark a member recently used; returns whether it is cached."""
        return self._state.members.touch(guild_id, user_id)

    def get_guild(self, guild_id: str) -> CachedGuild | None:
        """The cached guild (marked recently used), or ``None``."""
        guild = self._state.guilds.data.get(guild_id)
        if guild is not None:
            self._state.guilds.touch(guild_id)
        return guild

    def get_channel(self, channel_id: str) -> CachedChannel | None:
        """The cached channel (marked recently used), or ``None``."""
        channel = self._state.channels.data.get(channel_id)
        if channel is not None:
            self._state.channels.touch(channel_id)
        return channel

    def get_user(self, user_id: str) -> CachedUser | None:
        """The cached user (marked recently used), or ``None``."""
        user = self._state.users.data.get(user_id)
        if user is not None:
            self._state.users.touch(user_id)
        return user

    def get_member(self, guild_id: str, user_id: str) -> CachedMember | None:
        """The cached member (marked recently used), or ``None``."""
        inner = self._state.members.by_guild.get(guild_id)
        member = inner.get(user_id) if inner is not None else None
        if member is not None:
            self._state.members.touch(guild_id, user_id)
        return member

    # -- conversions ---------------------------------------------------------------------

    def user_of(self, member: CachedMember) -> CachedUser | None:
        """The member's user record (``None`` when users are off or it was evicted)."""
        return self._state.users.data.get(member.user_id)

    def display_name(self, member: CachedMember) -> str | None:
        """The member's nick, else its user's ``global_name`` or ``username``."""
        if member.nick:
            return member.nick
        user = self.user_of(member)
        return user.name if user is not None else None

    def member_roles(self, member: CachedMember) -> list[Role]:
        """The member's roles that its guild has cached, highest position first."""
        guild = self._state.guilds.data.get(member.guild_id)
        if guild is None:
            return []
        roles = [guild.roles[r] for r in member.roles if r in guild.roles]
        roles.sort(key=lambda role: (role.position, role.id), reverse=True)
        return roles

    def guild_channels(self, guild_id: str) -> list[CachedChannel]:
        """The guild's cached channels, by ``position`` then id."""
        guild = self._state.guilds.data.get(guild_id)
        if guild is None:
            return []
        channels = self._state.channels.data
        found = [channels[c] for c in guild.channel_ids if c in channels]
        found.sort(key=lambda c: (c.position if c.position is not None else 0, c.id))
        return found

    def member_to_wire(self, member: CachedMember) -> Member:
        """A wire :class:`~fluxer_rx.models.Member` with ``user`` from the cache (an
        id-only user when the record is not cached)."""
        user = self.user_of(member)
        return Member(
            user=user.to_wire() if user is not None else PartialUser(id=member.user_id),
            nick=member.nick,
            avatar=member.avatar,
            roles=member.roles,
            joined_at=member.joined_at,
            communication_disabled_until=member.communication_disabled_until,
            mute=member.mute,
            deaf=member.deaf,
            profile_flags=member.flags or None,
        )
