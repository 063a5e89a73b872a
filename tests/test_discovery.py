"""Gateway URL discovery: /gateway/bot, then /.well-known/fluxer, then /instance."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable

import pytest
from aiohttp import web

from fluxer_rx import Client, ClientOptions, RestOptions
from fluxer_rx.discovery import discover_gateway_url
from fluxer_rx.errors import InvalidToken, RestError
from fluxer_rx.rest import Rest
from fluxer_rx.sandbox import Sandbox

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@pytest.fixture
async def api_server() -> AsyncIterator[Callable[[dict[str, Handler]], Awaitable[str]]]:
    """Start a throwaway API on 127.0.0.1 with the given GET routes; returns its api_url."""
    runners: list[web.AppRunner] = []

    async def start(routes: dict[str, Handler]) -> str:
        app = web.Application()
        for path, handler in routes.items():
            app.router.add_get(path, handler)
        runner = web.AppRunner(app)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", 0).start()
        runners.append(runner)
        return f"http://127.0.0.1:{runner.addresses[0][1]}/v1"

    yield start
    for runner in runners:
        await runner.cleanup()


def _options(api: str) -> RestOptions:
    return RestOptions(api_url=api, max_retries=0, timeout=5)


async def test_gateway_bot_is_asked_first() -> None:
    async with Sandbox() as sb, Rest(sb.token, _options(sb.api_url)) as rest:
        url = await discover_gateway_url(rest)
    assert url.startswith("ws://127.0.0.1") and "?" not in url


async def test_falls_back_to_well_known_then_instance(
    api_server: Callable[[dict[str, Handler]], Awaitable[str]],
) -> None:
    hits: list[str] = []

    def answer(name: str, status: int, body: object) -> Handler:
        async def handler(request: web.Request) -> web.Response:
            hits.append(name)
            return web.json_response(body, status=status)

        return handler

    broken_bot = answer("gateway_bot", 500, {"code": "INTERNAL_SERVER_ERROR", "message": "x"})
    api = await api_server(
        {
            "/v1/gateway/bot": broken_bot,
            "/.well-known/fluxer": answer("well_known", 404, {}),
            "/v1/instance": answer(
                "instance", 200, {"endpoints": {"gateway": "ws://instance.example"}}
            ),
        }
    )
    async with Rest("1.secret", _options(api)) as rest:
        assert await discover_gateway_url(rest) == "ws://instance.example"
    assert hits == ["gateway_bot", "well_known", "instance"]

    api2 = await api_server(
        {
            "/v1/gateway/bot": broken_bot,
            "/.well-known/fluxer": answer(
                "well_known", 200, {"endpoints": {"gateway": "ws://wk.example"}}
            ),
        }
    )
    async with Rest("1.secret", _options(api2)) as rest:
        assert await discover_gateway_url(rest) == "ws://wk.example"


async def test_401_is_invalid_token_also_from_login(
    api_server: Callable[[dict[str, Handler]], Awaitable[str]],
) -> None:
    async def refuse(request: web.Request) -> web.Response:
        return web.json_response({"code": "INVALID_AUTH_TOKEN", "message": "no"}, status=401)

    api = await api_server({"/v1/gateway/bot": refuse})
    async with Rest("1.topsecret", _options(api)) as rest:
        with pytest.raises(InvalidToken) as info:
            await discover_gateway_url(rest)
    assert "topsecret" not in str(info.value)
    client = Client(ClientOptions(rest=_options(api)))
    with pytest.raises(InvalidToken):
        await client.login("1.topsecret")
    assert not client.is_ready


async def test_no_source_raises_rest_error(
    api_server: Callable[[dict[str, Handler]], Awaitable[str]],
) -> None:
    api = await api_server({})
    async with Rest("1.x", _options(api)) as rest:
        with pytest.raises(RestError):
            await discover_gateway_url(rest)
