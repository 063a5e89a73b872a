"""The README's "Scaling out" example runs as written: a gateway process (run_gateway) and a
worker client (bus=RedisBus) against the sandbox and a real redis-server; a user's !ping
reaches the worker's handler through Redis and its pong goes out over REST."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path
from typing import Any

import pytest

from fluxer_rx import RestOptions
from fluxer_rx.bus import RedisBus
from fluxer_rx.bus.redis_broker import RedisBrokerOptions
from fluxer_rx.sandbox import Sandbox
from tests.redis_server import RedisServer
from tests.util import wait_until

README = Path(__file__).resolve().parents[2] / "README.md"

pytestmark = pytest.mark.fluxer_sandbox(guilds=2)


def block_under(heading: str) -> str:
    section = README.read_text(encoding="utf-8").split(heading, 1)[1]
    match = re.search(r"<!-- run-by: tests/bus/test_readme_scaling.py -->\n```python\n(.*?)```",
                      section, re.S)  # fmt: skip
    assert match is not None, f"no run-by python block under {heading!r}"
    return match.group(1)


async def test_the_scaling_out_example_runs(
    fluxer_sandbox: Sandbox, redis_server: RedisServer, capsys: pytest.CaptureFixture[str]
) -> None:
    sb = fluxer_sandbox
    namespace: dict[str, Any] = {}
    exec(compile(block_under("## Scaling out"), "README.md", "exec"), namespace)
    bus = RedisBus(redis_server.url, broker=RedisBrokerOptions(prefix="readme"), lease_ttl=2.0)
    stop = asyncio.Event()
    running = asyncio.create_task(
        namespace["run"](sb.token, bus, RestOptions(api_url=sb.api_url), stop)
    )
    printed: list[str] = []

    def said(prefix: str) -> bool:
        printed.extend(capsys.readouterr().out.splitlines())
        return any(line.startswith(prefix) for line in printed)

    try:
        await wait_until(lambda: said("worker ready"), within=30, what="the worker ready")
        await sb.post_message(sb.channel_ids[0], "!ping")

        def ponged() -> bool:
            return any(
                r.t == "MESSAGE_CREATE" and r.d.get("content") == "pong" for r in sb.dispatch_log
            )

        await wait_until(ponged, within=30, what="the worker's pong")
    finally:
        stop.set()
        await asyncio.wait_for(running, 15)
    said("")
    assert printed[0] == "worker ready with 2 guilds"
    assert printed[1].startswith("ran shards 0; published ")
