"""``fluxer-rx sandbox --port N``: serves standalone and prints its URLs and token."""

from __future__ import annotations

import asyncio
import io
import json
import socket
import sys

import aiohttp

from fluxer_rx.sandbox import Sandbox
from fluxer_rx.sandbox.standalone import serve


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


async def test_cli_serves_on_the_requested_port_and_stops_on_sigint() -> None:
    port = free_port()
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "fluxer_rx.cli",
        "sandbox",
        "--port",
        str(port),
        "--guilds",
        "1",
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        assert proc.stdout is not None
        async with asyncio.timeout(20):
            lines = [(await proc.stdout.readline()).decode() for _ in range(3)]
        assert lines[0].strip() == f"gateway: ws://127.0.0.1:{port}/?v=1&encoding=json"
        assert lines[1].strip() == f"api:     http://127.0.0.1:{port}/v1"
        token = lines[2].split()[1]
        async with aiohttp.ClientSession() as http:
            ws = await http.ws_connect(f"ws://127.0.0.1:{port}/?v=1&encoding=json")
            assert json.loads(await ws.receive_str(timeout=5))["op"] == 10
            props = {"os": "a", "browser": "b", "device": "c"}
            await ws.send_str(json.dumps({"op": 2, "d": {"token": token, "properties": props}}))
            assert json.loads(await ws.receive_str(timeout=5))["t"] == "READY"
            await ws.close()
        proc.send_signal(2)
        async with asyncio.timeout(10):
            assert await proc.wait() == 0
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()


async def test_serve_prints_and_stops_when_asked() -> None:
    out = io.StringIO()
    stop = asyncio.Event()
    sandbox = Sandbox(guilds=1)
    task = asyncio.create_task(serve(sandbox, out=out, stop=stop, traffic_rate=50.0))
    async with asyncio.timeout(5):
        while "channels:" not in out.getvalue():  # noqa: ASYNC110 - printing has no event
            await asyncio.sleep(0.01)
    assert sandbox.token in out.getvalue()
    stop.set()
    async with asyncio.timeout(5):
        await task
