"""Managers: read-only mappings over the cache with REST behind them.

``client.guilds``, ``client.channels`` and ``client.users`` are ``Mapping[str, Cached*]``
views of the cache (``len``, ``in``, iteration, ``[id]``) with three ways to get one entry,
each typed precisely (for guilds: ``CachedGuild | None``, ``Guild``,
``CachedGuild | Guild``):

* ``get(id)``: the cache only (marks the entry recently used); ``None`` when absent.
* ``await fetch(id)``: always REST; the answer is written into the cache (when that store
  is enabled) and returned as the wire model.
* ``await resolve(id)``: the cached entry when there is one, else ``fetch``.

Managers read a :class:`~fluxer_rx.cache.CacheView` and write fetched results through a
:class:`FetchedStore` (the :class:`~fluxer_rx.cache.Cache`), never the cache's state.
``client.members`` maps guild id -> (user id -> cached member), with
``get_member(guild_id, user_id)``, ``fetch`` and ``resolve`` taking both ids.

``client.messages`` acts on messages given as the models the events carry
(``MessageCreate``, ``Message``, anything with ``id`` and ``channel_id``): ``reply``,
``react``, ``unreact``, ``edit``, ``delete``; ``client.channels.send`` takes a channel id
or a channel object. These methods are the "bound behaviour" of the models: the models
stay plain decoded structs, with no client reference or wrapper per event, and the
behaviour lives here, one object per client.

Every REST call raises the REST layer's typed errors (``ApiError`` with Fluxer's code,
``RateLimitError``, ...), and :class:`~fluxer_rx.errors.ClientNotReady` when the client has
no REST session (before ``login``).
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Generic, Protocol, TypeVar, overload

from fluxer_rx.cache import (
    Cache,
    CachedChannel,
    CachedGuild,
    CachedMember,
    CachedUser,
    CacheView,
)
from fluxer_rx.models import Channel, Guild, Member, Message, PartialUser

if TYPE_CHECKING:  # the REST client is imported by login(), the message bodies by a send
    from fluxer_rx.messages import AllowedMentions, Embed
    from fluxer_rx.rest import File, Rest, UserProfile
    from fluxer_rx.rest.client import EmojiLike

__all__ = [
    "ChannelManager",
    "ChannelRef",
    "FetchedStore",
    "GuildManager",
    "JsonObject",
    "MemberManager",
    "MessageLike",
    "MessageManager",
    "UserManager",
]

V = TypeVar("V")
W = TypeVar("W")
T = TypeVar("T")

RestGetter = Callable[[], "Rest"]

JsonObject = Mapping[str, object]
"""A JSON object given as a mapping (a message body, an embed as a dict)."""

ChannelRef = str | int | Channel | CachedChannel
"""A channel by id, or a channel object (its ``id`` is used)."""


class MessageLike(Protocol):
    """What the message methods need: ``MessageCreate``, ``MessageUpdate``, ``Message``."""

    @property
    def id(self) -> str: ...

    @property
    def channel_id(self) -> str: ...


class FetchedStore(Protocol):
    """Where managers write what they fetch over REST (:class:`~fluxer_rx.cache.Cache` is
    one); each method returns the cached record, or ``None`` when it was not kept."""

    def store_guild(self, guild: Guild) -> CachedGuild | None: ...

    def store_channel(self, channel: Channel) -> CachedChannel | None: ...

    def store_user(self, user: PartialUser) -> CachedUser | None: ...

    def store_member(self, guild_id: str, member: Member) -> CachedMember | None: ...


def _channel_id(channel: ChannelRef) -> str | int:
    return channel.id if isinstance(channel, Channel | CachedChannel) else channel


class _CachedMapping(Mapping[str, V], Generic[V]):
    """A live read-only mapping of one cache store, with a recency-aware ``get``."""

    def __init__(self, store: Mapping[str, V], lookup: Callable[[str], V | None]) -> None:
        self._store = store
        self._lookup = lookup

    def __getitem__(self, key: str) -> V:
        return self._store[key]

    def __len__(self) -> int:
        return len(self._store)

    def __iter__(self) -> Iterator[str]:
        return iter(self._store)

    def __contains__(self, key: object) -> bool:
        return key in self._store

    def __repr__(self) -> str:
        return f"<{type(self).__name__} cached={len(self)}>"

    @overload
    def get(self, key: str, /) -> V | None: ...

    @overload
    def get(self, key: str, /, default: V | T) -> V | T: ...

    def get(self, key: str, /, default: object = None) -> object:
        """The cached entry (marked recently used), or ``default``."""
        found = self._lookup(str(key))
        return default if found is None else found


class _FetchingMapping(_CachedMapping[V], Generic[V, W]):
    """A cached mapping with REST behind it: ``fetch`` (``W``) and ``resolve``."""

    def __init__(
        self,
        store: Mapping[str, V],
        lookup: Callable[[str], V | None],
        rest: RestGetter,
        fetched: FetchedStore | None,
    ) -> None:
        super().__init__(store, lookup)
        self._rest = rest
        self._fetched = fetched

    @abstractmethod
    async def fetch(self, key: str) -> W:
        """Always REST; the answer is written into the cache."""

    async def resolve(self, key: str) -> V | W:
        """The cached entry when there is one (marked recently used), else :meth:`fetch`."""
        found = self._lookup(str(key))
        return found if found is not None else await self.fetch(key)


def _fetched_store(view: CacheView, store: FetchedStore | None) -> FetchedStore | None:
    # the view of a Cache that was handed over whole is also where its fetches go
    if store is None and isinstance(view, Cache):
        return view
    return store


class GuildManager(_FetchingMapping[CachedGuild, Guild]):
    """Guilds: the cache, and ``GET /guilds/{id}`` behind it.

    ``view`` is read; ``store`` receives what :meth:`fetch` gets (by default the cache
    itself when ``view`` is a whole :class:`~fluxer_rx.cache.Cache`; with a plain
    :class:`~fluxer_rx.cache.CacheView` and no ``store``, fetches are not written). The
    other managers take the same arguments.
    """

    def __init__(
        self, view: CacheView, rest: RestGetter, store: FetchedStore | None = None
    ) -> None:
        super().__init__(view.guilds, view.get_guild, rest, _fetched_store(view, store))

    async def fetch(self, key: str) -> Guild:
        """``GET /guilds/{id}``; the guild's properties are written into the cache."""
        guild = await self._rest().get_guild(key)
        if self._fetched is not None:
            self._fetched.store_guild(guild)
        return guild


