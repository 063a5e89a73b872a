"""Benchmark: replay on recorded time (a virtual clock) with two windowed operators,
against the as-fast-as-possible replay of the same recording, in the same run.

Writes a recording of N MESSAGE_CREATE frames (about 700 bytes each) received at a steady
``--rate`` per second, each with a snowflake carrying its recorded time, then times, in
alternating rounds on a fresh client and loop each:

* plain: ``await client.replay(path)`` as fast as possible, one subscriber on ``events``;
* clock only: the same with ``clock="recorded"`` (what the virtual clock itself costs);
* event time: ``await client.replay(path, clock="recorded")`` with two windowed
  operators over ``of_type(MessageCreate)``: ``window_by_event_time(1.0, idle=1.0)`` and
  ``count_by("channel_id", 1.0, idle=1.0)`` (their idle timers run on the clock);
* event time, kept: the same with every window kept by its subscriber to the end of the
  run (so no event is freed during it: the consumer's memory, shown apart);
* processing time: the same with reactivex's ``buffer_with_time(1.0)`` (its windows are
  the virtual clock's timers) instead of ``count_by``.

Each round checks that both operators saw every frame, in ``N / rate`` one-second windows.

Times are CPU time of this process (``time.process_time``: a replay does no waiting, and
on a shared machine wall time mostly measures the neighbours). Prints the median rates
(frames/s) of each, the median of the per-round ratios (recorded / plain), and the
command. Targets: >= 150,000 frames/s recorded and >= 0.60
of plain.

Run:  python benchmarks/bench_event_time.py [--frames 50000] [--rate 1000] [--rounds 5]
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
from datetime import datetime

import msgspec
from bench_replay import message_payload
from reactivex import operators as ops

from fluxer_rx import Client
from fluxer_rx.models import MessageCreate
from fluxer_rx.models.snowflake import FLUXER_EPOCH
from fluxer_rx.operators import EventWindow, count_by, of_type, window_by_event_time

STARTED_MS = 1_796_126_400_000  # 2026-12-01T12:00:00Z, an exact second


def frame_line(i: int, rate: int) -> bytes:
    """Frame ``i`` of the recording: received at ``(i + 0.5) / rate`` s, created then."""
    at = (i + 0.5) / rate
    snowflake = str(((STARTED_MS + int(at * 1000) - FLUXER_EPOCH) << 22) | (i & 0xFFF))
    d = message_payload(i, message_id=snowflake, timestamp="2026-12-01T12:00:00.000000+00:00")
    entry = {"at": round(at, 6), "shard": 0, "op": 0, "s": i + 1, "t": "MESSAGE_CREATE", "d": d}
    return msgspec.json.encode(entry)


def write_recording(path: str, n: int, rate: int) -> None:
    header = {
        "format": "fluxer_rx.recording",
        "version": 1,
        "gateway_version": "1",
        "started_at": "2026-12-01T12:00:00+00:00",
    }
    with open(path, "wb") as file:
        file.write(msgspec.json.encode(header) + b"\n")
        for i in range(n):
            file.write(frame_line(i, rate) + b"\n")


async def run_plain(path: str, n: int, recorded: bool = False) -> float:
    """One replay with one subscriber on ``events``: as fast as possible, or on recorded
    time (``recorded``) with nothing timed."""
    client = Client()
    client.events.subscribe(lambda _e: None)
    start = time.process_time()
    summary = await client.replay(path, clock="recorded" if recorded else None)
    elapsed = time.process_time() - start
    assert summary.dispatches == n, summary
    return elapsed


async def run_recorded(
    path: str, n: int, seconds: int, processing_time: bool, keep: bool = False
) -> float:
    """One replay on recorded time with two windowed operators: ``window_by_event_time``
    and either ``count_by`` (both event time, idle timers on the clock) or reactivex's
    ``buffer_with_time`` (processing time: its windows are the clock's timers).

    The subscriber of ``window_by_event_time`` notes each window's start and size, as the
    plain case's subscriber keeps nothing of its events; with ``keep`` it keeps every
    window, so every event stays alive to the end of the run (what that costs is the
    consumer's memory, not the replay's: reported as a row of its own)."""
    client = Client()
    sizes: list[int] = []
    kept: list[EventWindow[MessageCreate]] = []
    by_event: list[tuple[datetime, int]] = []

    def on_window(window: EventWindow[MessageCreate]) -> None:
        by_event.append((window.start, window.count))
        if keep:
            kept.append(window)

    created = client.events.pipe(of_type(MessageCreate))
    if processing_time:
        first = created.pipe(ops.buffer_with_time(1.0)).subscribe(lambda w: sizes.append(len(w)))
    else:
        counts = created.pipe(count_by("channel_id", 1.0, idle=1.0))
        first = counts.subscribe(lambda c: sizes.append(sum(c.counts.values())))
    second = created.pipe(window_by_event_time(1.0, idle=1.0)).subscribe(on_window)
    start = time.process_time()
    summary = await client.replay(path, clock="recorded")
    elapsed = time.process_time() - start
    first.dispose()
    second.dispose()
    assert summary.dispatches == n, summary
    assert sum(sizes) == n and len(sizes) >= seconds, (len(sizes), sum(sizes))
    assert sum(c for _, c in by_event) == n and len(by_event) == seconds, len(by_event)
    assert len({start for start, _ in by_event}) == seconds
    return elapsed


CASES = ("plain", "clock only", "event time", "event time, kept", "processing time")


def measure(n: int, rate: int, rounds: int) -> dict[str, list[float]]:
    """Frames/s per round of each of :data:`CASES`."""
    rates: dict[str, list[float]] = {case: [] for case in CASES}
    seconds = -(-n // rate)
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "bench.jsonl")
        write_recording(path, n, rate)
        asyncio.run(run_recorded(path, n, seconds, True))  # warm-up
        for _ in range(rounds):
            gc.collect()
            rates["plain"].append(n / asyncio.run(run_plain(path, n)))
            gc.collect()
            rates["clock only"].append(n / asyncio.run(run_plain(path, n, recorded=True)))
            gc.collect()
            rates["event time"].append(n / asyncio.run(run_recorded(path, n, seconds, False)))
            gc.collect()
            kept = asyncio.run(run_recorded(path, n, seconds, False, keep=True))
            rates["event time, kept"].append(n / kept)
            gc.collect()
            rates["processing time"].append(n / asyncio.run(run_recorded(path, n, seconds, True)))
    return rates


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=50_000)
    parser.add_argument("--rate", type=int, default=1000, help="recorded frames per second")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    rates = measure(args.frames, args.rate, args.rounds)
    print(
        f"{args.frames} MESSAGE_CREATE frames at {args.rate}/s recorded "
        f"({args.frames / args.rate:g} s), {args.rounds} alternating rounds, CPU time"
    )
    labels = {
        "plain": "plain replay, as fast as possible",
        "clock only": "recorded time, no timed operator (the clock's cost)",
        "event time": "recorded time: window_by_event_time + count_by",
        "event time, kept": "  the same, every window kept by its subscriber",
        "processing time": "recorded time: window_by_event_time + buffer_with_time",
    }
    for case in CASES:
        ratios = [r / p for r, p in zip(rates[case], rates["plain"], strict=True)]
        print(
            f"  {labels[case]:<56} median {statistics.median(rates[case]):>9,.0f} frames/s"
            f"  ratio to plain {statistics.median(ratios):.2f}"
        )
    print("  targets: >= 150,000 frames/s on recorded time, >= 0.60 of plain")
    print(
        "command: python benchmarks/bench_event_time.py"
        f" --frames {args.frames} --rate {args.rate} --rounds {args.rounds}"
    )
    sys.stdout.flush()


if __name__ == "__main__":
    main()
