"""The ``fluxer-rx`` parser: every sub-command, its options and the checks on their values.

Each sub-command names its handler (``handler`` default, a function of
:mod:`fluxer_rx.cli.commands`) so :func:`fluxer_rx.cli.main` only dispatches.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

from fluxer_rx._version import __version__
from fluxer_rx.cli.arguments import (
    OneLineErrorParser,
    at_least,
    existing_file,
    new_file,
    port,
    positive,
    url_of,
)
from fluxer_rx.cli.simulate import seconds as simulated_seconds

__all__ = ["TOKEN_ENV", "Handler", "build_parser"]

TOKEN_ENV = "FLUXER_TOKEN"
_API_URL = url_of("http", "https")
_GATEWAY_URL = url_of("ws", "wss")
_SEED = at_least(-(2**63), 2**63 - 1)

Handler = Callable[[argparse.Namespace], int]
"""A sub-command: the parsed arguments in, the exit code out."""

_LIVE_HELP = (
    "By default it runs against an in-process sandbox with seeded traffic; with --api and/or"
    " --gateway it connects to a real Fluxer instance instead, with the bot token taken from"
    f" the {TOKEN_ENV} environment variable (never from the command line)."
)


def build_parser(handlers: dict[str, Handler]) -> argparse.ArgumentParser:
    """The parser; ``handlers`` maps each command name to the function that runs it."""
    parser = OneLineErrorParser(
        prog="fluxer-rx", description="Reactive Fluxer client and local sandbox."
    )
    parser.add_argument("--version", action="version", version=f"fluxer-rx {__version__}")
    commands = parser.add_subparsers(
        dest="command", metavar="COMMAND", parser_class=OneLineErrorParser
    )
    _add_demo(commands)
    _add_sandbox(commands)
    _add_record(commands)
    _add_replay(commands)
    _add_tail(commands)
    _add_say(commands)
    _add_bench(commands)
    _add_gateway(commands)
    for name, command in commands.choices.items():
        command.set_defaults(handler=handlers[name])
    return parser


def _add_demo(commands: Any) -> None:
    demo = commands.add_parser(
        "demo", help="run the sandbox, a bot and a live dashboard in one process"
    )
    demo.add_argument("--duration", type=positive, default=10.0, help="seconds to run (10)")
    demo.add_argument(
        "--rate", type=positive, default=200.0, help="generated steps per second (200)"
    )
    demo.add_argument("--seed", type=_SEED, default=0, help="seed of the sandbox world (0)")


def _add_sandbox(commands: Any) -> None:
    sandbox = commands.add_parser(
        "sandbox",
        help="serve a local Fluxer-compatible gateway and REST API",
        description="Serve a seeded world on 127.0.0.1 until Ctrl-C. Prints the gateway and"
        " API URLs, the bot's token, and the token of sandbox-user, a human member of every"
        " guild: `FLUXER_USER_TOKEN=<it> fluxer-rx say CHANNEL TEXT --api URL` posts as that"
        " user, to drive a bot from a shell. Logs each connection and post on stderr.",
    )
    sandbox.add_argument(
        "--port", type=port, default=0, help="TCP port on 127.0.0.1 (0: a free one)"
    )
    sandbox.add_argument("--seed", type=_SEED, default=0, help="seed of the world and traffic")
    sandbox.add_argument(
        "--guilds", type=at_least(1, 1000), default=2, help="seeded guilds, 1..1000 (2)"
    )
    sandbox.add_argument(
        "--channels", type=at_least(1, 100), default=3, help="text channels per guild (3)"
    )
    sandbox.add_argument(
        "--members", type=at_least(1, 10_000), default=10, help="members per guild (10)"
    )
    sandbox.add_argument(
        "--heartbeat-interval", type=positive, default=41.25, help="seconds (41.25)"
    )
    sandbox.add_argument(
        "--traffic-rate", type=positive, default=None, help="generated steps per second (none)"
    )
    sandbox.add_argument(
        "--steady", action="store_true", help="traffic at a constant rate, not in bursts"
    )
    sandbox.add_argument(
        "--quiet", action="store_true", help="do not log each connection and post on stderr"
    )


def _add_target_options(command: argparse.ArgumentParser, *, rate: float) -> None:
    command.add_argument("--seed", type=_SEED, default=None, help="sandbox seed (0)")
    command.add_argument(
        "--rate", type=positive, default=None, help=f"sandbox traffic steps per second ({rate:g})"
    )
    command.add_argument(
        "--api", metavar="URL", type=_API_URL, help="REST API URL of a real instance"
    )
    command.add_argument(
        "--gateway", metavar="URL", type=_GATEWAY_URL, help="gateway URL of a real instance"
    )


def _add_record(commands: Any) -> None:
    record = commands.add_parser(
        "record",
        help="record the gateway traffic a client receives to a file",
        description="Log a client in and record every frame it receives to OUT (JSON Lines,"
        " see fluxer_rx.replay.format). The frames go to OUT.partial while recording; OUT"
        " appears only when the recording succeeded. " + _LIVE_HELP,
    )
    record.add_argument("out", metavar="OUT", type=new_file, help="the recording file to write")
    record.add_argument(
        "--duration", type=positive, default=10.0, help="seconds to record once ready (10)"
    )
    _add_target_options(record, rate=200.0)
    record.add_argument(
        "--simulate",
        metavar="SECONDS",
        type=simulated_seconds,
        help="instead, write SECONDS of a simulated community (seeded by --seed; --rate:"
        " steps/s, 4) on a simulated clock, in seconds and without a network: rate by time"
        " of day, bursts, joins and leaves, a raid, reaction polls",
    )


def _add_replay(commands: Any) -> None:
    replay = commands.add_parser(
        "replay",
        help="replay a recording offline and count its events",
        description="Replay FILE into an offline client (no network) and print the events"
        " per type and the events/s. A file with no frames fails (exit 1).",
    )
    replay.add_argument(
        "file", metavar="FILE", type=existing_file, help="a recording made by `fluxer-rx record`"
    )
    replay.add_argument(
        "--speed",
        type=positive,
        default=None,
        help="pace by the recorded times, X times faster (default: as fast as possible)",
    )


def _add_tail(commands: Any) -> None:
    tail = commands.add_parser(
        "tail",
        help="print events live, one line each",
        description="Log a client in and print each event as it arrives. " + _LIVE_HELP,
    )
    tail.add_argument(
        "--duration", type=positive, default=None, help="seconds to run (until Ctrl-C)"
    )
    _add_target_options(tail, rate=20.0)


def _add_say(commands: Any) -> None:
    say = commands.add_parser(
        "say",
        help="post a message to a channel as a user (drive a bot from a shell)",
        description="Post TEXT to CHANNEL through the REST API at --api (default: the"
        " FLUXER_API environment variable) as the user whose token is in the"
        " FLUXER_USER_TOKEN environment variable (`fluxer-rx sandbox` prints one).",
    )
    say.add_argument("channel", metavar="CHANNEL", type=_snowflake, help="channel id")
    say.add_argument("text", metavar="TEXT", help="the message content")
    say.add_argument("--api", metavar="URL", type=_API_URL, help="REST API URL")


def _add_gateway(commands: Any) -> None:
    from fluxer_rx.cli.gateway_command import shard_range

    gateway = commands.add_parser(
        "gateway",
        help="run a scale-out gateway process: shards to Redis streams, until Ctrl-C",
        description="Hold a lease on each shard of --shards (default: all) that no other"
        " process holds, run it and publish its frames to its Redis stream; take over a"
        " shard whose holder dies. Workers are Clients with ClientOptions(bus=RedisBus(...))."
        f" The bot token is taken from the {TOKEN_ENV} environment variable.",
    )
    gateway.add_argument(
        "--redis", metavar="URL", required=True, type=url_of("redis", "rediss"), help="Redis URL"
    )
    gateway.add_argument(
        "--shard-count", type=at_least(1, 65535), default=1, help="shards of the bot in all"
    )
    gateway.add_argument("--shards", type=shard_range, help="shards to compete for, e.g. 0-7")
    gateway.add_argument("--gateway", metavar="URL", type=_GATEWAY_URL, help="gateway URL")
    gateway.add_argument("--api", metavar="URL", type=_API_URL, help="REST API URL (discovery)")
    gateway.add_argument("--prefix", default="fluxer", help="Redis key prefix (default fluxer)")
    gateway.add_argument(
        "--retention", type=at_least(1, 2**31), default=100_000, help="entries kept per stream"
    )
    gateway.add_argument("--lease-ttl", type=positive, default=10.0, help="lease TTL, seconds")
    gateway.add_argument(
        "--batch-size", type=at_least(1, 10_000), default=32, help="frames per publish"
    )


def _add_bench(commands: Any) -> None:
    bench = commands.add_parser(
        "bench",
        help="run the benchmark suite and print one table of figures against targets",
        description="Run the benchmarks of benchmarks/ (a source checkout) at the quick"
        " settings (about a minute), or --full; print each figure beside the baseline"
        " measured in the same run, their ratio, the target and whether it is met.",
    )
    bench.add_argument("--full", action="store_true", help="the longer, published settings")
    bench.add_argument(
        "--write",
        nargs="?",
        const=True,  # not a str, so argparse does not pass it through new_file
        type=new_file,
        metavar="PATH",
        help="write the results as Markdown to PATH (default: benchmarks/RESULTS.md)",
    )


def _snowflake(value: str) -> str:
    if not (value.isascii() and value.isdigit()) or len(value) > 20:
        raise argparse.ArgumentTypeError(f"not a snowflake id (decimal digits): {value!r}")
    return value
