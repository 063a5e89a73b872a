"""``fluxer-rx record OUT --simulate SECONDS --seed S`` as a child process: the README's
command line writes the recording ``simulate_recording`` writes for the same arguments,
byte for byte, and prints its frames, messages and the raid's minute in two lines; options
that make no sense are one line on stderr and exit code 2, with no file written."""

from __future__ import annotations

import hashlib
import os
import re
import shlex
from datetime import timedelta
from pathlib import Path

import pytest

from fluxer_rx.sandbox.simulate import simulate_recording
from tests.cli_util import run_cli

README = Path(__file__).resolve().parent.parent / "README.md"


def _readme_command() -> list[str]:
    """The README's --simulate command line, as argv after ``fluxer-rx``."""
    lines = [
        line.strip()
        for line in README.read_text(encoding="utf-8").splitlines()
        if line.startswith("fluxer-rx record ") and "--simulate" in line
    ]
    assert len(lines) == 1, lines
    return shlex.split(lines[0])[1:]


def _files(folder: Path) -> set[str]:
    return set(os.listdir(folder))


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


async def test_the_readmes_command_writes_the_simulated_hour(tmp_path: Path) -> None:
    argv = _readme_command()
    assert argv[:2] == ["record", "out.jsonl"]
    seconds = float(argv[argv.index("--simulate") + 1])
    seed = int(argv[argv.index("--seed") + 1])
    out = tmp_path / "out.jsonl"

    outcome = await run_cli("record", str(out), *argv[2:])

    assert outcome.code == 0 and outcome.err == "", outcome
    truth = simulate_recording(tmp_path / "expected.jsonl", seconds=seconds, seed=seed)
    assert _digest(out) == _digest(tmp_path / "expected.jsonl")
    assert _files(tmp_path) == {"out.jsonl", "expected.jsonl"}  # no .partial left
    lines = outcome.out.splitlines()
    assert len(lines) == 2, outcome.out
    assert re.search(
        rf"\b{truth.frames} frames, {sum(truth.messages_per_minute)} messages\b", lines[0]
    )
    assert f"(seed {seed})" in lines[0]
    raid = truth.raid
    assert raid is not None
    when = truth.started_at + timedelta(seconds=raid.start)
    assert f"raid at minute {int(raid.start // 60)} ({when:%H:%M} UTC)" in lines[1]
    assert f"{len(raid.raiders)} new accounts posted {raid.messages} messages" in lines[1]


async def test_rate_and_seed_are_the_simulations(tmp_path: Path) -> None:
    out = tmp_path / "short.jsonl"
    outcome = await run_cli("record", str(out), "--simulate", "120", "--seed", "5", "--rate", "2")
    assert outcome.code == 0, outcome
    simulate_recording(tmp_path / "expected.jsonl", seconds=120, seed=5, rate=2.0)
    assert _digest(out) == _digest(tmp_path / "expected.jsonl")


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--simulate", "10"], "--simulate: must be 60..604800 seconds of simulated time, not 10"),
        (["--simulate", "an hour"], "--simulate: not a number of seconds: 'an hour'"),
        (["--simulate", "nan"], "--simulate: must be 60..604800 seconds"),
        (["--simulate", "3600", "--rate", "0"], "--rate: must be a finite number > 0, not 0"),
        (
            ["--simulate", "3600", "--api", "http://127.0.0.1:9/v1"],
            "--simulate writes a simulated recording: no --api/--gateway",
        ),
    ],
)
async def test_bad_options_are_one_line_and_exit_2(
    tmp_path: Path, options: list[str], message: str
) -> None:
    out = tmp_path / "out.jsonl"
    outcome = await run_cli("record", str(out), *options)
    assert outcome.code == 2, outcome
    assert outcome.out == "" and outcome.err.count("\n") == 1, outcome.err
    assert outcome.err.startswith("fluxer-rx record: error: ") and message in outcome.err
    assert _files(tmp_path) == set()
