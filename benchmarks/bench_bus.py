"""Frames through Redis Streams (phase 1 of issue #13): throughput and memory per frame.

On a private ``redis-server`` (free port, temp dir, no persistence) started by this script:

* **publish + read**: sandbox-like MESSAGE_CREATE frames go through
  :class:`~fluxer_rx.bus.publisher.FramePublisher` (micro-batches of up to 32 frames or
  2 ms; batches that queue behind a round trip share the next pipeline, up to 16) into one
  shard stream, while a
  :class:`~fluxer_rx.bus.dedup.DedupReader` reads them back (512 per ``XREAD``) in the same
  process; timed from the first publish to the last frame read. The baseline, measured in
  the same run, publishes one frame per round trip (``max_items=1``), as a gateway without
  batching would.
* **worker vs single process**: the same frames decoded, folded and emitted by an
  :class:`~fluxer_rx.pipeline.EventPipeline` fed directly (the single-process client's
  hot path, the baseline) and fed by a :class:`~fluxer_rx.bus.worker.StreamWorker`
  reading them from the stream (read, de-duplicate, decode, fold, emit, commit); both
  timed until the last event was emitted. The issue's target: a worker reaches >= 80 %.
* **memory**: ``INFO memory`` ``used_memory`` before and after one stream holds the
  frames, divided by their number, next to the mean frame size (``MEMORY USAGE`` of the
  stream key is printed too).
Before each timed run a full ``gc.collect()`` (both sides alike), so no run pays a gen-2
collection owed to the garbage of the runs or set-up before it (40 ms in a 150 ms run).

* **end to end, public API**: on one sandbox firehose (MESSAGE_CREATE frames written as
  fast as the socket takes them), the single-process ``Client`` counting ``MessageCreate``
  on ``client.events`` (the baseline) against the same frames through a
  :class:`~fluxer_rx.bus.gateway_process.GatewayProcess` into Redis and read by a worker
  ``Client(ClientOptions(bus=RedisBus(...)))`` counting on its ``client.events``; each
  timed from its first to its last MessageCreate (the gateway process has published
  everything before the worker starts: the worker's own rate, as when it catches up).
* **two workers vs one**: two shard streams of ``--frames`` frames each, read into an
  event pipeline by one worker process holding both shards, then by two worker
  processes holding one each (started together); frames/s from the first event of any
  to the last event of all. Real processes: this needs two free cores.
* **takeover**: a process holding a worker lease (TTL 1 s) gets ``kill -9``; the time
  until a contender polling every 10 ms holds it.

    python benchmarks/bench_bus.py [--frames 50000] [--runs 5] [--only worker]

``--only worker`` runs just the two worker rows (worker vs single process, and end to
end through the public API), for short paired A/B runs of the worker's hot path.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import signal
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # for tests.redis_server
    sys.path.insert(0, str(ROOT))

from fluxer_rx import Client, ClientOptions, GatewayOptions, RestOptions  # noqa: E402
from fluxer_rx.bus import FrameRecord  # noqa: E402
from fluxer_rx.bus.bus_options import RedisBus  # noqa: E402
from fluxer_rx.bus.dedup import DedupReader  # noqa: E402
from fluxer_rx.bus.gateway_process import GatewayProcess  # noqa: E402
from fluxer_rx.bus.lease_keeper import LeaseKeeper  # noqa: E402
from fluxer_rx.bus.publisher import FramePublisher  # noqa: E402
from fluxer_rx.bus.redis_broker import RedisBroker, RedisBrokerOptions  # noqa: E402
from fluxer_rx.bus.worker import StreamWorker  # noqa: E402
from fluxer_rx.cache import Cache  # noqa: E402
from fluxer_rx.gateway.url import gateway_url_with_query  # noqa: E402
from fluxer_rx.models import MessageCreate  # noqa: E402
from fluxer_rx.models.frame import decode_frame  # noqa: E402
from fluxer_rx.pipeline import EventPipeline  # noqa: E402
from fluxer_rx.sandbox import Sandbox  # noqa: E402
from fluxer_rx.sandbox.firehose import build_frames  # noqa: E402
from fluxer_rx.sandbox.world import World  # noqa: E402
from tests.bus.children import Child  # noqa: E402
from tests.redis_server import RedisServer  # noqa: E402

COMMAND = "python benchmarks/bench_bus.py"


def sandbox_frames(count: int) -> list[bytes]:
    """``count`` MESSAGE_CREATE frames as the sandbox gateway sends them (JSON only)."""
    world = World(seed=1, guilds=4, channels_per_guild=3, members_per_guild=20)
    framed = build_frames(world, count, 1, channel_ids=world.channel_ids[:6])
    return [f[f.index(b'{"d":') :] for f in framed]


async def publish_and_read(
    url: str, frames: list[bytes], shard: int, batch: int, coalesce: int
) -> tuple[float, float, float]:
    """Seconds from the first publish until every frame was read back once: wall time,
    this process's CPU time, and redis-server's CPU time."""
    options = RedisBrokerOptions(retention=len(frames) * 2)
    async with RedisBroker(url, options) as pub, RedisBroker(url, options) as sub:
        publisher = FramePublisher(pub, max_items=batch, coalesce=coalesce)
        reader = DedupReader(sub, shard)
        got = 0

        async def read_all() -> None:
            nonlocal got
            while got < len(frames):
                got += len((await reader.read(count=512, timeout=1.0)).entries)

        server_cpu = await _server_cpu(sub)
        start, cpu = time.perf_counter(), time.process_time()
        reading = asyncio.create_task(read_all())
        for i, frame in enumerate(frames):
            publisher.publish(FrameRecord(shard, "bench-session", i + 1, frame))
            if i % 256 == 255:
                await asyncio.sleep(0)  # a gateway receives frames between loop turns
        await publisher.flush()
        await reading
        wall, cpu = time.perf_counter() - start, time.process_time() - cpu
        return wall, cpu, await _server_cpu(sub) - server_cpu


async def _server_cpu(broker: RedisBroker) -> float:
    info = await broker.redis.info("cpu")
    return float(info["used_cpu_user"]) + float(info["used_cpu_sys"])


def _pipeline() -> tuple[EventPipeline, list[int]]:
    pipeline = EventPipeline(lambda on_issue: Cache(on_issue=on_issue), loop_stall_threshold=None)
    emitted = [0]

    def count(_: object) -> None:
        emitted[0] += 1

    pipeline.events.subscribe(count)
    return pipeline, emitted


def single_process(frames: list[bytes]) -> float:
    """Seconds for the pipeline fed directly (decode, fold, emit)."""
    pipeline, emitted = _pipeline()
    gc.collect()
    start = time.perf_counter()
    for raw in frames:
        pipeline.dispatch(decode_frame(raw))
    assert emitted[0] == len(frames)
    return time.perf_counter() - start


async def worker_process(url: str, frames: list[bytes], shard: int) -> tuple[float, float, float]:
    """Seconds for a StreamWorker to read the frames, already in the stream, into a
    pipeline until the last event was emitted: wall time, this process's CPU time, and
    redis-server's CPU time (serving the reads and commits)."""
    options = RedisBrokerOptions(retention=len(frames) * 2)
    async with RedisBroker(url, options) as broker:
        publisher = FramePublisher(broker)
        for i, frame in enumerate(frames):
            publisher.publish(FrameRecord(shard, "bench-session", i + 1, frame))
        await publisher.flush()
        pipeline, emitted = _pipeline()
        done = asyncio.Event()
        pipeline.events.subscribe(lambda _: done.set() if emitted[0] >= len(frames) else None)
        worker = StreamWorker(broker, f"bench-{shard}", pipeline, [shard], poll=0.001)
        gc.collect()
        server_cpu = await _server_cpu(broker)
        start, cpu = time.perf_counter(), time.process_time()
        running = asyncio.create_task(worker.run())
        await done.wait()
        seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
        await worker.close()
        await running
        return seconds, cpu, await _server_cpu(broker) - server_cpu


