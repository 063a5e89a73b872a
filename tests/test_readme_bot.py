"""The README's bot ("Using the client") as written: it passes mypy --strict, and run as
``python bot.py`` against the sandbox it answers ``!ping`` once per channel per burst,
then exits with code 0 and no traceback on SIGINT."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from pathlib import Path

from fluxer_rx.sandbox import Sandbox
from tests.test_readme_reliability import README, _block_under
from tests.util import wait_until


def write_bot(tmp_path: Path) -> Path:
    path = tmp_path / "bot.py"
    path.write_text(_block_under("## Using the client"), encoding="utf-8")
    return path


def test_the_readme_bot_passes_mypy_strict(tmp_path: Path) -> None:
    bot = write_bot(tmp_path)
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", str(bot)],
        cwd=README.parent,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout + result.stderr


async def test_the_readme_bot_answers_ping_per_channel(tmp_path: Path) -> None:
    bot = write_bot(tmp_path)
    async with Sandbox(guilds=1) as sb:
        env = {**os.environ, "FLUXER_API": sb.api_url, "FLUXER_TOKEN": sb.token}
        child = await asyncio.create_subprocess_exec(
            sys.executable,
            str(bot),
            env=env,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        assert child.stdout is not None
        try:
            async with asyncio.timeout(30):
                first = (await child.stdout.readline()).decode()
                assert first.startswith("ready as "), first
                channels = sb.channel_ids[:3]
                pings = {c: [await sb.post_message(c, "!ping") for _ in range(2)] for c in channels}
                await sb.post_message(channels[0], "not a ping")

                def pongs(channel: str) -> list[dict[str, str] | None]:
                    return [
                        m.message_reference
                        for m in sb.world.list_messages(channel)
                        if m.author_id == sb.bot_id and m.content == "pong"
                    ]

                await wait_until(lambda: all(pongs(c) for c in channels), within=10)
                child.send_signal(signal.SIGINT)
                _, stderr = await child.communicate()
        finally:
            if child.returncode is None:
                child.kill()
                await child.wait()
        for channel in channels:  # one pong per channel, replying to its last !ping
            [reference] = pongs(channel)
            assert reference is not None
            assert reference["message_id"] == pings[channel][-1]["id"]
    assert child.returncode == 0, stderr.decode()
    assert "Traceback" not in stderr.decode()
