"""Benchmark: the event-time operators alone, against their code at another revision, in
the same run.

Decodes N MESSAGE_CREATE events once (the recording of ``bench_event_time.py``: one a
millisecond, snowflakes carrying their time), then, in alternating rounds, pushes them
through ``count_by("channel_id", 1.0)`` and ``window_by_event_time(1.0)`` (both
subscribed, as in ``bench_event_time.py``; with ``--idle``, both with ``idle=1.0`` on a
virtual clock) of this tree and of ``fluxer_rx/operators/event_time.py`` at ``--baseline``
(read with ``git show``). Each round checks that both versions emitted the same windows.

Prints the median CPU time per event of both operators together, for each version, and
the ratio (this tree / baseline; below 1 is faster), and the command.

Run:  python benchmarks/bench_event_time_operators.py [--baseline 9864b92] [--idle]
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import importlib.util
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import ModuleType
from typing import Any

from bench_event_time import write_recording
from reactivex import Observable, abc

from fluxer_rx import Client
from fluxer_rx.models import MessageCreate
from fluxer_rx.operators import event_time as current
from fluxer_rx.replay import VirtualClock

ROOT = Path(__file__).resolve().parent.parent
BASELINE = "9864b92"  # the commit before the operators' fast paths (#18)
START = 1_796_126_400.0  # the recording's start


def baseline_module(revision: str, folder: str) -> ModuleType:
    """``fluxer_rx/operators/event_time.py`` at ``revision``, loaded as a module."""
    source = subprocess.run(
        ["git", "show", f"{revision}:fluxer_rx/operators/event_time.py"],
        cwd=ROOT,
        check=True,
        capture_output=True,
    ).stdout
    path = os.path.join(folder, "event_time_baseline.py")
    Path(path).write_bytes(source)
    name = "fluxer_rx.operators.event_time_baseline"
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def decoded_events(path: str) -> list[MessageCreate]:
    events: list[MessageCreate] = []

    async def replay() -> None:
        client = Client()
        client.events.subscribe(lambda e: events.append(e) if type(e) is MessageCreate else None)
        await client.replay(path)

    asyncio.run(replay())
    return events


def run(module: Any, events: list[MessageCreate], idle: bool) -> tuple[float, list[Any]]:
    """CPU seconds to push ``events`` through both operators of ``module``; what they
    emitted (window bounds and sizes, counts)."""
    observers: list[abc.ObserverBase[Any]] = []
    source: Observable[Any] = Observable(lambda o, _s=None: observers.append(o))
    out: list[Any] = []
    clock = VirtualClock(START)
    options = {"idle": 1.0} if idle else {}
    source.pipe(module.count_by("channel_id", 1.0, **options)).subscribe(
        lambda c: out.append((c.start, c.counts)), scheduler=clock
    )
    source.pipe(module.window_by_event_time(1.0, **options)).subscribe(
        lambda w: out.append((w.start, w.end, len(w.items))), scheduler=clock
    )
    counts, windows = observers
    start = time.process_time()
    for event in events:
        counts.on_next(event)
        windows.on_next(event)
    counts.on_completed()
    windows.on_completed()
    return time.process_time() - start, out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=50_000)
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--baseline", default=BASELINE, help="git revision to compare with")
    parser.add_argument("--idle", action="store_true", help="idle=1.0 on a virtual clock")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        baseline = baseline_module(args.baseline, folder)
        path = os.path.join(folder, "bench.jsonl")
        write_recording(path, args.frames, 1000)
        events = decoded_events(path)
    seconds: dict[str, list[float]] = {"this tree": [], "baseline": []}
    for _ in range(args.rounds):
        outputs = []
        for name, module in (("baseline", baseline), ("this tree", current)):
            gc.collect()
            elapsed, out = run(module, events, args.idle)
            seconds[name].append(elapsed)
            outputs.append(out)
        assert outputs[0] == outputs[1], "the two versions emitted different windows"
    per_event = {name: statistics.median(s) * 1e6 / len(events) for name, s in seconds.items()}
    ratios = [a / b for a, b in zip(seconds["this tree"], seconds["baseline"], strict=True)]
    print(
        f"{len(events)} MESSAGE_CREATE events through count_by + window_by_event_time"
        f"{' (idle=1.0, virtual clock)' if args.idle else ''}, {args.rounds} alternating"
        " rounds, CPU time"
    )
    print(f"  baseline ({args.baseline}): median {per_event['baseline']:.3f} us per event")
    print(f"  this tree:          median {per_event['this tree']:.3f} us per event")
    print(f"  ratio (this tree / baseline): {statistics.median(ratios):.2f}")
    print(
        "command: python benchmarks/bench_event_time_operators.py"
        f" --frames {args.frames} --rounds {args.rounds} --baseline {args.baseline}"
        f"{' --idle' if args.idle else ''}"
    )


if __name__ == "__main__":
    main()
