"""Fixtures of the bus tests: a private redis-server per test and a broker on it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest
import pytest_asyncio

from fluxer_rx.bus.redis_broker import RedisBroker, RedisBrokerOptions
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
