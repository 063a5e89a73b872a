"""A small aiohttp server on 127.0.0.1 for the REST client's HTTP tests: routes are
plain handlers, every request is recorded (method, path with query, headers, body)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from aiohttp import web

Handler = Callable[[web.Request], Any]


class Server:
    def __init__(self) -> None:
        self.requests: list[tuple[str, str, dict[str, str]]] = []
        self.bodies: list[bytes] = []
        self.routes: dict[tuple[str, str], Handler] = {}
        self.url = ""
        self._runner: web.AppRunner | None = None

    async def __aenter__(self) -> Server:
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._dispatch)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.url = f"http://127.0.0.1:{port}"
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._runner is not None
        await self._runner.cleanup()

    async def _dispatch(self, request: web.Request) -> web.StreamResponse:
        self.requests.append((request.method, request.path_qs, dict(request.headers)))
        self.bodies.append(await request.read())
        handler = self.routes.get((request.method, request.path))
        if handler is None:
            return web.json_response({"code": "GENERAL_ERROR", "message": "Not found"}, status=404)
        result = handler(request)
        if asyncio.iscoroutine(result):
            result = await result
        assert isinstance(result, web.StreamResponse)
        return result


def ok(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Handler:
    return lambda _request: web.json_response(body, status=status, headers=headers)


class Hanging:
    """A handler that answers ``body`` only once ``release`` is set."""

    def __init__(self, body: Any) -> None:
        self.body = body
        self.release = asyncio.Event()

    async def __call__(self, _request: web.Request) -> web.Response:
        await self.release.wait()
        return web.json_response(self.body)