async def memory_per_frame(url: str, frames: list[bytes]) -> tuple[float, int]:
    """(bytes of ``used_memory`` per retained frame, MEMORY USAGE of the stream key)."""
    options = RedisBrokerOptions(retention=len(frames) * 2)
    async with RedisBroker(url, options) as broker:
        await broker.redis.flushall()
        before = (await broker.redis.info("memory"))["used_memory"]
        publisher = FramePublisher(broker)
        for i, frame in enumerate(frames):
            publisher.publish(FrameRecord(0, "bench-session", i + 1, frame))
        await publisher.flush()
        after = (await broker.redis.info("memory"))["used_memory"]
        usage = await broker.redis.memory_usage(broker.events_key(0), samples=0)
        return (after - before) / len(frames), int(usage or 0)


class Counter:
    """Counts MessageCreate on a client's ``events``: seconds from the first to the last."""

    def __init__(self, client: Client, target: int) -> None:
        self.client, self.target, self.count, self.start = client, target, 0, 0.0
        self.done: asyncio.Future[float] = asyncio.get_running_loop().create_future()
        client.events.subscribe(self._on_event)

    def _on_event(self, event: object) -> None:
        if type(event) is MessageCreate:
            self.count += 1
            if self.count == 1:
                self.start = time.perf_counter()
            if self.count == self.target:
                self.done.set_result(time.perf_counter() - self.start)


