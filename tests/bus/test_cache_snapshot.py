"""cache_snapshot: one shard's part of a cache dumped and loaded into another cache, without
touching the other shards' guilds (pure, no Redis)."""

from __future__ import annotations

import msgspec
import pytest

from fluxer_rx.bus.cache_snapshot import dump_shard, load_shard, read_shard
from fluxer_rx.cache import Cache
from fluxer_rx.models import GuildCreate

SHARDS = 2


def guild_on(shard: int, n: int) -> str:
    """A guild id served by ``shard`` of ``SHARDS``."""
    return str(((n * SHARDS + shard) << 22) | 7)


def guild_create(guild_id: str, members: int) -> GuildCreate:
    wire = {
        "id": guild_id,
        "properties": {"id": guild_id, "name": f"g{guild_id}"},
        "channels": [{"id": str(int(guild_id) + 1), "type": 0, "guild_id": guild_id,
                      "name": "general"}],
        "members": [{"user": {"id": str(1000 + i), "username": f"u{i}",
                              "avatar": "a" * 32 if i % 2 else None}, "roles": []}
                    for i in range(members)],
        "roles": [{"id": guild_id, "name": "@everyone", "permissions": "0"}],
    }  # fmt: skip
    return msgspec.json.decode(msgspec.json.encode(wire), type=GuildCreate)


def test_a_shard_part_moves_to_another_cache_and_leaves_the_others() -> None:
    old, new = Cache(), Cache()
    for n in range(3):
        old.apply(guild_create(guild_on(0, n), members=3))
        old.apply(guild_create(guild_on(1, n), members=2))
    stale = guild_on(0, 9)
    new.apply(guild_create(stale, members=1))  # shard 0 in the new cache: replaced
    other = guild_on(1, 9)
    new.apply(guild_create(other, members=1))  # shard 1 in the new cache: kept
    load_shard(new, dump_shard(old, 0, SHARDS))
    assert set(new.guilds) == {guild_on(0, n) for n in range(3)} | {other}
    assert read_shard(dump_shard(new, 0, SHARDS)) == read_shard(dump_shard(old, 0, SHARDS))
    assert set(new.members[guild_on(0, 1)]) == {"1000", "1001", "1002"}
    assert new.users["1001"] == old.users["1001"]  # avatar keys (bytes or str) survive


def test_something_else_is_not_a_snapshot() -> None:
    cache = Cache()
    cache.apply(guild_create(guild_on(0, 0), members=1))
    with pytest.raises(msgspec.DecodeError):
        load_shard(cache, b"not msgpack at all \xc1")
    assert set(cache.guilds) == {guild_on(0, 0)}
