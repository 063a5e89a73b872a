"""The :class:`Cache`: the fold of the event stream into a small set of bounded maps.

The client calls :meth:`Cache.apply` with every typed dispatch, on the event loop, in
gateway order, before emitting the event; users read the result through read-only views.
:meth:`Cache.apply` never raises: an event that does not fit the state is reported
through ``on_issue(kind, detail)`` (kinds in :class:`~fluxer_rx.cache.state.IssueKind`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from types import MappingProxyType

from fluxer_rx.cache.cached_types import (
    CachedChannel,
    CachedGuild,
    CachedMember,
    CachedPresence,
    CachedUser,
)
from fluxer_rx.cache.options import CacheOptions
from fluxer_rx.cache.reducers import REDUCERS, Reducer
from fluxer_rx.cache.state import CacheState, IssueKind
from fluxer_rx.cache.views import NestedView
from fluxer_rx.models.guild import Member, Role
from fluxer_rx.models.message import Message
from fluxer_rx.models.user import PartialUser
from fluxer_rx.models.voice import VoiceState

__all__ = ["Cache"]


class Cache:
    """What the client knows about guilds, channels, users and members.

    Configured by a :class:`~fluxer_rx.cache.CacheOptions`: ``resources`` says which
    stores are kept (users and members by default; presences and voice states on demand;
    ``message_cache_size`` recent messages per channel), ``limits`` bounds each store
    (``None`` fields are unbounded; beyond a bound the least recently used entries are
    evicted, a guild taking its channels and members with it).

    Every view is live and read-only; reading a view does not change LRU recency; the
    ``get_*`` methods and ``touch_*`` do.
    """

    def __init__(
        self,
        options: CacheOptions | None = None,
        *,
        on_issue: Callable[[str, str], None] | None = None,
    ) -> None:
        self._state = CacheState(options, on_issue=on_issue)
        self._reducers: Mapping[type, Reducer] = REDUCERS
        state = self._state
        self._guilds = MappingProxyType(state.guilds.data)
        self._channels = MappingProxyType(state.channels.data)
        self._users = MappingProxyType(state.users.data)
        self._members: NestedView[CachedMember] = NestedView(state.members.by_guild)
        self._presences = MappingProxyType(state.presences)
        self._voice_states: NestedView[VoiceState] = NestedView(state.voice_states)

    @classmethod
    def from_options(
        cls, options: CacheOptions, on_issue: Callable[[str, str], None] | None = None
    ) -> Cache:
        """A cache configured by ``options`` (the same as ``Cache(options, on_issue=...)``;
        :class:`~fluxer_rx.Client` passes ``ClientOptions.cache``)."""
        return cls(options, on_issue=on_issue)

    def __repr__(self) -> str:
        state = self._state
        return (
            f"<Cache guilds={len(state.guilds)} channels={len(state.channels)} "
            f"users={len(state.users)} members={len(state.members)}>"
        )

    # -- the fold ------------------------------------------------------------------------

    def apply(self, event: object) -> None:
        """Fold one typed event into the cache. Never raises.

        Unknown event types are ignored. A reducer error is reported to ``on_issue`` as
        ``reducer_error`` and the event is otherwise skipped.
        """
        reducer = self._reducers.get(type(event))
        if reducer is None:
            return
        try:
            reducer(self._state, event)
        except Exception as exc:  # the fold must never raise into the stream
            self._state.issue(IssueKind.REDUCER_ERROR, f"{type(event).__name__}: {exc!r}")

    def reset(self, shard: tuple[int, int] | None = None) -> None:
        """Forget everything (a fresh IDENTIFY), or with ``shard=(shard_id, shard_count)``
        only the guilds that shard serves (with their channels and members)."""
        if shard is None or shard[1] <= 1:
            self._state.clear()
        else:
            self._state.clear_shard(shard[0], shard[1])

    @property
    def on_issue(self) -> Callable[[str, str], None] | None:
        """``on_issue(kind, detail)``, called for each inconsistent event (settable)."""
        return self._state.on_issue

    @on_issue.setter
    def on_issue(self, handler: Callable[[str, str], None] | None) -> None:
        self._state.on_issue = handler

    @property
    def state(self) -> CacheState:
        """The underlying state (for reducers and tests; prefer the views)."""
        return self._state

    # -- views ---------------------------------------------------------------------------

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

    # -- recency-aware lookups (for managers) --------------------------------------------

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

    # -- writes from outside the event stream (REST results) -----------------------------

    def store_user(self, user: PartialUser) -> CachedUser | None:
        """Write a user fetched over REST (as an event would); returns the cached record
        (``None`` when users are off or the limit evicted it at once)."""
        user_id = self._state.put_user(user)
        return self._state.users.data.get(user_id)

    def store_member(self, guild_id: str, member: Member) -> CachedMember | None:
        """Write a member fetched over REST (its ``user`` too); returns the cached member,
        or ``None`` when the guild is not cached, members are off, or ``member.user`` is
        missing. The guild's ``member_count`` is not changed."""
        if member.user is None:
            return None
        user_id = self._state.put_user(member.user)
        self._state.put_member(guild_id, member, user_id)
        inner = self._state.members.by_guild.get(guild_id)
        return inner.get(user_id) if inner is not None else None

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
