"""Every URL scheme ``RedisBus`` accepts opens a working broker (``valkey://`` and
``valkeys://`` included: the bus documents Valkey servers, redis-py only knows the
``redis`` schemes), against a real redis-server."""

from __future__ import annotations

import pytest

from fluxer_rx.bus.bus_options import RedisBus
from tests.redis_server import RedisServer


@pytest.mark.parametrize("scheme", ["redis", "valkey"])
async def test_an_accepted_scheme_opens_a_broker(redis_server: RedisServer, scheme: str) -> None:
    url = scheme + redis_server.url.removeprefix("redis")
    async with RedisBus(url).open_broker() as broker:  # ValueError here before the fix
        assert await broker.redis.ping()


async def test_a_tls_valkey_url_keeps_tls() -> None:
    async with RedisBus("valkeys://127.0.0.1:9").open_broker() as broker:  # no connection yet
        assert "SSL" in broker.redis.connection_pool.connection_class.__name__
