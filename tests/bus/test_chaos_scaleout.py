"""Scale-out under chaos (issue #13): real processes, a real redis-server, the sandbox.

A sandbox with 2,000 guilds over 16 shards; two gateway processes (one competes for shards
0-7, the other for all 16, so it runs 8-15 and is the one that can take 0-7 over) and two
worker processes (shards 0-7 and 8-15; each a public ``Client`` with
``ClientOptions(bus=RedisBus(...))``) as real subprocesses; Redis runs with
``appendfsync always``. Seeded traffic flows through the sandbox while, at seeded steps:

1. one gateway process (seeded) gets ``kill -9``; a replacement competing for all 16 shards
   starts; the dead one's shards are RESUMEd by whoever takes their leases;
2. one worker process (seeded) gets ``kill -9``; a replacement for its shards starts and
   goes on from the committed position (its cache from the dead one's last snapshot and
   the stream after it);
3. redis-server gets ``kill -9`` and is started again on the same port and directory.

Then, per shard, the workers' ledger against the sandbox's dispatch log
(:mod:`tests.bus.chaos_ledger`): nothing lost, duplicated or reordered of what the server
could replay, every missing dispatch covered by a reported gap and every gap justified.
And each worker's cache for its shards equals the sandbox's world for those shards
(guilds, their channels with name and topic, member counts; the members the cache keeps
are members of the world with the world's nick). The lease takeover times after the two
kills are printed.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import random
import signal
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from fluxer_rx.sandbox import Sandbox
from fluxer_rx.sandbox.traffic import TrafficBounds, TrafficGenerator
from tests.bus.chaos_ledger import ShardLedger, check_shard, expected_by_shard
from tests.redis_server import RedisServer
from tests.util import wait_until

SEED = 13
SHARDS = 16
GUILDS = 2000
STEPS = 3000  # traffic steps (each at least one dispatch)
RATE = 250.0  # steps per second
TTL = 1.5  # lease TTL of gateways and workers, seconds
PREFIX = "chaos"
GROUP = "cache"
ROOT = Path(__file__).resolve().parents[2]

# 3 channels and 4 members per guild: the seeded guild ids then fall evenly on 16 shards
# (125 each; ids are made 1 ms apart, and other shapes step the timestamp by a multiple of
# 2 or 4 per guild)
pytestmark = pytest.mark.fluxer_sandbox(
    seed=SEED, guilds=GUILDS, channels_per_guild=3, members_per_guild=4, messages_per_channel=1,
    resume_window=30.0,
)  # fmt: skip


@pytest.fixture
def durable_redis(request: pytest.FixtureRequest) -> RedisServer:
    """A redis-server that fsyncs every write before acknowledging it."""
    server = RedisServer(["--appendonly", "yes", "--appendfsync", "always"])
    request.addfinalizer(server.cleanup)
    server.start()
    return server


class Proc:
    """A ``tests.bus.chaos_procs`` child; its JSON lines are collected in :attr:`events`."""

    def __init__(self, name: str, process: asyncio.subprocess.Process) -> None:
        self.name = name
        self.process = process
        self.events: list[dict[str, Any]] = []
        self._reading = asyncio.create_task(self._read())

    @classmethod
    async def start(cls, name: str, role: str, *args: object, token: str = "") -> Proc:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "tests.bus.chaos_procs", role, *map(str, args),
            cwd=ROOT,
            env={**os.environ, "FLUXER_TOKEN": token},
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            limit=64 << 20,  # the cache dump is one long line
        )  # fmt: skip
        return cls(name, process)

    async def _read(self) -> None:
        assert self.process.stdout is not None
        while line := await self.process.stdout.readline():
            self.events.append(json.loads(line))

    def of(self, event: str) -> list[dict[str, Any]]:
        return [e for e in self.events if e["event"] == event]

    def held(self) -> set[int]:
        held = self.of("held")
        return set(held[-1]["shards"]) if held and self.alive else set()

    @property
    def alive(self) -> bool:
        return self.process.returncode is None

    def kill(self) -> float:
        os.kill(self.process.pid, signal.SIGKILL)
        return time.time()

    def send_line(self, text: str) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(text.encode() + b"\n")

    async def stop(self) -> str:
        """Kill by PID if still running, reap; return its stderr."""
        if self.alive:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.process.pid, signal.SIGKILL)
        await self.process.wait()
        await self._reading
        assert self.process.stderr is not None
        return (await self.process.stderr.read()).decode(errors="replace")[-3000:]


def _taken(procs: list[Proc], shard: int, since: float) -> float:
    """When one of ``procs`` first said it holds ``shard`` after ``since``."""
    return min(
        e["t"] for p in procs for e in p.of("held") if e["t"] > since and shard in e["shards"]
    )


async def test_chaos_scaleout_ledger_and_caches(
    fluxer_sandbox: Sandbox, durable_redis: RedisServer
) -> None:
    sb = fluxer_sandbox
    redis = durable_redis
    rng = random.Random(SEED)
    kill_gateway_at = rng.randrange(STEPS * 15 // 100, STEPS * 30 // 100)
    kill_worker_at = rng.randrange(STEPS * 40 // 100, STEPS * 55 // 100)
    restart_redis_at = rng.randrange(STEPS * 65 // 100, STEPS * 80 // 100)
    gateway_victim, worker_victim = rng.randrange(2), rng.randrange(2)
    print(
        f"seed {SEED}: kill -9 gateway {gateway_victim} at step {kill_gateway_at}, worker "
        f"{worker_victim} at {kill_worker_at}, redis-server at {restart_redis_at}"
    )

    def gateway(name: str, shards: str) -> Any:
        return Proc.start(
            name, "gateway", redis.url, PREFIX, sb.gateway_url, SHARDS, shards, TTL, 0.02,
            token=sb.token,
        )  # fmt: skip

    def worker(name: str, shards: str) -> Any:
        return Proc.start(
            name, "worker", redis.url, PREFIX, GROUP, shards, TTL, SHARDS, sb.api_url,
            token=sb.token,
        )  # fmt: skip

    procs: list[Proc] = []
    traffic_task: asyncio.Task[int] | None = None
    try:
        workers = [await worker("w0", "0-7"), await worker("w1", "8-15")]
        procs += workers
        gateways = [await gateway("g0", "0-7")]
        procs += gateways
        await wait_until(lambda: gateways[0].held() == set(range(8)), within=30, what="g0 0-7")
        gateways.append(await gateway("g1", "0-15"))
        procs.append(gateways[1])
        await wait_until(lambda: gateways[1].held() == set(range(8, 16)), within=30, what="g1 8-15")

        def guild_creates() -> int:
            return sum(e["name"] == "GUILD_CREATE" for w in workers for e in w.of("f"))

        await wait_until(lambda: guild_creates() >= GUILDS, within=60, what="every guild burst")
        assert guild_creates() == GUILDS
        await wait_until(
            lambda: all(w.of("ready") for w in workers), within=30, what="the workers ready"
        )

        traffic = TrafficGenerator(
            sb.world,
            seed=SEED,
            bounds=TrafficBounds(messages_per_channel=10, members_per_guild=6, created_channels=40),
        )
        traffic_task = asyncio.create_task(traffic.run(STEPS, rate=RATE, hub=sb.gateway))

        # 1. kill -9 of a gateway process; a replacement competes for every shard
        await wait_until(lambda: traffic.steps >= kill_gateway_at, within=60, what="gw kill")
        victim = gateways[gateway_victim]
        lost_shards = victim.held()
        gateway_killed = victim.kill()
        replacement = await gateway("g2", "0-15")
        procs.append(replacement)
        others = [g for g in (*gateways, replacement) if g is not victim]

        def gateways_hold_all() -> bool:
            held = [g.held() for g in others]
            return set().union(*held) == set(range(SHARDS)) and sum(map(len, held)) == SHARDS

        await wait_until(gateways_hold_all, within=10 * TTL, what="the shards taken over")
        first_shard = min(_taken(others, s, gateway_killed) for s in lost_shards)
        taken_over = max(_taken(others, s, gateway_killed) for s in lost_shards)

        # 2. kill -9 of a worker process; a replacement for its shards
        await wait_until(lambda: traffic.steps >= kill_worker_at, within=60, what="worker kill")
        dead_worker = workers[worker_victim]
        worker_killed = dead_worker.kill()
        new_worker = await worker("w2", "0-7" if worker_victim == 0 else "8-15")
        procs.append(new_worker)
        await wait_until(
            lambda: bool(new_worker.of("ready")), within=10 * TTL, what="the worker replaced"
        )
        worker_takeover = new_worker.of("ready")[0]["t"] - worker_killed
        first_frame = min(e["t"] for e in new_worker.of("f")) - worker_killed

        # 3. redis-server: kill -9, then started again on the same port and directory
        await wait_until(lambda: traffic.steps >= restart_redis_at, within=60, what="redis kill")
        redis.kill()
        down = time.monotonic()
        await asyncio.to_thread(redis.start)
        outage = time.monotonic() - down

        await asyncio.wait_for(traffic_task, 60)
        live_workers = [w for w in (*workers, new_worker) if w.alive]
        holders = {w.name: w for w in (*workers, new_worker)}

        def ledgers() -> dict[int, ShardLedger]:
            out = {s: ShardLedger(s) for s in range(SHARDS)}
            for w in (dead_worker, *[w for w in holders.values() if w is not dead_worker]):
                per_shard: dict[int, list[dict[str, Any]]] = {}
                for frame in w.of("f"):
                    per_shard.setdefault(frame["shard"], []).append(frame)
                for shard, frames in per_shard.items():
                    out[shard].add_holder(frames)
                for gap in w.of("gap"):
                    out[gap["shard"]].gaps.append(gap)
            return out

        def caught_up() -> bool:
            expected = expected_by_shard(sb.dispatch_log)
            applied = {s: {k for k, _ in led.applied} for s, led in ledgers().items()}
            return all(expected[s][-1][0] in applied[s] for s in range(SHARDS))

        await wait_until(caught_up, within=60, interval=0.2, what="every shard's last dispatch")

        # every worker's cache for its shards against the world
        for w in live_workers:
            w.send_line("dump")
        await wait_until(
            lambda: all(w.of("cache") for w in live_workers), within=30, what="cache dumps"
        )
        final = ledgers()
        expected = expected_by_shard(sb.dispatch_log)
    finally:
        if traffic_task is not None:
            traffic_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await traffic_task
        errors = {p.name: await p.stop() for p in procs}
        for p in procs:  # shown when the test fails
            print(f"{p.name}: {len(p.events)} lines, last {p.events[-1:]}\n{errors[p.name]}")

    problems = {s: check_shard(final[s], expected[s]) for s in range(SHARDS)}
    problems = {s: p for s, p in problems.items() if p}
    assert not problems, f"{problems}\n{errors}"

    dumped: dict[str, Any] = {}
    covered: set[int] = set()
    for w in live_workers:
        dump = w.of("cache")[-1]
        covered |= set(dump["shards"])
        dumped.update(dump["guilds"])
    assert covered == set(range(SHARDS))
    world = sb.world
    assert set(dumped) == set(world.guilds), "cached guilds differ from the world's"
    for gid, guild in world.guilds.items():
        got = dumped[gid]
        channels = {cid: [world.channels[cid].name, world.channels[cid].topic]
                    for cid in guild.channel_ids}  # fmt: skip
        assert got["channels"] == channels, gid
        assert got["member_count"] == len(guild.members), gid
        for uid, nick in got["members"].items():
            assert uid in guild.members, (gid, uid)
            assert nick == guild.members[uid].nick, (gid, uid)

    gaps = sum(len(led.gaps) for led in final.values())
    missing = sum(len(expected[s]) - len(final[s].applied) for s in range(SHARDS))
    reapplied = sum(led.reapplied for led in final.values())
    applied = sum(len(led.applied) for led in final.values())
    print(
        f"ledger: {applied} dispatches applied over {SHARDS} shards; {missing} not replayable "
        f"(in {gaps} reported gaps); {reapplied} applied twice across the worker kill "
        f"(uncommitted when it died)"
    )
    print(
        f"gateway takeover after kill -9: first shard {(first_shard - gateway_killed) * 1e3:.0f}"
        f" ms, all {len(lost_shards)} {(taken_over - gateway_killed) * 1e3:.0f} ms (ttl {TTL:g} s)"
    )
    print(
        f"worker takeover after kill -9: first dispatch applied {first_frame * 1e3:.0f} ms, "
        f"ready (8 shards held, caches rebuilt, caught up) {worker_takeover * 1e3:.0f} ms"
    )
    print(f"redis-server restart outage: {outage * 1e3:.0f} ms")
    # a lease outlives its last renewal by at most one TTL; then a 20 ms poll, RESUME (the
    # worker: loading the snapshot, folding the stream after it, catching up), and
    # scheduling on a loaded 2-core machine
    assert taken_over - gateway_killed <= 3 * TTL
    assert worker_takeover <= 4 * TTL
