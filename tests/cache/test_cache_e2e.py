"""End to end: after a seeded traffic run on the sandbox (messages, member joins / leaves /
updates, channel creates / edits / deletes, presences), the cache a Client folded from
the gateway equals the sandbox's world: guilds, channels, roles, members, users."""

from __future__ import annotations

import asyncio

from fluxer_rx import Client, ClientOptions, RestOptions
from fluxer_rx.cache import Cache
from fluxer_rx.diagnostics import Diagnostic, Kind
from fluxer_rx.sandbox import Sandbox, World
from tests.util import wait_until

STEPS = 400


def assert_cache_equals_world(cache: Cache, world: World) -> None:
    assert set(cache.guilds) == set(world.guilds)
    for guild_id, guild in world.guilds.items():
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
    assert set(cache.channels) == set(world.channels)


async def test_cache_equals_the_world_after_seeded_traffic() -> None:
    async with Sandbox(seed=11, guilds=2, channels_per_guild=3, members_per_guild=25) as sb:
        options = ClientOptions(
            rest=RestOptions(api_url=sb.api_url),
            chunk_guilds=True,
            wait_for_guilds=True,
            guild_ready_timeout=0.3,
        )
        client = Client(options)
        issues: list[Diagnostic] = []
        client.diagnostics.subscribe(lambda d: issues.append(d) if d.kind == Kind.CACHE else None)
        task = asyncio.create_task(client.login(sb.token))
        try:
            # chunk_guilds + wait_for_guilds: ready means every member list has arrived
            await client.wait_until_ready(timeout=10)
            cache = client.cache
            assert_cache_equals_world(cache, sb.world)
            for _ in range(STEPS):
                sb.traffic.step()
            counts = sb.traffic.counts
            for kind in (
                "member_join",
                "member_leave",
                "member_update",
                "channel_update",
                "channel_create",
                "channel_delete",
            ):
                assert counts.get(kind, 0) > 0, counts
            # a last, recognisable write: once folded, everything before it is too
            sb.world.update_guild(sb.guild_ids[0], name="sentinel")
            await wait_until(lambda: cache.guilds[sb.guild_ids[0]].name == "sentinel", within=10)
            assert_cache_equals_world(cache, sb.world)
            assert issues == []
        finally:
            await client.destroy()
            await asyncio.wait_for(task, 10)
