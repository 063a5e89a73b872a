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
    parser.add_subparsers(dest="command", metavar="COMMAND")
    return parser


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
