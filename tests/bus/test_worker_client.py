"""A ``Client`` with ``ClientOptions(bus=RedisBus(...))`` is a worker: the same user code,
fed from Redis by a gateway process, against the sandbox and a real redis-server.

* The same handler sees the same events as a single-process client on the same traffic;
  the worker gets ready, its cache holds the sandbox's world; ``close()`` is prompt.
* A member request is answered through the bus.
* A lost session reaches the worker's pipeline (readiness drops, the new READY resets).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator
from typing import Any

import pytest

from fluxer_rx import Client, ClientOptions, RestOptions
from fluxer_rx.bus.bus_options import RedisBus
from fluxer_rx.bus.gateway_process import GatewayProcess
from fluxer_rx.bus.redis_broker import RedisBrokerOptions
from fluxer_rx.diagnostics import Kind
from fluxer_rx.lifecycle import ClientState
from fluxer_rx.models import MessageCreate, Ready
from fluxer_rx.sandbox import Sandbox
from tests.redis_server import RedisServer
from tests.util import logged_in_client, wait_until

pytestmark = pytest.mark.fluxer_sandbox(guilds=2, resume_window=30.0)


def bus_for(server: RedisServer, **fields: Any) -> RedisBus:
    """The bus of the ``gateway_process`` fixture (key prefix ``gw``, one shard)."""
    return RedisBus(server.url, broker=RedisBrokerOptions(prefix="gw"), lease_ttl=2.0, **fields)


@contextlib.asynccontextmanager
async def worker(sb: Sandbox, bus: RedisBus, *, ready: bool = True) -> AsyncIterator[Client]:
    """A worker client logged in through ``bus`` (ready unless told not to wait)."""
    client = Client(ClientOptions(rest=RestOptions(api_url=sb.api_url, max_retries=0), bus=bus))
    login = asyncio.create_task(client.login(sb.token))
    try:
        if ready:
            await client.wait_until_ready(timeout=20)
        yield client
    finally:
        await client.close()
        await login


def record(client: Client) -> list[tuple[str, str]]:
    """What one handler, registered the same way on any client, sees."""
    seen: list[tuple[str, str]] = []

    @client.on_typed
    def handler(event: object) -> None:
        if isinstance(event, Ready):
            return  # its session id differs between the two connections
        seen.append((type(event).__name__, getattr(event, "id", "") or ""))

    return seen


async def test_a_worker_sees_what_a_single_process_client_sees(
    fluxer_sandbox: Sandbox, gateway_process: GatewayProcess, redis_server: RedisServer
) -> None:
    sb = fluxer_sandbox
    async with (
        logged_in_client(sb, gateway_url=sb.gateway_url) as single,
        worker(sb, bus_for(redis_server)) as bot,
    ):
        alone, together = record(single), record(bot)
        assert bot.is_ready and bot.state is ClientState.READY
        assert set(bot.cache.guilds) == set(sb.guild_ids)
        assert bot.user is not None and single.user is not None
        assert bot.user.id == single.user.id
        for i in range(6):
            await sb.post_message(sb.channel_ids[i % 2], f"m{i}")
        await sb.generate(40)
        end = (await sb.post_message(sb.channel_ids[0], "end"))["id"]
        last = ("MessageCreate", end)
        await wait_until(lambda: last in alone and last in together, within=20, what="the end")
        assert together == alone
        assert sum(t == "MessageCreate" for t, _ in together) >= 7
        assert bot.cache.guilds.keys() == single.cache.guilds.keys()
        assert bot.shards == {} and bot.shard_for(sb.guild_ids[0]) == 0
        started = time.monotonic()
        await bot.close()
        closed_in = time.monotonic() - started
    print(f"worker client close(): {closed_in * 1000:.0f} ms")
    assert closed_in < 1.5, f"close() took {closed_in:.2f} s"
    assert bot.state is ClientState.CLOSED


async def test_member_request_and_presence_go_through_the_bus(
    fluxer_sandbox: Sandbox, gateway_process: GatewayProcess, redis_server: RedisServer
) -> None:
    sb = fluxer_sandbox
    async with worker(sb, bus_for(redis_server)) as bot:
        guild = sb.guild_ids[1]
        members = await bot.request_guild_members(guild, query="", limit=0, timeout=10)
        assert {m.user.id for m in members if m.user} == set(sb.world.get_guild(guild).members)
        bot.update_presence("idle")

        def idle_on_the_gateway() -> bool:  # the server answers op 3 with SESSIONS_REPLACE
            return any(
                r.t == "SESSIONS_REPLACE" and "'idle'" in repr(r.d) for r in sb.dispatch_log
            )

        await wait_until(idle_on_the_gateway, within=10, what="the presence on the gateway")
        contents: list[str] = []
        bot.events.stream(MessageCreate).subscribe(lambda e: contents.append(e.content))
        with pytest.raises(ValueError):
            bot.send_to_shard(1, 1, None)  # the bot has one shard
        await sb.post_message(sb.channel_ids[0], "after presence")
        await wait_until(lambda: contents == ["after presence"], within=10, what="message")


async def test_a_lost_session_resets_the_workers_shard(
    fluxer_sandbox: Sandbox, gateway_process: GatewayProcess, redis_server: RedisServer
) -> None:
    sb = fluxer_sandbox
    async with worker(sb, bus_for(redis_server)) as bot:
        states: list[ClientState] = []
        bot.diagnostics.subscribe(
            lambda d: states.append(d.data[1]) if d.kind == Kind.CLIENT_STATE else None
        )
        readies: list[str] = []
        bot.events.stream(Ready).subscribe(lambda e: readies.append(e.session_id))
        before = {r.session_id for r in sb.dispatch_log}
        assert sb.invalidate_sessions() >= 1
        await wait_until(lambda: len(readies) == 1, within=20, what="the new session's READY")
        assert readies[0] not in before
        assert states[:2] == [ClientState.RECONNECTING, ClientState.READY]
        await wait_until(lambda: bot.is_ready, within=10, what="ready again")
        assert set(bot.cache.guilds) == set(sb.guild_ids)
