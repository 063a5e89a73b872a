"""The sandbox's world: one consistent, seeded state of users, guilds, channels and messages.

Everything the sandbox serves (REST responses, gateway dispatches, GUILD_CREATE bursts) is
built from this state by the ``*_wire`` builders, which return plain JSON-ready dicts in
Fluxer's shapes (``../shared/PROTOCOL.md`` §2.2 and §3; the digest
``tests/data/fluxer-api-digest.json``). The sandbox never imports the client's models: a
model mistake must not be mirrored into the server that tests it.

Mutations (``create_message``, ``add_reaction``, ``add_member``, ...) are the single way to
change the world. Each one updates the state, emits the matching dispatch through
:meth:`World.emit` (which fans out to every registered listener, normally the gateway hub)
and returns the wire dict of its result, so the REST routes, the test helpers and the
traffic generator all produce identical effects. Mutations raise :class:`WorldError`
(with a Fluxer error ``code`` such as ``UNKNOWN_CHANNEL``) on bad input and change nothing
in that case.

Guarantees:

* Deterministic: the same constructor arguments give the same ids, names and contents.
  The world clock is virtual: it starts at 2026-01-01T00:00:00Z and advances 1 ms for
  every id minted, so snowflake timestamps and ISO timestamps always agree.
* Ids are decimal-string snowflakes (Fluxer epoch 1420070400000); the @everyone role id
  equals its guild id; consecutive guild ids differ in their timestamp bits, so guilds
  spread over shards by ``(guild_id >> 22) % shard_count``.
* Quiet: building the world emits nothing.
"""

from __future__ import annotations

import hashlib
import itertools
import random
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Final

from fluxer_rx.sandbox.faults import Faults

__all__ = [
    "FLUXER_EPOCH_MS",
    "UNSET",
    "Ban",
    "Channel",
    "Emoji",
    "Guild",
    "Member",
    "Message",
    "Overwrite",
    "Role",
    "User",
    "World",
    "WorldError",
    "WorldListener",
    "iso_timestamp",
    "snowflake_ms",
]

FLUXER_EPOCH_MS: Final = 1420070400000
"""Fluxer's snowflake epoch (2015-01-01T00:00:00Z), in Unix milliseconds."""

WORLD_START_MS: Final = 1767225600000
"""The virtual clock's start: 2026-01-01T00:00:00Z in Unix milliseconds."""

Json = dict[str, Any]

WorldListener = Callable[[str, Json, "str | None", "frozenset[str] | None"], None]
"""A dispatch listener: ``(event_name, d, guild_id, user_ids)``; see :meth:`World.emit`."""


class _Unset:
    """Marker type for "argument not given" (distinct from ``None``)."""

    _instance: _Unset | None = None

    def __new__(cls) -> _Unset:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "UNSET"

    def __bool__(self) -> bool:
        return False


UNSET: Final = _Unset()
"""Default of optional mutation arguments: "leave this field as it is"."""


class WorldError(Exception):
    """A mutation or lookup was refused; nothing was changed.

    ``code`` is the Fluxer API error code (``UNKNOWN_CHANNEL``, ``UNKNOWN_MESSAGE``,
    ``UNKNOWN_GUILD``, ``UNKNOWN_MEMBER``, ``UNKNOWN_USER``, ``UNKNOWN_EMOJI``,
    ``UNKNOWN_ROLE``, ``CANNOT_SEND_EMPTY_MESSAGE``, ``INVALID_FORM_BODY``) and ``status``
    the HTTP status a REST route should answer with (404 for unknown objects, 400 else).
    """

    def __init__(self, code: str, message: str, status: int = 404) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.status = status


def snowflake_ms(snowflake: str | int) -> int:
    """Return the Unix-milliseconds timestamp encoded in ``snowflake``."""
    return (int(snowflake) >> 22) + FLUXER_EPOCH_MS


