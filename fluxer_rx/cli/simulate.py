"""``fluxer-rx record OUT --simulate SECONDS``: a simulated recording, without a network.

Writes ``SECONDS`` of a seeded community (``--seed``; ``--rate``: mean traffic steps per
second) with :func:`fluxer_rx.sandbox.simulate.simulate_recording`, on a simulated clock,
so an hour takes a second or two; then prints what was written in two lines (frames,
messages, joins and leaves; the raid's minute and the polls). As a live recording does, it
writes ``OUT.partial`` and renames it to ``OUT`` only once the file is complete.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import time
from datetime import timedelta
from typing import Final

from fluxer_rx.cli.arguments import fail

__all__ = ["DEFAULT_SIMULATED_RATE", "MAX_SIMULATED_SECONDS", "run_simulated_record", "seconds"]

DEFAULT_SIMULATED_RATE: Final = 4.0
"""Mean traffic steps per second of a simulation unless ``--rate`` says otherwise."""
MAX_SIMULATED_SECONDS: Final = 7 * 86400
"""A week: the longest simulation (an hour is about 13 MB)."""


def seconds(value: str) -> float:
    """``--simulate``: a number of simulated seconds, 60 up to a week."""
    try:
        number = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {value!r}") from None
    if not 60 <= number <= MAX_SIMULATED_SECONDS:
        raise argparse.ArgumentTypeError(
            f"must be 60..{MAX_SIMULATED_SECONDS} seconds of simulated time, not {value}"
        )
    return number


def run_simulated_record(args: argparse.Namespace) -> int:
    """Write the simulated recording ``args.out``; 0 when written, 1 when the file could
    not be written, 2 for options that do not apply to a simulation."""
    from fluxer_rx.sandbox.simulate import simulate_recording

    prog = f"fluxer-rx {args.command}"
    if args.api is not None or args.gateway is not None:
        return fail(prog, "--simulate writes a simulated recording: no --api/--gateway", 2)
    seed = args.seed if args.seed is not None else 0
    rate = args.rate if args.rate is not None else DEFAULT_SIMULATED_RATE
    partial = f"{args.out}.partial"
    began = time.perf_counter()
    try:
        truth = simulate_recording(partial, seconds=args.simulate, seed=seed, rate=rate)
        os.replace(partial, args.out)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.remove(partial)
        return fail(prog, f"cannot write {args.out}: {exc.strerror or exc}", 1)
    took = time.perf_counter() - began
    messages = sum(truth.messages_per_minute)
    print(
        f"wrote {args.out}: {args.simulate:g} s simulated from {truth.started_at:%Y-%m-%d %H:%M}"
        f" UTC (seed {seed}) in {took:.1f} s: {truth.frames} frames, {messages} messages,"
        f" {truth.joins} joins, {truth.leaves} leaves"
    )
    raid = truth.raid
    raid_line = (
        "no raid"
        if raid is None
        else f"raid at minute {int(raid.start // 60)}"
        f" ({truth.started_at + timedelta(seconds=raid.start):%H:%M} UTC):"
        f" {len(raid.raiders)} new accounts posted {raid.messages} messages"
        f" in channel {raid.channel_id}"
    )
    print(f"{raid_line}; {len(truth.polls)} reaction polls")
    return 0
