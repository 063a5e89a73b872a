"""Firehose benchmark: how fast a raw aiohttp websocket reader drains the sandbox firehose.

The sandbox writes N pre-encoded MESSAGE_CREATE frames to one session in large batches;
the reader counts frames without decoding them. The baseline, run in the same process on
the same firehose, decodes every frame with ``json.loads``. Medians over ``--repeats``
runs. The sandbox's own write rate is printed to show it is not the bottleneck.

    python benchmarks/bench_firehose.py --frames 50000 --repeats 5
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import time
from collections.abc import Callable

import aiohttp

from fluxer_rx.sandbox import Sandbox

PROPERTIES = {"os": "linux", "browser": "bench", "device": "bench"}


async def read_firehose(
    sb: Sandbox, frames: int, handle: Callable[[str], object]
) -> tuple[float, float]:
    """Return (reader frames/s, sandbox write frames/s) for one firehose of ``frames``."""
    async with aiohttp.ClientSession() as http:
        ws = await http.ws_connect(f"{sb.gateway_url}/?v=1&encoding=json", max_msg_size=0)
        await ws.receive()  # HELLO
        await ws.send_str(json.dumps({"op": 2, "d": {"token": sb.token, "properties": PROPERTIES}}))
        for _ in range(1 + len(sb.guild_ids)):  # READY and the guild burst
            await ws.receive()
        fire = asyncio.create_task(sb.firehose(frames))
        msg = await ws.receive()
        start = time.perf_counter()
        handle(msg.data)
        for _ in range(frames - 1):
            msg = await ws.receive()
            if msg.type != aiohttp.WSMsgType.TEXT:
                raise RuntimeError(f"firehose interrupted: {msg.type} {msg.data}")
            handle(msg.data)
        elapsed = time.perf_counter() - start
        result = await fire
        await ws.close()
    return (frames - 1) / elapsed, result.frames_per_second


async def main(frames: int, repeats: int, seed: int) -> None:
    raw_rates: list[float] = []
    json_rates: list[float] = []
    write_rates: list[float] = []
    async with Sandbox(seed=seed, guilds=1, record_dispatches=False) as sb:
        await read_firehose(sb, min(frames, 2000), lambda data: None)  # warm-up
        for _ in range(repeats):
            rate, written = await read_firehose(sb, frames, lambda data: None)
            raw_rates.append(rate)
            write_rates.append(written)
            rate, written = await read_firehose(sb, frames, json.loads)
            json_rates.append(rate)
            write_rates.append(written)
    raw, decoded = statistics.median(raw_rates), statistics.median(json_rates)
    print(f"frames per run:                 {frames} (MESSAGE_CREATE), {repeats} runs each")
    print(f"raw aiohttp reader (no decode): {raw:,.0f} frames/s (median)")
    print(f"baseline, json.loads per frame: {decoded:,.0f} frames/s (median)")
    print(f"ratio raw / baseline:           {raw / decoded:.2f}x")
    print(
        f"sandbox write rate (*):         {statistics.median(write_rates):,.0f} frames/s (median)"
    )
    print("* first write until the socket buffer drained, waits for the reader included")
    command = "python benchmarks/bench_firehose.py"
    print(f"command: {command} --frames {frames} --repeats {repeats} --seed {seed}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--frames", type=int, default=50_000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    if args.frames < 2 or args.repeats < 1:
        sys.exit("--frames must be >= 2 and --repeats >= 1")
    asyncio.run(main(args.frames, args.repeats, args.seed))
