"""The ``fluxer-rx`` command line.

Each sub-command lives in a function ``_cmd_<name>`` registered in ``_build_parser``; the
process exit code is the function's return value.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import signal
import sys
from collections.abc import Awaitable, Callable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from fluxer_rx._version import __version__
from fluxer_rx.errors import FluxerError
from fluxer_rx.replay import RecordingError, RecordingFileError

if TYPE_CHECKING:
    from fluxer_rx.traffic_commands import LiveTarget

__all__ = ["main"]

T = TypeVar("T")
_TOKEN_ENV = "FLUXER_TOKEN"


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
    _add_traffic_commands(commands)
    return parser


_LIVE_HELP = (
    "By default it runs against an in-process sandbox with seeded traffic; with --api and/or"
    " --gateway it connects to a real Fluxer instance instead, with the bot token taken from"
    f" the {_TOKEN_ENV} environment variable (never from the command line)."
)


def _positive(value: str) -> float:
    try:
        number = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {value!r}") from None
    if not number > 0 or number == float("inf"):
        raise argparse.ArgumentTypeError(f"must be a finite number > 0, not {value}")
    return number


def _add_target_options(command: argparse.ArgumentParser, *, rate: float) -> None:
    command.add_argument("--seed", type=int, default=None, help="sandbox seed (0)")
    command.add_argument(
        "--rate", type=_positive, default=None, help=f"sandbox traffic steps per second ({rate:g})"
    )
    command.add_argument("--api", metavar="URL", help="REST API URL of a real instance")
    command.add_argument("--gateway", metavar="URL", help="gateway URL of a real instance")


def _add_traffic_commands(commands: Any) -> None:
    record = commands.add_parser(
        "record",
        help="record the gateway traffic a client receives to a file",
        description="Log a client in and record every frame it receives to OUT (JSON Lines,"
        " see fluxer_rx.replay.format). " + _LIVE_HELP,
    )
    record.add_argument("out", metavar="OUT", help="the recording file to write")
    record.add_argument(
        "--duration", type=_positive, default=10.0, help="seconds to record once ready (10)"
    )
    _add_target_options(record, rate=200.0)
    record.set_defaults(handler=_cmd_record)
    replay = commands.add_parser(
        "replay",
        help="replay a recording offline and count its events",
        description="Replay FILE into an offline client (no network) and print the events"
        " per type and the events/s.",
    )
    replay.add_argument("file", metavar="FILE", help="a recording made by `fluxer-rx record`")
    replay.add_argument(
        "--speed",
        type=_positive,
        default=None,
        help="pace by the recorded times, X times faster (default: as fast as possible)",
    )
    replay.set_defaults(handler=_cmd_replay)
    tail = commands.add_parser(
        "tail",
        help="print events live, one line each",
        description="Log a client in and print each event as it arrives. " + _LIVE_HELP,
    )
    tail.add_argument(
        "--duration", type=_positive, default=None, help="seconds to run (until Ctrl-C)"
    )
    _add_target_options(tail, rate=20.0)
    tail.set_defaults(handler=_cmd_tail)


def _fail(args: argparse.Namespace, message: str, code: int) -> int:
    print(f"fluxer-rx {args.command}: error: {message}", file=sys.stderr)
    return code


def _live_target(args: argparse.Namespace) -> LiveTarget | str | None:
    """The real instance to use, ``None`` for the sandbox, or a usage error message."""
    if args.api is None and args.gateway is None:
        return None
    if args.seed is not None or args.rate is not None:
        return "--seed and --rate apply to the sandbox, not with --api/--gateway"
    from fluxer_rx.traffic_commands import LiveTarget

    token = os.environ.get(_TOKEN_ENV, "").strip()
    if not token:
        return f"set the bot token in the {_TOKEN_ENV} environment variable"
    return LiveTarget(token=token, api_url=args.api, gateway_url=args.gateway)


def _until_interrupted(run: Callable[[asyncio.Event], Awaitable[T]]) -> T:
    """Run ``run(stop)`` in a new loop; SIGINT/SIGTERM set ``stop`` for a clean end."""

    async def main() -> T:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        signals = (signal.SIGINT, signal.SIGTERM)
        for sig in signals:
            with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
                loop.add_signal_handler(sig, stop.set)
        try:
            return await run(stop)
        finally:
            for sig in signals:
                with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
                    loop.remove_signal_handler(sig)

    return asyncio.run(main())


# Login and connection failures end record/tail with exit code 1.
_RUN_FAILURES = (FluxerError, OSError, TimeoutError, ConnectionError, ValueError)


def _stdout_gone() -> int:
    """The reader of stdout went away (``| head``): end quietly, as Unix tools do."""
    with contextlib.suppress(OSError, ValueError):
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return 0


def _cmd_record(args: argparse.Namespace) -> int:
    from fluxer_rx.traffic_commands import run_record

    target = _live_target(args)
    if isinstance(target, str):
        return _fail(args, target, 2)
    seed = args.seed if args.seed is not None else 0
    rate = args.rate if args.rate is not None else 200.0
    try:
        result = _until_interrupted(
            lambda stop: run_record(
                args.out, duration=args.duration, seed=seed, rate=rate, live=target, stop=stop
            )
        )
    except RecordingFileError as exc:
        return _fail(args, str(exc), 2 if exc.path == os.fspath(args.out) else 1)
    except _RUN_FAILURES as exc:
        return _fail(args, str(exc) or type(exc).__name__, 1)
    return 0 if result.frames > 0 else 1


def _cmd_replay(args: argparse.Namespace) -> int:
    from fluxer_rx.traffic_commands import run_replay

    try:
        _until_interrupted(lambda stop: run_replay(args.file, speed=args.speed, stop=stop))
    except BrokenPipeError:
        return _stdout_gone()
    except RecordingFileError as exc:
        return _fail(args, str(exc), 2)
    except RecordingError as exc:
        return _fail(args, str(exc), 1)
    return 0


def _cmd_tail(args: argparse.Namespace) -> int:
    from fluxer_rx.traffic_commands import run_tail

    target = _live_target(args)
    if isinstance(target, str):
        return _fail(args, target, 2)
    seed = args.seed if args.seed is not None else 0
    rate = args.rate if args.rate is not None else 20.0
    try:
        _until_interrupted(
            lambda stop: run_tail(
                duration=args.duration, seed=seed, rate=rate, live=target, stop=stop
            )
        )
    except BrokenPipeError:
        return _stdout_gone()
    except _RUN_FAILURES as exc:
        return _fail(args, str(exc) or type(exc).__name__, 1)
    return 0


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
