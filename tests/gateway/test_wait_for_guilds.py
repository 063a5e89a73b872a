"""``wait_for_guilds``: the READY event itself waits for the guild burst (issue 19), with
one shard and with two, while ``raw`` keeps the gateway's order."""

from __future__ import annotations

import asyncio

import pytest

from fluxer_rx import Client, ClientOptions, Events, GatewayOptions, RestOptions
from fluxer_rx.models import GuildCreate, Ready
from fluxer_rx.sandbox import Sandbox
from tests.util import wait_until


@pytest.mark.parametrize("shards", [1, 2])
async def test_ready_is_emitted_after_the_guild_burst(shards: int) -> None:
    async with Sandbox(guilds=3) as sb:
        client = Client(
            ClientOptions(
                rest=RestOptions(api_url=sb.api_url),
                wait_for_guilds=True,
                guild_ready_timeout=0.3,
                gateway=GatewayOptions(
                    shard_count=shards if shards > 1 else None, identify_interval=0.05
                ),
            )
        )
        typed: list[str] = []
        raw: list[str] = []
        ready_handler_saw: list[tuple[bool, int]] = []
        client.events.subscribe(lambda e: typed.append(type(e).__name__))
        client.raw.subscribe(lambda f: raw.append(f.t) if f.t else None)
        client.on(
            Events.READY, lambda d: ready_handler_saw.append((client.is_ready, len(client.guilds)))
        )
        login = asyncio.create_task(client.login(sb.token))
        try:
            await client.wait_until_ready(timeout=10)
            await wait_until(lambda: typed.count("Ready") == shards)
            guild_creates = [i for i, name in enumerate(typed) if name == GuildCreate.__name__]
            readies = [i for i, name in enumerate(typed) if name == Ready.__name__]
            assert len(guild_creates) == 3
            assert min(readies) > max(guild_creates)  # every READY after the whole burst
            assert raw.index("READY") < raw.index("GUILD_CREATE")  # raw: the gateway's order
            assert ready_handler_saw == [(True, 3)] * shards  # ready, with the guilds cached
        finally:
            await client.destroy()
            await login


async def test_without_wait_for_guilds_ready_comes_first() -> None:
    async with Sandbox(guilds=2) as sb:
        client = Client(ClientOptions(rest=RestOptions(api_url=sb.api_url)))
        typed: list[str] = []
        client.events.subscribe(lambda e: typed.append(type(e).__name__))
        login = asyncio.create_task(client.login(sb.token))
        try:
            await wait_until(lambda: typed.count("GuildCreate") == 2)
            assert typed[0] == "Ready"
        finally:
            await client.destroy()
            await login