class ChannelManager(_FetchingMapping[CachedChannel, Channel]):
    """Channels: the cache, ``GET /channels/{id}``, and sending messages."""

    def __init__(
        self, view: CacheView, rest: RestGetter, store: FetchedStore | None = None
    ) -> None:
        super().__init__(view.channels, view.get_channel, rest, _fetched_store(view, store))

    async def fetch(self, key: str) -> Channel:
        """``GET /channels/{id}``; the channel is written into the cache (when its guild is
        cached)."""
        channel = await self._rest().get_channel(key)
        if self._fetched is not None:
            self._fetched.store_channel(channel)
        return channel

    async def send(
        self,
        channel: ChannelRef,
        content_or_body: str | JsonObject | None = None,
        *,
        embeds: Sequence[Embed | JsonObject] = (),
        allowed_mentions: AllowedMentions | None = None,
        files: Sequence[File] = (),
    ) -> Message:
        """Post a message in ``channel`` (an id, or a channel object) and return the created
        :class:`Message`: ``content`` text or a full body dict, ``embeds`` (:class:`Embed`
        builders or dicts), ``allowed_mentions``, optional attachments. Its MESSAGE_CREATE
        still arrives on ``client.events``."""
        from fluxer_rx.messages import message_body

        body = message_body(content_or_body, embeds=embeds, allowed_mentions=allowed_mentions)
        return await self._rest().create_message(_channel_id(channel), body, files=files)

    async def fetch_message(self, channel_id: str, message_id: str) -> Message:
        """``GET /channels/{channel_id}/messages/{message_id}``."""
        return await self._rest().get_message(channel_id, message_id)


class UserManager(_FetchingMapping[CachedUser, PartialUser]):
    """Users: the cache, ``GET /users/{id}`` and the profile route."""

    def __init__(
        self, view: CacheView, rest: RestGetter, store: FetchedStore | None = None
    ) -> None:
        super().__init__(view.users, view.get_user, rest, _fetched_store(view, store))

    async def fetch(self, key: str) -> PartialUser:
        """``GET /users/{id}``; the user is written into the cache (when users are cached)."""
        user = await self._rest().get_user(key)
        if self._fetched is not None:
            self._fetched.store_user(user)
        return user

    async def fetch_with_profile(
        self, user_id: str, *, guild_id: str | None = None
    ) -> tuple[PartialUser, UserProfile]:
        """The user and their profile (``GET /users/{id}/profile``, guild-specific when
        ``guild_id`` is given)."""
        user = await self.fetch(user_id)
        profile = await self._rest().get_user_profile(user_id, guild_id=guild_id)
        return user, profile


