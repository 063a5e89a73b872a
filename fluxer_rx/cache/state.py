"""The cache state: a small set of (optionally bounded) maps, and the writes that keep
them consistent.

Every write of an entity goes through a method here, so the invariants hold after any
sequence of events:

* a channel with a ``guild_id`` is cached only while its guild is, and its id is in that
  guild's ``channel_ids``; a member is cached only while its guild is;
* removing or evicting a guild removes its channels, members, voice states and message
  caches; removing or evicting a channel removes its id from its guild and its messages;
* ``members`` limit counts members across all guilds; eviction is second chance over
  all of them (see :mod:`fluxer_rx.cache.lru` for what that guarantees).

No I/O, no clock: the only outside call is ``on_issue(kind, detail)`` for diagnostics.
"""

from __future__ import annotations

import contextlib
from collections import deque
from collections.abc import Callable, Iterable
from typing import Final

from fluxer_rx.cache.cached_types import (
    CachedChannel,
    CachedGuild,
    CachedMember,
    CachedPresence,
    CachedUser,
)
from fluxer_rx.cache.codecs import (
    RoleTuples,
    member_from_wire,
    same_member,
    update_user,
    user_from_wire,
)
from fluxer_rx.cache.lru import COMPACT_SLACK, ChunkedQueue, LruMap
from fluxer_rx.cache.options import CachedResource, CacheOptions
from fluxer_rx.models.guild import Member
from fluxer_rx.models.message import Message
from fluxer_rx.models.user import PartialUser
from fluxer_rx.models.voice import VoiceState

__all__ = ["CacheState", "IssueKind", "MemberStore"]

IssueHandler = Callable[[str, str], None]


class IssueKind:
    """The ``kind`` strings passed to ``on_issue``."""

    UNKNOWN_GUILD: Final = "unknown_guild"
    """An event referred to a guild the (unbounded) guild store does not hold."""
    UNKNOWN_CHANNEL: Final = "unknown_channel"
    """An update or delete referred to a channel the (unbounded) channel store lacks."""
    UNKNOWN_ROLE: Final = "unknown_role"
    """A role delete referred to a role the guild does not have."""
    REDUCER_ERROR: Final = "reducer_error"
    """A reducer raised on an event it could not make sense of; the state is kept as
    it was left (every single write keeps the invariants)."""


AUTHOR_MEMO_SIZE: Final = 16384
"""How many recent message authors' wire members (one per guild an author posts in)
:meth:`CacheState.put_author` remembers (see there): enough for the active authors of a
thousand busy guilds."""

AUTHOR_MEMO_JUDGED: Final = 1024
"""A memo at least this large that fills with fewer hits than entries since it was last
emptied is thrashing (its authors do not post again before it fills)."""

AUTHOR_MEMO_STRIDE: Final = 16
"""While the memo thrashes, one new author in this many is remembered (the others cost
the memo nothing), until it has had as many hits as it holds entries."""

_AuthorMemo = tuple[
    str | None, PartialUser, "Member | None", "dict[str | None, Member | None] | None"
]
"""``(guild_id, author, member, others)``: the wire author and member last stored by
:meth:`CacheState.put_author` in ``guild_id``, and ``others`` the wire members (or
``None``) the same wire author was stored with in other guilds, if any."""

_ABSENT: Final = object()