async def single_client(sb: Sandbox, count: int) -> float:
    """Frames/s of the single-process client on ``count`` firehose frames."""
    client = Client(ClientOptions(rest=RestOptions(api_url=sb.api_url)))
    counter = Counter(client, count)
    login = asyncio.create_task(client.login(sb.token))
    try:
        await client.wait_until_ready(timeout=20)
        gc.collect()  # as before the worker's run: no full collection owed to earlier runs
        await sb.firehose(count)
        return count / await asyncio.wait_for(counter.done, 120)
    finally:
        await client.close()
        await login


async def through_bus(sb: Sandbox, url: str, prefix: str, count: int) -> float:
    """Frames/s of a worker ``Client`` reading ``count`` firehose frames that a gateway
    process (in this process, before the worker starts) published to Redis."""
    options = RedisBrokerOptions(prefix=prefix, retention=count * 2)
    async with RedisBroker(url, options) as broker:
        process = GatewayProcess(
            broker, sb.token, gateway_url_with_query(sb.gateway_url), GatewayOptions()
        )
        running = asyncio.create_task(process.run())
        session = await asyncio.wait_for(sb.gateway.wait_for_session(), 20)
        await sb.firehose(count, session=session)
        key = broker.events_key(0)
        while await broker.redis.xlen(key) < count:  # noqa: ASYNC110  # no event to await
            await asyncio.sleep(0.01)
        await process.close()
        await running
    gc.collect()  # as before the single client's run: the gateway process's garbage gone
    bus = RedisBus(url, broker=options, snapshot_interval=None, share_rest_limits=False)
    client = Client(ClientOptions(rest=RestOptions(api_url=sb.api_url), bus=bus))
    counter = Counter(client, count)
    login = asyncio.create_task(client.login(sb.token))
    try:
        return count / await asyncio.wait_for(counter.done, 120)
    finally:
        await client.close()
        await login


async def end_to_end(url: str, count: int, runs: int) -> tuple[list[float], list[float]]:
    """(single-process frames/s, worker frames/s) per run, paired, on one sandbox."""
    single: list[float] = []
    worker: list[float] = []
    async with Sandbox(seed=1, guilds=4, record_dispatches=False) as sb:
        for run in range(runs):
            single.append(await single_client(sb, count))
            worker.append(await through_bus(sb, url, f"e2e{run}", count))
    return single, worker


async def worker_child(url: str, prefix: str, shards: str, count: str) -> None:
    """(``--worker-child``) read ``shards`` into a pipeline until ``count`` events each;
    print the first and last event's ``time.time()`` as JSON."""
    ids = [int(s) for s in shards.split(",")]
    pipeline, emitted = _pipeline()
    done = asyncio.Event()
    first = [0.0]
    target = int(count) * len(ids)

    def seen(_: object) -> None:
        if emitted[0] == 1:
            first[0] = time.time()
        if emitted[0] >= target:
            done.set()

    pipeline.events.subscribe(seen)
    options = RedisBrokerOptions(prefix=prefix, retention=target * 2)
    async with RedisBroker(url, options) as broker:
        await broker.ping()
        print("ready", flush=True)  # imported and connected: wait for the others
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
        worker = StreamWorker(broker, "bench", pipeline, ids, poll=0.001)
        running = asyncio.create_task(worker.run())
        await done.wait()
        last = time.time()
        await worker.close()
        await running
    print(json.dumps({"first": first[0], "last": last}), flush=True)


async def _worker_child(
    url: str, prefix: str, shards: str, count: int
) -> asyncio.subprocess.Process:
    args = ["--worker-child", url, prefix, shards, str(count)]
    return await asyncio.create_subprocess_exec(
        sys.executable, __file__, *args, stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE, cwd=ROOT,
    )  # fmt: skip


