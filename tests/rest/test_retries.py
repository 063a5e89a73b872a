"""429 storms, 5xx answers, dropped connections and timeouts: retried within bounds."""

from __future__ import annotations

import asyncio

import pytest

from fluxer_rx.errors import (
    ApiError,
    HttpError,
    InvalidToken,
    RateLimitError,
    RestError,
    RestTimeout,
)
from fluxer_rx.options import RestOptions
from fluxer_rx.rest import Rest
from fluxer_rx.sandbox import Sandbox
from tests.rest.conftest import faults

CREATE = "channel:message:create"


def attempts(sb: Sandbox, status: int) -> int:
    assert sb.rest is not None
    return sb.rest.statuses[status]


def rest_for(sb: Sandbox, **options: object) -> Rest:
    opts = RestOptions(api_url=sb.api_url, retry_backoff=0.01, retry_backoff_max=0.05)
    return Rest(sb.token, RestOptions(**{**_fields(opts), **options}))  # type: ignore[arg-type]


def _fields(options: RestOptions) -> dict[str, object]:
    return {name: getattr(options, name) for name in options.__slots__}  # type: ignore[attr-defined]


async def test_route_429_storm_is_waited_out(sandbox: Sandbox) -> None:
    channel = sandbox.channel_ids[0]
    faults(sandbox).rate_limit_next(3, retry_after=0.05, bucket=CREATE)
    async with rest_for(sandbox, max_retries=3) as rest:
        message = await asyncio.wait_for(rest.create_message(channel, "after storm"), 10)
        assert message.content == "after storm"
        assert rest.stats.rate_limited == 3 and rest.stats.retries == 3
    assert attempts(sandbox, 429) == 3


async def test_429_storm_longer_than_the_budget_raises_rate_limit_error(sandbox: Sandbox) -> None:
    channel = sandbox.channel_ids[0]
    faults(sandbox).rate_limit_next(10, retry_after=0.02, bucket=CREATE)
    async with rest_for(sandbox, max_retries=2) as rest:
        with pytest.raises(RateLimitError) as info:
            await asyncio.wait_for(rest.create_message(channel, "x"), 10)
    assert info.value.retry_after == pytest.approx(0.02)
    assert not info.value.is_global
    assert "messages" in info.value.bucket
    assert attempts(sandbox, 429) == 3  # the first try and two retries


async def test_global_429_pauses_every_request(sandbox: Sandbox) -> None:
    faults(sandbox).rate_limit_next(1, retry_after=0.2, is_global=True)
    async with rest_for(sandbox) as rest:
        loop = asyncio.get_running_loop()
        started = loop.time()
        first = asyncio.ensure_future(rest.get_current_user())
        second = asyncio.ensure_future(rest.get_channel(sandbox.channel_ids[0]))
        await asyncio.wait_for(asyncio.gather(first, second), 10)
        assert rest.stats.global_rate_limited == 1
        assert rest.http.global_limiter.paused_until >= started + 0.2


async def test_5xx_is_retried_then_succeeds(sandbox: Sandbox) -> None:
    faults(sandbox).fail_next(2, status=502)
    async with rest_for(sandbox) as rest:
        me = await asyncio.wait_for(rest.get_current_user(), 10)
        assert me.id == sandbox.bot_id
        assert rest.stats.server_errors == 2
    assert attempts(sandbox, 502) == 2


async def test_persistent_5xx_raises_with_fluxers_code(sandbox: Sandbox) -> None:
    faults(sandbox).fail_next(10)
    async with rest_for(sandbox, max_retries=2) as rest:
        with pytest.raises(ApiError) as info:
            await asyncio.wait_for(rest.get_current_user(), 10)
    assert info.value.status == 500
    expected = (
        "GENERAL_ERROR" if sandbox.config.rate_limit_headers == "S" else "INTERNAL_SERVER_ERROR"
    )
    assert info.value.code == expected
    assert isinstance(info.value, HttpError)
    assert attempts(sandbox, 500) == 3


async def test_503_retry_after_is_honoured(sandbox: Sandbox) -> None:
    faults(sandbox).fail_next(1, status=503)
    async with rest_for(sandbox) as rest:
        loop = asyncio.get_running_loop()
        started = loop.time()
        await asyncio.wait_for(rest.get_current_user(), 10)
        assert loop.time() - started >= 1.0  # Retry-After: 1 beats the 10 ms backoff


async def test_dropped_connections_are_retried_then_raise_rest_error(sandbox: Sandbox) -> None:
    # aiohttp itself resends an idempotent request once when a pooled connection turns out
    # dead, so a drop may be absorbed below us; we count only the failures we saw.
    faults(sandbox).drop_next(2)
    async with rest_for(sandbox) as rest:
        assert (await asyncio.wait_for(rest.get_current_user(), 10)).id == sandbox.bot_id
        assert 1 <= rest.stats.connection_errors <= 2
    assert faults(sandbox).pending == 0
    faults(sandbox).drop_next(10)
    async with rest_for(sandbox, max_retries=1) as rest:
        with pytest.raises(RestError, match="after 1 retries"):
            await asyncio.wait_for(rest.get_current_user(), 10)
        assert rest.stats.connection_errors == 2
    assert 6 <= faults(sandbox).pending <= 8


async def test_a_timeout_ends_the_whole_call_with_rest_timeout(sandbox: Sandbox) -> None:
    # ``timeout`` bounds the call, not one attempt: a GET that hangs is not sent again.
    faults(sandbox).slow_next(1, delay=1.5)
    async with rest_for(sandbox, timeout=0.3) as rest:
        loop = asyncio.get_running_loop()
        started = loop.time()
        with pytest.raises(RestTimeout) as info:
            await asyncio.wait_for(rest.get_current_user(), 10)
        assert loop.time() - started < 2.0
        assert (info.value.method, info.value.route) == ("GET", "/users/@me")
        assert isinstance(info.value, TimeoutError) and isinstance(info.value, RestError)
        assert rest.stats.requests == 1 and rest.stats.retries == 0


async def test_client_errors_are_not_retried_and_carry_the_code(sandbox: Sandbox) -> None:
    async with rest_for(sandbox) as rest:
        with pytest.raises(ApiError) as info:
            await rest.create_message(sandbox.channel_ids[0], {"content": 5})
        assert info.value.status == 400 and info.value.code == "INVALID_FORM_BODY"
        assert "content" in info.value.field_errors
        assert rest.stats.retries == 0
        with pytest.raises(ApiError) as unknown:
            await rest.get_channel(1)
        assert unknown.value.code == "UNKNOWN_CHANNEL" and unknown.value.status == 404


async def test_bad_token_raises_invalid_token_without_showing_it(sandbox: Sandbox) -> None:
    secret = "123456.totally-secret-value"
    async with Rest(secret, RestOptions(api_url=sandbox.api_url)) as rest:
        with pytest.raises(InvalidToken) as info:
            await rest.get_current_user()
    assert "totally-secret" not in str(info.value) and "totally-secret" not in repr(info.value)