class MemberStore:
    """Members by guild id then user id, with an optional limit across all guilds.

    ``by_guild`` holds one plain dict per cached guild. Without a limit there is no
    bookkeeping beyond it. With a limit, eviction is second chance, exactly as in
    :mod:`fluxer_rx.cache.lru` (the guarantees are stated there), over all guilds'
    members together: ``_queue`` holds the stored member records in the order they were
    stored (a record is live while ``by_guild`` still holds that very object; a replaced
    or removed member's record stays in the queue, unlive, until the sweep or a
    compaction passes it), and ``_marked[guild]`` the ids of the members used since the
    sweep last passed them. About 8 bytes per member plus a dict entry per used one.

    Write ``by_guild`` only through the methods. ``on_remove(member)`` is called for each
    stored record that leaves by :meth:`put` (replaced by another object), :meth:`remove`
    or eviction, after it left; not for :meth:`drop_guild` or :meth:`clear`.
    """

    __slots__ = ("_live", "_marked", "_marks", "_queue", "by_guild", "limit", "on_remove")

    def __init__(
        self, limit: int | None, on_remove: Callable[[CachedMember], None] | None = None
    ) -> None:
        if limit is not None and limit < 0:
            raise ValueError(f"a cache limit must be >= 0 or None, not {limit}")
        self.limit = limit
        self.on_remove = on_remove
        self.by_guild: dict[str, dict[str, CachedMember]] = {}
        self._queue: ChunkedQueue[CachedMember] | None = (
            ChunkedQueue() if limit is not None else None
        )
        self._marked: dict[str, dict[str, None]] = {}  # dicts: see fluxer_rx.cache.lru
        self._marks = 0  # the number of marks in all of ``_marked``
        self._live = 0

    def put(self, member: CachedMember) -> None:
        """Store ``member`` (its guild must have a dict in ``by_guild``); a write counts as
        a use. A new record goes to the back of the sweep order; evicts beyond the limit."""
        guild_id = member.guild_id
        inner = self.by_guild[guild_id]
        user_id = member.user_id
        queue = self._queue
        old = inner.get(user_id)
        inner[user_id] = member
        if old is not None and old is not member and self.on_remove is not None:
            self.on_remove(old)
        if queue is None:
            return
        if old is member:
            self._mark(guild_id, user_id)
            return
        queue.append(member)
        if old is not None:  # old's queue slot is unlive now; the new one is unmarked
            self._unmark(guild_id, user_id)
            self._compact_if_stale()
            return
        self._live += 1
        limit = self.limit
        assert limit is not None
        if self._live > limit:
            self._evict(queue, limit, member)

    def _evict(
        self, queue: ChunkedQueue[CachedMember], limit: int, spare: CachedMember | None
    ) -> None:
        by_guild = self.by_guild
        marked = self._marked
        live = self._live
        if self._marks >= live:
            for marks in marked.values():  # all marked: see SweepOrder.pop_victim
                marks.clear()
            self._marks = 0
        while live > limit:
            member = queue.popleft()
            inner = by_guild.get(member.guild_id)
            if inner is None or inner.get(member.user_id) is not member:
                continue  # replaced or removed since it was queued
            marks = marked[member.guild_id]
            if member.user_id in marks:
                del marks[member.user_id]
                self._marks -= 1
                queue.append(member)
                continue
            if member is spare and live > 1:  # never the member being written: pass it once
                spare = None
                queue.append(member)
                continue
            del inner[member.user_id]
            live -= 1
            if self.on_remove is not None:
                self.on_remove(member)
        self._live = live

    def _mark(self, guild_id: str, user_id: str) -> None:
        marks = self._marked[guild_id]
        if user_id not in marks:
            marks[user_id] = None
            self._marks += 1

    def _unmark(self, guild_id: str, user_id: str) -> None:
        marks = self._marked[guild_id]
        if user_id in marks:
            del marks[user_id]
            self._marks -= 1

    def _is_live(self, member: CachedMember) -> bool:
        inner = self.by_guild.get(member.guild_id)
        return inner is not None and inner.get(member.user_id) is member

    def _compact_if_stale(self) -> None:
        queue = self._queue
        assert queue is not None
        if len(queue) - self._live > (self._live >> 1) + COMPACT_SLACK:
            self._queue = ChunkedQueue(filter(self._is_live, queue))

    def touch(self, guild_id: str, user_id: str) -> bool:
        """Mark a member as used; returns whether it is cached."""
        inner = self.by_guild.get(guild_id)
        if inner is None or user_id not in inner:
            return False
        if self._queue is not None:
            self._mark(guild_id, user_id)
        return True

    def remove(self, guild_id: str, user_id: str) -> CachedMember | None:
        """Remove one member; returns it, or ``None`` when it was not cached."""
        inner = self.by_guild.get(guild_id)
        if inner is None:
            return None
        member = inner.pop(user_id, None)
        if member is None:
            return None
        if self._queue is not None:
            self._live -= 1
            self._unmark(guild_id, user_id)
            self._compact_if_stale()
        if self.on_remove is not None:
            self.on_remove(member)
        return member

    def add_guild(self, guild_id: str) -> None:
        """Make room for a guild's members (keeps existing ones)."""
        self.by_guild.setdefault(guild_id, {})
        self._marked.setdefault(guild_id, {})

    def drop_guild(self, guild_id: str) -> None:
        """Remove a guild and all its members."""
        inner = self.by_guild.pop(guild_id, None)
        self._marks -= len(self._marked.pop(guild_id, {}))
        if inner and self._queue is not None:
            self._live -= len(inner)
            self._compact_if_stale()

    def recency(self) -> list[tuple[str, str]]:
        """``(guild_id, user_id)`` pairs in the order they would be evicted if none were
        used again: the unmarked ones, then the marked ones, each in sweep order (bounded
        stores only; for tests and debugging)."""
        marked = self._marked
        live: list[CachedMember] = []
        seen: set[int] = set()
        for m in self._queue or ():
            if self._is_live(m) and id(m) not in seen:
                seen.add(id(m))
                live.append(m)
        first = [(m.guild_id, m.user_id) for m in live if m.user_id not in marked[m.guild_id]]
        then = [(m.guild_id, m.user_id) for m in live if m.user_id in marked[m.guild_id]]
        return first + then

    def clear(self) -> None:
        """Remove everything."""
        self.by_guild.clear()
        self._marked.clear()
        self._marks = 0
        if self._queue is not None:
            self._queue.clear()
            self._live = 0

    def __len__(self) -> int:
        if self._queue is not None:
            return self._live
        return sum(len(inner) for inner in self.by_guild.values())


