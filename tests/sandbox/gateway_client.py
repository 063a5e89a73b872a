"""A raw aiohttp websocket client for the sandbox gateway tests, plus a condition waiter.

Deliberately not the fluxer_rx client: these tests check the server against the wire.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any

import aiohttp

from fluxer_rx.sandbox import Sandbox

PROPERTIES = {"os": "linux", "browser": "sandbox-test", "device": "sandbox-test"}


async def wait_until(predicate: Callable[[], bool], timeout: float = 5.0) -> None:
    """Poll ``predicate`` until it holds; fail after ``timeout`` seconds."""
    async with asyncio.timeout(timeout):
        # a state change inside the server has no event to await; poll with a deadline
        while not predicate():  # noqa: ASYNC110
            await asyncio.sleep(0.01)


class RawGateway:
    """One websocket to the sandbox gateway, speaking JSON frames."""

    def __init__(self, sb: Sandbox, http: aiohttp.ClientSession) -> None:
        self.sb = sb
        self.http = http
        self.ws: aiohttp.ClientWebSocketResponse | None = None
        self.session_id: str | None = None
        self.seq = 0

    async def connect(self, query: str = "?v=1&encoding=json") -> dict[str, Any]:
        """Open the socket and return HELLO."""
        self.ws = await self.http.ws_connect(f"{self.sb.gateway_url}/{query}", autoclose=False)
        hello = await self.recv()
        assert hello["op"] == 10
        return hello

    async def send(self, op: int, d: Any) -> None:
        assert self.ws is not None
        await self.ws.send_str(json.dumps({"op": op, "d": d}))

    async def recv(self, timeout: float = 5.0) -> dict[str, Any]:
        """Next frame as JSON; fails on a close or on anything but text."""
        assert self.ws is not None
        msg = await self.ws.receive(timeout=timeout)
        assert msg.type == aiohttp.WSMsgType.TEXT, (msg.type, msg.data, msg.extra)
        frame: dict[str, Any] = json.loads(msg.data)
        if frame.get("op") == 0 and frame.get("t") != "RESUMED":
            self.seq = frame["s"]
        return frame

    async def recv_close(self, timeout: float = 5.0) -> tuple[int, str]:
        """Wait for the server's close frame; return ``(code, reason)``."""
        assert self.ws is not None
        msg = await self.ws.receive(timeout=timeout)
        assert msg.type == aiohttp.WSMsgType.CLOSE, (msg.type, msg.data)
        await self.ws.close()
        return msg.data, msg.extra or ""

    async def identify(self, **extra: Any) -> list[dict[str, Any]]:
        """IDENTIFY with the sandbox token; return READY and the GUILD_CREATE burst."""
        await self.send(2, {"token": self.sb.token, "properties": PROPERTIES, **extra})
        ready = await self.recv()
        assert ready["t"] == "READY", ready
        self.session_id = ready["d"]["session_id"]
        frames = [ready]
        expected = sum(
            1
            for g in self.sb.world.guilds_of(self.sb.bot_id)
            if "shard" not in extra or (int(g.id) >> 22) % extra["shard"][1] == extra["shard"][0]
        )
        if "GUILD_CREATE" in {e.upper() for e in extra.get("ignored_events", [])}:
            expected = 0
        for _ in range(expected):
            frames.append(await self.recv())
        return frames

    async def dispatch(self, t: str | None = None) -> dict[str, Any]:
        """The next dispatch (op 0), skipping server heartbeat requests; check its ``t``."""
        while True:
            frame = await self.recv()
            if frame["op"] == 1:
                await self.send(1, self.seq)
                continue
            assert frame["op"] == 0, frame
            if t is not None:
                assert frame["t"] == t, frame
            return frame

    async def expect_silence(self, seconds: float = 0.2) -> None:
        """Assert nothing arrives within ``seconds`` (a bounded wait for an absence)."""
        assert self.ws is not None
        with_timeout: Any = None
        try:
            with_timeout = await self.ws.receive(timeout=seconds)
        except TimeoutError:
            return
        raise AssertionError(f"unexpected frame {with_timeout.type} {with_timeout.data}")

    async def close(self) -> None:
        if self.ws is not None:
            await self.ws.close()
