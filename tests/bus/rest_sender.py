"""A REST sender for the shared-limits test, run in a child process (``procs rest``).

It posts messages straight with aiohttp, asking :class:`SharedRestLimits` before each
request and telling it every answer, so what is tested is the shared script alone (no
in-process limiter in between). The token comes from ``FLUXER_TOKEN`` (never argv).
"""

from __future__ import annotations

import asyncio
import json
import os
import time

import aiohttp
import msgspec

from fluxer_rx.bus.redis_broker import RedisBroker, RedisBrokerOptions
from fluxer_rx.bus.rest_limits import SharedRestLimits
from fluxer_rx.rest.headers import parse_bucket_info, parse_rate_limited
from fluxer_rx.rest.routes import Route


async def send_messages(
    url: str, prefix: str, api_url: str, channel: str, count: str, concurrency: str
) -> None:
    token = os.environ["FLUXER_TOKEN"]
    route = Route("POST", "/channels/{channel_id}/messages", channel_id=channel)
    statuses: dict[int, int] = {}
    todo = list(range(int(count)))
    async with (
        RedisBroker(url, RedisBrokerOptions(prefix=prefix)) as broker,
        aiohttp.ClientSession(headers={"Authorization": f"Bot {token}"}) as http,
    ):
        limits = SharedRestLimits(broker)
        print(json.dumps({"event": "ready"}), flush=True)
        await asyncio.get_running_loop().run_in_executor(None, input)

        async def worker() -> None:
            while todo:
                n = todo.pop()
                while True:
                    permit = await limits.acquire(route.key, route.major)
                    try:
                        async with http.post(
                            api_url + route.path, json={"content": f"message {n}"}
                        ) as resp:
                            body = await resp.read()
                            status = resp.status
                            headers = resp.headers
                    except BaseException:
                        await limits.release(permit)
                        raise
                    statuses[status] = statuses.get(status, 0) + 1
                    info = parse_bucket_info(headers, time.time())
                    if status != 429:
                        await limits.settle(permit, info, success=status < 500)
                        break
                    limited = parse_rate_limited(headers, msgspec.json.decode(body or b"null"))
                    await limits.rate_limited(permit, limited, info)

        await asyncio.gather(*(worker() for _ in range(int(concurrency))))
    print(json.dumps({"event": "done", "statuses": statuses}), flush=True)
