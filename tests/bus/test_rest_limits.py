"""Shared REST limits: two processes posting into one sandbox bucket draw no 429.

The sandbox enforces Fluxer's limits per token; here ``channel:message:create`` allows 8
requests per second. Each child process posts 16 messages, 8 at a time. With the limits
shared through Redis no request is refused; with each process on its own (different key
prefixes) the same load draws 429s, which shows the test can fail.
"""

from __future__ import annotations

import pytest

from fluxer_rx.sandbox import Sandbox
from tests.bus.children import Child
from tests.redis_server import RedisServer

MESSAGES, CONCURRENCY = 16, 8
pytestmark = pytest.mark.fluxer_sandbox(
    rest_bucket_limits={"channel:message:create": (8, 1.0)}
)


async def _run_two(sb: Sandbox, redis_url: str, prefixes: tuple[str, str]) -> list[dict[int, int]]:
    children = [
        await Child.start(
            "rest", redis_url, prefix, sb.api_url, sb.channel_ids[0], MESSAGES, CONCURRENCY,
            env={"FLUXER_TOKEN": sb.token},
        )
        for prefix in prefixes
    ]
    try:
        for child in children:
            assert (await child.event())["event"] == "ready"
        for child in children:
            child.send_line("go")
        results = [await child.event(timeout=60) for child in children]
    finally:
        for child in children:
            await child.stop()
    assert all(r["event"] == "done" for r in results)
    return [{int(k): v for k, v in r["statuses"].items()} for r in results]


async def test_two_processes_share_one_bucket_without_429(
    fluxer_sandbox: Sandbox, redis_server: RedisServer
) -> None:
    statuses = await _run_two(fluxer_sandbox, redis_server.url, ("bot", "bot"))
    assert statuses == [{200: MESSAGES}, {200: MESSAGES}]


async def test_separate_limits_draw_429s_under_the_same_load(
    fluxer_sandbox: Sandbox, redis_server: RedisServer
) -> None:
    statuses = await _run_two(fluxer_sandbox, redis_server.url, ("one", "two"))
    print(f"separate limits: {statuses}")
    assert all(s.get(200) == MESSAGES for s in statuses)
    assert sum(s.get(429, 0) for s in statuses) > 0
