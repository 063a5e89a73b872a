"""The HTTP layer against a small aiohttp test server: headers, discovery fallback, secrets."""

from __future__ import annotations

import asyncio
import logging

import pytest
from aiohttp import web

from fluxer_rx.errors import HttpError, RestError
from fluxer_rx.options import RestOptions
from fluxer_rx.rest import Rest, Route
from tests.rest.http_server import Hanging, Server, ok
from tests.util import wait_until

TOKEN = "987654321.s3cr3t-t0ken-value"
SECRET = "s3cr3t-t0ken-value"


async def test_headers_sent(server: Server) -> None:
    server.routes[("DELETE", "/v1/channels/5")] = lambda _r: web.Response(status=204)
    server.routes[("POST", "/v1/channels/5/typing")] = lambda _r: web.Response(status=204)
    options = RestOptions(api_url=server.url + "/v1/", user_agent="agent/1.0")
    async with Rest(TOKEN, options) as rest:
        await rest.delete_channel(5, reason="clean up ✓")
        await rest.trigger_typing("5")
    (m1, p1, h1), (m2, p2, h2) = server.requests
    assert (m1, p1, m2, p2) == ("DELETE", "/v1/channels/5", "POST", "/v1/channels/5/typing")
    assert h1["Authorization"] == f"Bot {TOKEN}"
    assert h1["User-Agent"] == "agent/1.0"
    assert h1["X-Audit-Log-Reason"] == "clean up %E2%9C%93"
    assert "X-Audit-Log-Reason" not in h2


async def test_instance_discovery_falls_back_to_v1_instance(server: Server) -> None:
    server.routes[("GET", "/v1/instance")] = ok(
        {"api_code_version": 3, "endpoints": {"api": "x/v1", "cdn": "c"}, "features": {"a": 1}}
    )
    async with Rest(TOKEN, RestOptions(api_url=server.url + "/v1")) as rest:
        instance = await rest.fetch_instance()
    assert instance.api_code_version == 3 and instance.endpoints.cdn == "c"
    (_, p1, h1), (_, p2, h2) = server.requests
    assert (p1, p2) == ("/.well-known/fluxer", "/v1/instance")
    assert "Authorization" not in h1  # discovery at the origin is public
    assert h2["Authorization"] == f"Bot {TOKEN}"


async def test_instance_discovery_prefers_well_known(server: Server) -> None:
    server.routes[("GET", "/.well-known/fluxer")] = ok(
        {"api_code_version": 7, "endpoints": {"static_cdn": "s"}, "limits": {"version": 2}}
    )
    async with Rest(TOKEN, RestOptions(api_url=server.url + "/v1")) as rest:
        instance = await rest.fetch_instance()
    assert (instance.api_code_version, instance.endpoints.static_cdn) == (7, "s")
    assert [p for _, p, _ in server.requests] == ["/.well-known/fluxer"]


async def test_non_fluxer_error_body_becomes_http_error(server: Server) -> None:
    server.routes[("GET", "/v1/channels/1")] = lambda _r: web.Response(
        status=418, text="<html>teapot</html>"
    )
    async with Rest(TOKEN, RestOptions(api_url=server.url + "/v1")) as rest:
        with pytest.raises(HttpError) as info:
            await rest.get_channel(1)
    assert info.value.status == 418 and "teapot" in info.value.body
    assert info.value.route == "/channels/1"


async def test_undecodable_success_body_is_a_rest_error(server: Server) -> None:
    server.routes[("GET", "/v1/channels/1")] = lambda _r: web.Response(text="not json")
    server.routes[("GET", "/v1/channels/2")] = ok({"no_id": True})
    async with Rest(TOKEN, RestOptions(api_url=server.url + "/v1")) as rest:
        with pytest.raises(RestError, match="unexpected response body"):
            await rest.get_channel(1)
        with pytest.raises(RestError, match="unexpected response body"):
            await rest.get_channel(2)


