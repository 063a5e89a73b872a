"""Fixtures of the bus tests: a private redis-server per test and a broker on it."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator

import pytest
import pytest_asyncio

from fluxer_rx.bus.gateway_process import GatewayProcess
from fluxer_rx.bus.redis_broker import RedisBroker, RedisBrokerOptions
from fluxer_rx.gateway.options import GatewayOptions
from fluxer_rx.gateway.url import gateway_url_with_query
from fluxer_rx.sandbox import Sandbox
from tests.redis_server import RedisServer


@pytest.fixture
def redis_server() -> Iterator[RedisServer]:
    """A started redis-server on a free port, stopped by PID after the test."""
    server = RedisServer()
    server.start()
    try:
        yield server
    finally:
        server.cleanup()


@pytest_asyncio.fixture
async def broker(redis_server: RedisServer) -> AsyncIterator[RedisBroker]:
    """A broker on the test's redis-server with a small retention."""
    async with RedisBroker(redis_server.url, RedisBrokerOptions(retention=1000)) as b:
        yield b


def sandbox_gateway_process(
    broker: RedisBroker, sb: Sandbox, *, lease_ttl: float
) -> GatewayProcess:
    """A gateway process (not started) for the sandbox's shards on ``broker``."""
    return GatewayProcess(
        broker, sb.token, gateway_url_with_query(sb.gateway_url), GatewayOptions(),
        lease_ttl=lease_ttl,
    )  # fmt: skip


@pytest_asyncio.fixture
async def gateway_process(
    fluxer_sandbox: Sandbox, redis_server: RedisServer
) -> AsyncIterator[GatewayProcess]:
    """A running gateway process for the sandbox's one shard, under key prefix ``gw``."""
    sb = fluxer_sandbox
    async with RedisBroker(redis_server.url, RedisBrokerOptions(prefix="gw")) as broker:
        process = sandbox_gateway_process(broker, sb, lease_ttl=2.0)
        running = asyncio.create_task(process.run())
        try:
            yield process
        finally:
            await process.close()
            await running
