"""Serve a sandbox from the command line (``fluxer-rx sandbox --port N``) until interrupted."""

from __future__ import annotations

import asyncio
import contextlib
import signal
import sys
from typing import TextIO

from fluxer_rx.sandbox.server import Sandbox

__all__ = ["serve"]


async def serve(
    sandbox: Sandbox,
    *,
    traffic_rate: float | None = None,
    out: TextIO = sys.stdout,
    stop: asyncio.Event | None = None,
) -> None:
    """Start ``sandbox``, print its URLs and bot token, serve until ``stop`` is set or
    SIGINT/SIGTERM arrives, then shut down cleanly.

    With ``traffic_rate`` the seeded traffic generator runs at that many steps per second.
    """
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            loop.add_signal_handler(sig, stop.set)
    async with sandbox as sb:
        print(f"gateway: {sb.gateway_url}/?v=1&encoding=json", file=out)
        print(f"api:     {sb.api_url}", file=out)
        print(f"token:   {sb.token}", file=out)
        print(f"guilds:  {', '.join(sb.guild_ids)}", file=out)
        print(f"channels: {', '.join(sb.channel_ids)}", file=out)
        out.flush()
        if traffic_rate:
            sb.start_traffic(rate=traffic_rate)
        await stop.wait()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            loop.remove_signal_handler(sig)