async def workers_scale(
    url: str, frames: list[bytes], runs: int
) -> tuple[list[float], list[float]]:
    """(one worker process on two shards, two worker processes on one each) frames/s."""
    one: list[float] = []
    two: list[float] = []
    for run in range(runs):
        for layout, out in ((["0,1"], one), (["0", "1"], two)):
            prefix = f"scale{run}{len(layout)}"
            options = RedisBrokerOptions(prefix=prefix, retention=len(frames) * 2)
            async with RedisBroker(url, options) as broker:
                publisher = FramePublisher(broker)
                for shard in (0, 1):
                    for i, frame in enumerate(frames):
                        publisher.publish(FrameRecord(shard, "bench-session", i + 1, frame))
                await publisher.flush()
            children = [await _worker_child(url, prefix, shards, len(frames)) for shards in layout]
            for child in children:  # every child imported and connected: start together
                assert child.stdout is not None
                assert (await child.stdout.readline()).strip() == b"ready"
            for child in children:
                assert child.stdin is not None
                child.stdin.write(b"go\n")
            outputs = await asyncio.gather(*(c.communicate() for c in children))
            spans = [json.loads(out) for out, _ in outputs]
            seconds = max(s["last"] for s in spans) - min(s["first"] for s in spans)
            out.append(2 * len(frames) / seconds)
    return one, two


async def takeover(url: str, runs: int, ttl: float = 1.0) -> list[float]:
    """Seconds from ``kill -9`` of a lease holder until a contender holds the lease."""
    out: list[float] = []
    async with RedisBroker(url, RedisBrokerOptions(prefix="takeover")) as broker:
        for run in range(runs):
            name = f"worker:bench:{run}"
            holder = await Child.start("hold-lease", url, "takeover", name, ttl)
            try:
                assert (await holder.event())["event"] == "held"
                keeper = LeaseKeeper(broker, name, ttl)
                holder.signal(signal.SIGKILL)
                killed = time.monotonic()
                await asyncio.wait_for(keeper.acquire(poll=0.01), 10 * ttl)
                out.append(time.monotonic() - killed)
                await keeper.release()
            finally:
                await holder.stop()
    return out


WorkerRuns = tuple[list[float], list[tuple[float, float, float]], list[float], list[float]]
"""What the worker rows measure: the pipeline fed directly (seconds), the worker reading
the stream into a pipeline (wall, worker CPU, redis-server CPU), and the public API end to
end, single process and worker (frames/s)."""


async def measure_worker(url: str, frames: list[bytes], runs: int) -> WorkerRuns:
    """The worker vs single-process measurements, ``runs`` of each."""
    direct: list[float] = []
    through: list[tuple[float, float, float]] = []
    for run in range(runs):
        direct.append(single_process(frames))
        through.append(await worker_process(url, frames, 100 + run))
    e2e_single, e2e_worker = await end_to_end(url, len(frames), runs)
    return direct, through, e2e_single, e2e_worker


async def worker_rows(count: int, runs: int) -> None:
    """(``--only worker``) the worker vs single-process rows, nothing else."""
    frames = sandbox_frames(count)
    server = RedisServer()
    server.start()
    try:
        measured = await measure_worker(server.url, frames, runs)
    finally:
        server.cleanup()
    _print_worker_rows(count, measured)
    print(f"reproduce: {COMMAND} --frames {count} --runs {runs} --only worker")