async def test_handler_level_429_waits_for_that_request_only(server: Server) -> None:
    answers = iter([({"code": "RESOURCE_LOCKED", "retry_after": 0.05}, 429), ({"id": "1"}, 200)])

    def locked(_r: web.Request) -> web.Response:
        body, status = next(answers)
        return web.json_response(body, status=status)

    server.routes[("GET", "/v1/channels/1")] = locked
    async with Rest(TOKEN, RestOptions(api_url=server.url + "/v1")) as rest:
        assert (await rest.get_channel(1)).id == "1"
        bucket = rest.http.buckets.bucket_for(Route("GET", "/channels/{channel_id}", channel_id=1))
        # Neither answer had bucket headers: the bucket was never marked exhausted.
        assert bucket.unlimited and bucket.reset_at is None
        assert rest.stats.rate_limited == 1 and rest.http.global_limiter.paused_until == 0.0


async def test_generic_request_reaches_untyped_routes(server: Server) -> None:
    server.routes[("GET", "/v1/applications/@me")] = ok({"id": "42", "name": "bot"})
    async with Rest(TOKEN, RestOptions(api_url=server.url + "/v1")) as rest:
        body = await rest.request(Route("GET", "/applications/@me"), params={"x": True, "y": None})
    assert body == {"id": "42", "name": "bot"}
    assert server.requests[0][1] == "/v1/applications/@me?x=true"


async def test_token_never_shown(server: Server, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    server.routes[("GET", "/v1/users/@me")] = ok({"code": "UNAUTHORIZED", "message": "no"}, 401)
    async with Rest(TOKEN, RestOptions(api_url=server.url + "/v1", max_retries=1)) as rest:
        assert SECRET not in repr(rest) and SECRET not in str(vars(rest))
        errors: list[BaseException] = []
        try:
            await rest.get_current_user()
        except Exception as exc:
            errors.append(exc)
    # Port 9 (discard) is closed: connection refused, retried once, then raised.
    refused_options = RestOptions(
        api_url="http://127.0.0.1:9/v1", max_retries=1, retry_backoff=0.001
    )
    async with Rest(TOKEN, refused_options) as refused:
        try:
            await refused.get_current_user()
        except Exception as exc:
            errors.append(exc)
    assert [type(e).__name__ for e in errors] == ["InvalidToken", "RestError"]
    for exc in errors:
        assert SECRET not in str(exc) and SECRET not in repr(exc)
        assert exc.__cause__ is None and exc.__context__ is None
    assert all(SECRET not in r.getMessage() for r in caplog.records)


def test_bad_tokens_and_urls_are_refused_without_echo() -> None:
    for bad in ("", "   ", "a\nb"):
        with pytest.raises(ValueError) as info:
            Rest(bad)
        assert "a\nb" not in str(info.value)
    with pytest.raises(TypeError):
        Rest(None)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        Rest(TOKEN, RestOptions(api_url="ftp://example.com"))
    assert Rest("Bot abc.def").http._Requester__authorization.reveal() == "Bot abc.def"  # type: ignore[attr-defined]


async def test_closed_client_refuses_requests(server: Server) -> None:
    rest = Rest(TOKEN, RestOptions(api_url=server.url + "/v1"))
    await rest.close()
    with pytest.raises(RestError, match="closed"):
        await rest.get_current_user()


async def test_cancelling_an_in_flight_request_frees_its_bucket_and_global_slot(
    server: Server,
) -> None:
    hang = Hanging({"id": "1"})
    server.routes[("GET", "/v1/channels/1")] = hang
    async with Rest(TOKEN, RestOptions(api_url=server.url + "/v1")) as rest:
        task = asyncio.ensure_future(rest.get_channel(1))
        await wait_until(lambda: len(server.requests) == 1)
        bucket = rest.http.buckets.bucket_for(Route("GET", "/channels/{channel_id}", channel_id=1))
        assert bucket.in_flight == 1 and rest.http.global_limiter.in_flight == 1
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert bucket.in_flight == 0 and rest.http.global_limiter.in_flight == 0
        hang.release.set()
