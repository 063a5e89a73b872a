"""Child processes of the scale-out chaos test: ``python -m tests.bus.chaos_procs ROLE ...``.

Each role prints one JSON object per line on stdout (flushed), with ``t`` the
``time.time()`` it was written (comparable across processes on one machine).

* ``gateway URL PREFIX GATEWAY_URL SHARD_COUNT SHARDS TTL IDENTIFY_WINDOW``: a
  :class:`~fluxer_rx.bus.gateway_process.GatewayProcess` competing for ``SHARDS`` (``a-b``)
  of ``SHARD_COUNT``; prints ``held`` with the shards it runs whenever that set changes.
  The token comes from ``FLUXER_TOKEN``.
* ``worker URL PREFIX GROUP SHARDS TTL SHARD_COUNT API_URL``: a worker through the public
  API, ``Client(ClientOptions(bus=RedisBus(...)))`` competing for ``SHARDS``, with cache
  snapshots every second (the handover a successor loads). Its ``client.raw`` subscriber
  prints every dispatch it is given (``f``: shard, seq, event name, and the session id
  of a READY), synchronously, so before the worker commits it; ``gap`` for every gap
  reported on ``client.diagnostics``; ``ready`` once the client is ready. A line
  ``dump`` on stdin prints ``cache``: the guilds of its shards with their channels (name,
  topic), cached members (nick) and member counts.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import os
import sys
import time
from typing import Any

from fluxer_rx import Client, ClientOptions, RestOptions
from fluxer_rx.bus.bus_options import RedisBus
from fluxer_rx.bus.dedup import Gap
from fluxer_rx.bus.gateway_process import GatewayProcess
from fluxer_rx.bus.redis_broker import RedisBroker, RedisBrokerOptions
from fluxer_rx.cache import CacheView
from fluxer_rx.diagnostics import Diagnostic, Kind
from fluxer_rx.gateway.options import GatewayOptions
from fluxer_rx.gateway.url import gateway_url_with_query
from fluxer_rx.models.frame import Frame

RETENTION = 1_000_000  # every entry of a test run stays


def emit(**fields: Any) -> None:
    sys.stdout.write(json.dumps({"t": time.time(), **fields}) + "\n")
    sys.stdout.flush()


def shard_range(text: str) -> list[int]:
    first, _, last = text.partition("-")
    return list(range(int(first), int(last or first) + 1))


async def gateway(
    url: str, prefix: str, gateway_url: str, count: str, shards: str, ttl: str, window: str
) -> None:
    options = RedisBrokerOptions(prefix=prefix, retention=RETENTION, identify_window=float(window))
    async with RedisBroker(url, options) as broker:
        process = GatewayProcess(
            broker,
            os.environ["FLUXER_TOKEN"],
            gateway_url_with_query(gateway_url),
            GatewayOptions(shard_count=int(count)),
            shard_ids=shard_range(shards),
            lease_ttl=float(ttl),
            poll=0.02,
        )
        running = asyncio.create_task(process.run())
        held: frozenset[int] = frozenset()
        while not running.done():
            # a report of what runs, for the test to read; not synchronisation
            if process.held != held:
                held = process.held
                emit(event="held", shards=sorted(held))
            await asyncio.sleep(0.005)
        await running


def cache_summary(cache: CacheView, shards: set[int], count: int) -> dict[str, Any]:
    guilds: dict[str, Any] = {}
    for guild_id, guild in cache.guilds.items():
        if (int(guild_id) >> 22) % count not in shards:
            continue
        channels = {c.id: [c.name, c.topic] for c in cache.guild_channels(guild_id)}
        members = {uid: m.nick for uid, m in cache.members.get(guild_id, {}).items()}
        guilds[guild_id] = {
            "channels": channels,
            "members": members,
            "member_count": guild.member_count,
        }
    return guilds


async def worker(
    url: str, prefix: str, group: str, shards: str, ttl: str, count: str, api_url: str
) -> None:
    bus = RedisBus(
        url,
        group=group,
        shard_count=int(count),
        shards=shard_range(shards),
        lease_ttl=float(ttl),
        broker=RedisBrokerOptions(prefix=prefix, retention=RETENTION),
        snapshot_interval=1.0,
    )
    client = Client(ClientOptions(rest=RestOptions(api_url=api_url, max_retries=0), bus=bus))

    def applied(frame: Frame) -> None:
        # called before the worker commits the frame's batch: what is printed was applied
        if frame.op != 0 or frame.s is None:
            return
        session = frame.data["session_id"] if frame.t == "READY" else None
        emit(event="f", shard=frame.shard_id, seq=frame.s, name=frame.t, session=session)

    def report(diagnostic: Diagnostic) -> None:
        if diagnostic.kind is Kind.GAP and isinstance(diagnostic.data, Gap):
            emit(event="gap", **dataclasses.asdict(diagnostic.data))

    client.raw.subscribe(applied)
    client.diagnostics.subscribe(report)
    login = asyncio.create_task(client.login(os.environ["FLUXER_TOKEN"]))
    await client.wait_until_ready(timeout=60)
    emit(event="ready")
    loop = asyncio.get_running_loop()
    while line := await loop.run_in_executor(None, sys.stdin.readline):
        if line.strip() == "dump":
            mine = set(shard_range(shards))
            emit(
                event="cache",
                shards=sorted(mine),
                guilds=cache_summary(client.cache, mine, int(count)),
            )
    await client.close()
    await login


ROLES = {"gateway": gateway, "worker": worker}

if __name__ == "__main__":
    asyncio.run(ROLES[sys.argv[1]](*sys.argv[2:]))
