"""A running REST half of the sandbox on 127.0.0.1 for the REST tests.

:func:`running_rest` serves the REST routes of one world on a free port, records every
dispatch the world emits, and gives a client session with the bot's Authorization.
"""

from __future__ import annotations

import socket
import time
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from aiohttp import web

from fluxer_rx.sandbox.config import SandboxConfig
from fluxer_rx.sandbox.rest import RestApi, add_routes
from fluxer_rx.sandbox.world import World


@dataclass
class RestHarness:
    """What a REST test needs: URLs, the world, the API object, a session, dispatches."""

    base_url: str
    api_url: str
    world: World
    api: RestApi
    http: aiohttp.ClientSession
    dispatches: list[tuple[str, dict[str, Any]]] = field(default_factory=list)

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bot {self.world.token}"}

    async def call(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        data: Any = None,
        params: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
        auth: bool = True,
    ) -> tuple[int, Any, Mapping[str, str]]:
        """One request to ``api_url + path``; returns ``(status, decoded body, headers)``."""
        all_headers = dict(self.auth if auth else {})
        all_headers.update(headers or {})
        async with self.http.request(
            method, self.api_url + path, json=json, data=data, params=params, headers=all_headers
        ) as response:
            raw = await response.read()
            body = await response.json() if raw else None
            return response.status, body, response.headers

    def events(self, name: str) -> list[dict[str, Any]]:
        """The ``d`` of every dispatch named ``name`` the world emitted so far."""
        return [d for event, d in self.dispatches if event == name]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@asynccontextmanager
async def running_rest(**config: Any) -> AsyncIterator[RestHarness]:
    """Serve a fresh world's REST routes; ``config`` overrides :class:`SandboxConfig` fields
    (``seed``, ``clock`` and ``other_user`` go to the :class:`World`)."""
    world = World(
        seed=config.pop("seed", 0),
        clock=config.pop("clock", time.time),
        other_user=config.pop("other_user", False),
    )
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    cfg = SandboxConfig(
        base_url=base, api_url=base + "/v1", gateway_url=f"ws://127.0.0.1:{port}", **config
    )
    app = web.Application()
    api = add_routes(app, world, cfg)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", port)
    await site.start()
    timeout = aiohttp.ClientTimeout(total=10)
    try:
        async with aiohttp.ClientSession(timeout=timeout) as http:
            harness = RestHarness(base, cfg.api_url, world, api, http)
            world.add_listener(lambda event, d, _g, _u: harness.dispatches.append((event, d)))
            yield harness
    finally:
        await runner.cleanup()
