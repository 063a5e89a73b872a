"""Serve a sandbox from the command line (``fluxer-rx sandbox --port N``) until interrupted."""

from __future__ import annotations

import asyncio
import contextlib
import signal
import sys
from typing import TextIO

from fluxer_rx.sandbox.arguments import check_rate
from fluxer_rx.sandbox.server import Sandbox

__all__ = ["serve"]


async def serve(
    sandbox: Sandbox,
    *,
    traffic_rate: float | None = None,
    bursts: bool = True,
    out: TextIO = sys.stdout,
    stop: asyncio.Event | None = None,
) -> None:
    """Start ``sandbox``, print its URLs and bot token (and ``sandbox-user``'s id and token
    when it was built with ``other_user=True``), serve until ``stop`` is set or
    SIGINT/SIGTERM arrives, then shut down cleanly.

    With ``traffic_rate`` (mean steps per second; ``None`` or 0: none) the seeded traffic
    generator runs, in bursts around that mean unless ``bursts`` is False (traffic the
    sandbox was built to start is left as it is). A negative or non-finite
    ``traffic_rate`` raises ``ValueError`` before anything starts.
    """
    check_rate("traffic_rate", traffic_rate)
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            loop.add_signal_handler(sig, stop.set)
    try:
        async with sandbox as sb:
            print(f"gateway: {sb.gateway_url}/?v=1&encoding=json", file=out)
            print(f"api:     {sb.api_url}", file=out)
            print(f"token:   {sb.token}", file=out)
            print(f"guilds:  {', '.join(sb.guild_ids)}", file=out)
            print(f"channels: {', '.join(sb.channel_ids)}", file=out)
            if sb.world.other_user is not None:
                print(f"user:    {sb.world.other_user.username} {sb.other_user_id}", file=out)
                print(f"user token: {sb.other_user_token}", file=out)
            out.flush()
            if traffic_rate and not sb.traffic.running:
                sb.start_traffic(rate=traffic_rate, bursts=bursts)
            await stop.wait()
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
                loop.remove_signal_handler(sig)
