"""The sandbox world's state and the reads over it: the entity maps, the clock and ids,
the dispatch listeners, lookups that raise :class:`WorldError`, history paging and emoji
parsing.

:class:`WorldState` is the base of :class:`~fluxer_rx.sandbox.world.World`; it changes
nothing but the id counter and the user map (:meth:`WorldState.create_user` emits nothing).
"""

from __future__ import annotations

import hashlib
import random
import re
from collections.abc import Callable, Iterable
from typing import Final

from fluxer_rx.sandbox.faults import Faults
from fluxer_rx.sandbox.snowflakes import Clock, SnowflakeMinter
from fluxer_rx.sandbox.world_entities import (
    Channel,
    Guild,
    Json,
    Member,
    Message,
    User,
    WorldError,
)
from fluxer_rx.sandbox.world_seeding import random_username

__all__ = ["WorldListener", "WorldState"]

WorldListener = Callable[[str, Json, "str | None", "frozenset[str] | None"], None]
"""A dispatch listener: ``(event_name, d, guild_id, user_ids)``; see :meth:`World.emit`."""

_CUSTOM_EMOJI_RE: Final = re.compile(r"^(.+):(\d+)$")


class WorldState:
    """Entity maps, clock, listeners and lookups of one world (see the module docstring).

    Public attributes (read them, change them only through mutations):

    * ``seed``: the world's seed (names, contents and the bot secret).
    * ``bot``: the bot :class:`User`; ``token``: its valid bot token ``<bot.id>.<secret>``.
    * ``users``: id -> :class:`User`; ``guilds``: id -> :class:`Guild` (creation order);
      ``channels``: id -> :class:`Channel` (every guild channel).
    * ``faults``: the shared :class:`~fluxer_rx.sandbox.faults.Faults` switches.
    """

    def __init__(self, *, seed: int, ids: SnowflakeMinter) -> None:
        self.seed = seed
        self._rng = random.Random(f"fluxer-sandbox-world:{seed}")
        self._ids = ids
        self._listeners: list[WorldListener] = []
        self.users: dict[str, User] = {}
        self.guilds: dict[str, Guild] = {}
        self.channels: dict[str, Channel] = {}
        self._tokens: dict[str, str] = {}
        self._user_tokens: dict[str, str] = {}
        self._user_number = 0
        self.faults = Faults(rng=random.Random(f"fluxer-sandbox-faults:{seed}"))
        """Fault switches shared by the gateway and REST halves."""
        self.bot = self.create_user(username="sandbox-bot", bot=True)
        """The bot user, online; every seeded guild is the bot's."""
        self.bot.status = "online"
        secret = hashlib.sha256(f"fluxer-sandbox-secret:{seed}".encode()).hexdigest()[:32]
        self.token = f"{self.bot.id}.{secret}"
        """The bot's valid token ``<bot.id>.<secret>``."""
        self._tokens[self.token] = self.bot.id

    # -- clock and ids -----------------------------------------------------------------

    @property
    def clock(self) -> Clock:
        """The world's wall clock (Unix seconds); every id it makes carries its time."""
        return self._ids.clock

    def now_ms(self) -> int:
        """The world's time in Unix ms: its clock, never earlier than the newest id's
        time (while seeding, the newest id's time)."""
        return self._ids.now_ms()

    def new_id(self) -> str:
        """Make a fresh snowflake stamped with :meth:`now_ms` (larger than every id made
        before; see :class:`~fluxer_rx.sandbox.snowflakes.SnowflakeMinter`)."""
        return self._ids.mint()

    def reserve_ids(self, count: int) -> int:
        """Reserve ``count`` ids written by the caller (the firehose); return the first.
        Id ``i`` is ``first + ((i >> 12) << 22) + (i & 0xFFF)``; see
        :meth:`~fluxer_rx.sandbox.snowflakes.SnowflakeMinter.reserve`."""
        return self._ids.reserve(count)

    # -- listeners and emit ------------------------------------------------------------

    def add_listener(self, listener: WorldListener) -> None:
        """Register ``listener``; it is called synchronously for every :meth:`emit`."""
        self._listeners.append(listener)

    def remove_listener(self, listener: WorldListener) -> None:
        """Unregister ``listener`` (no error if it was not registered)."""
        if listener in self._listeners:
            self._listeners.remove(listener)

    def emit(
        self,
        event: str,
        d: Json,
        *,
        guild_id: str | None = None,
        user_ids: Iterable[str] | None = None,
    ) -> None:
        """Hand dispatch ``event`` with payload ``d`` to every listener.

        Routing contract for listeners (the gateway hub implements it): a ``guild_id``
        dispatch goes to the sessions on the shard ``(guild_id >> 22) % count`` of the
        guild's members, or, when ``user_ids`` is also given, of exactly those users
        (members or not: GUILD_DELETE to a removed user). Without ``guild_id``,
        ``user_ids`` restricts it to those users' sessions and ``None`` means every
        session, on shard 0 only. Listeners must not mutate ``d``.
        """
        targets = frozenset(user_ids) if user_ids is not None else None
        for listener in tuple(self._listeners):
            listener(event, d, guild_id, targets)

    # -- lookups -----------------------------------------------------------------------

    def user_id_for_token(self, token: str) -> str | None:
        """Return the user id of a token the sandbox issued (the bot's or a user's from
        :meth:`user_token`), or ``None``."""
        return self._tokens.get(token)

    def is_user_token(self, token: str) -> bool:
        """Whether ``token`` is a user token issued by :meth:`user_token`."""
        user_id = self._tokens.get(token)
        return user_id is not None and self._user_tokens.get(user_id) == token

    def get_user(self, user_id: str) -> User:
        """Return the user or raise ``WorldError('UNKNOWN_USER')``."""
        user = self.users.get(str(user_id))
        if user is None:
            raise WorldError("UNKNOWN_USER", "Unknown user")
        return user

    def get_guild(self, guild_id: str) -> Guild:
        """Return the guild or raise ``WorldError('UNKNOWN_GUILD')``."""
        guild = self.guilds.get(str(guild_id))
        if guild is None:
            raise WorldError("UNKNOWN_GUILD", "Unknown guild")
        return guild

    def get_channel(self, channel_id: str) -> Channel:
        """Return the channel or raise ``WorldError('UNKNOWN_CHANNEL')``."""
        channel = self.channels.get(str(channel_id))
        if channel is None:
            raise WorldError("UNKNOWN_CHANNEL", "Unknown channel")
        return channel

    def get_message(self, channel_id: str, message_id: str) -> Message:
        """Return the message or raise ``UNKNOWN_CHANNEL`` / ``UNKNOWN_MESSAGE``."""
        message = self.get_channel(channel_id).messages.get(str(message_id))
        if message is None:
            raise WorldError("UNKNOWN_MESSAGE", "Unknown message")
        return message

    def get_member(self, guild_id: str, user_id: str) -> Member:
        """Return the membership or raise ``UNKNOWN_GUILD`` / ``UNKNOWN_MEMBER``."""
        member = self.get_guild(guild_id).members.get(str(user_id))
        if member is None:
            raise WorldError("UNKNOWN_MEMBER", "Unknown member")
        return member

    def guilds_of(self, user_id: str) -> list[Guild]:
        """Return the guilds ``user_id`` is a member of, in creation order."""
        return [g for g in self.guilds.values() if user_id in g.members]

    def list_messages(
        self,
        channel_id: str,
        *,
        limit: int = 50,
        before: str | None = None,
        after: str | None = None,
        around: str | None = None,
    ) -> list[Message]:
        """Return channel history the way ``GET /channels/{id}/messages`` pages it.

        Newest first. ``before``/``around`` select older / surrounding messages; with
        ``after`` the page holds the ``limit`` messages right after that id (still
        newest first). ``limit`` is clamped to 1..100.
        """
        channel = self.get_channel(channel_id)
        limit = max(1, min(100, limit))
        ordered = list(channel.messages.values())  # ascending ids
        if around is not None:
            pivot = int(around)
            older = [m for m in ordered if int(m.id) < pivot]
            newer = [m for m in ordered if int(m.id) >= pivot]
            n_new = min(len(newer), (limit + 1) // 2)
            n_old = min(len(older), limit - n_new)
            n_new = min(len(newer), limit - n_old)
            page = older[len(older) - n_old :] + newer[:n_new]
        elif after is not None:
            page = [m for m in ordered if int(m.id) > int(after)][:limit]
        else:
            if before is not None:
                ordered = [m for m in ordered if int(m.id) < int(before)]
            page = ordered[-limit:]
        page.reverse()
        return page

    def pinned_messages(self, channel_id: str) -> list[tuple[Message, int]]:
        """Return ``(message, pinned_at_ms)`` for the channel's pins, newest pin first."""
        channel = self.get_channel(channel_id)
        pins = [(channel.messages[mid], at) for mid, at in channel.pins.items()]
        pins.reverse()
        return pins

    def reaction_users(self, channel_id: str, message_id: str, emoji: str) -> list[User]:
        """Return the users who reacted with ``emoji`` (``name`` or ``name:id``)."""
        message = self.get_message(channel_id, message_id)
        reaction = message.reactions.get(self.emoji_key(self.parse_emoji(emoji)))
        return [self.users[u] for u in reaction.user_ids] if reaction else []

    # -- emoji helpers -----------------------------------------------------------------

    def parse_emoji(self, emoji: str) -> Json:
        """Parse a route emoji (URL-decoded Unicode or ``name:id``) into ``{name, id?, animated?}``.

        Raises ``WorldError('UNKNOWN_EMOJI')`` for a custom id the world does not know.
        """
        match = _CUSTOM_EMOJI_RE.match(emoji)
        if match is None:
            if not emoji:
                raise WorldError("UNKNOWN_EMOJI", "Unknown emoji", 400)
            return {"name": emoji}
        name, emoji_id = match.group(1), match.group(2)
        for guild in self.guilds.values():
            known = guild.emojis.get(emoji_id)
            if known is not None:
                return {"name": known.name, "id": known.id, "animated": known.animated}
        raise WorldError("UNKNOWN_EMOJI", f"Unknown emoji {name}")

    @staticmethod
    def emoji_key(emoji: Json) -> str:
        """The key reactions are stored under: ``name`` or ``name:id``."""
        return f"{emoji['name']}:{emoji['id']}" if emoji.get("id") else str(emoji["name"])

    # -- users -------------------------------------------------------------------------

    def create_user(self, username: str | None = None, *, bot: bool = False) -> User:
        """Create a user who is in no guild yet (emits nothing); a ``None`` username is
        a seeded-random one."""
        self._user_number += 1
        rng = self._rng
        if username is None:
            username = random_username(rng, self._user_number)
        user = User(
            id=self.new_id(),
            username=username,
            discriminator=f"{self._user_number % 10000:04d}",
            global_name=None if bot else username.replace("_", " ").title(),
            avatar_color=rng.randrange(0, 0xFFFFFF),
            bot=bot,
        )
        self.users[user.id] = user
        return user

    def user_token(self, user_id: str) -> str:
        """The session token of a (non-bot) user, issued on first call: ``flx_`` and 36
        characters, the shape of Fluxer's user tokens, derived from the seed and the user
        id; the same token on every call. The gateway accepts it in IDENTIFY and the REST
        API in ``Authorization`` (bare, as Fluxer wants it), so a client can act as that
        user. Raises ``WorldError('UNKNOWN_USER')``, or ``INVALID_FORM_BODY`` for the bot
        (whose token is :attr:`token`)."""
        user = self.get_user(user_id)
        if user.bot:
            raise WorldError("INVALID_FORM_BODY", "Bots have bot tokens", 400)
        token = self._user_tokens.get(user.id)
        if token is None:
            digest = hashlib.sha256(f"fluxer-sandbox-user:{self.seed}:{user.id}".encode())
            token = "flx_" + digest.hexdigest()[:36]
            self._user_tokens[user.id] = token
            self._tokens[token] = user.id
        return token
