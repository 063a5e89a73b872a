"""``fluxer-rx gateway --redis URL --shard-count N [--shards 0-7]``: a scale-out's gateway
process, run until SIGINT/SIGTERM (exit 0 with one summary line).

The bot token comes from the ``FLUXER_TOKEN`` environment variable, never from the
command line. The gateway URL is ``--gateway`` or, when not given, asked of the API at
``--api`` (default: Fluxer's). Exit codes: 0 stopped by a signal, 1 the run failed (Redis
or the API unreachable, the token refused), 2 bad usage; every failure is one line.
"""

from __future__ import annotations

import argparse
import asyncio
import os

from fluxer_rx.bus.bus_options import RedisBus, parse_shard_range
from fluxer_rx.bus.errors import BrokerUnavailable
from fluxer_rx.cli.arguments import fail
from fluxer_rx.cli.commands import _until_interrupted
from fluxer_rx.errors import FluxerError
from fluxer_rx.gateway.options import GatewayOptions
from fluxer_rx.rest.options import DEFAULT_API_URL, RestOptions

__all__ = ["run_gateway_command", "shard_range"]

_PROG = "fluxer-rx gateway"
TOKEN_ENV = "FLUXER_TOKEN"


def shard_range(value: str) -> tuple[int, ...]:
    """``--shards``: ``0-7``, ``3`` or ``0-3,8``."""
    try:
        return parse_shard_range(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


async def _run(token: str, bus: RedisBus, args: argparse.Namespace, stop: asyncio.Event) -> str:
    from fluxer_rx.bus.gateway_run import run_gateway

    summary = await run_gateway(
        token,
        bus,
        gateway=GatewayOptions(url=args.gateway),
        rest=RestOptions(api_url=args.api or DEFAULT_API_URL),
        stop=stop,
    )
    return str(summary)


def run_gateway_command(args: argparse.Namespace) -> int:
    """Run the gateway process described by ``args`` until a signal (see the module)."""
    token = os.environ.get(TOKEN_ENV, "").strip()
    if not token:
        return fail(_PROG, f"set the bot token in the {TOKEN_ENV} environment variable", 2)
    try:
        from fluxer_rx.bus.redis_broker import RedisBrokerOptions

        bus = RedisBus(
            args.redis,
            shard_count=args.shard_count,
            shards=args.shards,
            lease_ttl=args.lease_ttl,
            batch_size=args.batch_size,
            broker=RedisBrokerOptions(prefix=args.prefix, retention=args.retention),
        )
    except ImportError:
        return fail(_PROG, "the redis package is missing: pip install 'fluxer_rx[redis]'", 2)
    except ValueError as exc:
        return fail(_PROG, str(exc), 2)
    try:
        line = _until_interrupted(lambda stop: _run(token, bus, args, stop))
    except (FluxerError, BrokerUnavailable, OSError, TimeoutError, ValueError) as exc:
        return fail(_PROG, str(exc) or type(exc).__name__, 1)
    print(f"{_PROG}: {line}", flush=True)
    return 0
