"""End-to-end MESSAGE_CREATE throughput in the shapes of traffic of issue #16.

Each shape runs the sandbox firehose into the full client on the default transport
(decode, protocol, cache fold, ``client.events``) and into the naive reader (aiohttp +
``json.loads`` to dicts, each dict handed to the same subscribers in a plain loop) in
alternated rounds on the same sandbox, so each ratio is against a baseline of the same
run:

* ``1 subscriber``: one subscriber on ``client.events``, two guilds;
* ``100 subscribers``: a hundred plain subscribers on ``client.events`` (one counts);
* ``1,000 guilds``: messages spread over a channel in each of 1,000 guilds of 10 members,
  so 10,000 different authors (about 7,000 of them post), one subscriber.

The client waits for every guild (``wait_for_guilds``) before the firehose starts, so the
messages fold into a cache that holds the guilds and their members, as in a live bot.

Reported per shape: the client's median events/s, the naive reader's, the ratio of the
medians and the median of the paired (same-round) ratios.

    python benchmarks/bench_shapes.py [--frames 30000] [--runs 5] [--shapes ...]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import time
from dataclasses import dataclass

from bench_gateway import DEFAULT_TRANSPORT, naive_connect

from fluxer_rx import Client, ClientOptions, GatewayOptions, RestOptions
from fluxer_rx.models import MessageCreate
from fluxer_rx.sandbox import Sandbox

COMMAND = "python benchmarks/bench_shapes.py"


@dataclass(frozen=True, slots=True)
class Shape:
    """A sandbox world and how many subscribers the client has."""

    name: str
    guilds: int
    members_per_guild: int
    subscribers: int


SHAPES = {
    "1 subscriber": Shape("1 subscriber", 2, 20, 1),
    "100 subscribers": Shape("100 subscribers", 2, 20, 100),
    "1,000 guilds": Shape("1,000 guilds", 1000, 10, 1),
}


class Counter:
    """Counts MessageCreate events; resolves ``done`` with the seconds from the first to
    the ``target``-th."""

    def __init__(self) -> None:
        self.count = 0
        self.target = 0
        self.start = 0.0
        self.done: asyncio.Future[float] | None = None

    def arm(self, target: int) -> asyncio.Future[float]:
        self.count, self.target = 0, target
        self.done = asyncio.get_running_loop().create_future()
        return self.done

    def on_event(self, event: object) -> None:
        if type(event) is MessageCreate:
            self.count += 1
            if self.count == 1:
                self.start = time.perf_counter()
            if self.count == self.target and self.done is not None:
                self.done.set_result(time.perf_counter() - self.start)


def _other(event: object) -> None:
    """Every subscriber but the counter: a type test (on the naive side, of a dict)."""
    if type(event) is MessageCreate:
        pass


async def client_run(sb: Sandbox, shape: Shape, frames: int, channels: list[str]) -> float:
    """Seconds from the first to the last MESSAGE_CREATE through a logged-in client."""
    gateway = GatewayOptions(transport=DEFAULT_TRANSPORT)
    # ready once every guild is cached: messages then fold into a warm cache, as live
    options = ClientOptions(
        rest=RestOptions(api_url=sb.api_url), gateway=gateway, wait_for_guilds=True
    )
    client = Client(options)
    counter = Counter()
    client.events.subscribe(counter.on_event)
    for _ in range(shape.subscribers - 1):
        client.events.subscribe(_other)
    task = asyncio.create_task(client.login(sb.token))
    try:
        await client.wait_until_ready(timeout=60)
        done = counter.arm(frames)
        await sb.firehose(frames, channel_ids=channels)
        return await asyncio.wait_for(done, 120)
    finally:
        await client.destroy()
        await task


async def naive(sb: Sandbox, shape: Shape, frames: int, channels: list[str]) -> float:
    """Seconds of the naive reader over the same firehose: aiohttp + ``json.loads``, each
    MESSAGE_CREATE's dict handed to the shape's subscribers in a plain loop."""
    subscribers = [_other] * (shape.subscribers - 1)
    session, ws = await naive_connect(sb)
    firehose = asyncio.create_task(sb.firehose(frames, channel_ids=channels))
    got = 0
    start = 0.0
    try:
        async for msg in ws:
            payload = json.loads(msg.data)
            if payload.get("t") != "MESSAGE_CREATE":
                continue
            for subscriber in subscribers:
                subscriber(payload)
            if got == 0:
                start = time.perf_counter()
            got += 1
            if got == frames:
                break
        elapsed = time.perf_counter() - start
        await firehose
        return elapsed
    finally:
        await ws.close()
        await session.close()


async def measure_shape(shape: Shape, frames: int, runs: int) -> tuple[list[float], list[float]]:
    """Seconds per run of the client and of the naive reader, alternated, same sandbox."""
    client_s: list[float] = []
    naive_s: list[float] = []
    async with Sandbox(
        guilds=shape.guilds,
        channels_per_guild=1,
        members_per_guild=shape.members_per_guild,
        messages_per_channel=0,
    ) as sb:
        per_guild: dict[str, str] = {}
        for channel_id in sb.world.channel_ids:
            per_guild.setdefault(sb.world.get_channel(channel_id).guild_id, channel_id)
        channels = list(per_guild.values())
        for _ in range(runs):
            naive_s.append(await naive(sb, shape, frames, channels))
            client_s.append(await client_run(sb, shape, frames, channels))
    return client_s, naive_s


async def measure(
    frames: int, runs: int, shapes: list[str] | None = None
) -> dict[str, tuple[list[float], list[float]]]:
    """Per shape name: (client seconds per run, naive seconds per run)."""
    return {name: await measure_shape(SHAPES[name], frames, runs) for name in shapes or SHAPES}


def ratios(client: list[float], naive_s: list[float]) -> tuple[float, float]:
    """(ratio of the medians, median of the paired ratios): > 1 when the client is faster."""
    paired = statistics.median(n / c for n, c in zip(naive_s, client, strict=True))
    return statistics.median(naive_s) / statistics.median(client), paired


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=30_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--shapes", nargs="*", choices=list(SHAPES), default=list(SHAPES))
    args = parser.parse_args()
    results = asyncio.run(measure(args.frames, args.runs, args.shapes))
    print(f"MESSAGE_CREATE end to end on {DEFAULT_TRANSPORT}, {args.frames} frames x "
          f"{args.runs} alternated rounds (medians):")
    for name, (client, naive_s) in results.items():
        of_medians, paired = ratios(client, naive_s)
        print(f"  {name:16s} client {args.frames / statistics.median(client):>9,.0f} events/s  "
              f"naive {args.frames / statistics.median(naive_s):>9,.0f} events/s  "
              f"x{of_medians:.2f} / x{paired:.2f} paired")
    shapes = " ".join(f"'{s}'" for s in args.shapes)
    print(f"reproduce: {COMMAND} --frames {args.frames} --runs {args.runs} --shapes {shapes}")


if __name__ == "__main__":
    main()
    sys.exit(0)
