"""Benchmark: typed decoding of MESSAGE_CREATE frames against ``json.loads`` to dicts.

Builds N distinct, realistic MESSAGE_CREATE gateway frames (about 900 bytes each: author,
guild member, a mention, empty attachment/embed/sticker lists), then times, in the same
process and on the same frames:

* typed: ``decode_frame(frame).event`` -- envelope plus the fully decoded ``MessageCreate``;
* baseline: ``json.loads(frame)`` -- the whole frame to plain dicts.

Both run alternately ``--repeats`` times; the median rates, the ratio of the medians and the
median of the per-repeat ratios are printed.

Run:  python benchmarks/bench_decode.py [--frames 100000] [--repeats 5]
"""

from __future__ import annotations

import argparse
import gc
import json
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

from fluxer_rx.models import MessageCreate, decode_frame


def make_frame(i: int) -> bytes:
    """One MESSAGE_CREATE frame as the gateway sends it (compact JSON, sorted keys)."""
    guild_id = str(1400000000000000000 + i % 7)
    author_id = str(1300000000000000000 + i % 1000)
    d: dict[str, Any] = {
        "id": str(1500000000000000000 + i),
        "channel_id": str(1410000000000000000 + i % 50),
        "guild_id": guild_id,
        "channel_type": 0,
        "type": 0,
        "flags": 0,
        "content": f"message {i}: the quick brown fox <@{author_id}>",
        "timestamp": "2026-11-27T18:00:00.123000+00:00",
        "edited_timestamp": None,
        "pinned": False,
        "mention_everyone": False,
        "tts": False,
        "author": {
            "id": author_id,
            "username": f"user{i % 1000}",
            "discriminator": "0001",
            "global_name": f"User {i % 1000}",
            "avatar": "a1b2c3d4e5f60718293a4b5c6d7e8f90",
            "avatar_color": 3447003,
            "flags": 0,
        },
        "member": {
            "nick": None,
            "avatar": None,
            "roles": [str(1420000000000000000 + i % 5), str(1420000000000000100)],
            "joined_at": "2026-01-08T12:00:00.000000+00:00",
            "mute": False,
            "deaf": False,
        },
        "mentions": [
            {
                "id": author_id,
                "username": f"user{i % 1000}",
                "discriminator": "0001",
                "global_name": None,
                "avatar": None,
                "avatar_color": None,
                "flags": 0,
            }
        ],
        "mention_roles": [],
        "attachments": [],
        "embeds": [],
        "stickers": [],
        "nonce": str(i),
    }
    frame = {"d": d, "op": 0, "s": i + 1, "t": "MESSAGE_CREATE"}
    return json.dumps(frame, separators=(",", ":"), sort_keys=True).encode()


def typed(frames: list[bytes]) -> None:
    for raw in frames:
        event = decode_frame(raw).event
        if not isinstance(event, MessageCreate):  # keeps the result used and checked
            raise AssertionError(type(event))


def baseline(frames: list[bytes]) -> None:
    loads = json.loads
    for raw in frames:
        loads(raw)


def timed(fn: Callable[[list[bytes]], None], frames: list[bytes]) -> float:
    """Frames per second of one run over ``frames``, with the GC paused while timing."""
    gc.collect()
    gc.disable()
    try:
        start = time.perf_counter()
        fn(frames)
        elapsed = time.perf_counter() - start
    finally:
        gc.enable()
    return len(frames) / elapsed


def measure(count: int, repeats: int) -> tuple[list[float], list[float], float]:
    """Rates (frames/s) of each repeat, typed and baseline, and the mean frame size."""
    frames = [make_frame(i) for i in range(count)]
    size = statistics.mean(len(f) for f in frames)
    typed(frames[:1000])  # warm-up: decoder construction, caches
    baseline(frames[:1000])

    # interleaved, so that load from other processes hits both sides alike
    typed_rates, json_rates = [], []
    for _ in range(repeats):
        typed_rates.append(timed(typed, frames))
        json_rates.append(timed(baseline, frames))
    return typed_rates, json_rates, size


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args(argv)

    typed_rates, json_rates, size = measure(args.frames, args.repeats)
    ratios = [t / j for t, j in zip(typed_rates, json_rates, strict=True)]
    typed_rate = statistics.median(typed_rates)
    json_rate = statistics.median(json_rates)
    print(f"frames: {args.frames} MESSAGE_CREATE, mean {size:.0f} bytes; median of {args.repeats}")
    print(f"typed  decode_frame(f).event : {typed_rate:12,.0f} frames/s")
    print(f"json.loads to dicts          : {json_rate:12,.0f} frames/s")
    print(f"ratio of the medians         : {typed_rate / json_rate:12.2f}x  (target >= 3x)")
    print(f"median of per-repeat ratios  : {statistics.median(ratios):12.2f}x")
    print(
        f"python {sys.version.split()[0]}; command: python benchmarks/bench_decode.py "
        f"--frames {args.frames} --repeats {args.repeats}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
