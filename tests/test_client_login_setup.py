"""A login that fails while it sets itself up (before any network) still ends its run: the
error is raised, ``close()`` returns at once and the client can log in again.

The failures are ones the options let through to ``login()``: an API URL the REST layer
refuses, and a bus URL the Redis client cannot open. Both fail before a socket is made,
so no server is needed.
"""

from __future__ import annotations

import asyncio

import pytest

from fluxer_rx import Client, ClientOptions, RestOptions
from fluxer_rx.bus.bus_options import RedisBus
from fluxer_rx.lifecycle import ClientState


async def assert_run_ended(client: Client) -> None:
    """The failed run is over: not running, ``close()`` prompt, login possible again."""
    assert client.state in (ClientState.IDLE, ClientState.CLOSED)
    await asyncio.wait_for(client.close(), timeout=2)  # hung forever before the fix
    with pytest.raises(ValueError):  # the same setup error, not AlreadyLoggedIn
        await client.login("token")


async def test_a_rest_setup_error_ends_the_run() -> None:
    client = Client(ClientOptions(rest=RestOptions(api_url="ftp://127.0.0.1:9/api")))
    with pytest.raises(ValueError, match="http"):
        await client.login("token")
    await assert_run_ended(client)


async def test_a_bus_setup_error_ends_the_run_and_closes_rest() -> None:
    pytest.importorskip("redis")
    client = Client(ClientOptions(bus=RedisBus("redis://127.0.0.1:9?db=x")))
    with pytest.raises(ValueError):
        await client.login("token")
    with pytest.raises(Exception, match="login"):
        client.rest  # noqa: B018  (the REST client of the failed run is gone)
    await assert_run_ended(client)