class CacheState:
    """Everything the cache knows, plus the switches that say what it keeps.

    Built by :class:`fluxer_rx.cache.Cache`; reducers receive it. Attributes are public for
    the reducers; users read the cache through ``Cache``'s read-only views.
    """

    def __init__(
        self, options: CacheOptions | None = None, *, on_issue: IssueHandler | None = None
    ) -> None:
        options = options if options is not None else CacheOptions()
        limits = options.limits
        self.options = options
        self.limits = limits
        # the switches as plain bools: the reducers read them on every event
        self.cache_users = options.keeps(CachedResource.USERS)
        self.cache_members = options.keeps(CachedResource.MEMBERS)
        self.cache_presences = options.keeps(CachedResource.PRESENCES)
        self.cache_voice_states = options.keeps(CachedResource.VOICE_STATES)
        self.message_cache_size = (
            options.message_cache_size if options.keeps(CachedResource.MESSAGES) else 0
        )
        self.on_issue = on_issue
        self.self_user: CachedUser | None = None
        self.guilds: LruMap[str, CachedGuild] = LruMap(limits.guilds, self._guild_evicted)
        self.channels: LruMap[str, CachedChannel] = LruMap(limits.channels, self._channel_evicted)
        self.users: LruMap[str, CachedUser] = LruMap(
            limits.users, self._user_evicted, self._user_removed
        )
        self.members = MemberStore(limits.members, self._member_removed)
        self.presences: dict[str, CachedPresence] = {}
        self.voice_states: dict[str, dict[str, VoiceState]] = {}
        self.messages: LruMap[str, deque[Message]] = LruMap(limits.channels)
        self.role_tuples = RoleTuples()
        self.author_memo_size = AUTHOR_MEMO_SIZE
        """Bound of the author memo of :meth:`put_author`; 0 switches the memo off."""
        self._authors: dict[str, _AuthorMemo] = {}
        self.author_memo_hits = 0
        """Authors found unchanged in the memo since it was last emptied."""
        self.author_memo_stride = 1
        """The memo remembers one new author in this many (1; more while it thrashes)."""
        self._author_skips = 0
        self._author_others = 0  # members remembered in ``others`` since the memo was emptied

    # -- diagnostics ---------------------------------------------------------------------

    def issue(self, kind: str, detail: str) -> None:
        """Report an inconsistency; a failing handler is ignored (the fold never raises)."""
        handler = self.on_issue
        if handler is not None:
            # a failing diagnostics sink must not break the fold
            with contextlib.suppress(Exception):
                handler(kind, detail)

    def missing_guild(self, guild_id: str, event: str) -> None:
        """Report an event for an uncached guild, unless guilds are bounded (then a miss
        is expected: the guild may have been evicted)."""
        if self.guilds.limit is None:
            self.issue(IssueKind.UNKNOWN_GUILD, f"{event} for unknown guild {guild_id}")

    def missing_channel(self, channel_id: str, event: str) -> None:
        """Report an event for an uncached channel, unless channels are bounded."""
        if self.channels.limit is None:
            self.issue(IssueKind.UNKNOWN_CHANNEL, f"{event} for unknown channel {channel_id}")

    # -- reset ---------------------------------------------------------------------------

    def clear(self) -> None:
        """Drop everything (a fresh IDENTIFY)."""
        self.self_user = None
        self.guilds.clear()
        self.channels.clear()
        self.users.clear()
        self.members.clear()
        self.presences.clear()
        self.voice_states.clear()
        self.messages.clear()
        self.role_tuples.clear()
        self._authors.clear()
        self._author_others = 0

    def clear_shard(self, shard_id: int, shard_count: int) -> None:
        """Drop the guilds one shard serves (``(guild_id >> 22) % shard_count``), with
        their channels and members; users, DMs and other shards' guilds stay."""
        doomed = [gid for gid in self.guilds if (int(gid) >> 22) % shard_count == shard_id]
        for guild_id in doomed:
            self.remove_guild(guild_id)

    # -- guilds --------------------------------------------------------------------------

    def put_guild(self, guild: CachedGuild) -> None:
        """Store a guild as most recent (its member dict is created if new)."""
        self.members.add_guild(guild.id)
        self.guilds.put(guild.id, guild)

    def remove_guild(self, guild_id: str) -> CachedGuild | None:
        """Remove a guild and everything that belongs to it."""
        guild = self.guilds.pop(guild_id)
        self._guild_gone(guild_id, guild)
        return guild

    def _guild_evicted(self, guild_id: str, guild: CachedGuild) -> None:
        self._guild_gone(guild_id, guild)

    def _guild_gone(self, guild_id: str, guild: CachedGuild | None) -> None:
        if guild is not None:
            for channel_id in tuple(guild.channel_ids):
                self.channels.pop(channel_id)
                self.messages.pop(channel_id)
            guild.channel_ids.clear()
        self._forget_authors_of(guild_id)
        self.members.drop_guild(guild_id)
        self.voice_states.pop(guild_id, None)

    # -- channels ------------------------------------------------------------------------

    def put_channel(self, channel: CachedChannel) -> bool:
        """Store a channel as most recent; a guild channel only while its guild is cached.

        Returns whether it was stored. A channel moved between guilds leaves the old one.
        """
        guild_id = channel.guild_id
        guild = None
        if guild_id is not None:
            guild = self.guilds.data.get(guild_id)
            if guild is None:
                return False
        old = self.channels.data.get(channel.id)
        if old is not None and old.guild_id != guild_id and old.guild_id is not None:
            old_guild = self.guilds.data.get(old.guild_id)
            if old_guild is not None:
                old_guild.channel_ids.discard(channel.id)
        if guild is not None:
            guild.channel_ids.add(channel.id)
        self.channels.put(channel.id, channel)
        return channel.id in self.channels.data

    def remove_channel(self, channel_id: str) -> CachedChannel | None:
        """Remove a deleted channel: its entry, its message cache, its id from its guild's
        ``channel_ids`` and from the guild's system / rules / AFK channel fields, and
        the ``parent_id`` of its cached children."""
        channel = self.channels.pop(channel_id)
        if channel is None:
            return None
        self._channel_gone(channel_id, channel)
        guild = self.guilds.data.get(channel.guild_id) if channel.guild_id else None
        if guild is not None:
            if guild.system_channel_id == channel_id:
                guild.system_channel_id = None
            if guild.rules_channel_id == channel_id:
                guild.rules_channel_id = None
            if guild.afk_channel_id == channel_id:
                guild.afk_channel_id = None
            channels = self.channels.data
            for child_id in guild.channel_ids:
                child = channels.get(child_id)
                if child is not None and child.parent_id == channel_id:
                    child.parent_id = None
        return channel

    def _channel_evicted(self, channel_id: str, channel: CachedChannel) -> None:
        self._channel_gone(channel_id, channel)

    def _channel_gone(self, channel_id: str, channel: CachedChannel) -> None:
        self.messages.pop(channel_id)
        if channel.guild_id is not None:
            guild = self.guilds.data.get(channel.guild_id)
            if guild is not None:
                guild.channel_ids.discard(channel_id)

    # -- users ---------------------------------------------------------------------------

    def put_user(self, user: PartialUser) -> str:
        """Store or refresh a user; returns the id string to reference it by (the cached
        object's own ``id``, so every reference shares one string).

        An id-only user (``username`` absent, as in READY members or member removals)
        never overwrites what the cache knows; it creates an id-only record when the user
        is unknown.
        """
        users = self.users
        if not self.cache_users:
            return user.id
        cached = users.data.get(user.id)
        if cached is None:
            cached = user_from_wire(user)
            users.put(cached.id, cached)
            return cached.id
        if user.username is not None and update_user(cached, user):
            self._authors.pop(cached.id, None)  # the record changed in place
        if users.limit is not None:
            users.touch(cached.id)
        return cached.id

    def put_author(self, author: PartialUser, member: Member | None, guild_id: str | None) -> None:
        """Store a message's author and, in a guild, the author's member: exactly what
        :meth:`put_user` then :meth:`put_member` would store, and the same recency marks.

        A shortcut makes the common case cheap (an author who posts again, unchanged):
        the wire author and member last stored this way are remembered (the member per
        guild, for an author of several), up to :attr:`author_memo_size` wire members in
        all. When the new wire objects are equal to the remembered ones (one C-level
        comparison each), storing them again would change nothing, so only the recency
        marks are set.

        That holds because an entry lives only while its records are cached and
        unchanged; every way one leaves or changes forgets the entry: replaced or
        removed (the stores' ``on_remove``), evicted (``on_evict``), its guild removed or
        evicted, modified in place (:meth:`put_user` forgets its user's entry,
        :meth:`strip_role` all of them) or the cache reset (:meth:`clear`). Write the
        stores only through their methods.

        The memo adapts to the traffic: when it fills with fewer hits than entries (more
        active authors than it holds, each posting rarely), it remembers only one new
        author in :data:`AUTHOR_MEMO_STRIDE` until it has had as many hits as entries
        again, so a crowd of authors costs about what no memo costs. What is stored never
        depends on it.
        """
        user_id = author.id
        memo = self._authors.get(user_id)
        if memo is not None and memo[1] == author:
            # The records stored from these wire objects are cached and unchanged (see
            # the docstring), so no lookup checks them: on the authors of a thousand
            # guilds those lookups missed the CPU's caches (0.5 us per message).
            if memo[0] == guild_id:
                hit = memo[2] == member
            else:  # an author of several guilds (a bot posting in each of them)
                others = memo[3]
                hit = others is not None and others.get(guild_id, _ABSENT) == member
            if hit:
                self.author_memo_hits += 1
                users = self.users
                if users.limit is not None:
                    users.touch(user_id)
                if member is not None and guild_id is not None and self.members.limit is not None:
                    self.members.touch(guild_id, user_id)
                return
        user_id = self.put_user(author)
        remember = self.author_memo_size > 0
        if remember and self._author_skips:
            if self.author_memo_hits >= len(self._authors):  # it pays again: all in
                self.author_memo_stride = 1
                self._author_skips = 0
            else:
                self._author_skips -= 1  # thrashing: this author is not remembered
                remember = False
        if member is not None and guild_id is not None:
            self.put_member(guild_id, member, user_id)
            if remember and not self._member_stored(guild_id, user_id):
                return  # not stored (members off, or the guild is not cached): no shortcut
        if not remember:
            return
        if self.users.limit is not None and user_id not in self.users.data:
            return  # evicted at once (a limit of 0)
        if not self.cache_users:
            return
        if memo is not None:  # it may have been forgotten meanwhile
            memo = self._authors.get(user_id)
        self._remember_author(user_id, author, member, guild_id, memo)

    def _member_stored(self, guild_id: str, user_id: str) -> bool:
        """Whether the member :meth:`put_member` was just given is cached."""
        if not self.cache_members:
            return False
        members = self.members
        if members.limit is None:  # stored exactly when the guild is cached
            return guild_id in members.by_guild
        inner = members.by_guild.get(guild_id)
        return inner is not None and user_id in inner

    def _remember_author(
        self,
        user_id: str,
        author: PartialUser,
        member: Member | None,
        guild_id: str | None,
        memo: _AuthorMemo | None,
    ) -> None:
        """Remember a wire author and member just stored (see :meth:`put_author`);
        ``memo`` is the author's entry, if any."""
        authors = self._authors
        if len(authors) + self._author_others >= self.author_memo_size:
            # Start over rather than evict the oldest: O(1) amortised, where deleting a
            # dict's first entry again and again makes finding the next one ever slower.
            self._author_memo_full(len(authors))
            authors.clear()
            self._author_others = 0
            memo = None
        if memo is not None and memo[0] != guild_id and memo[1] == author:
            others = memo[3]
            if others is None:
                others = {}
                authors[user_id] = (memo[0], author, memo[2], others)
            others[guild_id] = member
            self._author_others += 1
        else:
            authors[user_id] = (guild_id, author, member, None)
        self._author_skips = self.author_memo_stride - 1

    def _author_memo_full(self, entries: int) -> None:
        """The memo filled up: judge it (see :data:`AUTHOR_MEMO_JUDGED`) and set the
        stride for the next fill."""
        hits, self.author_memo_hits = self.author_memo_hits, 0
        if entries >= AUTHOR_MEMO_JUDGED:
            self.author_memo_stride = AUTHOR_MEMO_STRIDE if hits < entries else 1

    def _user_evicted(self, user_id: str, user: CachedUser) -> None:
        self.presences.pop(user_id, None)
        self._authors.pop(user_id, None)

    def _user_removed(self, user_id: str, user: CachedUser) -> None:
        self._authors.pop(user_id, None)

    def _member_removed(self, member: CachedMember) -> None:
        self._authors.pop(member.user_id, None)

    def _forget_authors_of(self, guild_id: str) -> None:
        """Forget the memo entries of a guild's members (the guild is leaving)."""
        authors = self._authors
        inner = self.members.by_guild.get(guild_id)
        if inner is None or len(inner) > len(authors):
            doomed = [
                uid
                for uid, memo in authors.items()
                if memo[0] == guild_id or (memo[3] is not None and guild_id in memo[3])
            ]
        else:
            doomed = [uid for uid in inner if uid in authors]
        for user_id in doomed:
            del authors[user_id]

    # -- members -------------------------------------------------------------------------

    def put_member(
        self, guild_id: str, member: Member, user_id: str, *, replace: bool = False
    ) -> bool:
        """Store a wire member of a cached guild (its user already stored as ``user_id``).

        An unchanged member is only marked recently used, unless ``replace`` (a new
        membership: GUILD_MEMBER_ADD). Returns whether the member was new to the cache.
        Does nothing when members are switched off or the guild is not cached.
        """
        if not self.cache_members:
            return False
        inner = self.members.by_guild.get(guild_id)  # present exactly while the guild is
        if inner is None:
            return False
        cached = inner.get(user_id)
        if cached is None:
            guild_key = self.guilds.data[guild_id].id
        elif not replace and same_member(cached, member):
            if self.members.limit is not None:
                self.members.touch(guild_id, user_id)
            return False
        else:
            guild_key = cached.guild_id
        self.members.put(member_from_wire(member, guild_key, user_id, self.role_tuples))
        return cached is None

    def strip_role(self, guild_id: str, role_id: str) -> None:
        """Remove a deleted role's id from every cached member of the guild."""
        inner = self.members.by_guild.get(guild_id)
        if not inner:
            return
        intern = self.role_tuples.get
        self._authors.clear()  # members are modified in place below
        for member in inner.values():
            if role_id in member.roles:
                member.roles = intern(tuple(r for r in member.roles if r != role_id))

    # -- voice ---------------------------------------------------------------------------

    def put_voice_state(self, scope_id: str, state: VoiceState) -> None:
        """Store (or, when ``channel_id`` is ``None``, remove) a user's voice state."""
        if state.channel_id is None:
            inner = self.voice_states.get(scope_id)
            if inner is not None:
                inner.pop(state.user_id, None)
                if not inner:
                    del self.voice_states[scope_id]
            return
        self.voice_states.setdefault(scope_id, {})[state.user_id] = state

    # -- messages ------------------------------------------------------------------------

    def put_message(self, message: Message) -> None:
        """Append a message to its channel's bounded message cache."""
        size = self.message_cache_size
        if size <= 0:
            return
        messages = self.messages
        recent = messages.data.get(message.channel_id)
        if recent is None:
            recent = deque(maxlen=size)
            messages.put(message.channel_id, recent)
        elif messages.limit is not None:
            messages.touch(message.channel_id)
        recent.append(message)

    def replace_message(self, message: Message) -> None:
        """Replace a cached message by id (no-op when it is not cached)."""
        recent = self.messages.data.get(message.channel_id)
        if recent is None:
            return
        for index, old in enumerate(recent):
            if old.id == message.id:
                recent[index] = message
                return

    def remove_messages(self, channel_id: str, ids: Iterable[str]) -> None:
        """Remove cached messages by id."""
        recent = self.messages.data.get(channel_id)
        if recent is None:
            return
        doomed = set(ids)
        kept = [m for m in recent if m.id not in doomed]
        if len(kept) != len(recent):
            recent.clear()
            recent.extend(kept)
