"""Shared REST limits through the public client: two worker clients (``bus=RedisBus(...)``)
posting into one sandbox bucket draw no 429; with ``share_rest_limits=False`` the same load
does (so the test can fail). Under shared limits the retry rules for 5xx stay."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import pytest

from fluxer_rx import Client, ClientOptions, RestOptions
from fluxer_rx.bus.bus_options import RedisBus
from fluxer_rx.bus.redis_broker import RedisBrokerOptions
from fluxer_rx.errors import ClientNotReady, RequestMayHaveBeenApplied
from fluxer_rx.sandbox import Sandbox
from tests.redis_server import RedisServer
from tests.util import wait_until

pytestmark = pytest.mark.fluxer_sandbox(
    guilds=1, rest_bucket_limits={"channel:message:create": (8, 1.0)}
)

MESSAGES = 24  # per client: three windows of the bucket between the two
CONCURRENCY = 6


def logged_in(client: Client) -> bool:
    try:
        client.rest  # noqa: B018 - raises until login() made the REST client
    except ClientNotReady:
        return False
    return True


@contextlib.asynccontextmanager
async def workers(sb: Sandbox, bus: RedisBus) -> AsyncIterator[list[Client]]:
    """Two worker clients of one bot on ``bus``, logged in (no gateway process needed)."""
    rest = RestOptions(api_url=sb.api_url, max_retries=20, max_rate_limit_wait=30.0, timeout=60.0)
    clients = [Client(ClientOptions(rest=rest, bus=bus)) for _ in range(2)]
    logins = [asyncio.create_task(c.login(sb.token)) for c in clients]
    try:
        await wait_until(lambda: all(map(logged_in, clients)), what="REST clients")
        yield clients
    finally:
        for client in clients:
            await client.close()
        await asyncio.gather(*logins)


async def post_all(sb: Sandbox, client: Client) -> None:
    todo = list(range(MESSAGES))

    async def sender() -> None:
        while todo:
            n = todo.pop()
            await client.rest.create_message(sb.channel_ids[0], f"message {n}")

    await asyncio.gather(*(sender() for _ in range(CONCURRENCY)))


async def load(sb: Sandbox, bus: RedisBus) -> int:
    """The 429s the two clients drew posting ``MESSAGES`` each, at once."""
    async with workers(sb, bus) as clients:
        await asyncio.gather(*(post_all(sb, c) for c in clients))
        return sum(c.rest.http.stats.rate_limited for c in clients)


async def test_two_worker_clients_share_one_bucket_without_429(
    fluxer_sandbox: Sandbox, redis_server: RedisServer
) -> None:
    bus = RedisBus(redis_server.url, broker=RedisBrokerOptions(prefix="shared"))
    assert await load(fluxer_sandbox, bus) == 0


async def test_separate_limits_draw_429s_under_the_same_load(
    fluxer_sandbox: Sandbox, redis_server: RedisServer
) -> None:
    bus = RedisBus(
        redis_server.url, broker=RedisBrokerOptions(prefix="apart"), share_rest_limits=False
    )
    assert await load(fluxer_sandbox, bus) > 0


async def test_under_shared_limits_5xx_keep_their_rules(
    fluxer_sandbox: Sandbox, redis_server: RedisServer
) -> None:
    """A create answered 500 is not resent (RequestMayHaveBeenApplied); a GET answered
    500 is retried; a 503 with Retry-After is resent and lands once."""
    sb = fluxer_sandbox
    assert sb.rest is not None
    faults = sb.rest.faults
    bus = RedisBus(redis_server.url, broker=RedisBrokerOptions(prefix="faults"))
    async with workers(sb, bus) as (client, _):
        rest = client.rest
        faults.fail_next(1, status=500, bucket="channel:message:create")
        with pytest.raises(RequestMayHaveBeenApplied) as info:
            await rest.create_message(sb.channel_ids[0], "once")
        assert info.value.status == 500
        faults.fail_next(1, status=503, bucket="channel:message:create")  # Retry-After: 1
        message = await rest.create_message(sb.channel_ids[0], "twice asked, once landed")
        faults.fail_next(1, status=500)
        channel = await rest.get_channel(sb.channel_ids[0])
        assert channel.id == sb.channel_ids[0]
        assert rest.http.stats.server_errors == 3 and rest.http.stats.retries == 2
        assert faults.injected["error"] == 3
    history = sb.world.list_messages(sb.channel_ids[0], limit=100)
    assert [m.id for m in history if m.nonce == message.nonce] == [message.id]
