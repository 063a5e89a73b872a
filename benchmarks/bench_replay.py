"""Benchmark: the cost of recording, and the speed of an offline replay.

Builds N distinct MESSAGE_CREATE gateway messages (about 700 bytes each), then times, in
the same process, alternating rounds of:

* baseline: ``client.pipeline.dispatch(decode_frame(message))`` for each message, in
  memory -- the client's own path for a received dispatch (decode, cache fold, emit),
  without sockets;
* recording: the same with a :class:`~fluxer_rx.replay.Recorder` on the client, writing
  the recording to a temporary file (stopped, so flushed and closed, inside the timing);
* replay: ``await client.replay(path)`` of that recording, as fast as possible (read
  about 64 KiB of lines at a time, decode each such block in one msgspec call, then the
  same client path). Target (#16): >= 350,000 frames/s.

Prints the median rates (frames/s), the ratio of each to the baseline (median of the
per-round ratios), and the recording cost per frame in microseconds.

Run:  python benchmarks/bench_replay.py [--frames 20000] [--rounds 5]
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import statistics
import sys
import tempfile
import time
from typing import Any

import msgspec

from fluxer_rx import Client
from fluxer_rx.models.frame import decode_frame
from fluxer_rx.replay import Recorder


def message_payload(i: int, *, message_id: str, timestamp: str) -> dict[str, Any]:
    """The ``d`` of MESSAGE_CREATE number ``i``: one of 500 authors in one of 20 channels
    (also used by ``bench_event_time.py``)."""
    author = str(1300000000000000000 + i % 500)
    return {
        "author": {
            "avatar": "a1b2c3d4e5f60718293a4b5c6d7e8f90",
            "discriminator": "0001",
            "flags": 0,
            "global_name": f"User {i % 500}",
            "id": author,
            "username": f"user{i % 500}",
        },
        "channel_id": str(1410000000000000000 + i % 20),
        "content": f"message {i}: the quick brown fox jumps over <@{author}>",
        "edited_timestamp": None,
        "flags": 0,
        "guild_id": "1400000000000000001",
        "id": message_id,
        "mention_everyone": False,
        "mentions": [],
        "pinned": False,
        "timestamp": timestamp,
        "tts": False,
        "type": 0,
    }


def make_message(i: int) -> bytes:
    """One MESSAGE_CREATE as the gateway sends it (compact JSON, sorted keys)."""
    d = message_payload(
        i, message_id=str(1500000000000000000 + i), timestamp="2026-11-27T18:00:00.123000+00:00"
    )
    return msgspec.json.encode({"d": d, "op": 0, "s": i + 1, "t": "MESSAGE_CREATE"})


def run_baseline(messages: list[bytes]) -> float:
    client = Client()
    client.events.subscribe(lambda _e: None)
    start = time.perf_counter()
    for message in messages:
        client.pipeline.dispatch(decode_frame(message))
    return time.perf_counter() - start


def run_recording(messages: list[bytes], path: str) -> float:
    client = Client()
    client.events.subscribe(lambda _e: None)
    start = time.perf_counter()
    recorder = Recorder(client, path, flush_interval=None).start()
    for message in messages:
        client.pipeline.dispatch(decode_frame(message))
    recorder.stop()
    return time.perf_counter() - start


async def run_replay(path: str, expected: int) -> float:
    client = Client()
    client.events.subscribe(lambda _e: None)
    start = time.perf_counter()
    summary = await client.replay(path)
    elapsed = time.perf_counter() - start
    assert summary.dispatches == expected, summary
    return elapsed


def measure(n: int, rounds: int) -> tuple[dict[str, list[float]], int]:
    """Frames/s per round of ``baseline``, ``recording`` and ``replay``; the file's size."""
    messages = [make_message(i) for i in range(n)]
    rates: dict[str, list[float]] = {"baseline": [], "recording": [], "replay": []}
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "bench.jsonl")
        run_recording(messages[:1000], path)  # warm-up
        for _ in range(rounds):
            gc.collect()
            rates["baseline"].append(n / run_baseline(messages))
            gc.collect()
            rates["recording"].append(n / run_recording(messages, path))
            gc.collect()
            rates["replay"].append(n / asyncio.run(run_replay(path, n)))
        size = os.path.getsize(path)
    return rates, size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    n = args.frames
    rates, size = measure(n, args.rounds)
    base = statistics.median(rates["baseline"])
    print(f"{n} MESSAGE_CREATE frames, {args.rounds} alternating rounds; recording {size:,} bytes")
    for name, values in rates.items():
        ratios = [v / b for v, b in zip(values, rates["baseline"], strict=True)]
        print(
            f"  {name:<9} median {statistics.median(values):>10,.0f} frames/s"
            f"  ratio to baseline {statistics.median(ratios):.2f}"
        )
    record_cost = 1e6 / statistics.median(rates["recording"]) - 1e6 / base
    print(f"  recording cost per frame (median rates): {record_cost:.2f} us")
    print("  target (#16): replay >= 350,000 frames/s")
    print(f"command: python benchmarks/bench_replay.py --frames {n} --rounds {args.rounds}")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
