"""The sandbox world's entities: users, guilds, roles, emojis, channels, members, messages,
reactions and bans as plain dataclasses, plus :class:`WorldError` and the ``UNSET`` marker.

They hold state only; the wire shapes are built from them by
:mod:`fluxer_rx.sandbox.world_wire`, and they change only through the world's mutations.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Final

__all__ = [
    "UNSET",
    "Ban",
    "Channel",
    "Emoji",
    "Guild",
    "Json",
    "Member",
    "Message",
    "Overwrite",
    "Reaction",
    "Role",
    "User",
    "WorldError",
]

Json = dict[str, Any]
"""A JSON-ready dict in one of Fluxer's wire shapes."""


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
