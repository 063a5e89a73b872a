"""Child processes of the bus tests: ``python -m tests.bus.procs ROLE ARGS...``.

Each role prints one JSON object per line on stdout (flushed), so the test reads what
happened and when (``time.time()``, comparable across processes on one machine).

* ``hold-lease URL PREFIX NAME TTL``: take the lease, print ``held``, print ``lost`` when
  a renewal learns it is gone, then exit.
* ``identify URL PREFIX COUNT INTERVAL``: print ``ready``, wait for ``go`` on stdin, then
  reserve COUNT identify slots and print each slot and the time it woke.
* ``rest URL PREFIX API_URL CHANNEL COUNT CONCURRENCY``: post COUNT messages to
  CHANNEL through the shared REST limits, CONCURRENCY at a time; print the statuses.
* ``gateway URL PREFIX GATEWAY_URL TTL``: run a :class:`GatewayProcess` for one
  unsharded shard until killed; print ``held`` once it runs the shard.

* ``worker URL PREFIX GROUP TTL``: run a :class:`StreamWorker` for shard 0 whose sink
  prints each applied dispatch (``applied`` with ``session``, ``seq``, ``t``).

The token of ``rest`` and ``gateway`` comes from ``FLUXER_TOKEN``.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import time
from typing import Any

from fluxer_rx.bus.lease_keeper import LeaseKeeper
from fluxer_rx.bus.redis_broker import RedisBroker, RedisBrokerOptions


def emit(**fields: Any) -> None:
    print(json.dumps({"t": time.time(), **fields}), flush=True)


async def hold_lease(url: str, prefix: str, name: str, ttl: str) -> None:
    async with RedisBroker(url, RedisBrokerOptions(prefix=prefix)) as broker:
        keeper = LeaseKeeper(broker, name, float(ttl))
        await keeper.acquire()
        emit(event="held")
        await keeper.lost.wait()
        emit(event="lost")


async def identify(url: str, prefix: str, count: str, interval: str) -> None:
    options = RedisBrokerOptions(prefix=prefix, identify_window=float(interval))
    async with RedisBroker(url, options) as broker:
        await broker.ping()
        emit(event="ready")
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
        for _ in range(int(count)):
            slot = await broker.wait_identify()
            emit(event="identify", slot=slot)


async def rest(*args: str) -> None:
    from tests.bus.rest_sender import send_messages

    await send_messages(*args)


async def gateway(url: str, prefix: str, gateway_url: str, ttl: str) -> None:
    from fluxer_rx.bus.gateway_process import GatewayProcess
    from fluxer_rx.gateway.options import GatewayOptions
    from fluxer_rx.gateway.url import gateway_url_with_query
    from tests.util import wait_until

    async with RedisBroker(url, RedisBrokerOptions(prefix=prefix)) as broker:
        process = GatewayProcess(
            broker,
            os.environ["FLUXER_TOKEN"],
            gateway_url_with_query(gateway_url),
            GatewayOptions(),
            lease_ttl=float(ttl),
        )
        running = asyncio.create_task(process.run())
        await wait_until(lambda: bool(process.held), within=30, what="the shard held")
        emit(event="held")
        await running


class PrintingSink:
    """A ShardSink that prints every dispatch it is given."""

    def frame(self, frame: Any) -> None:
        pass

    def dispatch(self, frame: Any) -> None:
        emit(event="applied", seq=frame.s, t=frame.t)

    def diagnostic(self, report: Any) -> None:
        emit(event="diagnostic", kind=str(report.kind), detail=report.detail)

    def session_lost(self, shard_id: int, lost: Any) -> None:
        pass

    def state_changed(self, shard_id: int, old: Any, new: Any) -> None:
        pass


async def worker(url: str, prefix: str, group: str, ttl: str) -> None:
    from fluxer_rx.bus.worker import StreamWorker

    async with RedisBroker(url, RedisBrokerOptions(prefix=prefix)) as broker:
        await StreamWorker(broker, group, PrintingSink(), [0], lease_ttl=float(ttl)).run()


ROLES = {
    "hold-lease": hold_lease,
    "identify": identify,
    "rest": rest,
    "gateway": gateway,
    "worker": worker,
}

if __name__ == "__main__":
    asyncio.run(ROLES[sys.argv[1]](*sys.argv[2:]))
