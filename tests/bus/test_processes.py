"""Claims about processes, checked with real child processes on one redis-server.

* Lease: exactly one holder; after the holder is killed, another takes over within a TTL
  (the time is measured and printed); a paused holder learns on its next renewal that it
  lost the lease.
* Identify gate: slots reserved by two processes are spaced by the configured interval,
  and no process starts before its slot.
"""

from __future__ import annotations

import asyncio
import itertools
import signal
import time

from fluxer_rx.bus.lease_keeper import LeaseKeeper
from fluxer_rx.bus.redis_broker import RedisBroker, RedisBrokerOptions
from tests.bus.children import Child
from tests.redis_server import RedisServer

TTL = 1.0


async def test_lease_takeover_after_the_holder_is_killed(redis_server: RedisServer) -> None:
    holder = await Child.start("hold-lease", redis_server.url, "t", "gateway:0", TTL)
    async with RedisBroker(redis_server.url, RedisBrokerOptions(prefix="t")) as broker:
        try:
            assert (await holder.event())["event"] == "held"
            keeper = LeaseKeeper(broker, "gateway:0", TTL)
            contender = asyncio.create_task(keeper.acquire(poll=0.01))
            # the live holder renews: the contender stays out for several TTLs
            done, _ = await asyncio.wait([contender], timeout=2.5 * TTL)
            assert not done, "a second holder took a live lease"
            holder.signal(signal.SIGKILL)
            killed = time.monotonic()
            await asyncio.wait_for(contender, 5 * TTL)
            takeover = time.monotonic() - killed
            print(f"lease takeover after kill -9: {takeover * 1000:.0f} ms (ttl {TTL:g} s)")
            # the key outlives its last renewal by at most one TTL; then one poll (10 ms)
            # and scheduling on a loaded 2-core machine
            assert takeover <= TTL + 0.5
            assert keeper.held
            await keeper.release()
        finally:
            await holder.stop()


async def test_a_paused_holder_learns_it_lost_the_lease(redis_server: RedisServer) -> None:
    holder = await Child.start("hold-lease", redis_server.url, "t", "worker:g:3", TTL)
    async with RedisBroker(redis_server.url, RedisBrokerOptions(prefix="t")) as broker:
        try:
            assert (await holder.event())["event"] == "held"
            holder.signal(signal.SIGSTOP)
            keeper = LeaseKeeper(broker, "worker:g:3", TTL)
            await asyncio.wait_for(keeper.acquire(poll=0.01), 5 * TTL)
            holder.signal(signal.SIGCONT)
            assert (await holder.event())["event"] == "lost"
            assert keeper.held  # the new holder keeps it
            assert await broker.lease_holder("worker:g:3") == keeper.lease.token  # type: ignore[union-attr]
            await keeper.release()
        finally:
            await holder.stop()


async def test_identify_slots_are_spaced_across_processes(redis_server: RedisServer) -> None:
    interval, per_child = 0.1, 10
    children = [
        await Child.start("identify", redis_server.url, "t", per_child, interval)
        for _ in range(2)
    ]
    try:
        for child in children:
            assert (await child.event())["event"] == "ready"
        for child in children:
            child.send_line("go")
        events = [
            (name, await child.event())
            for name, child in enumerate(children)
            for _ in range(per_child)
        ]
    finally:
        for child in children:
            await child.stop()
    slots = sorted(e["slot"] for _, e in events)
    gaps = [b - a for a, b in itertools.pairwise(slots)]
    assert min(gaps) >= interval - 1e-6, gaps
    # both processes were served while the other was waiting: their slots interleave
    owners = [name for name, e in sorted(events, key=lambda ne: ne[1]["slot"])]
    assert owners != sorted(owners)
    # nobody identifies before its slot (same machine, same wall clock)
    assert all(e["t"] >= e["slot"] - 0.002 for _, e in events)
