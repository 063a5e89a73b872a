"""One shard's part of a cache as bytes, and back: what a worker hands to its successor.

:func:`dump_shard` encodes (msgspec MessagePack, which keeps ``str`` and ``bytes`` apart)
the part of a :class:`~fluxer_rx.cache.Cache` that one shard's events built:

* the guilds the shard serves (``(guild_id >> 22) % shard_count == shard_id``), with
  their channels, members, voice states and recent messages;
* the users and presences of those members, and the bot's own user;
* on shard 0 (where direct messages arrive) the channels without a guild, their
  recipients and their recent messages.

Lists are sorted by id, sets and maps encoded sorted, so two caches that hold the same
shard part dump bytes that :func:`read_shard` decodes to equal :class:`ShardPart` values
(the bytes themselves may differ where one side holds a field's default value explicitly).
:func:`load_shard` replaces that part of a cache by a dump (the other shards' guilds stay).
"""

from __future__ import annotations

from collections import deque
from typing import Any

import msgspec

from fluxer_rx.cache import Cache
from fluxer_rx.cache.cached_types import (
    CachedChannel,
    CachedGuild,
    CachedMember,
    CachedPresence,
    CachedUser,
    UserExtra,
)
from fluxer_rx.models.message import Message
from fluxer_rx.models.user import PrivateUser
from fluxer_rx.models.voice import VoiceState

__all__ = ["ShardPart", "dump_shard", "load_shard", "read_shard"]


def _user_row(user: CachedUser) -> dict[str, Any]:
    # ``avatar_key`` is ``str | bytes``, a union msgspec does not decode by type: users
    # travel as plain maps (MessagePack keeps str and bin apart) and are rebuilt here
    return {name: getattr(user, name) for name in user.__struct_fields__}


def _user(row: dict[str, Any]) -> CachedUser:
    extra = row.pop("extra", None)
    return CachedUser(**row, extra=None if extra is None else msgspec.convert(extra, UserExtra))


class ShardPart(msgspec.Struct, kw_only=True):
    """The decoded form of a dump (see the module); users as plain maps."""

    shard_id: int
    shard_count: int
    self_user: dict[str, Any] | None = None
    user: PrivateUser | None = None  # the bot's user as READY gave it
    guilds: list[CachedGuild] = []
    channels: list[CachedChannel] = []
    users: list[dict[str, Any]] = []
    members: list[CachedMember] = []
    presences: list[CachedPresence] = []
    voice_states: dict[str, list[VoiceState]] = {}
    messages: dict[str, list[Message]] = {}


_encoder = msgspec.msgpack.Encoder(order="deterministic")  # sets and dicts sorted
_decoder = msgspec.msgpack.Decoder(ShardPart)


def _serves(guild_id: str, shard_id: int, shard_count: int) -> bool:
    return shard_count <= 1 or (int(guild_id) >> 22) % shard_count == shard_id


def part_of(
    cache: Cache, shard_id: int, shard_count: int, user: PrivateUser | None = None
) -> ShardPart:
    """The shard's part of ``cache`` (see the module); ``user`` is the bot's READY user."""
    state = cache.state
    guilds = sorted(
        (g for gid, g in state.guilds.data.items() if _serves(gid, shard_id, shard_count)),
        key=lambda g: g.id,
    )
    channel_ids = {cid for g in guilds for cid in g.channel_ids}
    if shard_id == 0:
        channel_ids.update(cid for cid, c in state.channels.data.items() if c.guild_id is None)
    channels = sorted(
        (state.channels.data[c] for c in channel_ids if c in state.channels.data),
        key=lambda c: c.id,
    )
    members = sorted(
        (m for g in guilds for m in state.members.by_guild.get(g.id, {}).values()),
        key=lambda m: (m.guild_id, m.user_id),
    )
    user_ids = {m.user_id for m in members}
    user_ids.update(r for c in channels if c.guild_id is None for r in c.recipient_ids)
    users = sorted(
        (state.users.data[u] for u in user_ids if u in state.users.data), key=lambda u: u.id
    )
    return ShardPart(
        shard_id=shard_id,
        shard_count=shard_count,
        self_user=None if state.self_user is None else _user_row(state.self_user),
        user=user,
        guilds=guilds,
        channels=channels,
        users=[_user_row(u) for u in users],
        members=members,
        presences=sorted(
            (state.presences[u] for u in user_ids if u in state.presences),
            key=lambda p: p.user_id,
        ),
        voice_states={
            g.id: sorted(state.voice_states[g.id].values(), key=lambda v: v.user_id)
            for g in guilds
            if g.id in state.voice_states
        },
        messages={
            c.id: list(state.messages.data[c.id]) for c in channels if c.id in state.messages.data
        },
    )


def dump_shard(
    cache: Cache, shard_id: int, shard_count: int, user: PrivateUser | None = None
) -> bytes:
    """The shard's part of ``cache`` as bytes (see the module)."""
    return _encoder.encode(part_of(cache, shard_id, shard_count, user))


def read_shard(data: bytes) -> ShardPart:
    """Decode a dump (``msgspec.DecodeError`` / ``ValidationError`` if it is not one)."""
    return _decoder.decode(data)


def load_shard(cache: Cache, data: bytes) -> ShardPart:
    """Replace the shard's part of ``cache`` by the dump ``data``; return what was loaded.

    ``msgspec.DecodeError`` when ``data`` is not a dump (the cache is then unchanged).
    """
    part = read_shard(data)
    state = cache.state
    cache.reset((part.shard_id, part.shard_count))
    if part.shard_id == 0:
        for cid in [c for c, ch in state.channels.data.items() if ch.guild_id is None]:
            state.remove_channel(cid)
    if part.self_user is not None:
        state.self_user = _user(dict(part.self_user))
    if state.cache_users:
        for row in part.users:
            user = _user(dict(row))
            state.users.put(user.id, user)
    for guild in part.guilds:
        state.put_guild(guild)
    for channel in part.channels:
        state.channels.put(channel.id, channel)
    if state.cache_members:
        for member in part.members:
            if member.guild_id in state.members.by_guild:
                state.members.put(member)
    if state.cache_presences:
        for presence in part.presences:
            state.presences[presence.user_id] = presence
    if state.cache_voice_states:
        for guild_id, voice in part.voice_states.items():
            state.voice_states[guild_id] = {v.user_id: v for v in voice}
    size = state.message_cache_size
    if size > 0:
        for channel_id, messages in part.messages.items():
            state.messages.put(channel_id, deque(messages, maxlen=size))
    return part