class MemberManager(_CachedMapping[Mapping[str, CachedMember]]):
    """Members by guild: ``client.members[guild_id][user_id]``; ``get(guild_id)`` is the
    guild's members (not a recency mark); :meth:`get_member` and :meth:`resolve` take a
    guild and a user."""

    def __init__(
        self, view: CacheView, rest: RestGetter, store: FetchedStore | None = None
    ) -> None:
        super().__init__(view.members, view.members.get)
        self._view = view
        self._rest = rest
        self._fetched = _fetched_store(view, store)

    def get_member(self, guild_id: str, user_id: str) -> CachedMember | None:
        """The cached member (marked recently used), or ``None``."""
        return self._view.get_member(str(guild_id), str(user_id))

    async def fetch(self, guild_id: str, user_id: str) -> Member:
        """``GET /guilds/{guild_id}/members/{user_id}``; the member (and its user) is
        written into the cache when the guild is cached and members are cached."""
        member = await self._rest().get_guild_member(guild_id, user_id)
        if self._fetched is not None:
            self._fetched.store_member(str(guild_id), member)
        return member

    async def resolve(self, guild_id: str, user_id: str) -> CachedMember | Member:
        """The cached member (marked recently used), else :meth:`fetch`."""
        found = self.get_member(guild_id, user_id)
        return found if found is not None else await self.fetch(guild_id, user_id)


class MessageManager:
    """Messages given as models: ``await client.messages.reply(message, "text")``.

    ``message`` is any :class:`MessageLike` (the ``MessageCreate`` of an event, a fetched
    ``Message``); only its ``id`` and ``channel_id`` are read, so the call costs nothing
    until it is made and nothing is kept.
    """

    def __init__(self, rest: RestGetter) -> None:
        self._rest = rest

    async def reply(
        self,
        message: MessageLike,
        content_or_body: str | JsonObject | None = None,
        *,
        mention_author: bool = False,
        embeds: Sequence[Embed | JsonObject] = (),
        allowed_mentions: AllowedMentions | None = None,
        files: Sequence[File] = (),
    ) -> Message:
        """Post a reply to ``message`` in its channel (``message_reference`` to it) and return
        the created :class:`Message`, with optional ``embeds``. The author is pinged only
        with ``mention_author=True`` (mentions in the text are parsed as usual); an
        ``allowed_mentions`` given, or a body dict's own ``message_reference`` and
        ``allowed_mentions``, win."""
        from fluxer_rx.messages import message_body

        body = message_body(content_or_body, embeds=embeds, allowed_mentions=allowed_mentions)
        body.setdefault(
            "message_reference", {"message_id": message.id, "channel_id": message.channel_id}
        )
        # the mentions in the content are parsed as usual; only the reply's ping is chosen
        body.setdefault(
            "allowed_mentions",
            {"parse": ["users", "roles", "everyone"], "replied_user": mention_author},
        )
        return await self._rest().create_message(message.channel_id, body, files=files)

    async def react(self, message: MessageLike, emoji: EmojiLike) -> None:
        """Add the bot's reaction ``emoji`` (``"👍"``, ``"name:id"``, ``<:name:id>`` or an
        emoji object) to ``message``."""
        await self._rest().add_reaction(message.channel_id, message.id, emoji)

    async def unreact(self, message: MessageLike, emoji: EmojiLike) -> None:
        """Remove the bot's own reaction ``emoji`` from ``message``."""
        await self._rest().remove_own_reaction(message.channel_id, message.id, emoji)

    async def edit(self, message: MessageLike, content_or_body: str | JsonObject) -> Message:
        """Edit ``message`` (the bot's own) and return it as edited."""
        return await self._rest().edit_message(message.channel_id, message.id, content_or_body)

    async def delete(self, message: MessageLike, *, reason: str | None = None) -> None:
        """Delete ``message``."""
        await self._rest().delete_message(message.channel_id, message.id, reason=reason)
