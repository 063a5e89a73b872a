"""Cache handover between worker clients: worker A runs and stops; worker B takes the shard
over and its cache equals A's (and the sandbox's world), whether B starts from A's last
snapshot, from an older one (a crash after a periodic snapshot: the entries after it are
folded), or from none (the retained stream is folded from its start). B's handlers see
none of the events A already handled."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import pytest

from fluxer_rx import CacheOptions, Client, ClientOptions, RestOptions
from fluxer_rx.bus.bus_options import RedisBus
from fluxer_rx.bus.cache_snapshot import ShardPart, dump_shard, load_shard, read_shard
from fluxer_rx.bus.gateway_process import GatewayProcess
from fluxer_rx.bus.redis_broker import RedisBroker, RedisBrokerOptions
from fluxer_rx.cache import Cache
from fluxer_rx.models import MessageCreate
from fluxer_rx.sandbox import Sandbox
from tests.redis_server import RedisServer
from tests.util import wait_until

pytestmark = pytest.mark.fluxer_sandbox(guilds=2)


def bus_for(server: RedisServer, snapshot_interval: float | None = 30.0) -> RedisBus:
    return RedisBus(
        server.url,
        group="handover",
        broker=RedisBrokerOptions(prefix="gw"),
        lease_ttl=2.0,
        snapshot_interval=snapshot_interval,
    )


@contextlib.asynccontextmanager
async def worker(sb: Sandbox, bus: RedisBus) -> AsyncIterator[tuple[Client, list[str]]]:
    """A ready worker client, and the contents of the messages its handler saw."""
    options = ClientOptions(
        rest=RestOptions(api_url=sb.api_url), bus=bus, cache=CacheOptions(message_cache_size=50)
    )
    client = Client(options)
    seen: list[str] = []
    client.events.stream(MessageCreate).subscribe(lambda e: seen.append(e.content))
    login = asyncio.create_task(client.login(sb.token))
    try:
        await client.wait_until_ready(timeout=20)
        yield client, seen
    finally:
        await client.close()
        await login


def part(client: Client) -> ShardPart:
    """The client's cache part of shard 0, as a worker hands it over."""
    return read_shard(dump_shard(client.pipeline.cache, 0, 1, client.user))


async def traffic(sb: Sandbox, label: str) -> None:
    for i in range(4):
        await sb.post_message(sb.channel_ids[i % 2], f"{label} {i}")
    await sb.add_member(sb.guild_ids[0])
    await sb.create_channel(sb.guild_ids[1], f"{label}-room")


def matches_world(client: Client, sb: Sandbox) -> bool:
    """The client's guilds, their channels and member counts are the sandbox world's."""
    cache = client.cache
    if set(cache.guilds) != set(sb.guild_ids):
        return False
    for guild_id in sb.guild_ids:
        world = sb.world.get_guild(guild_id)
        if cache.guilds[guild_id].channel_ids != set(world.channel_ids):
            return False
        if not set(cache.members.get(guild_id, {})) <= set(world.members):
            return False  # (the cache holds the members it was sent, not every member)
        if cache.guilds[guild_id].member_count != len(world.members):
            return False
    return True


async def run_a(sb: Sandbox, bus: RedisBus, *, until: int) -> tuple[ShardPart, list[str]]:
    """Worker A: handles traffic until it saw ``until`` messages; its cache part at close."""
    async with worker(sb, bus) as (a, seen):
        await traffic(sb, "a")
        await wait_until(lambda: len(seen) == until, within=20, what=f"{until} messages")
        await wait_until(lambda: matches_world(a, sb), within=20, what="the world in A")
        dumped = part(a)
    return dumped, seen


async def test_b_takes_over_from_as_last_snapshot(
    fluxer_sandbox: Sandbox, gateway_process: GatewayProcess, redis_server: RedisServer
) -> None:
    sb, bus = fluxer_sandbox, bus_for(redis_server)
    dumped, _ = await run_a(sb, bus, until=4)
    async with worker(sb, bus) as (b, seen):
        assert part(b) == dumped
        assert b.user is not None and b.is_ready
        assert matches_world(b, sb)
        await sb.post_message(sb.channel_ids[0], "for b")
        await wait_until(lambda: seen == ["for b"], within=10, what="B's first message")


async def test_b_folds_after_an_older_snapshot(
    fluxer_sandbox: Sandbox, gateway_process: GatewayProcess, redis_server: RedisServer
) -> None:
    sb, bus = fluxer_sandbox, bus_for(redis_server, snapshot_interval=0.001)
    broker = gateway_process.broker
    async with worker(sb, bus) as (a, seen):
        await traffic(sb, "early")
        await wait_until(lambda: len(seen) == 4, within=20, what="4 messages")
        await wait_until(lambda: matches_world(a, sb), within=20, what="the world in A")
        committed = await broker.committed("handover", 0)

        async def snapshotted() -> bool:
            snapshot = await broker.get_snapshot("handover", 0)
            return snapshot is not None and snapshot.position == committed

        for _ in range(500):  # the periodic snapshot follows each commit
            if await snapshotted():
                break
            await asyncio.sleep(0.01)
        else:
            raise TimeoutError("no snapshot at the committed position")
        old = await broker.get_snapshot("handover", 0)
        await traffic(sb, "late")
        await wait_until(lambda: len(seen) == 8, within=20, what="8 messages")
        await wait_until(lambda: matches_world(a, sb), within=20, what="the world in A")
        dumped = part(a)
    assert old is not None
    # a crash right after the earlier periodic snapshot: put it back, it misses "late"
    early = Cache(CacheOptions(message_cache_size=50))
    load_shard(early, old.data)
    early_contents = {m.content for ms in early.state.messages.data.values() for m in ms}
    assert early_contents == {f"early {i}" for i in range(4)}
    await broker.put_snapshot("handover", 0, old)
    async with worker(sb, bus) as (b, seen_b):
        assert part(b) == dumped
        assert seen_b == []  # folded, not handled again
        assert matches_world(b, sb)


async def test_b_folds_the_stream_without_a_snapshot(
    fluxer_sandbox: Sandbox, gateway_process: GatewayProcess, redis_server: RedisServer
) -> None:
    sb, bus = fluxer_sandbox, bus_for(redis_server)
    dumped, _ = await run_a(sb, bus, until=4)
    async with RedisBroker(redis_server.url, RedisBrokerOptions(prefix="gw")) as broker:
        assert await broker.redis.delete(broker.key("snapshot", "handover", 0)) == 1
    async with worker(sb, bus) as (b, seen):
        assert part(b) == dumped
        assert seen == []
        assert matches_world(b, sb)

