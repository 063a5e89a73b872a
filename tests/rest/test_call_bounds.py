"""Every REST call is bounded, and a non-idempotent one is sent at most once unless the
server demonstrably did not apply it (#11 items 14 and 15).

``Rest`` runs on a :class:`FakeClock` against a local HTTP server: the bytes travel over
real sockets, but every wait, backoff and deadline is on the fake clock, so a test
decides to the millisecond when time passes, and a wait that must not happen shows up as
a call that finishes while the clock stands still.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import msgspec
import pytest
from aiohttp import web

from fluxer_rx.errors import (
    ApiError,
    FluxerError,
    HttpError,
    RateLimitError,
    RequestMayHaveBeenApplied,
    RestError,
    RestTimeout,
)
from fluxer_rx.options import RestOptions
from fluxer_rx.rest import Rest, RetryPolicy, Route, is_idempotent
from tests.rest.fakes import FakeClock
from tests.rest.http_server import Hanging, Server
from tests.util import wait_until

T = TypeVar("T")
TOKEN = "987654321.s3cr3t-t0ken-value"
SECRET = "s3cr3t-t0ken-value"
MESSAGES = "/v1/channels/5/messages"
MESSAGE = {"id": "77", "channel_id": "5", "content": "hi", "author": {"id": "1"}}


def rest_on(server: Server, clock: FakeClock, **options: Any) -> Rest:
    """A client whose backoff is a fixed 0.5 s (equal jitter with ``random() == 0``)."""
    policy = RetryPolicy(max_retries=3, backoff=1.0, backoff_max=1.0, random=lambda: 0.0)
    opts = RestOptions(api_url=server.url + "/v1", **options)
    return Rest(TOKEN, opts, clock=clock, retry_policy=policy)


Respond = Callable[[web.Request], web.StreamResponse]


def reply(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Respond:
    """A fresh JSON response per request (an aiohttp response is sent only once)."""
    return lambda _request: web.json_response(body, status=status, headers=headers)


def too_many(retry_after: float, *, is_global: bool = False, bucket: bool = True) -> Respond:
    headers = {"Retry-After": str(int(retry_after))}
    if is_global:
        headers |= {"X-RateLimit-Global": "true", "X-RateLimit-Scope": "global"}
    elif bucket:
        headers |= {
            "X-RateLimit-Limit": "5",
            "X-RateLimit-Remaining": "0",
            "X-RateLimit-Reset-After": f"{retry_after:.3f}",
            "X-RateLimit-Bucket": "abc123",
            "X-RateLimit-Scope": "user",
        }
    body = {"code": "RATE_LIMITED", "message": "slow down", "retry_after": retry_after}
    return reply({**body, "global": is_global}, 429, headers)


def answers(*responses: Respond) -> Respond:
    """A handler answering with ``responses`` in turn, the last one from then on."""
    queue = list(responses)

    def handler(request: web.Request) -> web.StreamResponse:
        return (queue.pop(0) if len(queue) > 1 else queue[0])(request)

    return handler


async def without_time_passing(clock: FakeClock, call: Awaitable[T]) -> T:
    """Await ``call`` while the fake clock stands still: it must end on its own."""
    start = clock.now
    try:
        return await asyncio.wait_for(call, 5)
    finally:
        assert clock.now == start


def assert_no_secret(exc: BaseException) -> None:
    seen: BaseException | None = exc
    while seen is not None:
        assert SECRET not in str(seen) and SECRET not in repr(seen)
        seen = seen.__cause__ or seen.__context__


# -- item 14: rate-limit waits are capped -------------------------------------------------


async def test_a_route_429_longer_than_the_cap_raises_at_once_and_holds_the_bucket(
    server: Server,
) -> None:
    server.routes[("POST", MESSAGES)] = too_many(3600)
    clock = FakeClock()
    async with rest_on(server, clock, timeout=10_000) as rest:
        with pytest.raises(RateLimitError) as info:
            await without_time_passing(clock, rest.create_message(5, "hi"))
        assert info.value.retry_after == 3600 and not info.value.is_global
        # The bucket remembers the 429: the next send fails at once without a request.
        with pytest.raises(RateLimitError) as again:
            await without_time_passing(clock, rest.create_message(5, "hi"))
        assert again.value.retry_after == pytest.approx(3600)
    assert len(server.requests) == 1
    assert_no_secret(info.value)


async def test_a_global_429_longer_than_the_cap_fails_every_route_at_once(server: Server) -> None:
    server.routes[("GET", "/v1/users/@me")] = too_many(3600, is_global=True)
    clock = FakeClock()
    async with rest_on(server, clock, timeout=10_000) as rest:
        with pytest.raises(RateLimitError) as info:
            await without_time_passing(clock, rest.get_current_user())
        assert info.value.is_global and info.value.retry_after == 3600
        with pytest.raises(RateLimitError) as other:
            await without_time_passing(clock, rest.get_channel(9))
        assert other.value.is_global
    assert len(server.requests) == 1


async def test_a_handler_level_429_longer_than_the_cap_raises_at_once(server: Server) -> None:
    server.routes[("GET", "/v1/channels/1")] = too_many(61, bucket=False)
    clock = FakeClock()
    async with rest_on(server, clock, timeout=10_000, max_rate_limit_wait=60) as rest:
        with pytest.raises(RateLimitError):
            await without_time_passing(clock, rest.get_channel(1))
    assert len(server.requests) == 1


async def test_a_429_within_the_cap_but_past_the_deadline_raises_at_once(server: Server) -> None:
    server.routes[("GET", "/v1/channels/1")] = too_many(20)
    clock = FakeClock()
    async with rest_on(server, clock, timeout=15, max_rate_limit_wait=60) as rest:
        with pytest.raises(RateLimitError) as info:
            await without_time_passing(clock, rest.get_channel(1))
        assert info.value.retry_after == 20
    assert len(server.requests) == 1


async def test_a_429_within_both_bounds_is_waited_out_on_the_clock(server: Server) -> None:
    server.routes[("GET", "/v1/channels/1")] = answers(too_many(5), reply({"id": "1"}))
    clock = FakeClock()
    async with rest_on(server, clock, timeout=15) as rest:
        call = asyncio.ensure_future(rest.get_channel(1))
        await wait_until(lambda: rest.stats.rate_limited == 1 and clock.pending_timers > 0)
        clock.advance(4.99)
        assert not call.done() and len(server.requests) == 1
        clock.advance(0.01)
        assert (await asyncio.wait_for(call, 5)).id == "1"
    assert len(server.requests) == 2


async def test_a_bucket_reset_further_than_the_cap_raises_without_sending(server: Server) -> None:
    exhausted = {"X-RateLimit-Limit": "1", "X-RateLimit-Remaining": "0"}
    exhausted["X-RateLimit-Reset-After"] = "200"
    server.routes[("GET", "/v1/channels/1")] = reply({"id": "1"}, headers=exhausted)
    clock = FakeClock()
    async with rest_on(server, clock, timeout=10_000, max_rate_limit_wait=60) as rest:
        await rest.get_channel(1)
        with pytest.raises(RateLimitError) as info:
            await without_time_passing(clock, rest.get_channel(1))
        assert info.value.retry_after == pytest.approx(200)
        assert "channels" in info.value.bucket
    assert len(server.requests) == 1


@pytest.mark.parametrize(
    ("timeout", "cap", "error"), [(100.0, 10.0, RateLimitError), (5.0, 60.0, RestTimeout)]
)
async def test_a_queued_wait_ends_at_the_cap_or_the_deadline(
    server: Server, timeout: float, cap: float, error: type[FluxerError]
) -> None:
    hang = Hanging({"id": "1"})
    server.routes[("GET", "/v1/channels/1")] = hang
    clock = FakeClock()
    async with rest_on(server, clock, timeout=timeout, max_rate_limit_wait=cap) as rest:
        # An unknown bucket lets one request through; the second queues for its answer.
        first = asyncio.ensure_future(rest.get_channel(1))
        await wait_until(lambda: len(server.requests) == 1)
        second = asyncio.ensure_future(rest.get_channel(1))
        bucket = rest.http.buckets.bucket_for(Route("GET", "/channels/{channel_id}", channel_id=1))
        await wait_until(lambda: bucket.waiting == 1)
        clock.advance(min(timeout, cap) - 0.001)
        await asyncio.sleep(0)
        assert not second.done()
        clock.advance(0.001)
        with pytest.raises(error):
            await asyncio.wait_for(second, 5)
        assert bucket.waiting == 0
        if timeout < cap:  # the request in flight ran out of time as well
            with pytest.raises(RestTimeout):
                await asyncio.wait_for(first, 5)
        else:
            hang.release.set()
            assert (await asyncio.wait_for(first, 5)).id == "1"
        hang.release.set()
    assert len(server.requests) == 1


# -- item 14: the timeout bounds the whole call -------------------------------------------


async def test_the_deadline_ends_an_idempotent_call_in_flight_with_rest_timeout(
    server: Server,
) -> None:
    hang = Hanging({"id": "1"})
    server.routes[("GET", "/v1/channels/1")] = hang
    clock = FakeClock()
    async with rest_on(server, clock, timeout=15) as rest:
        call = asyncio.ensure_future(rest.get_channel(1))
        await wait_until(lambda: len(server.requests) == 1)
        clock.advance(14.999)
        await asyncio.sleep(0)
        assert not call.done()
        clock.advance(0.001)
        with pytest.raises(RestTimeout) as info:
            await asyncio.wait_for(call, 5)
        hang.release.set()
    assert isinstance(info.value, TimeoutError) and info.value.timeout == 15
    assert len(server.requests) == 1
    assert_no_secret(info.value)


async def test_retries_stop_when_the_next_backoff_would_pass_the_deadline(server: Server) -> None:
    server.routes[("GET", "/v1/channels/1")] = lambda _r: web.Response(status=502, text="bad gw")
    clock = FakeClock()
    async with rest_on(server, clock, timeout=1.2) as rest:
        call = asyncio.ensure_future(rest.get_channel(1))
        for sent in (1, 2):
            await wait_until(lambda: clock.sleeping == 1)
            assert len(server.requests) == sent
            clock.advance(0.5)  # the fixed backoff; 0.5 and 1.0 are before the 1.2 s deadline
        # the third answer would need a wait to 1.5 s: the call ends with that answer now
        with pytest.raises(HttpError) as info:
            await without_time_passing(clock, call)
        assert info.value.status == 502
    assert len(server.requests) == 3


async def test_a_503_retry_after_past_the_deadline_ends_the_call_at_once(server: Server) -> None:
    busy = {"code": "SERVICE_UNAVAILABLE", "message": "busy"}
    server.routes[("POST", MESSAGES)] = reply(busy, 503, {"Retry-After": "30"})
    clock = FakeClock()
    async with rest_on(server, clock, timeout=15) as rest:
        with pytest.raises(ApiError) as info:
            await without_time_passing(clock, rest.create_message(5, "hi"))
    assert info.value.status == 503 and len(server.requests) == 1


# -- item 15: non-idempotent requests are sent at most once --------------------------------


def test_which_methods_are_idempotent() -> None:
    assert [m for m in ("GET", "PUT", "DELETE", "HEAD", "put") if not is_idempotent(m)] == []
    assert [m for m in ("POST", "PATCH", "post") if is_idempotent(m)] == []


async def test_a_post_timing_out_after_it_was_sent_is_not_resent(server: Server) -> None:
    hang = Hanging(MESSAGE)
    server.routes[("POST", MESSAGES)] = hang
    clock = FakeClock()
    async with rest_on(server, clock, timeout=15) as rest:
        call = asyncio.ensure_future(rest.create_message(5, "hi"))
        await wait_until(lambda: len(server.requests) == 1)
        clock.advance(15)
        with pytest.raises(RequestMayHaveBeenApplied) as info:
            await asyncio.wait_for(call, 5)
        hang.release.set()
    sent = msgspec.json.decode(server.bodies[0])
    assert info.value.nonce == sent["nonce"] and 1 <= len(sent["nonce"]) <= 32
    assert (info.value.method, info.value.route) == ("POST", "/channels/5/messages")
    assert sent["nonce"] in str(info.value) and "timed out" in info.value.reason
    assert not isinstance(info.value, RestTimeout)  # a generic timeout retry must not catch it
    assert rest.stats.retries == 0 and len(server.requests) == 1
    assert_no_secret(info.value)


def reset_connection(request: web.Request) -> web.Response:
    assert request.transport is not None
    request.transport.abort()
    raise asyncio.CancelledError


@pytest.mark.parametrize(
    ("method", "resent"), [("POST", False), ("PATCH", False), ("PUT", True), ("DELETE", True)]
)
async def test_a_connection_lost_mid_request_resends_only_idempotent_methods(
    server: Server, method: str, resent: bool
) -> None:
    server.routes[(method, "/v1/things/1")] = answers(reset_connection, reply({}))
    clock = FakeClock()
    route = Route(method, "/things/{thing_id}", thing_id=1)
    async with rest_on(server, clock, timeout=15) as rest:
        call = asyncio.ensure_future(rest.request(route, json={"x": 1}))
        if resent:  # by us after a backoff, or by aiohttp itself at once
            await wait_until(lambda: call.done() or clock.sleeping == 1)
            clock.advance(0.5)
            assert await asyncio.wait_for(call, 5) == {}
        else:
            with pytest.raises(RequestMayHaveBeenApplied) as info:
                await without_time_passing(clock, call)
            assert info.value.nonce is None and info.value.status is None
            assert_no_secret(info.value)
    # aiohttp may itself resend an idempotent request once on a dead connection
    assert len(server.requests) == (2 if resent else 1)


@pytest.mark.parametrize("status", [500, 502, 504])
async def test_a_5xx_without_retry_after_is_not_resent_for_a_post(
    server: Server, status: int
) -> None:
    server.routes[("POST", MESSAGES)] = reply({"code": "GENERAL_ERROR", "message": "boom"}, status)
    clock = FakeClock()
    async with rest_on(server, clock, timeout=15) as rest:
        with pytest.raises(RequestMayHaveBeenApplied) as info:
            await without_time_passing(
                clock, rest.create_message(5, {"content": "x", "nonce": "n1"})
            )
    assert info.value.status == status and info.value.nonce == "n1"
    assert (
        isinstance(info.value.__cause__, ApiError) and info.value.__cause__.code == "GENERAL_ERROR"
    )
    assert len(server.requests) == 1


async def test_a_503_with_retry_after_and_a_429_are_resent_for_a_post(server: Server) -> None:
    busy = reply({"code": "SERVICE_UNAVAILABLE", "message": "busy"}, 503, {"Retry-After": "1"})
    server.routes[("POST", MESSAGES)] = answers(busy, too_many(2), reply(MESSAGE))
    clock = FakeClock()
    async with rest_on(server, clock, timeout=15) as rest:
        call = asyncio.ensure_future(rest.create_message(5, "hi"))
        await wait_until(lambda: len(server.requests) == 1 and clock.sleeping == 1)
        clock.advance(1)
        await wait_until(lambda: len(server.requests) == 2 and clock.pending_timers > 0)
        clock.advance(2)
        assert (await asyncio.wait_for(call, 5)).id == "77"
    nonces = {msgspec.json.decode(body)["nonce"] for body in server.bodies}
    assert len(server.requests) == 3 and len(nonces) == 1  # the same request each time


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


async def test_a_post_refused_before_connecting_is_resent() -> None:
    # Nothing can have reached a server that refused the connection: retrying is safe.
    options = RestOptions(api_url=f"http://127.0.0.1:{closed_port()}/v1", max_retries=2)
    policy = RetryPolicy(max_retries=2, backoff=0.0, backoff_max=0.0)
    async with Rest(TOKEN, options, clock=FakeClock(), retry_policy=policy) as rest:
        with pytest.raises(RestError, match="after 2 retries") as info:
            await rest.create_message(5, "hi")
        assert not isinstance(info.value, RequestMayHaveBeenApplied)
        assert rest.stats.connection_errors == 3 and rest.stats.retries == 2
    assert_no_secret(info.value)


async def test_a_given_nonce_is_kept_and_a_missing_one_generated(server: Server) -> None:
    server.routes[("POST", MESSAGES)] = reply(MESSAGE)
    async with rest_on(server, FakeClock()) as rest:
        await rest.create_message(5, {"content": "a", "nonce": "mine"})
        await rest.create_message(5, "b")
        await rest.create_message(5, "c")
    nonces = [msgspec.json.decode(body)["nonce"] for body in server.bodies]
    assert nonces[0] == "mine"
    assert nonces[1] != nonces[2] and all(1 <= len(n) <= 32 for n in nonces)


async def test_an_idempotent_override_lets_a_post_be_resent(server: Server) -> None:
    server.routes[("POST", "/v1/channels/5/typing")] = answers(
        reply({"code": "GENERAL_ERROR", "message": "boom"}, 500),
        lambda _r: web.Response(status=204),
    )
    clock = FakeClock()
    async with rest_on(server, clock) as rest:
        call = asyncio.ensure_future(rest.trigger_typing(5))
        await wait_until(lambda: clock.sleeping == 1)
        clock.advance(0.5)
        await asyncio.wait_for(call, 5)
    assert len(server.requests) == 2


def test_bad_bounds_are_refused() -> None:
    for options in (RestOptions(max_rate_limit_wait=-1), RestOptions(timeout=0)):
        with pytest.raises(ValueError):
            Rest(TOKEN, options)