def _print_worker_rows(count: int, measured: WorkerRuns) -> None:
    direct, through, e2e_single, e2e_worker = measured
    one = statistics.median(count / s for s in direct)
    worker = statistics.median(count / wall for wall, _, _ in through)
    one_us = statistics.median(direct) / count * 1e6  # single-threaded: wall ~ CPU
    worker_us = statistics.median(cpu for _, cpu, _ in through) / count * 1e6
    redis_us = statistics.median(cpu for _, _, cpu in through) / count * 1e6
    print(f"single process, pipeline fed direct: {one:>10,.0f} frames/s (median)")
    print(f"worker reading the stream, pipeline : {worker:>10,.0f} frames/s (median)")
    print(f"worker / single process             : {worker / one:>10.0%} (target >= 80 %)")
    print(f"  CPU per frame: single process    : {one_us:>10.1f} us")
    print(f"  CPU per frame: worker process    : {worker_us:>10.1f} us "
          f"(per-core ceiling {1e6 / worker_us:,.0f} frames/s)")  # fmt: skip
    print(f"  CPU per frame: redis-server      : {redis_us:>10.1f} us (XREAD + commits)")
    alone, bus = statistics.median(e2e_single), statistics.median(e2e_worker)
    ratios = sorted(w / a for a, w in zip(e2e_single, e2e_worker, strict=True))
    print("end to end, public API, same sandbox firehose, paired runs:")
    print(f"  single-process Client.events     : {alone:>10,.0f} frames/s (median)")
    print(f"  worker Client.events (from Redis) : {bus:>10,.0f} frames/s (median)")
    print(
        f"  worker / single process          : {statistics.median(ratios):>10.0%} "
        f"(median of paired ratios {ratios[0]:.0%}..{ratios[-1]:.0%}; target >= 80 %)"
    )


async def main_async(count: int, runs: int) -> None:
    frames = sandbox_frames(count)
    server = RedisServer()
    server.start()
    try:
        batched: list[tuple[float, float, float]] = []
        single: list[tuple[float, float, float]] = []
        small = frames[: max(1, count // 5)]  # one round trip per frame is slow
        for run in range(runs):
            batched.append(await publish_and_read(server.url, frames, 2 * run, 32, 16))
            single.append(await publish_and_read(server.url, small, 2 * run + 1, 1, 1))
        worker_measured = await measure_worker(server.url, frames, runs)
        one_worker, two_workers = await workers_scale(server.url, frames, runs)
        takeovers = await takeover(server.url, runs)
        per_frame, usage = await memory_per_frame(server.url, frames)
    finally:
        server.cleanup()
    mean_size = statistics.fmean(len(f) for f in frames)
    fast = statistics.median(count / wall for wall, _, _ in batched)
    slow = statistics.median(len(small) / wall for wall, _, _ in single)
    client_us = statistics.median(cpu for _, cpu, _ in batched) / count * 1e6
    server_us = statistics.median(cpu for _, _, cpu in batched) / count * 1e6
    base_client_us = statistics.median(cpu for _, cpu, _ in single) / len(small) * 1e6
    print(f"frames: {count} sandbox MESSAGE_CREATE, mean {mean_size:.0f} bytes; runs: {runs}")
    print(f"publish+read, batches of 32 / 2 ms : {fast:>10,.0f} frames/s (median, wall)")
    print(f"baseline, one frame per round trip : {slow:>10,.0f} frames/s (median, wall)")
    print(f"ratio                              : {fast / slow:>10.1f}x")
    print(f"client CPU per frame (pub+read)    : {client_us:>10.1f} us")
    print(f"  baseline                         : {base_client_us:>10.1f} us")
    print(f"redis-server CPU per frame         : {server_us:>10.1f} us")
    _print_worker_rows(count, worker_measured)
    m1, m2 = statistics.median(one_worker), statistics.median(two_workers)
    print(f"one worker process, 2 shards       : {m1:>10,.0f} frames/s (median)")
    print(f"two worker processes, 1 shard each : {m2:>10,.0f} frames/s (median)")
    print(f"  two / one                        : {m2 / m1:>10.2f}x (target >= 1.5x; "
          f"{os.cpu_count()} cores, shared)")  # fmt: skip
    ms = sorted(t * 1000 for t in takeovers)
    print(f"lease takeover after kill -9       : {statistics.median(ms):>10,.0f} ms (median; "
          f"{ms[0]:.0f}..{ms[-1]:.0f}; ttl 1 s)")  # fmt: skip
    print(f"memory per retained frame          : {per_frame:>10,.0f} bytes (used_memory delta)")
    print(f"  MEMORY USAGE of the stream       : {usage / count:>10,.0f} bytes per frame")
    print(f"  overhead over the frame itself   : {per_frame / mean_size:>10.2f}x")
    print(f"reproduce: {COMMAND} --frames {count} --runs {runs}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=50_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--only", choices=["worker"], help="run only these rows")
    parser.add_argument("--worker-child", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker_child:
        asyncio.run(worker_child(*args.worker_child))
        return
    if args.only == "worker":
        asyncio.run(worker_rows(args.frames, args.runs))
        return
    asyncio.run(main_async(args.frames, args.runs))


if __name__ == "__main__":
    main()