def iso_timestamp(unix_ms: int) -> str:
    """Format Unix milliseconds the way Fluxer does (JavaScript ``toISOString``)."""
    moment = datetime.fromtimestamp(unix_ms / 1000, tz=UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{unix_ms % 1000:03d}Z"


# -- state -------------------------------------------------------------------------------


@dataclass(slots=True)
class User:
    """A user account. ``bot`` users carry ``bot: true`` on the wire."""

    id: str
    username: str
    discriminator: str
    global_name: str | None = None
    avatar: str | None = None
    avatar_color: int | None = None
    flags: int = 0
    bot: bool = False
    status: str = "offline"
    """Presence status: online / idle / dnd / offline."""


@dataclass(slots=True)
class Role:
    """A guild role; ``permissions`` is the bitmask as an int (a string on the wire)."""

    id: str
    name: str
    color: int = 0
    position: int = 0
    permissions: int = 0
    hoist: bool = False
    mentionable: bool = False


@dataclass(slots=True)
class Emoji:
    """A custom guild emoji."""

    id: str
    name: str
    animated: bool = False


@dataclass(slots=True)
class Overwrite:
    """A channel permission overwrite for a role (``type`` 0) or a member (``type`` 1);
    ``allow`` / ``deny`` are bitmasks as ints (decimal strings on the wire)."""

    id: str
    type: int
    allow: int = 0
    deny: int = 0


@dataclass(slots=True)
class Channel:
    """A guild channel (``type`` 0 = text, 2 = voice, 4 = category)."""

    id: str
    guild_id: str
    name: str
    type: int = 0
    position: int = 0
    topic: str | None = None
    parent_id: str | None = None
    nsfw: bool = False
    rate_limit_per_user: int = 0
    last_message_id: str | None = None
    last_pin_timestamp: str | None = None
    overwrites: dict[str, Overwrite] = field(default_factory=dict)
    """Permission overwrites by role or user id, in the order they were first set."""
    messages: dict[str, Message] = field(default_factory=dict)
    """Messages by id, in creation (= id) order."""
    pins: dict[str, int] = field(default_factory=dict)
    """Pinned message id -> pin time (Unix ms), in pin order."""


@dataclass(slots=True)
class Member:
    """A guild membership of ``user_id``."""

    user_id: str
    guild_id: str
    joined_at_ms: int
    nick: str | None = None
    roles: list[str] = field(default_factory=list)
    mute: bool = False
    deaf: bool = False
    communication_disabled_until: str | None = None


@dataclass(slots=True)
class Reaction:
    """All reactions of one emoji on one message, users in the order they reacted."""

    emoji: Json
    user_ids: list[str] = field(default_factory=list)


@dataclass(slots=True)
class Message:
    """A message; ``guild_id`` is never ``None`` in the sandbox (it has only guild channels)."""

    id: str
    channel_id: str
    guild_id: str
    author_id: str
    content: str
    type: int = 0
    flags: int = 0
    tts: bool = False
    pinned: bool = False
    edited_ms: int | None = None
    nonce: str | None = None
    mentions: list[str] = field(default_factory=list)
    mention_roles: list[str] = field(default_factory=list)
    mention_everyone: bool = False
    embeds: list[Json] = field(default_factory=list)
    attachments: list[Json] = field(default_factory=list)
    message_reference: Json | None = None
    reactions: dict[str, Reaction] = field(default_factory=dict)
    """Reactions keyed by emoji key (``name`` or ``name:id``), in first-reaction order."""


@dataclass(slots=True)
class Ban:
    """A guild ban of ``user_id`` by ``moderator_id``."""

    user_id: str
    moderator_id: str
    banned_at_ms: int
    reason: str | None = None


@dataclass(slots=True)
class Guild:
    """A guild with its roles, emojis, channels (ids, in position order) and members."""

    id: str
    name: str
    owner_id: str
    roles: dict[str, Role] = field(default_factory=dict)
    emojis: dict[str, Emoji] = field(default_factory=dict)
    channel_ids: list[str] = field(default_factory=list)
    members: dict[str, Member] = field(default_factory=dict)
    system_channel_id: str | None = None
    icon: str | None = None
    description: str | None = None
    bans: dict[str, Ban] = field(default_factory=dict)
    """Bans by user id, in ban order."""


_WORDS: Final = [
    "alpha",
    "bravo",
    "charlie",
    "delta",
    "echo",
    "foxtrot",
    "golf",
    "hotel",
    "india",
    "juliet",
    "kilo",
    "lima",
    "mike",
    "november",
    "oscar",
    "papa",
    "quebec",
    "romeo",
    "sierra",
    "tango",
    "uniform",
    "victor",
    "whiskey",
    "xray",
    "yankee",
    "zulu",
    "river",
    "stone",
    "cloud",
    "ember",
    "frost",
    "glade",
    "harbor",
    "island",
    "jungle",
    "lantern",
    "meadow",
    "nebula",
    "orchard",
    "prairie",
    "quartz",
]
_UNICODE_EMOJIS: Final = ("👍", "🎉", "🔥", "❤️", "😂", "👀")
_STATUSES: Final = ("online", "idle", "dnd", "offline")
_CUSTOM_EMOJI_RE: Final = re.compile(r"^(.+):(\d+)$")

EVERYONE_PERMISSIONS: Final = (
    (1 << 0) | (1 << 6) | (1 << 10) | (1 << 11) | (1 << 14) | (1 << 15) | (1 << 16) | (1 << 26)
)
"""Default @everyone permissions: invite, react, view, send, embed, attach, history, nick."""


class World:
    """The seeded sandbox state plus its mutations; see the module docstring.

    Construction arguments:

    * ``seed``: seeds names, contents and the bot secret (ids depend only on counts).
    * ``guilds``, ``channels_per_guild`` (text channels, type 0), ``members_per_guild``
      (non-bot members; the bot is a member of every guild on top of them),
      ``messages_per_channel`` (seeded history, some with reactions; the oldest message
      of each guild's first channel is pinned).

    Public attributes (read them, change them only through mutations):

    * ``bot``: the bot :class:`User`; ``token``: its valid bot token ``<bot.id>.<secret>``.
    * ``users``: id -> :class:`User`; ``guilds``: id -> :class:`Guild` (seed order);
      ``channels``: id -> :class:`Channel` (every guild channel).
    * ``faults``: the shared :class:`~fluxer_rx.sandbox.faults.Faults` switches.
    * ``guild_ids``, ``channel_ids``: the seeded guild ids / text channel ids in order
      (snapshots taken at construction; later mutations don't change these lists).
    """

    def __init__(
        self,
        *,
        seed: int = 0,
        guilds: int = 2,
        channels_per_guild: int = 3,
        members_per_guild: int = 10,
        messages_per_channel: int = 5,
    ) -> None:
        if guilds < 0 or channels_per_guild < 0 or members_per_guild < 0:
            raise ValueError("guilds, channels_per_guild and members_per_guild must be >= 0")
        if messages_per_channel < 0:
            raise ValueError("messages_per_channel must be >= 0")
        self.seed = seed
        self._rng = random.Random(f"fluxer-sandbox-world:{seed}")
        self._id_count = 0
        self._listeners: list[WorldListener] = []
        self.users: dict[str, User] = {}
        self.guilds: dict[str, Guild] = {}
        self.channels: dict[str, Channel] = {}
        self._tokens: dict[str, str] = {}
        self._user_number = 0
        self.faults = Faults(rng=random.Random(f"fluxer-sandbox-faults:{seed}"))
        """Fault switches shared by the gateway and REST halves."""

        self.bot = self._new_user(username="sandbox-bot", bot=True)
        self.bot.status = "online"
        secret = hashlib.sha256(f"fluxer-sandbox-secret:{seed}".encode()).hexdigest()[:32]
        self.token = f"{self.bot.id}.{secret}"
        self._tokens[self.token] = self.bot.id

        for g in range(guilds):
            self._seed_guild(g, channels_per_guild, members_per_guild)
        for guild in self.guilds.values():
            for cid in guild.channel_ids:
                self._seed_messages(guild, self.channels[cid], messages_per_channel)
        self.guild_ids: list[str] = list(self.guilds)
        self.channel_ids: list[str] = [cid for cid, ch in self.channels.items() if ch.type == 0]

    # -- clock and ids -----------------------------------------------------------------

    def now_ms(self) -> int:
        """Return the virtual clock (Unix ms): the time of the last minted id."""
        return WORLD_START_MS + self._id_count

    def new_id(self) -> str:
        """Mint a fresh snowflake one virtual millisecond after the previous one."""
        self._id_count += 1
        ms = WORLD_START_MS + self._id_count
        return str(((ms - FLUXER_EPOCH_MS) << 22) | (1 << 17) | (self._id_count & 0xFFF))

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
        """Return the user id of a token the sandbox issued, or ``None``."""
        return self._tokens.get(token)

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
        reaction = message.reactions.get(self._emoji_key(self.parse_emoji(emoji)))
        return [self.users[u] for u in reaction.user_ids] if reaction else []

    # -- wire builders -----------------------------------------------------------------

    def user_wire(self, user: User | str) -> Json:
        """Partial user object (``UserPartialResponse``)."""
        u = user if isinstance(user, User) else self.get_user(user)
        d: Json = {
            "id": u.id,
            "username": u.username,
            "discriminator": u.discriminator,
            "global_name": u.global_name,
            "avatar": u.avatar,
            "avatar_color": u.avatar_color,
            "flags": u.flags,
        }
        if u.bot:
            d["bot"] = True
        return d

    def private_user_wire(self, user: User | str) -> Json:
        """Full private user object (``UserPrivateResponse``): READY ``user``, ``/users/@me``."""
        d = self.user_wire(user)
        d.update(
            {
                "is_staff": False,
                "acls": [],
                "traits": [],
                "email": None,
                "has_verified_phone": False,
                "bio": None,
                "pronouns": None,
                "accent_color": None,
                "banner": None,
                "banner_color": None,
                "mfa_enabled": False,
                "verified": True,
                "premium_type": None,
                "premium_since": None,
                "premium_until": None,
                "premium_will_cancel": False,
                "premium_billing_cycle": None,
                "premium_lifetime_sequence": None,
                "premium_grace_ends_at": None,
                "premium_discriminator": False,
                "premium_badge_hidden": False,
                "premium_badge_masked": False,
                "premium_badge_timestamp_hidden": False,
                "premium_badge_sequence_hidden": False,
                "premium_purchase_disabled": False,
                "premium_enabled_override": False,
                "premium_perks_disabled": False,
                "password_last_changed_at": None,
                "last_voice_activity_sharing_change_at": None,
                "required_actions": [],
                "nsfw_allowed": False,
                "has_dismissed_premium_onboarding": False,
                "has_ever_purchased": False,
                "has_unread_gift_inventory": False,
                "unread_gift_inventory_count": 0,
                "pending_bulk_message_deletion": None,
                "terms_agreed_at": None,
                "privacy_agreed_at": None,
            }
        )
        return d

    def role_wire(self, role: Role) -> Json:
        """Role object (``GuildRoleResponse``); ``permissions`` as a decimal string."""
        return {
            "id": role.id,
            "name": role.name,
            "color": role.color,
            "position": role.position,
            "hoist_position": None,
            "permissions": str(role.permissions),
            "hoist": role.hoist,
            "mentionable": role.mentionable,
        }

    def emoji_wire(self, emoji: Emoji) -> Json:
        """Guild emoji object (``GuildEmojiResponse``)."""
        return {"id": emoji.id, "name": emoji.name, "animated": emoji.animated, "nsfw": False}

    def channel_wire(self, channel: Channel | str) -> Json:
        """Channel object (``ChannelResponse``), as in CHANNEL_CREATE/UPDATE/DELETE."""
        c = channel if isinstance(channel, Channel) else self.get_channel(channel)
        return {
            "id": c.id,
            "guild_id": c.guild_id,
            "name": c.name,
            "topic": c.topic,
            "type": c.type,
            "position": c.position,
            "parent_id": c.parent_id,
            "nsfw": c.nsfw,
            "rate_limit_per_user": c.rate_limit_per_user,
            "last_message_id": c.last_message_id,
            "last_pin_timestamp": c.last_pin_timestamp,
            "permission_overwrites": [
                {"id": o.id, "type": o.type, "allow": str(o.allow), "deny": str(o.deny)}
                for o in c.overwrites.values()
            ],
        }

    def member_wire(
        self, member: Member, *, with_user: bool = True, user_id_only: bool = False
    ) -> Json:
        """Guild member (``GuildMemberResponse``).

        ``with_user=False`` drops ``user`` (the ``member`` key of message dispatches);
        ``user_id_only`` reduces ``user`` to ``{id}`` (GUILD_CREATE's own member).
        """
        d: Json = {}
        if with_user:
            d["user"] = {"id": member.user_id} if user_id_only else self.user_wire(member.user_id)
        d.update(
            {
                "nick": member.nick,
                "avatar": None,
                "banner": None,
                "accent_color": None,
                "roles": list(member.roles),
                "joined_at": iso_timestamp(member.joined_at_ms),
                "join_source_type": 0,
                "source_invite_code": None,
                "inviter_id": None,
                "mute": member.mute,
                "deaf": member.deaf,
                "communication_disabled_until": member.communication_disabled_until,
                "profile_flags": 0,
            }
        )
        return d

    def guild_wire(self, guild: Guild | str) -> Json:
        """Flat guild object (``GuildResponse``): ``GET /guilds/{id}``, GUILD_UPDATE."""
        g = guild if isinstance(guild, Guild) else self.get_guild(guild)
        return {
            "id": g.id,
            "name": g.name,
            "icon": g.icon,
            "banner": None,
            "splash": None,
            "splash_card_alignment": 0,
            "embed_splash": None,
            "vanity_url_code": None,
            "owner_id": g.owner_id,
            "system_channel_id": g.system_channel_id,
            "system_channel_flags": 0,
            "rules_channel_id": None,
            "afk_channel_id": None,
            "afk_timeout": 300,
            "features": [],
            "verification_level": 0,
            "mfa_level": 0,
            "nsfw_level": 0,
            "nsfw": False,
            "content_warning_level": 0,
            "explicit_content_filter": 0,
            "default_message_notifications": 0,
            "disabled_operations": 0,
            "member_count": len(g.members),
        }

    def guild_create_wire(self, guild: Guild | str, viewer_id: str) -> Json:
        """GUILD_CREATE ``d`` for ``viewer_id``: the guild nested under ``properties``.

        Holds every role, channel and emoji, ``stickers`` and ``presences``/``voice_states``
        empty, and ``members`` with only the viewer's own member, its ``user`` reduced to
        ``{id}`` (as in a bot's post-READY burst).
        """
        g = guild if isinstance(guild, Guild) else self.get_guild(guild)
        own = g.members.get(viewer_id)
        online = sum(1 for uid in g.members if self.users[uid].status != "offline")
        return {
            "id": g.id,
            "properties": self.guild_wire(g),
            "roles": [self.role_wire(r) for r in g.roles.values()],
            "channels": [self.channel_wire(self.channels[c]) for c in g.channel_ids],
            "emojis": [self.emoji_wire(e) for e in g.emojis.values()],
            "stickers": [],
            "members": [self.member_wire(own, user_id_only=True)] if own else [],
            "member_count": len(g.members),
            "online_count": online,
            "presences": [],
            "voice_states": [],
            "joined_at": iso_timestamp(own.joined_at_ms) if own else None,
        }

    def message_wire(self, message: Message, *, viewer_id: str | None = None) -> Json:
        """Message object (``MessageResponseSchema``) as REST returns it.

        ``reactions[].me`` is relative to ``viewer_id`` (default: the bot). The
        ``reactions``, ``message_reference`` and ``nonce`` keys appear only when set.
        """
        viewer = viewer_id if viewer_id is not None else self.bot.id
        d: Json = {
            "id": message.id,
            "channel_id": message.channel_id,
            "author": self.user_wire(message.author_id),
            "type": message.type,
            "flags": message.flags,
            "content": message.content,
            "timestamp": iso_timestamp(snowflake_ms(message.id)),
            "edited_timestamp": (
                iso_timestamp(message.edited_ms) if message.edited_ms is not None else None
            ),
            "pinned": message.pinned,
            "mention_everyone": message.mention_everyone,
            "tts": message.tts,
            "mentions": [self.user_wire(u) for u in message.mentions if u in self.users],
            "mention_roles": list(message.mention_roles),
            "embeds": list(message.embeds),
            "attachments": list(message.attachments),
            "stickers": [],
        }
        if message.reactions:
            d["reactions"] = [
                {"emoji": dict(r.emoji), "count": len(r.user_ids), "me": viewer in r.user_ids}
                for r in message.reactions.values()
            ]
        if message.message_reference is not None:
            d["message_reference"] = dict(message.message_reference)
        if message.nonce is not None:
            d["nonce"] = message.nonce
        return d

    def message_dispatch_wire(self, message: Message, event: str = "MESSAGE_CREATE") -> Json:
        """MESSAGE_CREATE/UPDATE ``d``: the message plus ``guild_id`` and the author's
        ``member`` (without ``user``); MESSAGE_CREATE also has ``channel_type``."""
        d = self.message_wire(message)
        if event == "MESSAGE_CREATE":
            d["channel_type"] = self.channels[message.channel_id].type
        d["guild_id"] = message.guild_id
        member = self.guilds[message.guild_id].members.get(message.author_id)
        if member is not None:
            d["member"] = self.member_wire(member, with_user=False)
        return d

    def presence_wire(self, user: User, guild_id: str | None = None) -> Json:
        """PRESENCE_UPDATE ``d``: partial user, status, mobile, afk, custom_status."""
        d: Json = {
            "user": self.user_wire(user),
            "status": user.status,
            "mobile": False,
            "afk": False,
            "custom_status": None,
        }
        if guild_id is not None:
            d["guild_id"] = guild_id
        return d

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
    def _emoji_key(emoji: Json) -> str:
        return f"{emoji['name']}:{emoji['id']}" if emoji.get("id") else str(emoji["name"])

    # -- mutations: messages -----------------------------------------------------------

    def create_message(
        self,
        channel_id: str,
        author_id: str,
        content: str = "",
        *,
        nonce: str | None = None,
        tts: bool = False,
        flags: int = 0,
        embeds: list[Json] | None = None,
        attachments: list[Json] | None = None,
        message_reference: Json | None = None,
        mentions: list[str] | None = None,
    ) -> Json:
        """Post a message as ``author_id``; emit MESSAGE_CREATE; return the message wire.

        Raises ``CANNOT_SEND_EMPTY_MESSAGE`` (400) when there is no content, embed or
        attachment, ``UNKNOWN_CHANNEL``/``UNKNOWN_USER`` for unknown ids. A
        ``message_reference`` to a message of the same channel makes the type 19 (reply).
        Attachments are stored as given (the caller builds their wire dicts).
        """
        channel = self.get_channel(channel_id)
        self.get_user(author_id)
        if not content and not embeds and not attachments:
            raise WorldError("CANNOT_SEND_EMPTY_MESSAGE", "Cannot send an empty message", 400)
        message = Message(
            id=self.new_id(),
            channel_id=channel.id,
            guild_id=channel.guild_id,
            author_id=str(author_id),
            content=content,
            tts=tts,
            flags=flags,
            nonce=nonce,
            embeds=list(embeds or []),
            attachments=list(attachments or []),
            mentions=[str(m) for m in mentions or []],
        )
        if message_reference is not None:
            message.message_reference = {
                "channel_id": str(message_reference.get("channel_id", channel.id)),
                "message_id": str(message_reference["message_id"]),
                "guild_id": channel.guild_id,
                "type": 0,
            }
            message.type = 19
        self.store_message(message)
        self.emit(
            "MESSAGE_CREATE",
            self.message_dispatch_wire(message, "MESSAGE_CREATE"),
            guild_id=channel.guild_id,
        )
        return self.message_wire(message)

    def store_message(self, message: Message) -> None:
        """Hold ``message`` as its channel's newest, without emitting anything (the caller
        sends the dispatch: ``create_message``, or a fault that garbles it)."""
        channel = self.get_channel(message.channel_id)
        channel.messages[message.id] = message
        channel.last_message_id = message.id

    def edit_message(
        self,
        channel_id: str,
        message_id: str,
        *,
        content: str | _Unset = UNSET,
        flags: int | _Unset = UNSET,
        embeds: list[Json] | _Unset = UNSET,
    ) -> Json:
        """Edit a message; set ``edited_timestamp``; emit MESSAGE_UPDATE; return the wire."""
        message = self.get_message(channel_id, message_id)
        if not isinstance(content, _Unset):
            message.content = content
        if not isinstance(flags, _Unset):
            message.flags = flags
        if not isinstance(embeds, _Unset):
            message.embeds = list(embeds)
        self.new_id()  # advance the virtual clock so the edit time is later than the id
        message.edited_ms = self.now_ms()
        self.emit(
            "MESSAGE_UPDATE",
            self.message_dispatch_wire(message, "MESSAGE_UPDATE"),
            guild_id=message.guild_id,
        )
        return self.message_wire(message)

    def delete_message(self, channel_id: str, message_id: str) -> Json:
        """Delete a message (and its pin); emit MESSAGE_DELETE; return its ``d``."""
        message = self.get_message(channel_id, message_id)
        channel = self.channels[message.channel_id]
        del channel.messages[message.id]
        channel.pins.pop(message.id, None)
        d: Json = {
            "id": message.id,
            "channel_id": message.channel_id,
            "content": message.content,
            "author_id": message.author_id,
            "guild_id": message.guild_id,
        }
        self.emit("MESSAGE_DELETE", d, guild_id=message.guild_id)
        return d

    def forget_history(self, channel_id: str, keep: int) -> int:
        """Forget all but the newest ``keep`` messages of a channel, emitting nothing (old
        history out of reach, as for a long-running traffic source); return how many."""
        if keep < 0:
            raise ValueError("keep must be >= 0")
        channel = self.get_channel(channel_id)
        messages = channel.messages
        excess = len(messages) - keep
        for message_id in list(itertools.islice(messages, max(0, excess))):
            del messages[message_id]
            channel.pins.pop(message_id, None)
        return max(0, excess)

    def bulk_delete_messages(self, channel_id: str, message_ids: Iterable[str]) -> Json:
        """Delete several messages; emit one MESSAGE_DELETE_BULK; return its ``d``.

        Unknown ids are skipped (as the real server does); raises ``UNKNOWN_CHANNEL``.
        """
        channel = self.get_channel(channel_id)
        deleted = []
        for mid in message_ids:
            if channel.messages.pop(str(mid), None) is not None:
                channel.pins.pop(str(mid), None)
                deleted.append(str(mid))
        d: Json = {"ids": deleted, "channel_id": channel.id, "guild_id": channel.guild_id}
        self.emit("MESSAGE_DELETE_BULK", d, guild_id=channel.guild_id)
        return d

    def add_reaction(self, channel_id: str, message_id: str, emoji: str, user_id: str) -> Json:
        """Add ``user_id``'s reaction; emit MESSAGE_REACTION_ADD; return its ``d``.

        Idempotent: reacting twice with the same emoji changes nothing and emits nothing
        (the returned ``d`` is the same shape).
        """
        message = self.get_message(channel_id, message_id)
        self.get_user(user_id)
        parsed = self.parse_emoji(emoji)
        key = self._emoji_key(parsed)
        reaction = message.reactions.setdefault(key, Reaction(emoji=parsed))
        d = self._reaction_d(message, parsed, str(user_id))
        if str(user_id) not in reaction.user_ids:
            reaction.user_ids.append(str(user_id))
            self.emit("MESSAGE_REACTION_ADD", d, guild_id=message.guild_id)
        return d

    def remove_reaction(self, channel_id: str, message_id: str, emoji: str, user_id: str) -> Json:
        """Remove one user's reaction; emit MESSAGE_REACTION_REMOVE if it existed."""
        message = self.get_message(channel_id, message_id)
        parsed = self.parse_emoji(emoji)
        key = self._emoji_key(parsed)
        d = self._reaction_d(message, parsed, str(user_id))
        reaction = message.reactions.get(key)
        if reaction is not None and str(user_id) in reaction.user_ids:
            reaction.user_ids.remove(str(user_id))
            if not reaction.user_ids:
                del message.reactions[key]
            self.emit("MESSAGE_REACTION_REMOVE", d, guild_id=message.guild_id)
        return d

    def remove_all_reactions(self, channel_id: str, message_id: str) -> Json:
        """Clear every reaction; emit MESSAGE_REACTION_REMOVE_ALL; return its ``d``."""
        message = self.get_message(channel_id, message_id)
        message.reactions.clear()
        d: Json = {
            "channel_id": message.channel_id,
            "message_id": message.id,
            "guild_id": message.guild_id,
        }
        self.emit("MESSAGE_REACTION_REMOVE_ALL", d, guild_id=message.guild_id)
        return d

    def remove_emoji_reactions(self, channel_id: str, message_id: str, emoji: str) -> Json:
        """Clear one emoji's reactions; emit MESSAGE_REACTION_REMOVE_EMOJI; return ``d``."""
        message = self.get_message(channel_id, message_id)
        parsed = self.parse_emoji(emoji)
        message.reactions.pop(self._emoji_key(parsed), None)
        d: Json = {
            "channel_id": message.channel_id,
            "message_id": message.id,
            "guild_id": message.guild_id,
            "emoji": parsed,
        }
        self.emit("MESSAGE_REACTION_REMOVE_EMOJI", d, guild_id=message.guild_id)
        return d

    def _reaction_d(self, message: Message, emoji: Json, user_id: str) -> Json:
        d: Json = {
            "channel_id": message.channel_id,
            "message_id": message.id,
            "user_id": user_id,
            "emoji": dict(emoji),
            "guild_id": message.guild_id,
        }
        member = self.guilds[message.guild_id].members.get(user_id)
        if member is not None:
            d["member"] = self.member_wire(member)
        return d

    def pin_message(self, channel_id: str, message_id: str) -> Json:
        """Pin a message; emit MESSAGE_UPDATE and CHANNEL_PINS_UPDATE; return the latter's
        ``d`` ``{channel_id, guild_id, last_pin_timestamp}``. Pinning twice is a no-op."""
        message = self.get_message(channel_id, message_id)
        channel = self.channels[message.channel_id]
        if message.id not in channel.pins:
            self.new_id()
            channel.pins[message.id] = self.now_ms()
            message.pinned = True
            channel.last_pin_timestamp = iso_timestamp(self.now_ms())
            self.emit(
                "MESSAGE_UPDATE",
                self.message_dispatch_wire(message, "MESSAGE_UPDATE"),
                guild_id=message.guild_id,
            )
            self.emit("CHANNEL_PINS_UPDATE", self._pins_d(channel), guild_id=channel.guild_id)
        return self._pins_d(channel)

    def unpin_message(self, channel_id: str, message_id: str) -> Json:
        """Unpin a message; emit MESSAGE_UPDATE and CHANNEL_PINS_UPDATE (if it was pinned)."""
        message = self.get_message(channel_id, message_id)
        channel = self.channels[message.channel_id]
        if channel.pins.pop(message.id, None) is not None:
            message.pinned = False
            self.emit(
                "MESSAGE_UPDATE",
                self.message_dispatch_wire(message, "MESSAGE_UPDATE"),
                guild_id=message.guild_id,
            )
            self.emit("CHANNEL_PINS_UPDATE", self._pins_d(channel), guild_id=channel.guild_id)
        return self._pins_d(channel)

    @staticmethod
    def _pins_d(channel: Channel) -> Json:
        return {
            "channel_id": channel.id,
            "guild_id": channel.guild_id,
            "last_pin_timestamp": channel.last_pin_timestamp,
        }

    def trigger_typing(self, channel_id: str, user_id: str) -> Json:
        """Emit TYPING_START (``timestamp`` in Unix **ms**, as [S] sends); return its ``d``."""
        channel = self.get_channel(channel_id)
        self.get_user(user_id)
        d: Json = {
            "channel_id": channel.id,
            "user_id": str(user_id),
            "timestamp": self.now_ms(),
            "guild_id": channel.guild_id,
        }
        member = self.guilds[channel.guild_id].members.get(str(user_id))
        if member is not None:
            d["member"] = self.member_wire(member)
        self.emit("TYPING_START", d, guild_id=channel.guild_id)
        return d

    # -- mutations: channels -----------------------------------------------------------

    def create_channel(
        self, guild_id: str, name: str, *, type: int = 0, topic: str | None = None
    ) -> Json:
        """Create a channel at the end of the guild; emit CHANNEL_CREATE; return its wire."""
        guild = self.get_guild(guild_id)
        if not name or len(name) > 100:
            raise WorldError("INVALID_FORM_BODY", "Invalid channel name", 400)
        channel = Channel(
            id=self.new_id(),
            guild_id=guild.id,
            name=name,
            type=type,
            position=len(guild.channel_ids),
            topic=topic,
        )
        self.channels[channel.id] = channel
        guild.channel_ids.append(channel.id)
        d = self.channel_wire(channel)
        self.emit("CHANNEL_CREATE", d, guild_id=guild.id)
        return d

    def update_channel(
        self,
        channel_id: str,
        *,
        name: str | _Unset = UNSET,
        topic: str | _Unset | None = UNSET,
        nsfw: bool | _Unset = UNSET,
        rate_limit_per_user: int | _Unset = UNSET,
        position: int | _Unset = UNSET,
    ) -> Json:
        """Change channel fields; emit CHANNEL_UPDATE; return the channel wire."""
        channel = self.get_channel(channel_id)
        if not isinstance(name, _Unset):
            if not name or len(name) > 100:
                raise WorldError("INVALID_FORM_BODY", "Invalid channel name", 400)
            channel.name = name
        if not isinstance(topic, _Unset):
            channel.topic = topic
        if not isinstance(nsfw, _Unset):
            channel.nsfw = nsfw
        if not isinstance(rate_limit_per_user, _Unset):
            channel.rate_limit_per_user = rate_limit_per_user
        if not isinstance(position, _Unset):
            channel.position = position
        d = self.channel_wire(channel)
        self.emit("CHANNEL_UPDATE", d, guild_id=channel.guild_id)
        return d

    def set_permission_overwrite(
        self, channel_id: str, target_id: str, *, type: int, allow: int = 0, deny: int = 0
    ) -> Json:
        """Create or replace the overwrite of role (``type`` 0) or member (``type`` 1)
        ``target_id`` on a channel; emit CHANNEL_UPDATE; return the channel wire.

        Raises ``INVALID_FORM_BODY`` (400) for another ``type`` or a negative mask,
        ``UNKNOWN_ROLE`` / ``UNKNOWN_MEMBER`` for a target the guild does not have.
        """
        channel = self.get_channel(channel_id)
        guild = self.guilds[channel.guild_id]
        target = str(target_id)
        if type not in (0, 1) or allow < 0 or deny < 0:
            raise WorldError("INVALID_FORM_BODY", "Invalid permission overwrite", 400)
        if type == 0 and target not in guild.roles:
            raise WorldError("UNKNOWN_ROLE", "Unknown role")
        if type == 1 and target not in guild.members:
            raise WorldError("UNKNOWN_MEMBER", "Unknown member")
        channel.overwrites[target] = Overwrite(id=target, type=type, allow=allow, deny=deny)
        d = self.channel_wire(channel)
        self.emit("CHANNEL_UPDATE", d, guild_id=channel.guild_id)
        return d

    def delete_permission_overwrite(self, channel_id: str, target_id: str) -> Json:
        """Remove a channel's overwrite for ``target_id`` (none: nothing changes, as in
        Fluxer); emit CHANNEL_UPDATE; return the channel wire."""
        channel = self.get_channel(channel_id)
        channel.overwrites.pop(str(target_id), None)
        d = self.channel_wire(channel)
        self.emit("CHANNEL_UPDATE", d, guild_id=channel.guild_id)
        return d

    def delete_channel(self, channel_id: str) -> Json:
        """Delete a channel and its messages; emit CHANNEL_DELETE (the channel as it was)."""
        channel = self.get_channel(channel_id)
        d = self.channel_wire(channel)
        del self.channels[channel.id]
        guild = self.guilds[channel.guild_id]
        guild.channel_ids.remove(channel.id)
        if guild.system_channel_id == channel.id:
            guild.system_channel_id = None
        self.emit("CHANNEL_DELETE", d, guild_id=channel.guild_id)
        return d

    # -- mutations: guilds, members, presence ------------------------------------------

    def update_guild(self, guild_id: str, *, name: str | _Unset = UNSET) -> Json:
        """Rename a guild; emit GUILD_UPDATE (the flat guild plus ``guild_id``)."""
        guild = self.get_guild(guild_id)
        if not isinstance(name, _Unset):
            if not name or len(name) > 100:
                raise WorldError("INVALID_FORM_BODY", "Invalid guild name", 400)
            guild.name = name
        d = self.guild_wire(guild)
        d["guild_id"] = guild.id
        self.emit("GUILD_UPDATE", d, guild_id=guild.id)
        return self.guild_wire(guild)

    def ban_wire(self, ban: Ban) -> Json:
        """Ban object (``GuildBanResponse``)."""
        return {
            "user": self.user_wire(ban.user_id),
            "reason": ban.reason,
            "moderator_id": ban.moderator_id,
            "banned_at": iso_timestamp(ban.banned_at_ms),
        }

    def ban_member(
        self, guild_id: str, user_id: str, moderator_id: str, *, reason: str | None = None
    ) -> Json:
        """Ban a user (removing their membership first, with GUILD_MEMBER_REMOVE); emit
        GUILD_BAN_ADD ``{guild_id, user: {id}}``; return the ban wire. Banning twice
        updates the reason only and emits nothing."""
        guild = self.get_guild(guild_id)
        user = self.get_user(user_id)
        existing = guild.bans.get(user.id)
        if existing is not None:
            existing.reason = reason
            return self.ban_wire(existing)
        if user.id in guild.members:
            self.remove_member(guild.id, user.id)
        self.new_id()
        ban = Ban(user.id, str(moderator_id), self.now_ms(), reason)
        guild.bans[user.id] = ban
        self.emit(
            "GUILD_BAN_ADD", {"guild_id": guild.id, "user": {"id": user.id}}, guild_id=guild.id
        )
        return self.ban_wire(ban)

    def unban_member(self, guild_id: str, user_id: str) -> Json:
        """Lift a ban; emit GUILD_BAN_REMOVE ``{guild_id, user: {id}}``; return it.

        Raises ``WorldError('NOT_FOUND')`` (404) when the user is not banned.
        """
        guild = self.get_guild(guild_id)
        if guild.bans.pop(str(user_id), None) is None:
            raise WorldError("NOT_FOUND", "Unknown ban")
        d: Json = {"guild_id": guild.id, "user": {"id": str(user_id)}}
        self.emit("GUILD_BAN_REMOVE", d, guild_id=guild.id)
        return d

    def leave_guild(self, guild_id: str, user_id: str) -> Json:
        """``user_id`` leaves the guild: GUILD_MEMBER_REMOVE to the guild, then
        GUILD_DELETE ``{id}`` to that user's sessions only (on the guild's shard);
        return the latter's ``d``."""
        guild = self.get_guild(guild_id)
        self.remove_member(guild.id, user_id)
        d: Json = {"id": guild.id}
        self.emit("GUILD_DELETE", d, guild_id=guild.id, user_ids=[str(user_id)])
        return d

    def create_user(self, username: str | None = None, *, bot: bool = False) -> User:
        """Create a user who is in no guild yet (emits nothing)."""
        return self._new_user(username=username, bot=bot)

    def add_member(self, guild_id: str, user_id: str | None = None) -> Json:
        """Add a member (a new user when ``user_id`` is None); emit GUILD_MEMBER_ADD.

        Returns the member wire (with ``user``) plus ``guild_id``. Adding an existing
        member raises ``WorldError('INVALID_FORM_BODY', status=400)``.
        """
        guild = self.get_guild(guild_id)
        user = self._new_user() if user_id is None else self.get_user(user_id)
        if user.id in guild.members:
            raise WorldError("INVALID_FORM_BODY", "User is already a member", 400)
        self.new_id()
        member = Member(user_id=user.id, guild_id=guild.id, joined_at_ms=self.now_ms())
        guild.members[user.id] = member
        d = self.member_wire(member)
        d["guild_id"] = guild.id
        self.emit("GUILD_MEMBER_ADD", d, guild_id=guild.id)
        return d

    def update_member(
        self,
        guild_id: str,
        user_id: str,
        *,
        nick: str | _Unset | None = UNSET,
        roles: list[str] | _Unset = UNSET,
    ) -> Json:
        """Change nick/roles; emit GUILD_MEMBER_UPDATE; return the member wire + guild_id.

        Raises ``UNKNOWN_ROLE`` (400) for a role id the guild does not have.
        """
        guild = self.get_guild(guild_id)
        member = self.get_member(guild_id, user_id)
        if not isinstance(roles, _Unset):
            unknown = [r for r in roles if str(r) not in guild.roles]
            if unknown:
                raise WorldError("UNKNOWN_ROLE", "Unknown role", 400)
            member.roles = [str(r) for r in roles]
        if not isinstance(nick, _Unset):
            member.nick = nick
        d = self.member_wire(member)
        d["guild_id"] = guild.id
        self.emit("GUILD_MEMBER_UPDATE", d, guild_id=guild.id)
        return d

    def remove_member(self, guild_id: str, user_id: str) -> Json:
        """Remove a member; emit GUILD_MEMBER_REMOVE ``{guild_id, user: {id}}``; return it.

        The dispatch is routed before the member is dropped, so the removed user's own
        sessions see it too. (:meth:`leave_guild` adds the GUILD_DELETE the leaver gets.)
        """
        guild = self.get_guild(guild_id)
        self.get_member(guild_id, user_id)
        d: Json = {"guild_id": guild.id, "user": {"id": str(user_id)}}
        self.emit("GUILD_MEMBER_REMOVE", d, guild_id=guild.id)
        del guild.members[str(user_id)]
        return d

    def set_presence(self, user_id: str, status: str) -> list[Json]:
        """Set a user's status; emit one PRESENCE_UPDATE per guild they are in.

        Returns the emitted ``d`` dicts. ``status`` must be online/idle/dnd/offline
        (``invisible`` is published as offline).
        """
        user = self.get_user(user_id)
        if status == "invisible":
            status = "offline"
        if status not in _STATUSES:
            raise WorldError("INVALID_FORM_BODY", f"Invalid status {status!r}", 400)
        user.status = status
        out = []
        for guild in self.guilds_of(user.id):
            d = self.presence_wire(user, guild.id)
            self.emit("PRESENCE_UPDATE", d, guild_id=guild.id)
            out.append(d)
        return out

    def create_role(
        self, guild_id: str, name: str, *, permissions: int = 0, color: int = 0
    ) -> Json:
        """Create a role; emit GUILD_ROLE_CREATE ``{guild_id, role}``; return the role wire."""
        guild = self.get_guild(guild_id)
        role = Role(
            id=self.new_id(),
            name=name,
            color=color,
            position=len(guild.roles),
            permissions=permissions,
        )
        guild.roles[role.id] = role
        self.emit(
            "GUILD_ROLE_CREATE",
            {"guild_id": guild.id, "role": self.role_wire(role)},
            guild_id=guild.id,
        )
        return self.role_wire(role)

    def delete_role(self, guild_id: str, role_id: str) -> Json:
        """Delete a role (not @everyone); strip it from members; emit GUILD_ROLE_DELETE."""
        guild = self.get_guild(guild_id)
        if str(role_id) not in guild.roles or str(role_id) == guild.id:
            raise WorldError("UNKNOWN_ROLE", "Unknown role")
        del guild.roles[str(role_id)]
        for member in guild.members.values():
            if str(role_id) in member.roles:
                member.roles.remove(str(role_id))
        d: Json = {"guild_id": guild.id, "role_id": str(role_id)}
        self.emit("GUILD_ROLE_DELETE", d, guild_id=guild.id)
        return d

    # -- seeding -----------------------------------------------------------------------

    def _new_user(self, username: str | None = None, *, bot: bool = False) -> User:
        self._user_number += 1
        rng = self._rng
        if username is None:
            username = f"{rng.choice(_WORDS)}_{self._user_number:04d}"
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

    def _seed_guild(self, index: int, n_channels: int, n_members: int) -> None:
        rng = self._rng
        gid = self.new_id()
        name = f"{rng.choice(_WORDS).title()} {rng.choice(_WORDS).title()} {index + 1}"
        guild = Guild(id=gid, name=name, owner_id=self.bot.id)
        self.guilds[gid] = guild
        guild.roles[gid] = Role(id=gid, name="@everyone", permissions=EVERYONE_PERMISSIONS)
        moderator = Role(
            id=self.new_id(),
            name="Moderator",
            color=0x3498DB,
            position=2,
            hoist=True,
            permissions=EVERYONE_PERMISSIONS | (1 << 1) | (1 << 2) | (1 << 13) | (1 << 28),
            mentionable=True,
        )
        regular = Role(id=self.new_id(), name="Regular", color=0x2ECC71, position=1)
        guild.roles[moderator.id] = moderator
        guild.roles[regular.id] = regular
        for emoji_name, animated in (("sandbox_wave", False), ("sandbox_party", True)):
            emoji = Emoji(id=self.new_id(), name=emoji_name, animated=animated)
            guild.emojis[emoji.id] = emoji
        for c in range(n_channels):
            cname = ("general", "random", "dev")[c] if c < 3 else f"channel-{c + 1}"
            channel = Channel(
                id=self.new_id(),
                guild_id=gid,
                name=cname,
                position=c,
                topic=f"The {cname} channel",
            )
            self.channels[channel.id] = channel
            guild.channel_ids.append(channel.id)
        guild.system_channel_id = guild.channel_ids[0] if guild.channel_ids else None
        self.new_id()
        guild.members[self.bot.id] = Member(
            user_id=self.bot.id, guild_id=gid, joined_at_ms=self.now_ms(), roles=[moderator.id]
        )
        for _ in range(n_members):
            user = self._new_user()
            user.status = rng.choice(_STATUSES)
            roles = [regular.id] if rng.random() < 0.5 else []
            if rng.random() < 0.1:
                roles.append(moderator.id)
            self.new_id()
            guild.members[user.id] = Member(
                user_id=user.id,
                guild_id=gid,
                joined_at_ms=self.now_ms(),
                roles=roles,
                nick=f"nick-{user.username}" if rng.random() < 0.3 else None,
            )

    def _seed_messages(self, guild: Guild, channel: Channel, count: int) -> None:
        rng = self._rng
        authors = list(guild.members)
        emojis = [*_UNICODE_EMOJIS, *(f"{e.name}:{e.id}" for e in guild.emojis.values())]
        for i in range(count):
            words = " ".join(rng.choice(_WORDS) for _ in range(rng.randint(2, 9)))
            message = Message(
                id=self.new_id(),
                channel_id=channel.id,
                guild_id=guild.id,
                author_id=rng.choice(authors),
                content=words.capitalize(),
            )
            channel.messages[message.id] = message
            channel.last_message_id = message.id
            if rng.random() < 0.4:
                for _ in range(rng.randint(1, 3)):
                    parsed = self.parse_emoji(rng.choice(emojis))
                    reaction = message.reactions.setdefault(
                        self._emoji_key(parsed), Reaction(emoji=parsed)
                    )
                    who = rng.choice(authors)
                    if who not in reaction.user_ids:
                        reaction.user_ids.append(who)
            if i == 0 and channel.id == guild.channel_ids[0]:
                message.pinned = True
                self.new_id()
                channel.pins[message.id] = self.now_ms()
                channel.last_pin_timestamp = iso_timestamp(self.now_ms())
