"""End to end: after a seeded traffic run on the sandbox (messages, member joins / leaves /
updates, channel creates / edits / deletes, presences), the cache a Client folded from
the gateway equals the sandbox's world: guilds, channels, roles, members, users."""

from __future__ import annotations

import asyncio

from fluxer_rx import Client, ClientOptions, RestOptions
from fluxer_rx.diagnostics import Diagnostic, Kind
from fluxer_rx.sandbox import Sandbox
from tests.cache.world_compare import assert_cache_equals_world
from tests.util import wait_until

STEPS = 400


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
