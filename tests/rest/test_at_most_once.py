"""End to end against the sandbox over 127.0.0.1 (#11 items 14 and 15): a message create
is applied at most once whatever goes wrong, the caller learns its nonce, and no
rate-limit wait outlasts ``max_rate_limit_wait`` or a call its ``timeout``."""

from __future__ import annotations

import asyncio

import pytest

from fluxer_rx.errors import ApiError, RateLimitError, RequestMayHaveBeenApplied, RestTimeout
from fluxer_rx.options import RestOptions
from fluxer_rx.rest import Rest
from fluxer_rx.sandbox import Sandbox
from tests.rest.conftest import faults

CREATE = "channel:message:create"


def served(sb: Sandbox) -> int:
    """REST answers the sandbox sent (a dropped request is not answered)."""
    assert sb.rest is not None
    return sum(sb.rest.statuses.values())


def with_nonce(sb: Sandbox, nonce: str) -> list[str]:
    """Ids of the messages in the first channel that carry ``nonce``."""
    history = sb.world.list_messages(sb.channel_ids[0], limit=100)
    return [m.id for m in history if m.nonce == nonce]


def rest_for(sb: Sandbox, *, timeout: float = 15.0, max_rate_limit_wait: float = 60.0) -> Rest:
    options = RestOptions(
        api_url=sb.api_url,
        retry_backoff=0.01,
        timeout=timeout,
        max_rate_limit_wait=max_rate_limit_wait,
    )
    return Rest(sb.token, options)


async def test_a_create_answered_after_the_timeout_is_applied_once(sandbox: Sandbox) -> None:
    faults(sandbox).late_next(1, delay=1.5, bucket=CREATE)  # applied at once, answered late
    async with rest_for(sandbox, timeout=0.5) as rest:
        loop = asyncio.get_running_loop()
        started = loop.time()
        with pytest.raises(RequestMayHaveBeenApplied) as info:
            await asyncio.wait_for(rest.create_message(sandbox.channel_ids[0], "once"), 10)
        assert loop.time() - started < 1.5  # the deadline, not the late answer, ended it
        assert rest.stats.requests == 1 and rest.stats.retries == 0
    nonce = info.value.nonce
    assert nonce is not None and nonce in str(info.value)
    assert len(with_nonce(sandbox, nonce)) == 1  # landed exactly once: the nonce finds it
    assert sandbox.token not in str(info.value) and sandbox.token not in repr(info.value)


async def test_a_create_whose_connection_drops_is_not_resent(sandbox: Sandbox) -> None:
    faults(sandbox).drop_next(1, bucket=CREATE)
    async with rest_for(sandbox) as rest:
        with pytest.raises(RequestMayHaveBeenApplied) as info:
            await asyncio.wait_for(
                rest.create_message(sandbox.channel_ids[0], {"content": "x", "nonce": "drop-1"}),
                10,
            )
        assert rest.stats.requests == 1
    assert info.value.nonce == "drop-1" and with_nonce(sandbox, "drop-1") == []
    assert faults(sandbox).injected["drop"] == 1 and served(sandbox) == 0


async def test_a_create_answered_500_is_not_resent(sandbox: Sandbox) -> None:
    faults(sandbox).fail_next(3, status=500, bucket=CREATE)
    async with rest_for(sandbox) as rest:
        with pytest.raises(RequestMayHaveBeenApplied) as info:
            await asyncio.wait_for(rest.create_message(sandbox.channel_ids[0], "x"), 10)
    assert info.value.status == 500 and isinstance(info.value.__cause__, ApiError)
    assert faults(sandbox).pending == 2 and served(sandbox) == 1


async def test_a_create_refused_with_503_retry_after_is_resent_and_lands_once(
    sandbox: Sandbox,
) -> None:
    faults(sandbox).fail_next(1, status=503, bucket=CREATE)  # Retry-After: 1
    async with rest_for(sandbox) as rest:
        message = await asyncio.wait_for(rest.create_message(sandbox.channel_ids[0], "x"), 10)
        assert rest.stats.retries == 1
    assert message.nonce is not None and with_nonce(sandbox, message.nonce) == [message.id]


async def test_a_503_retry_after_longer_than_the_timeout_ends_the_call_at_once(
    sandbox: Sandbox,
) -> None:
    faults(sandbox).fail_next(1, status=503, retry_after=3600, bucket=CREATE)
    async with rest_for(sandbox, timeout=5) as rest:
        loop = asyncio.get_running_loop()
        started = loop.time()
        with pytest.raises(ApiError) as info:
            await asyncio.wait_for(rest.create_message(sandbox.channel_ids[0], "x"), 10)
        assert loop.time() - started < 1.0
    assert info.value.status == 503 and served(sandbox) == 1


@pytest.mark.parametrize("is_global", [False, True])
async def test_a_429_for_an_hour_raises_rate_limit_error_at_once(
    sandbox: Sandbox, is_global: bool
) -> None:
    faults(sandbox).rate_limit_next(1, retry_after=3600, is_global=is_global, bucket=CREATE)
    channel = sandbox.channel_ids[0]
    async with rest_for(sandbox, timeout=7200, max_rate_limit_wait=60) as rest:
        loop = asyncio.get_running_loop()
        started = loop.time()
        with pytest.raises(RateLimitError) as info:
            await asyncio.wait_for(rest.create_message(channel, "x"), 10)
        assert info.value.retry_after == pytest.approx(3600) and info.value.is_global is is_global
        # What the 429 taught holds: the same bucket (or, if global, any route) fails at
        # once too, without reaching the server.
        with pytest.raises(RateLimitError):
            await asyncio.wait_for(rest.create_message(channel, "y"), 10)
        if is_global:
            with pytest.raises(RateLimitError):
                await asyncio.wait_for(rest.get_current_user(), 10)
        else:
            assert (await asyncio.wait_for(rest.get_current_user(), 10)).id == sandbox.bot_id
        assert loop.time() - started < 2.0
        assert rest.stats.rate_limited == 1 and rest.stats.retries == 0
    history = sandbox.world.list_messages(channel, limit=100)
    assert [m.content for m in history if m.content in ("x", "y")] == []


async def test_the_timeout_bounds_a_call_that_waits_for_its_bucket() -> None:
    async with (
        Sandbox(guilds=1, rest_bucket_limits={CREATE: (1, 30.0)}) as sb,
        rest_for(sb, timeout=0.5, max_rate_limit_wait=60) as rest,
    ):
        channel = sb.channel_ids[0]
        await rest.create_message(channel, "first")
        loop = asyncio.get_running_loop()
        started = loop.time()
        # the 30 s window is known: waiting for it cannot fit in 0.5 s, so it fails at once
        with pytest.raises(RateLimitError) as info:
            await asyncio.wait_for(rest.create_message(channel, "second"), 10)
        assert loop.time() - started < 0.5
        assert 29 <= info.value.retry_after <= 30
        assert rest.stats.requests == 1
        assert sb.rest is not None and sb.rest.limiter.rejections == 0


async def test_a_get_that_hangs_ends_with_rest_timeout_within_its_timeout(sandbox: Sandbox) -> None:
    faults(sandbox).slow_next(1, delay=1.5)
    async with rest_for(sandbox, timeout=0.4) as rest:
        loop = asyncio.get_running_loop()
        started = loop.time()
        with pytest.raises(RestTimeout):
            await asyncio.wait_for(rest.get_current_user(), 10)
        assert 0.4 <= loop.time() - started < 1.4
