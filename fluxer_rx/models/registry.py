"""The event registry: one row per dispatch name Fluxer sends, the single table that the
decoder, the exports and the cache are derived from.

A row says the event's wire name (an :class:`~fluxer_rx.models.Events` constant), its
payload class (``None``: no class, the event arrives as a
:class:`~fluxer_rx.models.RawEvent`) and what the cache does with it: reduce it, or ignore
it on purpose, for the one-line reason given. From this table come
:data:`~fluxer_rx.models.EVENT_TYPES` (the decoder's name -> class map),
:data:`~fluxer_rx.models.ALL_EVENT_NAMES`, and the check that the cache's reducer table
(:data:`fluxer_rx.cache.REDUCERS`) covers exactly the rows marked reduced.

Adding an event: its constant in :class:`~fluxer_rx.models.Events`, its class in
:mod:`fluxer_rx.models.events` (and that module's ``__all__``), its row here, and, when
the row says ``reduced``, its reducer. Tests fail when any one of these is missing.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Final

from fluxer_rx.models import events as ev
from fluxer_rx.models.event_names import Events

__all__ = [
    "ALL_EVENT_NAMES",
    "EVENT_REGISTRY",
    "EventRegistry",
    "EventSpec",
]


@dataclass(frozen=True, slots=True)
class EventSpec:
    """One registered dispatch.

    ``payload`` is the class the decoder builds (``None``: a :class:`RawEvent`).
    ``ignored_by_cache`` is ``None`` when the cache reduces the event, else the reason it
    does not (every event without a payload class is ignored: a raw event has no shape to
    fold).
    """

    name: str
    payload: type[Any] | None
    ignored_by_cache: str | None

    @property
    def reduced(self) -> bool:
        """Whether the cache folds this event (it has a reducer)."""
        return self.ignored_by_cache is None


def _reduced(name: str, payload: type[Any]) -> EventSpec:
    return EventSpec(name, payload, None)


def _ignored(name: str, payload: type[Any] | None, why: str) -> EventSpec:
    return EventSpec(name, payload, why)


class EventRegistry:
    """The rows, with lookups by name and by payload class; read-only.

    Raises ``ValueError`` at construction for a name or payload class registered twice,
    or an ignored row without a reason.
    """

    __slots__ = ("_by_name", "_by_payload", "_specs")

    def __init__(self, specs: tuple[EventSpec, ...]) -> None:
        by_name: dict[str, EventSpec] = {}
        by_payload: dict[type[Any], EventSpec] = {}
        for spec in specs:
            if spec.name in by_name:
                raise ValueError(f"event {spec.name} is registered twice")
            if spec.ignored_by_cache is not None and not spec.ignored_by_cache.strip():
                raise ValueError(f"event {spec.name} is ignored by the cache without a reason")
            by_name[spec.name] = spec
            if spec.payload is not None:
                if spec.payload in by_payload:
                    raise ValueError(f"{spec.payload.__name__} is registered twice")
                by_payload[spec.payload] = spec
        self._specs = specs
        self._by_name = MappingProxyType(by_name)
        self._by_payload = MappingProxyType(by_payload)

    def __iter__(self) -> Iterator[EventSpec]:
        return iter(self._specs)

    def __len__(self) -> int:
        return len(self._specs)

    @property
    def by_name(self) -> Mapping[str, EventSpec]:
        """Rows by wire name."""
        return self._by_name

    @property
    def by_payload(self) -> Mapping[type[Any], EventSpec]:
        """Rows by payload class (rows without a class are not here)."""
        return self._by_payload

    def event_types(self) -> dict[str, type[Any]]:
        """Wire name -> payload class, for every row that has a class (a new dict)."""
        return {spec.name: spec.payload for spec in self._specs if spec.payload is not None}

    def reduced_types(self) -> frozenset[type[Any]]:
        """The payload classes the cache must have a reducer for."""
        return frozenset(s.payload for s in self._specs if s.payload is not None and s.reduced)

    def ignored_by_cache(self) -> Mapping[str, str]:
        """Wire name -> the reason the cache ignores it, for every ignored row."""
        return {s.name: s.ignored_by_cache for s in self._specs if s.ignored_by_cache is not None}

    def check_reducers(self, reducers: Mapping[type[Any], object]) -> None:
        """Raise ``ValueError`` unless ``reducers`` has a key for exactly the payload
        classes of the rows marked reduced (no more: a reducer of an unregistered or
        ignored type would be dead code; no fewer: a reduced row would be folded by
        nobody)."""
        keys = set(reducers)
        missing = self.reduced_types() - keys
        extra = keys - self.reduced_types()
        if missing or extra:
            raise ValueError(
                "the reducer table does not match the event registry: "
                f"missing {sorted(t.__name__ for t in missing)}, "
                f"not registered as reduced {sorted(t.__name__ for t in extra)}"
            )


_USER_ACCOUNT: Final = "user-account state (settings, notes, saved items); a bot has none"
_RAW_N: Final = "[N] only and not modelled yet: arrives as a RawEvent"
_CALLS: Final = "DM calls are not modelled: arrives as a RawEvent"

EVENT_REGISTRY: Final = EventRegistry(
    (
        # -- session
        _reduced(Events.READY, ev.Ready),
        _ignored(
            Events.RESUMED, ev.Resumed, "ends a replay; the replayed events carried the changes"
        ),
        _ignored(Events.SESSIONS_REPLACE, ev.SessionsReplace, "the cache keeps no sessions"),
        _ignored(Events.AUTH_SESSION_CHANGE, None, _USER_ACCOUNT),
        # -- the bot user
        _reduced(Events.USER_UPDATE, ev.UserUpdate),
        _ignored(Events.USER_SETTINGS_UPDATE, None, _USER_ACCOUNT),
        _ignored(Events.USER_GUILD_SETTINGS_UPDATE, None, _USER_ACCOUNT),
        _ignored(Events.USER_PINNED_DMS_UPDATE, None, _USER_ACCOUNT),
        _ignored(Events.USER_NOTE_UPDATE, None, _USER_ACCOUNT),
        _ignored(Events.RECENT_MENTION_DELETE, None, _USER_ACCOUNT),
        _ignored(Events.SAVED_MESSAGE_CREATE, None, _USER_ACCOUNT),
        _ignored(Events.SAVED_MESSAGE_DELETE, None, _USER_ACCOUNT),
        _ignored(Events.FAVORITE_MEME_CREATE, None, _USER_ACCOUNT),
        _ignored(Events.FAVORITE_MEME_UPDATE, None, _USER_ACCOUNT),
        _ignored(Events.FAVORITE_MEME_DELETE, None, _USER_ACCOUNT),
        _ignored(Events.USER_CONNECTIONS_UPDATE, None, _USER_ACCOUNT),
        _ignored(Events.WEBAUTHN_CREDENTIALS_UPDATE, None, _USER_ACCOUNT),
        _ignored(Events.RELATIONSHIP_ADD, None, _USER_ACCOUNT),
        _ignored(Events.RELATIONSHIP_UPDATE, None, _USER_ACCOUNT),
        _ignored(Events.RELATIONSHIP_REMOVE, None, _USER_ACCOUNT),
        _ignored(Events.MESSAGE_ACK, None, _USER_ACCOUNT),
        _ignored(Events.CHANNEL_PINS_ACK, None, _USER_ACCOUNT),
        # -- presence
        _reduced(Events.PRESENCE_UPDATE, ev.PresenceUpdate),
        _ignored(Events.PRESENCE_UPDATE_BULK, None, _RAW_N),
        # -- guilds
        _reduced(Events.GUILD_CREATE, ev.GuildCreate),
        _reduced(Events.GUILD_SYNC, ev.GuildSync),
        _reduced(Events.GUILD_UPDATE, ev.GuildUpdate),
        _reduced(Events.GUILD_DELETE, ev.GuildDelete),
        _reduced(Events.GUILD_MEMBER_ADD, ev.GuildMemberAdd),
        _reduced(Events.GUILD_MEMBER_UPDATE, ev.GuildMemberUpdate),
        _reduced(Events.GUILD_MEMBER_REMOVE, ev.GuildMemberRemove),
        _reduced(Events.GUILD_MEMBERS_CHUNK, ev.GuildMembersChunk),
        _ignored(
            Events.GUILD_MEMBER_LIST_UPDATE,
            None,
            "the user client's member sidebar; bots request GUILD_MEMBERS_CHUNK instead",
        ),
        _reduced(Events.GUILD_ROLE_CREATE, ev.GuildRoleCreate),
        _reduced(Events.GUILD_ROLE_UPDATE, ev.GuildRoleUpdate),
        _reduced(Events.GUILD_ROLE_UPDATE_BULK, ev.GuildRoleUpdateBulk),
        _reduced(Events.GUILD_ROLE_DELETE, ev.GuildRoleDelete),
        _reduced(Events.GUILD_EMOJIS_UPDATE, ev.GuildEmojisUpdate),
        _reduced(Events.GUILD_STICKERS_UPDATE, ev.GuildStickersUpdate),
        _ignored(
            Events.GUILD_BAN_ADD,
            ev.GuildBanAdd,
            "bans are not cached; the member's removal comes as GUILD_MEMBER_REMOVE",
        ),
        _ignored(Events.GUILD_BAN_REMOVE, ev.GuildBanRemove, "bans are not cached"),
        _ignored(Events.GUILD_AUDIT_LOG_ENTRY_CREATE, None, _RAW_N),
        _ignored(Events.GUILD_COUNTS_UPDATE, None, _RAW_N),
        # -- channels
        _reduced(Events.CHANNEL_CREATE, ev.ChannelCreate),
        _reduced(Events.CHANNEL_UPDATE, ev.ChannelUpdate),
        _reduced(Events.CHANNEL_UPDATE_BULK, ev.ChannelUpdateBulk),
        _reduced(Events.CHANNEL_DELETE, ev.ChannelDelete),
        _reduced(Events.CHANNEL_PINS_UPDATE, ev.ChannelPinsUpdate),
        _ignored(
            Events.CHANNEL_RECIPIENT_ADD, None, "group-DM recipients are not modelled or cached"
        ),
        _ignored(
            Events.CHANNEL_RECIPIENT_REMOVE,
            None,
            "group-DM recipients are not modelled or cached",
        ),
        _ignored(Events.PASSIVE_UPDATES, None, "read-state sync of the user client; not modelled"),
        _ignored(Events.CHANNEL_MEMBER_COUNTS_UPDATE, None, _RAW_N),
        # -- invites, webhooks
        _ignored(Events.INVITE_CREATE, ev.InviteCreate, "invites are not cached"),
        _ignored(Events.INVITE_DELETE, ev.InviteDelete, "invites are not cached"),
        _ignored(
            Events.WEBHOOKS_UPDATE,
            ev.WebhooksUpdate,
            "webhooks are not cached; the event carries only ids",
        ),
        # -- messages
        _reduced(Events.MESSAGE_CREATE, ev.MessageCreate),
        _reduced(Events.MESSAGE_UPDATE, ev.MessageUpdate),
        _reduced(Events.MESSAGE_DELETE, ev.MessageDelete),
        _reduced(Events.MESSAGE_DELETE_BULK, ev.MessageDeleteBulk),
        _reduced(Events.MESSAGE_REACTION_ADD, ev.MessageReactionAdd),
        _ignored(
            Events.MESSAGE_REACTION_REMOVE,
            ev.MessageReactionRemove,
            "reactions are not cached (cached messages are kept as sent)",
        ),
        _ignored(
            Events.MESSAGE_REACTION_REMOVE_ALL,
            ev.MessageReactionRemoveAll,
            "reactions are not cached (cached messages are kept as sent)",
        ),
        _ignored(
            Events.MESSAGE_REACTION_REMOVE_EMOJI,
            ev.MessageReactionRemoveEmoji,
            "reactions are not cached (cached messages are kept as sent)",
        ),
        _ignored(Events.MESSAGE_REACTION_ADD_MANY, None, _RAW_N),
        _reduced(Events.TYPING_START, ev.TypingStart),
        # -- voice and calls
        _reduced(Events.VOICE_STATE_UPDATE, ev.VoiceStateUpdate),
        _ignored(
            Events.VOICE_SERVER_UPDATE,
            ev.VoiceServerUpdate,
            "where to connect for voice, not state; it holds a secret token",
        ),
        _ignored(Events.VOICE_STATE_ACK, None, _RAW_N),
        _ignored(Events.ENTRANCE_SOUND_PLAY, None, _RAW_N),
        _ignored(Events.CALL_CREATE, None, _CALLS),
        _ignored(Events.CALL_UPDATE, None, _CALLS),
        _ignored(Events.CALL_DELETE, None, _CALLS),
        # -- the gateway itself
        _ignored(
            Events.RATE_LIMITED,
            None,
            "a refused gateway request, not state; arrives as a RawEvent",
        ),
    )
)
"""Every dispatch name Fluxer sends, with its payload class and what the cache does."""

ALL_EVENT_NAMES: Final[frozenset[str]] = frozenset(EVENT_REGISTRY.by_name)
"""Every registered dispatch name (those with a payload class and those without)."""
