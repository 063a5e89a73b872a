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
    return parser


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
