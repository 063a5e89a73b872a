"""``fluxer-rx demo``: the sandbox and a client in one process, with a live events/s readout.

Starts a :class:`~fluxer_rx.sandbox.Sandbox`, logs a :class:`~fluxer_rx.Client` in, lets
the sandbox's seeded traffic generator act as other users (messages, edits, reactions,
typing, member changes), and prints one line per second with the events received in that
second, per type, until ``duration`` seconds have passed.
"""

from __future__ import annotations

import asyncio
import sys
import time
from collections import Counter
from typing import TextIO

from fluxer_rx.client import Client
from fluxer_rx.options import ClientOptions, RestOptions
from fluxer_rx.sandbox import Sandbox

__all__ = ["run_demo"]


async def run_demo(
    *, duration: float = 10.0, rate: float = 200.0, seed: int = 0, out: TextIO | None = None
) -> Counter[str]:
    """Run the demo; return the count of events received per type.

    ``rate`` is the generator's steps per second; ``out`` defaults to stdout.
    """
    stream = out if out is not None else sys.stdout
    totals: Counter[str] = Counter()
    second: Counter[str] = Counter()
    async with Sandbox(seed=seed) as sb:
        client = Client(ClientOptions(rest=RestOptions(api_url=sb.api_url)))

        def count(event: object) -> None:
            name = type(event).__name__
            totals[name] += 1
            second[name] += 1

        client.events.subscribe(count)
        login = asyncio.create_task(client.login(sb.token))
        try:
            await client.wait_until_ready(timeout=15)
            user = client.user
            print(
                f"sandbox at {sb.api_url}; logged in as {user.username if user else '?'};"
                f" {len(sb.guild_ids)} guilds, {len(sb.channel_ids)} channels",
                file=stream,
            )
            sb.start_traffic(rate=rate)
            started = time.monotonic()
            tick = 0
            while (elapsed := time.monotonic() - started) < duration:
                tick += 1
                await asyncio.sleep(min(1.0, max(0.0, started + tick - time.monotonic())))
                total = sum(second.values())
                top = ", ".join(f"{n} {c}" for n, c in second.most_common(4))
                at = min(elapsed + 1, duration)
                print(f"[{at:5.1f}s] {total:6d} events/s  {top}", file=stream)
                second.clear()
            await sb.stop_traffic()
        finally:
            await client.destroy()
            await login
    print(f"total: {sum(totals.values())} events", file=stream)
    return totals
