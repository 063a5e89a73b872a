"""``fluxer-rx demo`` (fluxer_rx/demo/run.py): short runs against the embedded sandbox, as
plain lines (not a terminal) and as the live rich dashboard, and Ctrl-C in a child
process."""

from __future__ import annotations

import asyncio
import io
import os
import re
import signal
import sys
from pathlib import Path

import pytest
from rich.cells import cell_len
from rich.console import Console

from fluxer_rx.demo import DemoSummary, run_demo
from tests.util import wait_until

ROOT = Path(__file__).resolve().parent.parent


def check_summary(summary: DemoSummary) -> None:
    assert not summary.interrupted
    assert summary["READY"] == 1 and summary["GUILD_CREATE"] == 2
    assert summary.events > 50  # traffic beyond the login burst (a lull is 0.1x)
    assert summary.mean_rate > 0 and summary.peak_rate > 0
    assert summary.ping_latencies and summary.polls
    assert summary.deleted >= 1 and summary.timed_out >= 1
    assert (summary.cuts, summary.resumes) == (1, 1)
    assert (summary.lost, summary.duplicated) == (0, 0)
    assert summary.received + summary.gap_reported == summary.sent > 50


async def test_plain_output_shows_the_bot_the_resume_and_the_summary() -> None:
    out = io.StringIO()
    summary = await run_demo(duration=3.0, rate=200.0, seed=3, out=out)
    text = out.getvalue()
    check_summary(summary)
    assert "\x1b" not in text  # not a terminal: no ANSI escapes
    lines = text.splitlines()
    assert all(cell_len(line) <= 80 for line in lines), max(lines, key=cell_len)
    assert re.search(r"bot: !ping from .+: pong, \d+\.\d ms", text)
    poll = summary.polls[0]
    assert f'bot: poll "{poll.question}": yes {poll.yes}, no {poll.no}' in text
    assert re.search(r"bot: deleted a message by .+: banned word", text)
    assert re.search(r"bot: timed out .+ for 60 s", text)
    assert "link: cut the bot's gateway socket (1 aborted)" in text
    assert re.search(r"link: resumed \(RESUME, session kept\) after \d+ ms", text)
    assert re.search(r"\d+ ev/s .*\| 10 s: #\w+ \w+ \d+ ev, .+ \d+ msg", text)
    assert "fluxer-rx demo: summary" in text
    expected = f"sent {summary.sent:,}, received {summary.received:,}, lost 0, duplicated 0"
    assert expected in text


async def test_a_terminal_gets_the_live_dashboard() -> None:
    console = Console(record=True, width=80, force_terminal=True, file=io.StringIO())
    summary = await run_demo(duration=3.0, rate=200.0, seed=5, console=console)
    check_summary(summary)
    raw = console.file.getvalue()  # type: ignore[attr-defined]
    assert "\x1b[" in raw  # colours and cursor moves: refreshed in place
    text = console.export_text()
    for title in ("events/s", "events by type", "channels (10 s)", "users (10 s)"):
        assert title in text
    assert "MESSAGE_CREATE" in text
    assert re.search(r"!ping from .+: pong, \d+\.\d ms", text)
    assert re.search(r"resumed \(RESUME, session kept\) after \d+ ms", text)
    assert re.search(r"socket cuts 1, resumed 1 · last back after \d+ ms", text)
    assert re.search(r"received [\d,]+ .*· in flight 0 · duplicated 0", text)
    assert "fluxer-rx demo: summary" in text
    # each redraw starts at the header's top edge (the cursor moved up, no newline)
    frames = text.split("╭─ fluxer-rx demo ·")
    assert len(frames) > 5
    assert all(cell_len(line) <= 80 for frame in frames for line in frame.splitlines())


async def test_without_a_duration_it_runs_until_stop_is_set() -> None:
    out = io.StringIO()
    stop = asyncio.Event()
    run = asyncio.ensure_future(run_demo(duration=None, rate=100.0, seed=1, out=out, stop=stop))
    await wait_until(lambda: "bot: !ping from" in out.getvalue(), within=60, what="a pong")
    stop.set()
    summary = await asyncio.wait_for(run, timeout=30)
    assert summary.interrupted and 0 < summary.seconds < 60
    assert len(summary.ping_latencies) >= 1
    assert (summary.lost, summary.duplicated) == (0, 0)
    assert "fluxer-rx demo: summary" in out.getvalue()


async def test_bad_arguments_are_refused() -> None:
    with pytest.raises(ValueError, match="duration"):
        await run_demo(duration=0, rate=10, seed=0, out=io.StringIO())
    with pytest.raises(ValueError, match="rate"):
        await run_demo(duration=1, rate=0, seed=0, out=io.StringIO())


async def test_ctrl_c_prints_the_summary_and_exits_0() -> None:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    child = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "fluxer_rx.cli",
        "demo",
        "--duration",
        "120",
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        cwd=ROOT,
        env=env,
    )
    assert child.stdout is not None
    seen: list[str] = []
    try:
        # running: the first per-second line is out
        while not any("ev/s" in line for line in seen):
            line = await asyncio.wait_for(child.stdout.readline(), timeout=60)
            assert line, f"the demo ended early: {seen}"
            seen.append(line.decode())
        child.send_signal(signal.SIGINT)
        out, err = await asyncio.wait_for(child.communicate(), timeout=60)
    finally:
        if child.returncode is None:
            child.kill()
            await child.wait()
    text = "".join(seen) + out.decode()
    assert child.returncode == 0, err.decode()
    assert "Traceback" not in err.decode() + text
    assert "fluxer-rx demo: summary" in text
    assert "(interrupted)" in text
    assert re.search(r"lost 0, duplicated 0", text)
