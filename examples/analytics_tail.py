"""Analytics tail: every ``WINDOW`` seconds, one line with the events per second, the
busiest event types and the busiest channel (named from the cache), until Ctrl-C or
``--duration`` seconds.

    FLUXER_API=http://127.0.0.1:8765/v1 FLUXER_TOKEN=... python examples/analytics_tail.py
    # with traffic to watch: fluxer-rx sandbox --port 8765 --traffic-rate 50

A window is a ``buffer_with_time`` of ``client.events``, so its timer runs on the client's
loop and every event is counted in exactly one window.
"""

from __future__ import annotations

import argparse
import asyncio
import os
from collections import Counter
from collections.abc import Callable, Sequence

from reactivex import operators as ops

from fluxer_rx import Client, ClientOptions, RestOptions

WINDOW = 5.0  # seconds


def summary(client: Client, events: Sequence[object], window: float) -> str:
    """One line for one window of ``events``."""
    types = Counter(type(event).__name__ for event in events)
    channels = Counter(
        channel_id
        for event in events
        if isinstance(channel_id := getattr(event, "channel_id", None), str)
    )
    top_types = ", ".join(f"{name} {n}" for name, n in types.most_common(3)) or "none"
    line = f"{len(events) / window:7.1f} events/s | {top_types}"
    if channels:
        channel_id, n = channels.most_common(1)[0]
        channel = client.channels.get(channel_id)
        line += f" | busiest #{channel.name if channel is not None else channel_id} ({n})"
    return line


async def setup(
    client: Client, *, window: float = WINDOW, out: Callable[[str], None] = print
) -> None:
    """Print (``out``) one :func:`summary` line per ``window`` seconds of ``client.events``."""
    client.events.pipe(ops.buffer_with_time(window)).subscribe(
        lambda events: out(summary(client, events, window))
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--window", type=float, default=WINDOW, help="seconds per line")
    parser.add_argument("--duration", type=float, default=None, help="stop after N seconds")
    args = parser.parse_args(argv)
    api = os.environ.get("FLUXER_API", "https://api.fluxer.app/v1")
    client = Client(ClientOptions(rest=RestOptions(api_url=api)))

    stopping: set[asyncio.Task[None]] = set()

    async def start(client: Client) -> None:
        await setup(client, window=args.window)
        if args.duration is not None:
            loop = asyncio.get_running_loop()
            loop.call_later(args.duration, lambda: stopping.add(loop.create_task(client.close())))

    client.run(os.environ["FLUXER_TOKEN"], setup=start, log_level=None)


if __name__ == "__main__":
    main()
