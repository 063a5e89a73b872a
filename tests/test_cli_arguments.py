"""Every bad ``fluxer-rx`` argument: ONE line ``fluxer-rx <cmd>: error: ...`` on stderr and
exit code 2, never a traceback; run as the user runs it (``python -m fluxer_rx.cli``)."""

from __future__ import annotations

import asyncio
import os
import socket
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.cli_util import Outcome, run_cli

HERE = Path(__file__).resolve().parent
MISSING_DIR = HERE / "no-such-directory"
MISSING_FILE = HERE / "no-such-recording.jsonl"


# (argv, the words the one line must hold)
BAD_INPUTS: list[tuple[list[str], str]] = [
    (["demo", "--rate", "0"], "argument --rate: must be a finite number > 0, not 0"),
    (["demo", "--rate", "nan"], "argument --rate: must be a finite number > 0"),
    (["demo", "--duration", "0"], "argument --duration: must be a finite number > 0, not 0"),
    (["demo", "--duration", "-3"], "argument --duration: must be a finite number > 0"),
    (["demo", "--seed", "x"], "argument --seed: not an integer: 'x'"),
    (["sandbox", "--port", "99999"], "argument --port: must be a port in 1..65535"),
    (["sandbox", "--port", "-1"], "argument --port: must be a port in 1..65535"),
    (["sandbox", "--port", "http"], "argument --port: not a port number: 'http'"),
    (["sandbox", "--heartbeat-interval", "0"], "argument --heartbeat-interval: must be a"),
    (["sandbox", "--guilds", "-1"], "argument --guilds: must be in 1..1000, not -1"),
    (["sandbox", "--members", "0"], "argument --members: must be in 1..10000, not 0"),
    (["sandbox", "--traffic-rate", "-1"], "argument --traffic-rate: must be a finite number"),
    (["sandbox", "--traffic-rate", "inf"], "argument --traffic-rate: must be a finite number"),
    (["record", str(MISSING_DIR / "x.jsonl")], f"cannot create {MISSING_DIR / 'x.jsonl'}"),
    (["record", str(HERE)], f"argument OUT: {HERE} is a directory"),
    (["record", "x.jsonl", "--duration", "0"], "argument --duration: must be a finite"),
    (["record", "x.jsonl", "--api", "localhost:8080"], "argument --api: must be a URL http://"),
    (["record"], "the following arguments are required: OUT"),
    (["replay", str(MISSING_FILE)], f"argument FILE: no such file: {MISSING_FILE}"),
    (["replay", str(HERE)], f"argument FILE: not a regular file: {HERE}"),
    (["replay", __file__, "--speed", "0"], "argument --speed: must be a finite number > 0"),
    (["tail", "--duration", "0"], "argument --duration: must be a finite number > 0"),
    (["tail", "--gateway", "http://127.0.0.1:1"], "argument --gateway: must be a URL ws://"),
    (["tail", "--api", "http://127.0.0.1:70000/v1"], "argument --api: not a valid URL"),
    (["say", "general", "hi"], "argument CHANNEL: not a snowflake id"),
    (["say", "1"], "the following arguments are required: TEXT"),
    (["bench", "--write", str(MISSING_DIR / "R.md")], "argument --write: cannot create"),
    (["nosuchcommand"], "argument COMMAND: invalid choice: 'nosuchcommand'"),
]


@pytest.fixture(scope="module")
def outcomes() -> Iterator[dict[tuple[str, ...], Outcome]]:
    """Every bad input run at once (a few processes at a time), keyed by argv."""

    async def run_all() -> dict[tuple[str, ...], Outcome]:
        gate = asyncio.Semaphore(4)

        async def one(argv: list[str]) -> tuple[tuple[str, ...], Outcome]:
            async with gate:
                return tuple(argv), await run_cli(*argv)

        return dict(await asyncio.gather(*(one(argv) for argv, _ in BAD_INPUTS)))

    yield asyncio.run(run_all())


@pytest.mark.parametrize(("argv", "words"), BAD_INPUTS, ids=[" ".join(a) for a, _ in BAD_INPUTS])
def test_a_bad_argument_is_one_line_and_exit_2(
    outcomes: dict[tuple[str, ...], Outcome], argv: list[str], words: str
) -> None:
    command = argv[0] if argv[0] != "nosuchcommand" else ""
    prefix = f"fluxer-rx {command}".rstrip()
    outcome = outcomes[tuple(argv)]
    assert outcome.code == 2, outcome
    assert outcome.out == ""
    lines = outcome.err.splitlines()
    assert lines == [lines[0]], outcome.err
    assert lines[0].startswith(f"{prefix}: error: "), lines[0]
    assert words in lines[0]


async def test_bare_command_prints_usage_and_exits_2() -> None:
    outcome = await run_cli()
    assert outcome.code == 2
    assert outcome.out == ""
    assert outcome.err.startswith("usage: fluxer-rx")
    assert outcome.err.splitlines()[-1] == (
        "fluxer-rx: error: a command is required (see fluxer-rx --help)"
    )


async def test_help_lists_every_command() -> None:
    outcome = await run_cli("--help")
    assert outcome.code == 0
    for command in ("demo", "sandbox", "record", "replay", "tail", "say", "bench"):
        assert f"    {command} " in outcome.out


async def test_sandbox_on_a_port_in_use_is_a_usage_error() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        outcome = await run_cli("sandbox", "--port", str(port))
    assert outcome.code == 2, outcome
    assert outcome.err == (
        f"fluxer-rx sandbox: error: port {port} on 127.0.0.1 is in use"
        " (pick another, or --port 0 for a free one)\n"
    )


async def test_live_options_are_checked_before_connecting() -> None:
    without_token = {k: v for k, v in os.environ.items() if k != "FLUXER_TOKEN"}
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "fluxer_rx.cli",
        "tail",
        "--api",
        "http://127.0.0.1:9/v1",
        stderr=asyncio.subprocess.PIPE,
        env=without_token,
    )
    async with asyncio.timeout(60):
        _, err = await proc.communicate()
    assert proc.returncode == 2
    assert err.decode() == (
        "fluxer-rx tail: error: set the bot token in the FLUXER_TOKEN environment variable\n"
    )
    mixed = await run_cli(
        "tail", "--gateway", "ws://127.0.0.1:9", "--rate", "5", env={"FLUXER_TOKEN": "1.abc"}
    )
    assert mixed.code == 2
    assert mixed.err == (
        "fluxer-rx tail: error: --seed and --rate apply to the sandbox, not with --api/--gateway\n"
    )


async def test_bench_rejects_a_bad_scale() -> None:
    outcome = await run_cli("bench", env={"FLUXER_RX_BENCH_SCALE": "big"})
    assert outcome.code == 2
    assert outcome.err == (
        "fluxer-rx bench: error: FLUXER_RX_BENCH_SCALE must be a number in (0, 1], not 'big'\n"
    )
