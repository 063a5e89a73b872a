"""The :class:`Cache`: the fold of the event stream into a small set of bounded maps.

The client calls :meth:`Cache.apply` with every typed dispatch, on the event loop, in
gateway order, before emitting the event; users read the result through the read-only
:attr:`Cache.view` (a :class:`~fluxer_rx.cache.CacheView`). :meth:`Cache.apply` never
raises: an event that does not fit the state is reported through ``on_issue(kind,
detail)`` (kinds in :class:`~fluxer_rx.cache.state.IssueKind`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from fluxer_rx.cache.cached_types import CachedChannel, CachedGuild, CachedMember, CachedUser
from fluxer_rx.cache.options import CacheOptions
from fluxer_rx.cache.reducers import REDUCERS, Reducer
from fluxer_rx.cache.state import CacheState, IssueKind
from fluxer_rx.cache.views import CacheView
from fluxer_rx.models.channel import Channel
from fluxer_rx.models.events import ChannelUpdate, GuildCreate, GuildUpdate
from fluxer_rx.models.guild import Guild, Member
from fluxer_rx.models.user import PartialUser

__all__ = ["Cache"]


class Cache(CacheView):
    """The cache itself: everything :class:`~fluxer_rx.cache.CacheView` reads, plus the
    writes (the event fold, resets, REST results) that only its owner makes.

    Configured by a :class:`~fluxer_rx.cache.CacheOptions`: ``resources`` says which
    stores are kept (users, members and, when sized, messages by default; presences and
    voice states on demand), ``limits`` bounds each store (``None`` fields are
    unbounded; beyond a bound entries not used lately are evicted, by second chance as
    :class:`~fluxer_rx.cache.CacheSizeLimits` says, a guild taking its channels and
    members with it), ``message_cache_size`` is the number of recent
    messages kept per channel.

    Hand :attr:`view` to code that only reads: it cannot change the cache.
    """

    __slots__ = ("_reducers", "_view")

    def __init__(
        self,
        options: CacheOptions | None = None,
        *,
        on_issue: Callable[[str, str], None] | None = None,
    ) -> None:
        super().__init__(CacheState(options, on_issue=on_issue))
        self._reducers: Mapping[type, Reducer] = REDUCERS
        self._view = CacheView(self._state)

    @classmethod
    def from_options(
        cls, options: CacheOptions, on_issue: Callable[[str, str], None] | None = None
    ) -> Cache:
        """A cache configured by ``options`` (the same as ``Cache(options, on_issue=...)``;
        :class:`~fluxer_rx.Client` passes ``ClientOptions.cache``)."""
        return cls(options, on_issue=on_issue)

    @property
    def view(self) -> CacheView:
        """The read-only view of this cache (one object, live)."""
        return self._view

    # -- the fold ------------------------------------------------------------------------

    def apply(self, event: object) -> None:
        """Fold one typed event into the cache. Never raises.

        Event types without a reducer are ignored (the registry says why for each). A
        reducer error is reported to ``on_issue`` as ``reducer_error`` and the event is
        otherwise skipped.
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
        """The underlying state (for reducers and tests; read through :attr:`view`)."""
        return self._state

    # -- writes from outside the event stream (REST results) -----------------------------

    def store_guild(self, guild: Guild) -> CachedGuild | None:
        """Write a guild fetched over REST: its properties, roles, emojis and stickers
        (as GUILD_UPDATE would, or GUILD_CREATE for a guild not cached yet); returns the
        cached guild (``None`` when the guild limit evicted it at once)."""
        event = GuildUpdate if guild.id in self._state.guilds.data else GuildCreate
        self.apply(_retyped(event, guild))
        return self._state.guilds.data.get(guild.id)

    def store_channel(self, channel: Channel) -> CachedChannel | None:
        """Write a channel fetched over REST (as CHANNEL_UPDATE would); returns the cached
        channel, or ``None`` when it was not stored (its guild is not cached)."""
        self.apply(_retyped(ChannelUpdate, channel))
        return self._state.channels.data.get(channel.id)

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


def _retyped(cls: type[GuildUpdate | GuildCreate | ChannelUpdate], obj: Guild | Channel) -> object:
    """``obj`` re-typed as the event class that carries the same fields."""
    return cls(**{name: getattr(obj, name) for name in obj.__struct_fields__})
