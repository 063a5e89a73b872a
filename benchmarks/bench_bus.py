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

    python benchmarks/bench_bus.py [--frames 50000] [--runs 3]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # for tests.redis_server
    sys.path.insert(0, str(ROOT))

from fluxer_rx.bus import FrameRecord  # noqa: E402
from fluxer_rx.bus.dedup import DedupReader  # noqa: E402
from fluxer_rx.bus.publisher import FramePublisher  # noqa: E402
from fluxer_rx.bus.redis_broker import RedisBroker, RedisBrokerOptions  # noqa: E402
from fluxer_rx.bus.worker import StreamWorker  # noqa: E402
from fluxer_rx.cache import Cache  # noqa: E402
from fluxer_rx.models.frame import decode_frame  # noqa: E402
from fluxer_rx.pipeline import EventPipeline  # noqa: E402
from fluxer_rx.sandbox.firehose import build_frames  # noqa: E402
from fluxer_rx.sandbox.world import World  # noqa: E402
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
    start = time.perf_counter()
    for raw in frames:
        pipeline.dispatch(decode_frame(raw))
    assert emitted[0] == len(frames)
    return time.perf_counter() - start


async def worker_process(url: str, frames: list[bytes], shard: int) -> float:
    """Seconds for a StreamWorker to read the frames, already in the stream, into a
    pipeline until the last event was emitted."""
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
        start = time.perf_counter()
        running = asyncio.create_task(worker.run())
        await done.wait()
        seconds = time.perf_counter() - start
        await worker.close()
        await running
        return seconds


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
        direct: list[float] = []
        through: list[float] = []
        for run in range(runs):
            direct.append(count / single_process(frames))
            through.append(count / await worker_process(server.url, frames, 100 + run))
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
    one, worker = statistics.median(direct), statistics.median(through)
    print(f"single process, pipeline fed direct: {one:>10,.0f} frames/s (median)")
    print(f"worker reading the stream, pipeline : {worker:>10,.0f} frames/s (median)")
    print(f"worker / single process             : {worker / one:>10.0%} (target >= 80 %)")
    print(f"memory per retained frame          : {per_frame:>10,.0f} bytes (used_memory delta)")
    print(f"  MEMORY USAGE of the stream       : {usage / count:>10,.0f} bytes per frame")
    print(f"  overhead over the frame itself   : {per_frame / mean_size:>10.2f}x")
    print(f"reproduce: {COMMAND} --frames {count} --runs {runs}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=50_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    asyncio.run(main_async(args.frames, args.runs))


if __name__ == "__main__":
    main()
