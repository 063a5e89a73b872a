"""The cache's reducers: one plain function ``(state, event) -> state`` per event type.

:data:`REDUCERS` maps an event class (exactly ``type(event)``) to its reducer. Reducers
update the state in place and return it; they do no I/O, read no clock and call no REST,
and they never change the event (nor any object in it): what is emitted after the fold is
what was decoded.
An event that does not fit the state (an update for a guild the unbounded cache never
saw, a delete of an unknown role) is reported through ``state.issue`` and otherwise
ignored. Which event types have a reducer is said by the event registry
(:data:`fluxer_rx.models.EVENT_REGISTRY`): every row marked reduced has one here, every
other row gives the reason the cache ignores it, and the table below is checked against
the registry when this module is imported (a mismatch raises ``ValueError``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Final

from fluxer_rx.cache.cached_types import CachedGuild, CachedUser
from fluxer_rx.cache.codecs import (
    channel_from_wire,
    guild_from_wire,
    presence_from_wire,
    update_guild,
    user_from_wire,
)
from fluxer_rx.cache.state import CacheState, IssueKind
from fluxer_rx.models.channel import Channel
from fluxer_rx.models.events import (
    ChannelCreate,
    ChannelDelete,
    ChannelPinsUpdate,
    ChannelUpdate,
    ChannelUpdateBulk,
    GuildCreate,
    GuildDelete,
    GuildEmojisUpdate,
    GuildMemberAdd,
    GuildMemberRemove,
    GuildMembersChunk,
    GuildMemberUpdate,
    GuildRoleCreate,
    GuildRoleDelete,
    GuildRoleUpdate,
    GuildRoleUpdateBulk,
    GuildStickersUpdate,
    GuildSync,
    GuildUpdate,
    MessageCreate,
    MessageDelete,
    MessageDeleteBulk,
    MessageReactionAdd,
    MessageUpdate,
    PresenceUpdate,
    Ready,
    TypingStart,
    UserUpdate,
    VoiceStateUpdate,
)
from fluxer_rx.models.guild import Member
from fluxer_rx.models.presence import Presence
from fluxer_rx.models.registry import EVENT_REGISTRY
from fluxer_rx.models.voice import VoiceState

__all__ = ["REDUCERS", "Reducer"]

Reducer = Callable[[CacheState, Any], CacheState]


# --- session ----------------------------------------------------------------------------


def ready(state: CacheState, event: Ready) -> CacheState:
    """READY: a new session. The cache is reset first (only the guilds of the READY's
    shard when it names one of several), then holds the bot user, the guild stubs (or
    full guilds), the private channels, and the listed users and presences."""
    shard = event.shard
    if shard is not None and len(shard) == 2 and shard[1] > 1:
        state.clear_shard(shard[0], shard[1])
    else:
        state.clear()
    self_id = state.put_user(event.user)
    state.self_user = state.users.data.get(self_id) or _self_user(event)
    for user in event.users:
        state.put_user(user)
    for guild in event.guilds:
        guild_create(state, guild)
    for channel in event.private_channels:
        _put_channel(state, channel, "READY")
    for presence in event.presences:
        _put_presence(state, presence)
    return state


def _self_user(event: Ready | UserUpdate) -> CachedUser:
    return user_from_wire(event.user if isinstance(event, Ready) else event)


def user_update(state: CacheState, event: UserUpdate) -> CacheState:
    """USER_UPDATE: the bot user changed."""
    user_id = state.put_user(event)
    state.self_user = state.users.data.get(user_id) or _self_user(event)
    return state


# --- guilds -----------------------------------------------------------------------------


def guild_create(state: CacheState, event: GuildCreate) -> CacheState:
    """GUILD_CREATE / GUILD_SYNC (already flattened): the guild's full state.

    An unavailable stub marks a cached guild unavailable (keeping its contents) or adds
    a stub. A full guild replaces the properties, and the roles, emojis and stickers
    tables it carries; its channel set becomes exactly the event's; members already
    cached stay (the event carries only the bot's own member) and the event's members
    are added.
    """
    guild_id = event.id
    cached = state.guilds.data.get(guild_id)
    if event.unavailable:
        if cached is not None:
            cached.unavailable = True
            state.guilds.touch(guild_id)
        else:
            state.put_guild(CachedGuild(id=guild_id, unavailable=True, channel_ids=set()))
        return state
    if cached is None:
        cached = guild_from_wire(event, guild_id)
    else:
        update_guild(cached, event)  # roles, emojis, stickers: replaced when sent
    cached.unavailable = False
    cached.joined_at = event.joined_at
    state.put_guild(cached)
    if guild_id not in state.guilds.data:  # evicted at once (limit 0)
        return state
    channels = event.channels or ()
    fresh = {channel.id for channel in channels}
    for stale in [cid for cid in cached.channel_ids if cid not in fresh]:
        state.remove_channel(stale)
    for channel in channels:
        state.put_channel(channel_from_wire(channel, cached.id))
    for member in event.members:
        _put_member(state, guild_id, member)
    if state.cache_voice_states:
        state.voice_states.pop(guild_id, None)
        for voice in event.voice_states:
            _put_voice(state, voice, guild_id)
    for presence in event.presences:
        _put_presence(state, presence)
    return state


def guild_update(state: CacheState, event: GuildUpdate) -> CacheState:
    """GUILD_UPDATE (flat): new properties; roles/emojis/stickers when sent."""
    cached = state.guilds.data.get(event.id)
    if cached is None:
        state.missing_guild(event.id, "GUILD_UPDATE")
        return state
    update_guild(cached, event)
    state.guilds.touch(event.id)
    return state


def guild_delete(state: CacheState, event: GuildDelete) -> CacheState:
    """GUILD_DELETE: ``unavailable`` marks an outage (contents kept); otherwise the guild
    and everything in it leave the cache."""
    if event.unavailable:
        cached = state.guilds.data.get(event.id)
        if cached is not None:
            cached.unavailable = True
        else:
            state.put_guild(CachedGuild(id=event.id, unavailable=True, channel_ids=set()))
        return state
    if state.remove_guild(event.id) is None:
        state.missing_guild(event.id, "GUILD_DELETE")
    return state


# --- members ----------------------------------------------------------------------------


def _written_guild(state: CacheState, guild_id: str, event_name: str) -> CachedGuild | None:
    """The guild an event writes to, marked recently used; ``None`` (reported) if absent."""
    guild = state.guilds.data.get(guild_id)
    if guild is None:
        state.missing_guild(guild_id, event_name)
    elif state.guilds.limit is not None:
        state.guilds.touch(guild_id)
    return guild


def _put_member(state: CacheState, guild_id: str, member: Member, *, replace: bool = False) -> bool:
    user = member.user
    if user is None:
        return False
    return state.put_member(guild_id, member, state.put_user(user), replace=replace)


def guild_member_add(state: CacheState, event: GuildMemberAdd) -> CacheState:
    """GUILD_MEMBER_ADD: the user and member are stored; the guild's count grows."""
    guild = _written_guild(state, event.guild_id, "GUILD_MEMBER_ADD")
    if guild is None:
        if event.user is not None:
            state.put_user(event.user)
        return state
    _put_member(state, event.guild_id, event, replace=True)
    if guild.member_count is not None:
        guild.member_count += 1
    return state


def guild_member_update(state: CacheState, event: GuildMemberUpdate) -> CacheState:
    """GUILD_MEMBER_UPDATE: the full member after the change replaces the cached one."""
    if event.guild_id not in state.guilds.data:
        state.missing_guild(event.guild_id, "GUILD_MEMBER_UPDATE")
        if event.user is not None:
            state.put_user(event.user)
        return state
    _put_member(state, event.guild_id, event)
    return state


def guild_member_remove(state: CacheState, event: GuildMemberRemove) -> CacheState:
    """GUILD_MEMBER_REMOVE: the member leaves the cache (the user record stays); the
    guild's count shrinks."""
    guild = _written_guild(state, event.guild_id, "GUILD_MEMBER_REMOVE")
    if guild is None:
        return state
    state.members.remove(event.guild_id, event.user.id)
    if guild.member_count:
        guild.member_count -= 1
    return state


def guild_members_chunk(state: CacheState, event: GuildMembersChunk) -> CacheState:
    """GUILD_MEMBERS_CHUNK: every member (and presence, when kept) is stored."""
    if event.guild_id not in state.guilds.data:
        state.missing_guild(event.guild_id, "GUILD_MEMBERS_CHUNK")
        return state
    for member in event.members:
        _put_member(state, event.guild_id, member)
    for presence in event.presences or ():
        _put_presence(state, presence)
    return state


# --- roles, emojis, stickers ------------------------------------------------------------


def guild_role_create(state: CacheState, event: GuildRoleCreate | GuildRoleUpdate) -> CacheState:
    """GUILD_ROLE_CREATE / GUILD_ROLE_UPDATE: the role is stored under its id."""
    guild = _written_guild(state, event.guild_id, "GUILD_ROLE_CREATE/UPDATE")
    if guild is None:
        return state
    guild.roles[event.role.id] = event.role
    return state


def guild_role_update_bulk(state: CacheState, event: GuildRoleUpdateBulk) -> CacheState:
    """GUILD_ROLE_UPDATE_BULK: each role is stored under its id."""
    guild = _written_guild(state, event.guild_id, "GUILD_ROLE_UPDATE_BULK")
    if guild is None:
        return state
    for role in event.roles:
        guild.roles[role.id] = role
    return state


def guild_role_delete(state: CacheState, event: GuildRoleDelete) -> CacheState:
    """GUILD_ROLE_DELETE: the role leaves the guild and every cached member's roles."""
    guild = _written_guild(state, event.guild_id, "GUILD_ROLE_DELETE")
    if guild is None:
        return state
    if guild.roles.pop(event.role_id, None) is None:
        state.issue(
            IssueKind.UNKNOWN_ROLE,
            f"GUILD_ROLE_DELETE of unknown role {event.role_id} in guild {event.guild_id}",
        )
    state.strip_role(event.guild_id, event.role_id)
    return state


def guild_emojis_update(state: CacheState, event: GuildEmojisUpdate) -> CacheState:
    """GUILD_EMOJIS_UPDATE: the whole emoji table is replaced."""
    guild = _written_guild(state, event.guild_id, "GUILD_EMOJIS_UPDATE")
    if guild is None:
        return state
    guild.emojis = {emoji.id: emoji for emoji in event.emojis}
    return state


def guild_stickers_update(state: CacheState, event: GuildStickersUpdate) -> CacheState:
    """GUILD_STICKERS_UPDATE: the whole sticker table is replaced."""
    guild = _written_guild(state, event.guild_id, "GUILD_STICKERS_UPDATE")
    if guild is None:
        return state
    guild.stickers = {sticker.id: sticker for sticker in event.stickers}
    return state


# --- channels ---------------------------------------------------------------------------


def _put_channel(
    state: CacheState, channel: Channel, event_name: str, guild_id: str | None = None
) -> None:
    """Store ``channel`` under ``channel.guild_id``, else ``guild_id`` (a bulk event's)."""
    if channel.guild_id is not None:
        guild_id = channel.guild_id
    if guild_id is not None:
        guild = state.guilds.data.get(guild_id)
        if guild is None:
            state.missing_guild(guild_id, event_name)
            return
        guild_id = guild.id
    for user in channel.recipients or ():
        state.put_user(user)
    state.put_channel(channel_from_wire(channel, guild_id))


def channel_create(state: CacheState, event: ChannelCreate | ChannelUpdate) -> CacheState:
    """CHANNEL_CREATE / CHANNEL_UPDATE: the channel is stored (a guild channel only while
    its guild is cached); DM recipients go to ``users``."""
    _put_channel(state, event, "CHANNEL_CREATE/UPDATE")
    return state


def channel_update_bulk(state: CacheState, event: ChannelUpdateBulk) -> CacheState:
    """CHANNEL_UPDATE_BULK: each channel is stored, under the event's ``guild_id`` when it
    names none itself."""
    for channel in event.channels:
        _put_channel(state, channel, "CHANNEL_UPDATE_BULK", event.guild_id)
    return state


def channel_delete(state: CacheState, event: ChannelDelete) -> CacheState:
    """CHANNEL_DELETE: the channel, its id in its guild and its messages are removed."""
    if state.remove_channel(event.id) is None:
        state.missing_channel(event.id, "CHANNEL_DELETE")
    return state


def channel_pins_update(state: CacheState, event: ChannelPinsUpdate) -> CacheState:
    """CHANNEL_PINS_UPDATE: the channel's ``last_pin_timestamp``."""
    channel = state.channels.data.get(event.channel_id)
    if channel is not None:
        channel.last_pin_timestamp = event.last_pin_timestamp
    return state


# --- messages ---------------------------------------------------------------------------


def message_create(state: CacheState, event: MessageCreate) -> CacheState:
    """MESSAGE_CREATE: the author into ``users`` (not for webhooks), the ``member`` into
    ``members``, the channel's ``last_message_id``, and the message cache when on."""
    if event.webhook_id is None:
        state.put_author(event.author, event.member, event.guild_id)
    channel = state.channels.data.get(event.channel_id)
    if channel is not None:
        channel.last_message_id = event.id
        if state.channels.limit is not None:
            state.channels.touch(event.channel_id)
    if state.message_cache_size:
        state.put_message(event)
    return state


def message_update(state: CacheState, event: MessageUpdate) -> CacheState:
    """MESSAGE_UPDATE: author and member as for MESSAGE_CREATE; the cached copy, if
    any, is replaced."""
    if event.webhook_id is None:
        state.put_author(event.author, event.member, event.guild_id)
    if state.message_cache_size:
        state.replace_message(event)
    return state


def message_delete(state: CacheState, event: MessageDelete) -> CacheState:
    """MESSAGE_DELETE: the message leaves the message cache."""
    if state.message_cache_size:
        state.remove_messages(event.channel_id, (event.id,))
    return state


def message_delete_bulk(state: CacheState, event: MessageDeleteBulk) -> CacheState:
    """MESSAGE_DELETE_BULK: the messages leave the message cache."""
    if state.message_cache_size:
        state.remove_messages(event.channel_id, event.ids)
    return state


def member_attached(state: CacheState, event: TypingStart | MessageReactionAdd) -> CacheState:
    """TYPING_START / MESSAGE_REACTION_ADD: the attached ``member`` (of ``user_id``) is
    stored when the user is known."""
    member = event.member
    guild_id = event.guild_id
    if member is not None and guild_id is not None:
        cached = state.users.data.get(event.user_id)
        user_id = cached.id if cached is not None else event.user_id
        state.put_member(guild_id, member, user_id)
    return state


# --- presence and voice -----------------------------------------------------------------


def _put_presence(state: CacheState, presence: Presence) -> None:
    if not state.cache_presences:
        return
    user_id = state.put_user(presence.user)
    if presence.status in (None, "offline"):
        state.presences.pop(user_id, None)
        return
    if state.cache_users and user_id not in state.users.data:
        return  # the user was evicted at once (users limit 0)
    state.presences[user_id] = presence_from_wire(presence, user_id)


def presence_update(state: CacheState, event: PresenceUpdate) -> CacheState:
    """PRESENCE_UPDATE (with ``cache_presences``): the user's status; offline removes it.
    The user record is refreshed when the presence carries more than the id."""
    _put_presence(state, event)
    return state


def _put_voice(state: CacheState, voice: VoiceState, guild_id: str | None) -> None:
    member = voice.member
    scope = guild_id
    if scope is None:
        scope = voice.channel_id
        if scope is None:
            for key, inner in list(state.voice_states.items()):
                if voice.user_id in inner and key not in state.guilds.data:
                    state.put_voice_state(key, voice)
            return
    if member is not None:
        if guild_id is not None:
            _put_member(state, guild_id, member)
        voice = VoiceState(**{f: getattr(voice, f) for f in _VOICE_FIELDS})
    elif type(voice) is not VoiceState:
        voice = VoiceState(**{f: getattr(voice, f) for f in _VOICE_FIELDS})
    state.put_voice_state(scope, voice)


_VOICE_FIELDS: Final = tuple(f for f in VoiceState.__struct_fields__ if f != "member")


def voice_state_update(state: CacheState, event: VoiceStateUpdate) -> CacheState:
    """VOICE_STATE_UPDATE (with ``cache_voice_states``): the user's voice state, under its
    guild id (a DM call's under the channel id); leaving voice removes it. The attached
    member goes to ``members``."""
    if not state.cache_voice_states:
        if event.member is not None and event.guild_id is not None:
            _put_member(state, event.guild_id, event.member)
        return state
    _put_voice(state, event, event.guild_id)
    return state


REDUCERS: Final[Mapping[type, Reducer]] = {
    Ready: ready,
    UserUpdate: user_update,
    GuildCreate: guild_create,
    GuildSync: guild_create,
    GuildUpdate: guild_update,
    GuildDelete: guild_delete,
    GuildMemberAdd: guild_member_add,
    GuildMemberUpdate: guild_member_update,
    GuildMemberRemove: guild_member_remove,
    GuildMembersChunk: guild_members_chunk,
    GuildRoleCreate: guild_role_create,
    GuildRoleUpdate: guild_role_create,
    GuildRoleUpdateBulk: guild_role_update_bulk,
    GuildRoleDelete: guild_role_delete,
    GuildEmojisUpdate: guild_emojis_update,
    GuildStickersUpdate: guild_stickers_update,
    ChannelCreate: channel_create,
    ChannelUpdate: channel_create,
    ChannelUpdateBulk: channel_update_bulk,
    ChannelDelete: channel_delete,
    ChannelPinsUpdate: channel_pins_update,
    MessageCreate: message_create,
    MessageUpdate: message_update,
    MessageDelete: message_delete,
    MessageDeleteBulk: message_delete_bulk,
    TypingStart: member_attached,
    MessageReactionAdd: member_attached,
    PresenceUpdate: presence_update,
    VoiceStateUpdate: voice_state_update,
}
"""Event class -> reducer. Looked up by exact ``type(event)``. Its keys are exactly the
payload classes of the registry's reduced rows (checked just below)."""

EVENT_REGISTRY.check_reducers(REDUCERS)
