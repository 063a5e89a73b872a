"""The comparison of a client's cache with the sandbox's world, shared by the cache e2e
test and the chaos harness (``tests/chaos_harness.py``).

:func:`assert_cache_equals_world` raises ``AssertionError`` at the first difference in
guilds (name, owner, system channel, roles), channels, members and users. Guilds whose
state the server could not deliver (their GUILD_CREATE or member list fell into a
server-caused gap) can be left out, wholly or for their members only.
"""

from __future__ import annotations

from collections.abc import Mapping, Set

from fluxer_rx.cache import CacheView
from fluxer_rx.sandbox import World

__all__ = ["assert_cache_equals_world"]


def assert_cache_equals_world(
    cache: CacheView,
    world: World,
    *,
    excused_guilds: Set[str] = frozenset(),
    excused_members: Set[str] = frozenset(),
) -> None:
    """Assert that ``cache`` holds exactly what ``world`` holds.

    ``excused_guilds``: guilds not compared at all (nor their channels);
    ``excused_members``: guilds whose members (and member count) are not compared.
    """
    assert set(cache.guilds) - excused_guilds == set(world.guilds) - excused_guilds
    for guild_id, guild in world.guilds.items():
        if guild_id in excused_guilds:
            continue
        cached = cache.guilds[guild_id]
        assert (cached.name, cached.owner_id, cached.unavailable) == (
            guild.name,
            guild.owner_id,
            False,
        )
        assert cached.system_channel_id == guild.system_channel_id
        assert {
            r.id: (r.name, r.position, r.permissions, r.color) for r in cached.roles.values()
        } == {r.id: (r.name, r.position, str(r.permissions), r.color) for r in guild.roles.values()}
        assert cached.channel_ids == set(guild.channel_ids)
        for channel_id in guild.channel_ids:
            want = world.channels[channel_id]
            got = cache.channels[channel_id]
            assert (got.guild_id, got.name, got.type, got.position, got.topic) == (
                guild_id,
                want.name,
                want.type,
                want.position,
                want.topic,
            )
            assert (got.parent_id, got.nsfw, got.last_message_id) == (
                want.parent_id,
                want.nsfw,
                want.last_message_id,
            )
        if guild_id in excused_members:
            continue
        members = cache.members[guild_id]
        assert set(members) == set(guild.members)
        assert cached.member_count == len(guild.members)
        for user_id, member in guild.members.items():
            got_member = members[user_id]
            assert (got_member.nick, set(got_member.roles)) == (member.nick, set(member.roles))
            assert got_member.joined_at_ms == member.joined_at_ms
            user = world.users[user_id]
            got_user = cache.users[user_id]
            assert (got_user.username, got_user.global_name, got_user.bot) == (
                user.username,
                user.global_name,
                user.bot,
            )

    def compared(channels: Set[str], guild_of: Mapping[str, str | None]) -> set[str]:
        return {c for c in channels if guild_of.get(c) not in excused_guilds}

    world_guild_of = {c: ch.guild_id for c, ch in world.channels.items()}
    cache_guild_of = {c: ch.guild_id for c, ch in cache.channels.items()}
    assert compared(set(cache.channels), cache_guild_of) == compared(
        set(world.channels), world_guild_of
    )
