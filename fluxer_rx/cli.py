"""The ``fluxer-rx`` command line.

Each sub-command lives in a function ``_cmd_<name>`` registered in ``_build_parser``; the
process exit code is the function's return value.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from fluxer_rx._version import __version__

__all__ = ["main"]


def _build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="fluxer-rx", description="Reactive Fluxer client and local sandbox."
    )
    parser.add_argument("--version", action="version", version=f"fluxer-rx {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    demo = commands.add_parser(
        "demo", help="run the sandbox and a client in-process and print events/s"
    )
    demo.add_argument("--duration", type=float, default=10.0, help="seconds to run (10)")
    demo.add_argument("--rate", type=float, default=200.0, help="generated steps per second")
    demo.add_argument("--seed", type=int, default=0, help="seed of the sandbox world and traffic")
    demo.set_defaults(handler=_cmd_demo)
    sandbox = commands.add_parser(
        "sandbox", help="serve a local Fluxer-compatible gateway and REST API"
    )
    sandbox.add_argument("--port", type=int, default=0, help="TCP port on 127.0.0.1 (0: free)")
    sandbox.add_argument("--seed", type=int, default=0, help="seed of the world and traffic")
    sandbox.add_argument("--guilds", type=int, default=2, help="seeded guilds (2)")
    sandbox.add_argument("--channels", type=int, default=3, help="text channels per guild")
    sandbox.add_argument("--members", type=int, default=10, help="members per guild")
    sandbox.add_argument("--heartbeat-interval", type=float, default=41.25, help="seconds (41.25)")
    sandbox.add_argument(
        "--traffic-rate", type=float, default=None, help="generated steps per second (none)"
    )
    sandbox.set_defaults(handler=_cmd_sandbox)
    return parser


def _cmd_sandbox(args: argparse.Namespace) -> int:
    import asyncio

    from fluxer_rx.sandbox import Sandbox
    from fluxer_rx.sandbox.standalone import serve

    sandbox = Sandbox(
        seed=args.seed,
        guilds=args.guilds,
        channels_per_guild=args.channels,
        members_per_guild=args.members,
        heartbeat_interval=args.heartbeat_interval,
        port=args.port,
    )
    asyncio.run(serve(sandbox, traffic_rate=args.traffic_rate))
    return 0


def _cmd_demo(args: argparse.Namespace) -> int:
    import asyncio

    from fluxer_rx.demo import run_demo

    totals = asyncio.run(run_demo(duration=args.duration, rate=args.rate, seed=args.seed))
    return 0 if sum(totals.values()) > 0 else 1


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line with ``argv`` (default ``sys.argv[1:]``); return the exit code."""
    parser = _build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 0
    handler = args.handler
    result: int = handler(args)
    return result


if __name__ == "__main__":
    sys.exit(main())
