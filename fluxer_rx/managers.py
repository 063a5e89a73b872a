"""Managers: read-only mappings over the cache with REST behind them.

``client.guilds``, ``client.channels`` and ``client.users`` are ``Mapping[str, Cached*]``
views of the cache (``len``, ``in``, iteration, ``[id]``) with three ways to get one entry:

* ``get(id)``: the cache only (marks the entry recently used); ``None`` when absent.
* ``await fetch(id)``: always REST; the answer is written into the cache (when that store
  is enabled) and returned as the wire model.
* ``await resolve(id)``: the cached entry when there is one, else ``fetch``.

``client.members`` maps guild id -> (user id -> cached member). ``client.messages`` acts on
messages given as the models the events carry (``MessageCreate``, ``Message``, anything
with ``id`` and ``channel_id``): ``reply``, ``react``, ``unreact``, ``edit``, ``delete``;
``client.channels.send`` takes a channel id or a channel object. These methods are the
"bound behaviour" of the models: the models stay plain decoded structs, with no client
reference or wrapper per event, and the behaviour lives here, one object per client.

Every REST call raises the
REST layer's typed errors (``ApiError`` with Fluxer's code, ``RateLimitError``, ...), and
:class:`~fluxer_rx.errors.ClientNotReady` when the client has no REST session (before
``login``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any, Generic, Protocol, TypeVar

import msgspec

from fluxer_rx.cache import Cache, CachedChannel, CachedGuild, CachedMember, CachedUser
from fluxer_rx.messages import AllowedMentions, Embed, message_body
from fluxer_rx.models import Channel, Guild, Member, Message, PartialUser
from fluxer_rx.models.events import ChannelUpdate, GuildCreate, GuildUpdate
from fluxer_rx.rest import File, Rest, UserProfile
from fluxer_rx.rest.client import EmojiLike

__all__ = [
    "ChannelManager",
    "ChannelRef",
    "GuildManager",
    "MemberManager",
    "MessageLike",
    "MessageManager",
    "UserManager",
]

V = TypeVar("V")

RestGetter = Callable[[], Rest]

ChannelRef = str | int | Channel | CachedChannel
"""A channel by id, or a channel object (its ``id`` is used)."""


class MessageLike(Protocol):
    """What the message methods need: ``MessageCreate``, ``MessageUpdate``, ``Message``."""

    @property
    def id(self) -> str: ...

    @property
    def channel_id(self) -> str: ...


def _channel_id(channel: ChannelRef) -> str | int:
    return channel.id if isinstance(channel, Channel | CachedChannel) else channel


def _as(cls: type[Any], obj: msgspec.Struct) -> Any:
    """Re-type a wire object as the event class that carries the same fields."""
    return cls(**{name: getattr(obj, name) for name in obj.__struct_fields__})


class _CacheView(Mapping[str, V], Generic[V]):
    def __init__(self, view: Callable[[], Mapping[str, V]]) -> None:
        self._view = view

    def __getitem__(self, key: str) -> V:
        return self._view()[key]

    def __len__(self) -> int:
        return len(self._view())

    def __iter__(self) -> Iterator[str]:
        return iter(self._view())

    def __contains__(self, key: object) -> bool:
        return key in self._view()

    def __repr__(self) -> str:
        return f"<{type(self).__name__} cached={len(self)}>"


class GuildManager(_CacheView[CachedGuild]):
    """Guilds: the cache, and ``GET /guilds/{id}`` behind it."""

    def __init__(self, cache: Cache, rest: RestGetter) -> None:
        super().__init__(lambda: cache.guilds)
        self._cache = cache
        self._rest = rest

    def get(self, guild_id: str, default: Any = None) -> Any:
        """The cached guild (marked recently used), or ``default``."""
        found = self._cache.get_guild(str(guild_id))
        return default if found is None else found

    async def fetch(self, guild_id: str) -> Guild:
        """``GET /guilds/{id}``; the guild's properties are written into the cache."""
        guild = await self._rest().get_guild(guild_id)
        if guild.id in self._cache.guilds:
            self._cache.apply(_as(GuildUpdate, guild))
        else:
            self._cache.apply(_as(GuildCreate, guild))
        return guild

    async def resolve(self, guild_id: str) -> CachedGuild | Guild:
        """The cached guild, else :meth:`fetch`."""
        found = self._cache.get_guild(str(guild_id))
        return found if found is not None else await self.fetch(guild_id)


