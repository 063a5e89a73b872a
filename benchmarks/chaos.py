"""Chaos: seeded runs of a Client against the sandbox under network, server and REST faults,
each checked by accounting against what the server logged (see ``tests/chaos_harness.py``
for the faults and the checks).

Run ``i`` uses seed ``--seed + i``; everything random in it derives from that seed, so a
failing run is replayed with ``--seed <its seed> --runs 1`` (same transport, shards and
fault plan; the network's timing is the machine's). One line per run, then a summary with
the exact command; exit status 1 when any run failed.

Run:  python benchmarks/chaos.py --runs 100 --seed 1 [--transport aiohttp|websockets|picows|all]
                                 [--profile full|quick]
      python benchmarks/chaos.py --cut-trials 20 --cut-seconds 2,8 [--transport ...]
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import shlex
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from fluxer_rx.options import Transport  # noqa: E402  # needs the repository root on sys.path
from tests.chaos_harness import (  # noqa: E402
    PROFILES,
    TRANSPORTS,
    loop_errors,
    run_chaos,
    run_cut_trial,
)


def _transport(value: str) -> Transport | None:
    if value in ("all", "both"):  # "both" from when there were two
        return None
    if value not in TRANSPORTS:
        raise argparse.ArgumentTypeError(f"transport must be one of {', '.join(TRANSPORTS)} or all")
    return value


async def chaos(runs: int, seed: int, transport: Transport | None, profile: str) -> int:
    """Run the chaos runs; return the number of failed runs."""
    failed: list[int] = []
    with loop_errors() as errors:
        for i in range(runs):
            before = len(errors)
            result = await run_chaos(seed + i, PROFILES[profile], transport=transport)
            result.failures.extend(f"event loop: {e}" for e in errors[before:])
            print(result.line(), flush=True)
            if not result.passed:
                failed.append(result.seed)
                for failure in result.failures:
                    print(f"    {failure}", flush=True)
                print(f"    replay: {result.replay_command(transport)}", flush=True)
    print(f"\nchaos: {runs - len(failed)}/{runs} runs passed (profile {profile})")
    if failed:
        print(f"failed seeds: {' '.join(map(str, failed))}")
    return len(failed)


async def cut_trials(trials: int, lengths: list[float], transports: list[Transport]) -> int:
    """Run the cut trials; return the number of sessions lost."""
    lost_total = 0
    with loop_errors() as errors:
        for transport in transports:
            for seconds in lengths:
                lost = 0
                recoveries: list[float] = []
                for i in range(trials):
                    trial = await run_cut_trial(1000 + i, transport, seconds)
                    recoveries.append(trial.recovery)
                    if not trial.resumed:
                        lost += 1
                    if trial.failures or not trial.resumed:
                        print(
                            f"    {transport} {seconds:g}s trial {i}: resumed={trial.resumed} "
                            f"{'; '.join(trial.failures)}",
                            flush=True,
                        )
                lost_total += lost
                slowest = max(recoveries) if recoveries else float("nan")
                print(
                    f"cut {seconds:g}s {transport:<10s}: {lost}/{trials} lost the session, "
                    f"back within {slowest:.2f}s of the network (slowest)",
                    flush=True,
                )
        for error in errors:
            print(f"    event loop: {error}")
            lost_total += 1
    return lost_total


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=100)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--transport", type=_transport, default=None)
    parser.add_argument("--profile", choices=sorted(PROFILES), default="full")
    parser.add_argument("--cut-trials", type=int, default=0, metavar="N")
    parser.add_argument("--cut-seconds", default="2,8", metavar="S,S")
    parser.add_argument("--log", default="CRITICAL", help="log level of fluxer_rx")
    args = parser.parse_args()
    logging.basicConfig(level=args.log)
    command = "python benchmarks/chaos.py " + shlex.join(sys.argv[1:])
    started = time.monotonic()
    if args.cut_trials:
        lengths = [float(x) for x in args.cut_seconds.split(",")]
        transports = list(TRANSPORTS) if args.transport is None else [args.transport]
        bad = asyncio.run(cut_trials(args.cut_trials, lengths, transports))
    else:
        bad = asyncio.run(chaos(args.runs, args.seed, args.transport, args.profile))
    print(f"{time.monotonic() - started:.0f} s; command: {command}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
