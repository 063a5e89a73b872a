"""``client.run(token)``: a bot script run as a child process against the sandbox, ended
by SIGINT or SIGTERM once it is ready: exit code 0, no traceback, readable logging."""

from __future__ import annotations

import asyncio
import signal
import sys
from pathlib import Path

import pytest

from fluxer_rx.sandbox import Sandbox

BOT = """
import logging
import sys

from fluxer_rx import Client, ClientOptions, RestOptions
from fluxer_rx.models import Ready

if sys.argv[3] == "configured":
    logging.basicConfig(level=logging.WARNING, format="user format %(message)s")

client = Client(ClientOptions(rest=RestOptions(api_url=sys.argv[1])))


async def setup(client: Client) -> None:
    print("setup ran in the loop", flush=True)


@client.listen(Ready)
def ready(event: Ready) -> None:
    print("ready", flush=True)


client.run(sys.argv[2], setup=setup)
print("run returned", flush=True)
"""


async def run_bot(
    tmp_path: Path, sb: Sandbox, sig: signal.Signals, logging_mode: str
) -> tuple[int, list[str], str]:
    script = tmp_path / "bot.py"
    script.write_text(BOT, encoding="utf-8")
    child = await asyncio.create_subprocess_exec(
        sys.executable,
        str(script),
        sb.api_url,
        sb.token,
        logging_mode,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    assert child.stdout is not None and child.stderr is not None
    lines: list[str] = []
    try:
        async with asyncio.timeout(30):
            while "ready" not in lines:
                line = await child.stdout.readline()
                assert line, f"the bot ended before it was ready: {lines}"
                lines.append(line.decode().strip())
            child.send_signal(sig)
            rest, stderr = await child.communicate()
    finally:
        if child.returncode is None:
            child.kill()
            await child.wait()
    lines += rest.decode().splitlines()
    assert child.returncode is not None
    return child.returncode, lines, stderr.decode()


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
async def test_a_signal_ends_the_run_cleanly(tmp_path: Path, sig: signal.Signals) -> None:
    async with Sandbox(guilds=1) as sb:
        code, lines, stderr = await run_bot(tmp_path, sb, sig, "default")
    assert code == 0, stderr
    assert "Traceback" not in stderr
    assert lines == ["setup ran in the loop", "ready", "run returned"]
    # readable logging at INFO was set up: the lifecycle and the signal are logged
    assert f"INFO    fluxer_rx.client: {sig.name} received: closing the client" in stderr
    assert "fluxer_rx.client: client: closing -> closed" in stderr


async def test_a_configured_root_logger_is_left_alone(tmp_path: Path) -> None:
    async with Sandbox(guilds=1) as sb:
        code, lines, stderr = await run_bot(tmp_path, sb, signal.SIGINT, "configured")
    assert code == 0, stderr
    assert lines[-1] == "run returned"
    assert "INFO" not in stderr  # the user's WARNING level and format were kept
    assert "Traceback" not in stderr