class ChannelManager(_CacheView[CachedChannel]):
    """Channels: the cache, ``GET /channels/{id}``, and sending messages."""

    def __init__(self, cache: Cache, rest: RestGetter) -> None:
        super().__init__(lambda: cache.channels)
        self._cache = cache
        self._rest = rest

    def get(self, channel_id: str, default: Any = None) -> Any:
        """The cached channel (marked recently used), or ``default``."""
        found = self._cache.get_channel(str(channel_id))
        return default if found is None else found

    async def fetch(self, channel_id: str) -> Channel:
        """``GET /channels/{id}``; the channel is written into the cache (when its guild is
        cached)."""
        channel = await self._rest().get_channel(channel_id)
        self._cache.apply(_as(ChannelUpdate, channel))
        return channel

    async def resolve(self, channel_id: str) -> CachedChannel | Channel:
        """The cached channel, else :meth:`fetch`."""
        found = self._cache.get_channel(str(channel_id))
        return found if found is not None else await self.fetch(channel_id)

    async def send(
        self,
        channel: ChannelRef,
        content_or_body: str | Mapping[str, Any] | None = None,
        *,
        embeds: Sequence[Embed | Mapping[str, Any]] = (),
        allowed_mentions: AllowedMentions | None = None,
        files: Sequence[File] = (),
    ) -> Message:
        """Post a message in ``channel`` (an id, or a channel object) and return the created
        :class:`Message`: ``content`` text or a full body dict, ``embeds`` (:class:`Embed`
        builders or dicts), ``allowed_mentions``, optional attachments. Its MESSAGE_CREATE
        still arrives on ``client.events``."""
        body = message_body(content_or_body, embeds=embeds, allowed_mentions=allowed_mentions)
        return await self._rest().create_message(_channel_id(channel), body, files=files)

    async def fetch_message(self, channel_id: str, message_id: str) -> Message:
        """``GET /channels/{channel_id}/messages/{message_id}``."""
        return await self._rest().get_message(channel_id, message_id)


class UserManager(_CacheView[CachedUser]):
    """Users: the cache, ``GET /users/{id}`` and the profile route."""

    def __init__(self, cache: Cache, rest: RestGetter) -> None:
        super().__init__(lambda: cache.users)
        self._cache = cache
        self._rest = rest

    def get(self, user_id: str, default: Any = None) -> Any:
        """The cached user (marked recently used), or ``default``."""
        found = self._cache.get_user(str(user_id))
        return default if found is None else found

    async def fetch(self, user_id: str) -> PartialUser:
        """``GET /users/{id}``; the user is written into the cache (when users are cached)."""
        user = await self._rest().get_user(user_id)
        self._cache.store_user(user)
        return user

    async def resolve(self, user_id: str) -> CachedUser | PartialUser:
        """The cached user, else :meth:`fetch`."""
        found = self._cache.get_user(str(user_id))
        return found if found is not None else await self.fetch(user_id)

    async def fetch_with_profile(
        self, user_id: str, *, guild_id: str | None = None
    ) -> tuple[PartialUser, UserProfile]:
        """The user and their profile (``GET /users/{id}/profile``, guild-specific when
        ``guild_id`` is given)."""
        user = await self.fetch(user_id)
        profile = await self._rest().get_user_profile(user_id, guild_id=guild_id)
        return user, profile


class MemberManager(_CacheView[Mapping[str, CachedMember]]):
    """Members by guild: ``client.members[guild_id][user_id]``."""

    def __init__(self, cache: Cache, rest: RestGetter) -> None:
        super().__init__(lambda: cache.members)
        self._cache = cache
        self._rest = rest

    async def fetch(self, guild_id: str, user_id: str) -> Member:
        """``GET /guilds/{guild_id}/members/{user_id}``; the member (and its user) is
        written into the cache when the guild is cached and members are cached."""
        member = await self._rest().get_guild_member(guild_id, user_id)
        self._cache.store_member(str(guild_id), member)
        return member


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
        content_or_body: str | Mapping[str, Any] | None = None,
        *,
        mention_author: bool = False,
        embeds: Sequence[Embed | Mapping[str, Any]] = (),
        allowed_mentions: AllowedMentions | None = None,
        files: Sequence[File] = (),
    ) -> Message:
        """Post a reply to ``message`` in its channel (``message_reference`` to it) and return
        the created :class:`Message`, with optional ``embeds``. The author is pinged only
        with ``mention_author=True`` (mentions in the text are parsed as usual); an
        ``allowed_mentions`` given, or a body dict's own ``message_reference`` and
        ``allowed_mentions``, win."""
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

    async def edit(
        self, message: MessageLike, content_or_body: str | Mapping[str, Any]
    ) -> Message:
        """Edit ``message`` (the bot's own) and return it as edited."""
        return await self._rest().edit_message(message.channel_id, message.id, content_or_body)

    async def delete(self, message: MessageLike, *, reason: str | None = None) -> None:
        """Delete ``message``."""
        await self._rest().delete_message(message.channel_id, message.id, reason=reason)
