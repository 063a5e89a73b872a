"""Paired A/B of the live hot path (#16): this tree against another, in alternated processes.

Each process imports ``fluxer_rx`` from one tree (``PYTHONPATH``) and this directory's
``bench_gateway`` (the same measuring code for both trees), starts a sandbox and measures:

* end to end, ``--rounds`` rounds of the naive reader (aiohttp + ``json.loads``) and the
  full client on ``picows`` and on ``aiohttp`` (one warm-up round not counted): process CPU
  per frame, and each client's ratio to the naive reader of the same round;
* the logged-in picows client's own receive callback (the shard's: decode, sequence check,
  fold, ``client.events`` and its subscriber; no transport), per round against
  ``json.loads`` of the same frames, so that a change of the host's speed cancels out.

The processes alternate between the trees (``before`` first in even pairs), and the
report gives, per tree, the medians, and per pair the ratio of the two trees' figures
(median and range): on this shared machine only those paired ratios say whether a change
pays. CPU per frame includes the in-process sandbox's writes, the same for every reader.

    python benchmarks/bench_gateway_ab.py --before <worktree> [--pairs 8] [--frames 30000]
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

COMMAND = "python benchmarks/bench_gateway_ab.py"
CONTENDERS = ("picows", "aiohttp")
CALLBACK = "callback / json.loads"


async def child(frames: int, rounds: int, callback_frames: int) -> dict[str, list[float]]:
    """The figures of this process's tree (see the module)."""
    import bench_gateway as bg

    from fluxer_rx.sandbox import Sandbox
    from fluxer_rx.sandbox.firehose import build_frames

    out: dict[str, list[float]] = {}

    def record(name: str, seconds: tuple[float, float]) -> None:
        out.setdefault(name, []).append(seconds[1] / frames * 1e6)

    async with Sandbox(members_per_guild=20, messages_per_channel=0) as sb:
        await bg.client_run(sb, max(frames // 6, 1), "picows")  # warm-up, not counted
        for _ in range(rounds):
            session, ws = await bg.naive_connect(sb)
            record("naive", await bg.naive_run(sb, ws, frames, decode=True))
            await ws.close()
            await session.close()
            for transport in CONTENDERS:
                record(transport, await bg.client_run(sb, frames, transport))
        callbacks: list[Callable[[bytes], None]] = []
        with bg.capturing_callbacks(callbacks):
            contender = bg.ClientContender(sb, "picows")
            await contender.login()
        on_message, session = callbacks[-1], sb.gateway.attached_sessions[-1]
        loads = json.loads
        for i in range(rounds + 1):
            raw = [bg._unframe(f) for f in build_frames(sb.world, callback_frames, session.seq + 1)]
            session.seq += callback_frames  # the sandbox's numbering stays the client's
            contender.count, contender.target = 0, callback_frames + 1  # never "done"
            gc.collect()
            t0 = time.perf_counter()
            for message in raw:
                loads(message)
            t1 = time.perf_counter()
            for message in raw:
                on_message(message)
            t2 = time.perf_counter()
            assert contender.count == callback_frames, "every frame delivered once"
            if i:  # the first round warms up
                out.setdefault("callback ns", []).append((t2 - t1) / callback_frames * 1e9)
                out.setdefault(CALLBACK, []).append((t2 - t1) / (t1 - t0))
        await contender.close()
    return out


def run_child(tree: str, args: argparse.Namespace) -> dict[str, list[float]]:
    env = dict(os.environ, PYTHONPATH=tree)
    command = [sys.executable, __file__, "--child", "--frames", str(args.frames)]
    command += ["--rounds", str(args.rounds), "--callback-frames", str(args.callback_frames)]
    done = subprocess.run(command, env=env, capture_output=True, text=True, cwd="/", check=False)
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if done.returncode or not lines:
        raise SystemExit(f"the process of {tree} failed:\n{done.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(lines[-1])
    if not result.pop("fluxer_rx").startswith(tree):
        raise SystemExit(f"the process of {tree} imported fluxer_rx from elsewhere")
    return result


def speedups(result: dict[str, list[float]], name: str) -> float:
    """The median over the rounds of naive CPU / ``name`` CPU (same round)."""
    return statistics.median(n / c for n, c in zip(result["naive"], result[name], strict=True))


def main(args: argparse.Namespace) -> None:
    here = Path(__file__).resolve().parents[1]
    trees = {"before": str(Path(args.before).resolve()), "after": str(here)}
    results: dict[str, list[dict[str, list[float]]]] = {"before": [], "after": []}
    for pair in range(args.pairs):
        order = ("before", "after") if pair % 2 == 0 else ("after", "before")
        for which in order:
            results[which].append(run_child(trees[which], args))
    print(
        f"live hot path, {args.pairs} alternated pairs of processes, {args.rounds} rounds each "
        f"({args.frames} frames end to end, {args.callback_frames} for the callback):"
    )
    for which in ("before", "after"):
        runs = results[which]
        cpu = {n: statistics.median(statistics.median(r[n]) for r in runs) for n in runs[0]}
        ratios = {t: statistics.median(speedups(r, t) for r in runs) for t in CONTENDERS}
        print(f"  {which:6s} {trees[which]}")
        print(
            "         CPU per frame: "
            + ", ".join(f"{n} {cpu[n]:.2f} us" for n in ("naive", *CONTENDERS))
        )
        print(
            "         vs naive (paired per round): "
            + ", ".join(f"{t} x{ratios[t]:.2f}" for t in CONTENDERS)
        )
        print(
            f"         live callback {cpu['callback ns']:,.0f} ns per frame, "
            f"{cpu[CALLBACK]:.3f} of json.loads"
        )
    print("after / before, per pair (median, range):")
    rows: list[tuple[str, Callable[[dict[str, list[float]]], float]]] = [
        (f"{t} speed-up vs naive", lambda r, t=t: speedups(r, t)) for t in CONTENDERS
    ]
    rows.append((f"live {CALLBACK}", lambda r: statistics.median(r[CALLBACK])))
    for label, figure in rows:
        per_pair = [
            figure(a) / figure(b) for b, a in zip(results["before"], results["after"], strict=True)
        ]
        print(
            f"  {label:34s} x{statistics.median(per_pair):.3f} "
            f"({min(per_pair):.3f}-{max(per_pair):.3f})"
        )
    print(
        f"reproduce: {COMMAND} --before {args.before} --pairs {args.pairs} "
        f"--frames {args.frames} --rounds {args.rounds}"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", help="the other tree (a git worktree)")
    parser.add_argument("--pairs", type=int, default=8)
    parser.add_argument("--frames", type=int, default=30_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--callback-frames", type=int, default=20_000)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        sys.path.insert(0, str(Path(__file__).resolve().parent))
        import fluxer_rx

        figures: Any = asyncio.run(child(args.frames, args.rounds, args.callback_frames))
        print(json.dumps({**figures, "fluxer_rx": fluxer_rx.__file__}))
    elif args.before is None:
        parser.error("--before <tree> is required")
    else:
        main(args)
