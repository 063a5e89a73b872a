"""The bots of ``examples/`` do what their docstrings say, against the sandbox.

Each example module is imported from its file and its ``setup(client)`` runs on a client
logged in to an embedded sandbox, as ``client.run(token, setup=setup)`` would run it;
sandbox users then drive the bot and the test reads the bot's answers from the sandbox's
world. Each example also runs as a script (``python examples/NAME.py``) until it is
connected, then stops cleanly on SIGINT; all of them pass ``mypy --strict``.
"""

from __future__ import annotations

import asyncio
import importlib.util
import os
import re
import signal
import subprocess
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from fluxer_rx import Client, ClientOptions, RestOptions
from fluxer_rx.sandbox import Sandbox
from tests.util import wait_until

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
NAMES = ["analytics_tail", "moderation", "ping", "poll"]


def load(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"examples_{name}", EXAMPLES / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@asynccontextmanager
async def running(sb: Sandbox, name: str, **setup_options: Any) -> AsyncIterator[Client]:
    """The example's setup on a fresh client, then login; destroyed on exit."""
    client = Client(ClientOptions(rest=RestOptions(api_url=sb.api_url, max_retries=0)))
    await load(name).setup(client, **setup_options)
    login = asyncio.create_task(client.login(sb.token))
    try:
        await client.wait_until_ready(timeout=10)
        yield client
    finally:
        await client.destroy()
        await login


def bot_messages(sb: Sandbox, channel_id: str) -> list[Any]:
    return [m for m in sb.world.list_messages(channel_id) if m.author_id == sb.bot_id]


def replies_to(sb: Sandbox, channel_id: str, message_id: str) -> list[str]:
    return [
        m.content
        for m in bot_messages(sb, channel_id)
        if m.message_reference is not None and m.message_reference["message_id"] == message_id
    ]


async def reply_to(sb: Sandbox, channel_id: str, content: str, author_id: str) -> str:
    said = await sb.post_message(channel_id, content, author_id=author_id)
    await wait_until(
        lambda: bool(replies_to(sb, channel_id, said["id"])),
        within=15,
        what=f"a reply to {content}",
    )
    [reply] = replies_to(sb, channel_id, said["id"])
    return str(reply)


def test_the_examples_folder_holds_the_tested_bots() -> None:
    assert sorted(p.stem for p in EXAMPLES.glob("*.py")) == NAMES


async def test_ping_answers_with_the_latency_and_welcomes_members() -> None:
    async with Sandbox(guilds=1, heartbeat_interval=0.5) as sb, running(sb, "ping") as client:
        channel = sb.channel_ids[0]
        user = await sb.add_member(sb.guild_ids[0])
        await wait_until(lambda: client.latency is not None, within=10, what="a heartbeat ack")
        answer = await reply_to(sb, channel, "!ping", user)
        assert re.fullmatch(r"pong \(heartbeat \d+ ms\)", answer), answer

        newcomer = await sb.add_member(sb.guild_ids[0])
        welcome = f"<@{newcomer}>!"

        def welcomed() -> bool:
            return any(welcome in m.content for c in sb.channel_ids for m in bot_messages(sb, c))

        await wait_until(welcomed, within=10, what="the welcome message")


async def test_poll_counts_each_members_last_vote() -> None:
    async with Sandbox(guilds=1) as sb, running(sb, "poll"):
        channel = sb.channel_ids[0]
        guild_id = sb.guild_ids[0]
        invoker, *voters = [await sb.add_member(guild_id) for _ in range(4)]

        refused = await reply_to(sb, channel, "!poll 5 Lunch? | only one", invoker)
        assert "2 to 5 options" in refused

        asked = await sb.post_message(channel, "!poll 3 Lunch? | pizza | sushi", invoker)
        ballot: list[str] = []

        def ballot_open() -> bool:
            ballot[:] = [m.id for m in bot_messages(sb, channel) if m.content.startswith("📊")]
            return bool(ballot) and all(
                sb.bot_id in [u.id for u in sb.world.reaction_users(channel, ballot[0], e)]
                for e in ("1️⃣", "2️⃣")
            )

        await wait_until(ballot_open, within=10, what="the ballot with the bot's reactions")
        first, second, third = voters
        for voter, emoji in [(first, "1️⃣"), (second, "2️⃣"), (third, "1️⃣"), (second, "1️⃣")]:
            await sb.add_reaction(channel, ballot[0], emoji, user_id=voter)
        await wait_until(
            lambda: bool(replies_to(sb, channel, asked["id"])), within=15, what="the tally"
        )
        assert replies_to(sb, channel, asked["id"]) == ["Lunch? pizza 3 · sushi 0 (3 voters)"]


async def test_moderation_deletes_every_blocked_message_and_warns_once_per_user() -> None:
    async with Sandbox(guilds=1) as sb, running(sb, "moderation", warn_every=60.0):
        channel = sb.channel_ids[0]
        flooder, other = [await sb.add_member(sb.guild_ids[0]) for _ in range(2)]
        clean = await sb.post_message(channel, "hello all", author_id=flooder)
        flood = [
            await sb.post_message(channel, f"FREE COINS for you #{i}", author_id=flooder)
            for i in range(5)
        ]
        # posted last: the warnings go out in order, so once its warning is there, all are
        late = await sb.post_message(channel, "is this a scam?", author_id=other)
        blocked = {m["id"] for m in [*flood, late]}

        def done() -> bool:
            ids = {m.id for m in sb.world.list_messages(channel)}
            warned_other = any(f"<@{other}>" in m.content for m in bot_messages(sb, channel))
            return not blocked & ids and warned_other

        await wait_until(done, within=15, what="the deletions and the second user's warning")
        warnings = [m.content for m in bot_messages(sb, channel)]
        assert sum(f"<@{flooder}>" in w for w in warnings) == 1  # throttled per user
        assert sum(f"<@{other}>" in w for w in warnings) == 1
        assert clean["id"] in {m.id for m in sb.world.list_messages(channel)}


async def test_analytics_tail_prints_one_line_per_window() -> None:
    lines: list[str] = []
    async with Sandbox(guilds=1) as sb, running(sb, "analytics_tail", window=0.2, out=lines.append):
        names = {sb.world.get_channel(c).name for c in sb.channel_ids}
        sb.start_traffic(rate=100, kinds=("message", "typing"))
        try:
            await wait_until(
                lambda: sum("busiest #" in line for line in lines) >= 3,
                within=15,
                what="three windows with traffic",
            )
        finally:
            await sb.stop_traffic()
    pattern = re.compile(
        r" *\d+\.\d events/s \| (none|(\w+ \d+)(, \w+ \d+)*)( \| busiest #(.+) \(\d+\))?"
    )
    for line in lines:
        match = pattern.fullmatch(line)
        assert match is not None, line
        assert match[5] is None or match[5] in names, line  # a name from the cache


async def _script(name: str, sb: Sandbox, *args: str) -> asyncio.subprocess.Process:
    env = {**os.environ, "FLUXER_API": sb.api_url, "FLUXER_TOKEN": sb.token}
    return await asyncio.create_subprocess_exec(
        sys.executable,
        str(EXAMPLES / f"{name}.py"),
        *args,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


@pytest.mark.parametrize("name", ["moderation", "ping", "poll"])
async def test_the_example_runs_as_a_script_until_ctrl_c(name: str) -> None:
    async with Sandbox(guilds=1) as sb:
        child = await _script(name, sb)
        try:
            async with asyncio.timeout(30):
                await sb.gateway.wait_for_session()
        finally:
            child.send_signal(signal.SIGINT)
            async with asyncio.timeout(30):
                _, stderr = await child.communicate()
        assert child.returncode == 0, stderr.decode()
        assert b"Traceback" not in stderr
        assert b"connecting -> ready" in stderr  # client.run's readable logging


async def test_the_analytics_tail_stops_after_its_duration() -> None:
    async with Sandbox(guilds=1) as sb:
        sb.start_traffic(rate=50, kinds=("message",))
        try:
            child = await _script("analytics_tail", sb, "--window", "0.5", "--duration", "3")
            async with asyncio.timeout(60):
                stdout, stderr = await child.communicate()
        finally:
            await sb.stop_traffic()
    assert child.returncode == 0, stderr.decode()
    lines = [line for line in stdout.decode().splitlines() if "events/s" in line]
    assert len(lines) >= 2, stdout.decode()


def test_the_examples_pass_mypy_strict() -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--strict",
            *(f"examples/{p.name}" for p in sorted(EXAMPLES.glob("*.py"))),
        ],
        cwd=EXAMPLES.parent,  # so that examples/... paths are relative
        capture_output=True,
        text=True,
        timeout=600,
    )
    # errors inside fluxer_rx are the package's own mypy run's business (CI runs it)
    ours = [line for line in result.stdout.splitlines() if line.startswith("examples/")]
    assert not ours, result.stdout
    assert f"{len(NAMES)} source files" in result.stdout, result.stdout
