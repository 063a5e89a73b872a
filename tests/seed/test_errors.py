"""Seed statements on the error variants: each one raised where the reference says,
through a client and the sandbox.

``Error::Variant`` -> our class: ``ClientNotReady``, ``InvalidToken``, ``AlreadyLoggedIn``,
``Api`` -> ``ApiError``, ``Http`` -> ``HttpError``, ``RateLimit`` -> ``RateLimitError``,
``Rest`` -> ``RestError``, ``WebSocket`` -> ``GatewayError`` (a fatal close code, with
``code``), ``Other`` -> ``ValueError`` for unusable input (an empty token, a gateway URL
asking for compression). Every error the library raises on purpose is a ``FluxerError``
(``ApiError`` is an ``HttpError``; ``RestTimeout`` and ``RequestMayHaveBeenApplied`` are
``RestError``s).
"""

from __future__ import annotations

import asyncio

import pytest

from fluxer_rx import Client
from fluxer_rx.errors import (
    AlreadyLoggedIn,
    ApiError,
    ClientNotReady,
    GatewayError,
    HttpError,
    InvalidToken,
    RateLimitError,
    RequestMayHaveBeenApplied,
    RestError,
)
from fluxer_rx.models import Channel
from fluxer_rx.rest import Route
from fluxer_rx.sandbox import Sandbox
from tests.seed.harness import options_for, sandboxed


def _wrong_token(sb: Sandbox) -> str:
    """The sandbox's token with its secret changed: well formed, and refused."""
    return sb.token[:-3] + ("xyz" if not sb.token.endswith("xyz") else "abc")


async def test_client_not_ready_is_raised_by_calls_made_before_login() -> None:
    async with Sandbox(guilds=1) as sb:
        client = Client(options_for(sb))
        channel_id = sb.channel_ids[0]
        with pytest.raises(ClientNotReady):
            _ = client.rest
        with pytest.raises(ClientNotReady):
            client.send_to_gateway(3, {"status": "idle"})
        with pytest.raises(ClientNotReady):
            client.send_to_shard(0, 3, {"status": "idle"})
        with pytest.raises(ClientNotReady):
            await client.fetch_instance()
        with pytest.raises(ClientNotReady):
            await client.channels.send(channel_id, "too early")
        with pytest.raises(ClientNotReady):
            await client.guilds.fetch(sb.guild_ids[0])
        with pytest.raises(ClientNotReady):
            await client.request_guild_members(sb.guild_ids[0])
        assert sb.dispatch_log == []


async def test_invalid_token_is_raised_when_the_gateway_rejects_the_token() -> None:
    async with Sandbox(guilds=1) as sb:
        client = Client(options_for(sb, gateway_url=sb.gateway_url))  # no discovery
        wrong = _wrong_token(sb)
        with pytest.raises(InvalidToken) as caught:
            await asyncio.wait_for(client.login(wrong), 10)
        assert "4004" in str(caught.value) and wrong not in str(caught.value)


async def test_invalid_token_is_also_raised_when_the_api_rejects_the_token() -> None:
    """Ours also maps the API's 401 to ``InvalidToken`` (here from gateway discovery)."""
    async with Sandbox(guilds=1) as sb:
        with pytest.raises(InvalidToken) as caught:
            await asyncio.wait_for(Client(options_for(sb)).login("not-a-token"), 10)
        assert "401" in str(caught.value) and "not-a-token" not in str(caught.value)


async def test_already_logged_in_is_raised_when_login_is_called_twice() -> None:
    async with sandboxed({"guilds": 1}) as run:
        with pytest.raises(AlreadyLoggedIn):
            await run.client.login(run.sb.token)
        assert run.client.is_ready  # the first login goes on


async def test_api_error_carries_the_code_and_message_of_a_structured_error() -> None:
    async with sandboxed({"guilds": 1}) as run:
        with pytest.raises(ApiError) as caught:
            await run.client.channels.fetch("1")
        error = caught.value
        assert (error.status, error.code) == (404, "UNKNOWN_CHANNEL") and error.message


async def test_http_error_is_an_error_status_without_an_api_error_body() -> None:
    """A plain GET of the gateway's WebSocket endpoint: a 400 whose body is text."""
    async with sandboxed({"guilds": 1}) as run:
        with pytest.raises(HttpError) as caught:
            await run.client.rest.request(Route("GET", "/"), base_url=run.sb.base_url)
        assert not isinstance(caught.value, ApiError)
        assert caught.value.status == 400 and "WebSocket" in caught.value.body


async def test_rate_limit_error_is_raised_once_the_retries_are_spent() -> None:
    async with sandboxed({"guilds": 1}, max_retries=1) as run:
        client, faults = run.client, run.sb.rest.faults if run.sb.rest else None
        assert faults is not None
        faults.rate_limit_next(2, retry_after=0.05)
        before = client.rest.stats.retries
        with pytest.raises(RateLimitError) as caught:
            await client.channels.fetch(run.sb.channel_ids[0])
        assert client.rest.stats.retries == before + 1
        assert caught.value.retry_after == pytest.approx(0.05, abs=0.02)


async def test_rest_error_is_raised_for_a_network_failure() -> None:
    """Two dropped connections: the request's and the one aiohttp itself opens to resend
    an idempotent request whose pooled connection was closed under it."""
    async with sandboxed({"guilds": 1}) as run:
        assert run.sb.rest is not None
        run.sb.rest.faults.drop_next(2)
        with pytest.raises(RestError) as caught:
            await run.client.channels.fetch(run.sb.channel_ids[0])
        assert not isinstance(caught.value, RequestMayHaveBeenApplied)  # a GET: safe


async def test_rest_error_is_raised_for_a_body_that_does_not_decode() -> None:
    """A JSON error: the answer of ``/gateway/bot`` read as a channel (it has no id)."""
    async with sandboxed({"guilds": 1}) as run:
        with pytest.raises(RestError, match="unexpected response body"):
            await run.client.rest.request_as(Channel, Route("GET", "/gateway/bot"))


async def test_gateway_error_is_the_websocket_error_with_its_close_code() -> None:
    """A fatal close code ends ``login`` with ``GatewayError``: here 4010, a shard count
    the gateway refuses. Transient network errors are retried, never raised."""
    async with Sandbox(guilds=1) as sb:
        client = Client(options_for(sb, shard_count=16385, shard_ids=[0]))
        with pytest.raises(GatewayError) as caught:
            await asyncio.wait_for(client.login(sb.token), 10)
        assert caught.value.code == 4010


async def test_other_errors_are_value_errors_for_unusable_input() -> None:
    """Ours has no catch-all variant: unusable input is a ``ValueError`` raised before any
    I/O."""
    async with Sandbox(guilds=1) as sb:
        with pytest.raises(ValueError, match="token"):
            await Client(options_for(sb)).login("")
        zstd = Client(options_for(sb, gateway_url=sb.gateway_url + "/?compress=zstd-stream"))
        with pytest.raises(ValueError, match="compression"):
            await asyncio.wait_for(zstd.login(sb.token), 10)
        assert sb.gateway.connection_count == 0
    # the hierarchy itself (every variant a FluxerError): tests/test_errors.py
