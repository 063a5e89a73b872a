"""The ``fluxer-rx`` command line (entry point :func:`main`).

Sub-commands: ``demo``, ``sandbox``, ``record``, ``replay``, ``tail``, ``say``,
``bench`` and ``gateway``. Exit codes: 0 done, 1 the run failed, 2 bad usage. Every
argument is checked when parsed (:mod:`fluxer_rx.cli.parser`); any failure is ONE line on stderr,
``fluxer-rx <command>: error: <what is wrong>``, never a traceback. ``fluxer-rx`` alone
prints the usage on stderr and exits 2. Ctrl-C ends ``demo``, ``sandbox``, ``record`` and
``tail`` cleanly (exit 0); any other command exits 130 with one line.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

from fluxer_rx.cli import commands
from fluxer_rx.cli.parser import Handler, build_parser

__all__ = ["main"]


def _handlers() -> dict[str, Handler]:
    from fluxer_rx.cli.bench import run_bench
    from fluxer_rx.cli.gateway_command import run_gateway_command
    from fluxer_rx.cli.say import run_say

    return {
        "demo": commands.run_demo_command,
        "sandbox": commands.run_sandbox,
        "record": commands.run_record,
        "replay": commands.run_replay,
        "tail": commands.run_tail,
        "say": run_say,
        "bench": run_bench,
        "gateway": run_gateway_command,
    }


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line with ``argv`` (default ``sys.argv[1:]``); return the exit code.

    Usage errors raise ``SystemExit(2)`` after printing their one line, as argparse does.
    """
    parser = build_parser(_handlers())
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_usage(sys.stderr)
        print("fluxer-rx: error: a command is required (see fluxer-rx --help)", file=sys.stderr)
        return 2
    try:
        result: int = args.handler(args)
    except KeyboardInterrupt:  # commands that do not handle SIGINT themselves (bench, say)
        print(f"fluxer-rx {args.command}: interrupted", file=sys.stderr)
        return 130
    return result
