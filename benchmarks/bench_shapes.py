"""End-to-end MESSAGE_CREATE throughput in the shapes of traffic of issue #16.

Each shape runs the sandbox firehose into the full client on the default transport
(decode, protocol, cache fold, ``client.events``) and into the naive reader (aiohttp +
``json.loads`` to dicts, each dict handed to the same subscribers in a plain loop) on the
same sandbox, so each ratio is against a baseline of the same run:

* ``1 subscriber``: one subscriber on ``client.events``, two guilds (bench_gateway's
  end-to-end row in this benchmark's pairing: same world, same single channel);
* ``100 subscribers``: a hundred plain subscribers on ``client.events`` (one counts);
* ``1,000 guilds, cold``: messages spread over a channel in each of 1,000 guilds of 10
  members (and the bot), one subscriber. Each guild's messages rotate over 8 of its
  members, the bot among them (the bot posts one message in 8, in every guild), so
  7,001 different authors post, each of the others about ``frames / 8,000`` times. The
  client waits for every guild (``wait_for_guilds``) before the firehose starts, but a
  GUILD_CREATE carries only the bot's own member (PROTOCOL.md, as the real gateway), so
  the cache holds the guilds, the bot and nothing of the other members when the
  firehose starts: every author's first post in a run stores its user and its member
  (7,000 first posts, a quarter of a 30,000-frame run). The ratio thus depends on the
  run's length (longer runs are warmer); it is the cost of a bot that meets its authors
  as they post.
* ``1,000 guilds, warm``: the same world and firehose, but each client first reads an
  uncounted firehose of ``8 x guilds`` frames on the same session (every author posts
  once), so every author's user and member are cached when the counted firehose starts:
  the steady state of a bot that has met its authors (or fetched its members). Chunking
  every guild's member list (``ClientOptions(chunk_guilds=True)``) would store the same
  records, but a full-list request per guild under the gateway's budget of 120
  payloads a minute takes over 8 minutes for 1,000 guilds, per client.
  ``1,000 guilds`` is accepted as the cold shape's former name.

Fairness: both readers have the same subscribers (the naive one counts inline, the
client's first subscriber counts); each is timed on its side from the first
MESSAGE_CREATE to the last, so connecting, the guild burst and the firehose's frame
building are not counted; the firehose goes to the session the reader just opened. One
warm-up round of each (a sixth of the frames) is not counted; then the rounds alternate
which reader goes first (the other pays for what the one before left behind, e.g. a
collection of its garbage). Each run also records the process CPU time of its window
(the in-process sandbox's writes included, the same for both): unlike wall time it does
not grow while the process waits for a core, which on a shared machine is what swings
single runs.

Reported per shape: the client's median events/s, the naive reader's, the ratio of the
medians and the median (and range) of the paired (same-round) ratios, then the CPU per
frame of each and the median of the paired CPU ratios.

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
from fluxer_rx.sandbox.gateway import Session

COMMAND = "python benchmarks/bench_shapes.py"


@dataclass(frozen=True, slots=True)
class Shape:
    """A sandbox world, how many subscribers the client has, and whether the client meets
    every author (an uncounted firehose) before the counted one."""

    name: str
    guilds: int
    members_per_guild: int
    subscribers: int
    warm: bool = False


SHAPES = {
    "1 subscriber": Shape("1 subscriber", 2, 20, 1),
    "100 subscribers": Shape("100 subscribers", 2, 20, 100),
    "1,000 guilds, cold": Shape("1,000 guilds, cold", 1000, 10, 1),
    "1,000 guilds, warm": Shape("1,000 guilds, warm", 1000, 10, 1, warm=True),
}

FIREHOSE_AUTHORS = 8
"""The firehose rotates each channel's messages over this many of its guild's members."""

FORMER_NAMES = {"1,000 guilds": "1,000 guilds, cold"}
"""Shape names of earlier versions, still accepted (the results keep the name asked for)."""


def shape_named(name: str) -> Shape:
    """The shape called ``name`` (or formerly called so)."""
    return SHAPES[FORMER_NAMES.get(name, name)]


@dataclass(frozen=True, slots=True)
class Runs:
    """Wall and process-CPU seconds of each counted run of the two readers, by round."""

    client: list[float]
    naive: list[float]
    client_cpu: list[float]
    naive_cpu: list[float]


class Counter:
    """Counts MessageCreate events; resolves ``done`` with the wall and CPU seconds from
    the first to the ``target``-th."""

    def __init__(self) -> None:
        self.count = 0
        self.target = 0
        self.start = self.cpu = 0.0
        self.done: asyncio.Future[tuple[float, float]] | None = None

    def arm(self, target: int) -> asyncio.Future[tuple[float, float]]:
        self.count, self.target = 0, target
        self.done = asyncio.get_running_loop().create_future()
        return self.done

    def on_event(self, event: object) -> None:
        if type(event) is MessageCreate:
            self.count += 1
            if self.count == 1:
                self.start, self.cpu = time.perf_counter(), time.process_time()
            if self.count == self.target and self.done is not None:
                wall = time.perf_counter() - self.start
                self.done.set_result((wall, time.process_time() - self.cpu))


def _other(event: object) -> None:
    """Every subscriber but the counter: a type test (on the naive side, of a dict)."""
    if type(event) is MessageCreate:
        pass


def newest_session(sb: Sandbox) -> Session:
    """The session of the connection that identified last (the reader's own)."""
    return sb.gateway.attached_sessions[-1]


async def client_run(
    sb: Sandbox, shape: Shape, frames: int, channels: list[str]
) -> tuple[float, float]:
    """Wall and CPU seconds from the first to the last MESSAGE_CREATE through a logged-in
    client."""
    gateway = GatewayOptions(transport=DEFAULT_TRANSPORT)
    # ready once every guild is cached
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
        if shape.warm:  # every author posts once (8 per guild, see build_frames), uncounted
            met = counter.arm(FIREHOSE_AUTHORS * shape.guilds)
            await sb.firehose(counter.target, session=newest_session(sb), channel_ids=channels)
            await asyncio.wait_for(met, 120)
        done = counter.arm(frames)
        await sb.firehose(frames, session=newest_session(sb), channel_ids=channels)
        return await asyncio.wait_for(done, 120)
    finally:
        await client.destroy()
        await task


async def naive(
    sb: Sandbox, shape: Shape, frames: int, channels: list[str]
) -> tuple[float, float]:
    """Wall and CPU seconds of the naive reader over the same firehose: aiohttp +
    ``json.loads``, each MESSAGE_CREATE's dict handed to the shape's subscribers in a
    plain loop."""
    subscribers = [_other] * (shape.subscribers - 1)
    session, ws = await naive_connect(sb)
    hose = sb.firehose(frames, session=newest_session(sb), channel_ids=channels)
    firehose = asyncio.create_task(hose)
    got = 0
    start = cpu = 0.0
    try:
        async for msg in ws:
            payload = json.loads(msg.data)
            if payload.get("t") != "MESSAGE_CREATE":
                continue
            if got == 0:
                start, cpu = time.perf_counter(), time.process_time()
            for subscriber in subscribers:
                subscriber(payload)
            got += 1
            if got == frames:
                break
        elapsed = time.perf_counter() - start, time.process_time() - cpu
        await firehose
        return elapsed
    finally:
        await ws.close()
        await session.close()


def spread_channels(sb: Sandbox, shape: Shape) -> list[str]:
    """The channels the firehose goes to: one per guild, or the world's first channel
    alone for the two-guild shapes (as bench_gateway's firehose)."""
    if shape.guilds <= 2:
        return [sb.world.channel_ids[0]]
    per_guild: dict[str, str] = {}
    for channel_id in sb.world.channel_ids:
        per_guild.setdefault(sb.world.get_channel(channel_id).guild_id, channel_id)
    return list(per_guild.values())


def shape_sandbox(shape: Shape) -> Sandbox:
    """The sandbox of ``shape`` (not started): one channel per guild beyond two guilds."""
    return Sandbox(
        guilds=shape.guilds,
        channels_per_guild=1 if shape.guilds > 2 else 3,
        members_per_guild=shape.members_per_guild,
        messages_per_channel=0,
    )


async def measure_runs(shape: Shape, frames: int, runs: int) -> Runs:
    """The counted runs of both readers on one sandbox (see the module docstring)."""
    result = Runs([], [], [], [])
    async with shape_sandbox(shape) as sb:
        channels = spread_channels(sb, shape)
        await naive(sb, shape, max(frames // 6, 1), channels)  # warm-up, not counted
        await client_run(sb, shape, max(frames // 6, 1), channels)
        for round_ in range(runs):
            order = ("naive", "client") if round_ % 2 == 0 else ("client", "naive")
            for reader in order:
                if reader == "naive":
                    wall, cpu = await naive(sb, shape, frames, channels)
                    result.naive.append(wall)
                    result.naive_cpu.append(cpu)
                else:
                    wall, cpu = await client_run(sb, shape, frames, channels)
                    result.client.append(wall)
                    result.client_cpu.append(cpu)
    return result


async def measure_shape(shape: Shape, frames: int, runs: int) -> tuple[list[float], list[float]]:
    """Wall seconds per counted run of the client and of the naive reader, by round."""
    result = await measure_runs(shape, frames, runs)
    return result.client, result.naive


async def measure(
    frames: int, runs: int, shapes: list[str] | None = None
) -> dict[str, tuple[list[float], list[float]]]:
    """Per shape name: (client seconds per run, naive seconds per run)."""
    return {name: await measure_shape(shape_named(name), frames, runs) for name in shapes or SHAPES}


def paired(client: list[float], naive_s: list[float]) -> list[float]:
    """Each round's naive seconds over the client's: > 1 when the client is faster."""
    return [n / c for n, c in zip(naive_s, client, strict=True)]


def ratios(client: list[float], naive_s: list[float]) -> tuple[float, float]:
    """(ratio of the medians, median of the paired ratios): > 1 when the client is faster."""
    of_medians = statistics.median(naive_s) / statistics.median(client)
    return of_medians, statistics.median(paired(client, naive_s))


async def measure_all(frames: int, runs: int, shapes: list[str]) -> dict[str, Runs]:
    return {name: await measure_runs(shape_named(name), frames, runs) for name in shapes}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=30_000)
    parser.add_argument("--runs", type=int, default=5)
    names = [*SHAPES, *FORMER_NAMES]
    parser.add_argument("--shapes", nargs="*", choices=names, default=list(SHAPES))
    args = parser.parse_args()
    results = asyncio.run(measure_all(args.frames, args.runs, args.shapes))
    n = args.frames
    print(f"MESSAGE_CREATE end to end on {DEFAULT_TRANSPORT}, {n} frames x {args.runs} "
          "rounds, alternated, after a warm-up (medians):")
    for name, r in results.items():
        of_medians, in_pairs = ratios(r.client, r.naive)
        each = paired(r.client, r.naive)
        cpu = statistics.median(paired(r.client_cpu, r.naive_cpu))
        print(f"  {name:16s} client {n / statistics.median(r.client):>9,.0f} events/s  "
              f"naive {n / statistics.median(r.naive):>9,.0f} events/s  "
              f"x{of_medians:.2f} / x{in_pairs:.2f} paired (x{min(each):.2f}..x{max(each):.2f})")
        print(f"  {'':16s} CPU per frame: client {statistics.median(r.client_cpu) / n * 1e6:.2f} us"
              f"  naive {statistics.median(r.naive_cpu) / n * 1e6:.2f} us"
              f"  x{cpu:.2f} paired")
    shapes = " ".join(f"'{s}'" for s in args.shapes)
    print(f"reproduce: {COMMAND} --frames {n} --runs {args.runs} --shapes {shapes}")


if __name__ == "__main__":
    main()
    sys.exit(0)
