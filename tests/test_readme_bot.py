"""The README's bot ("Using the client") as written: it passes mypy --strict, and run as
``python bot.py`` against the sandbox it answers ``!ping`` in each channel, runs a poll
whose reaction collector counts the sandbox users' votes, refuses ``!kick`` to a member
without KICK_MEMBERS and kicks for one with it, then exits with code 0 and no traceback
on SIGINT."""

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


def test_the_readme_bot_is_at_most_25_lines() -> None:
    lines = [line for line in _block_under("## Using the client").splitlines() if line.strip()]
    assert len(lines) <= 25


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


class World:
    """The sandbox seen from the test: say things as users, read the bot's answers."""

    def __init__(self, sb: Sandbox) -> None:
        self.sb = sb

    def bot_messages(self, channel_id: str) -> list[tuple[str, dict[str, str] | None]]:
        return [
            (m.content, m.message_reference)
            for m in self.sb.world.list_messages(channel_id)
            if m.author_id == self.sb.bot_id
        ]

    def answers_to(self, channel_id: str, message_id: str) -> list[str]:
        return [
            content
            for content, reference in self.bot_messages(channel_id)
            if reference is not None and reference["message_id"] == message_id
        ]

    async def answer(self, channel_id: str, content: str, author_id: str, within: float) -> str:
        said = await self.sb.post_message(channel_id, content, author_id=author_id)
        await wait_until(lambda: bool(self.answers_to(channel_id, said["id"])), within=within)
        [answer] = self.answers_to(channel_id, said["id"])
        return answer


async def test_the_readme_bot_pings_polls_and_kicks(tmp_path: Path) -> None:
    bot = write_bot(tmp_path)
    async with Sandbox(guilds=1) as sb:
        world = World(sb)
        guild_id = sb.guild_ids[0]
        guild = sb.world.guilds[guild_id]
        users = [await sb.add_member(guild_id) for _ in range(5)]
        invoker, target, *voters = users
        channels = [c for c in sb.channel_ids if sb.world.get_channel(c).guild_id == guild_id]
        env = {**os.environ, "FLUXER_API": sb.api_url, "FLUXER_TOKEN": sb.token}
        child = await asyncio.create_subprocess_exec(
            sys.executable,
            str(bot),
            env=env,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        try:
            async with asyncio.timeout(60):
                session = await sb.gateway.wait_for_session()

                # !ping, answered in each channel
                for channel in channels[:2]:
                    assert await world.answer(channel, "!ping", invoker, within=20) == "pong"

                # !poll: the collector counts the users' reactions, not the bot's own
                channel = channels[0]
                asked = await sb.post_message(channel, "!poll 3 Pizza tonight?", invoker)
                question: list[str] = []

                def poll_open() -> bool:
                    question[:] = [
                        m.id
                        for m in sb.world.list_messages(channel)
                        if m.author_id == sb.bot_id and m.content == "📊 Pizza tonight?"
                    ]
                    return bool(question) and all(
                        sb.bot_id in [u.id for u in sb.world.reaction_users(channel, mid, e)]
                        for mid in question
                        for e in ("👍", "👎")
                    )

                await wait_until(poll_open, within=10)  # the bot reacts once collecting
                [poll_id] = question
                for voter, emoji in zip(voters, ("👍", "👍", "👎"), strict=True):
                    await sb.add_reaction(channel, poll_id, emoji, user_id=voter)
                await wait_until(lambda: bool(world.answers_to(channel, asked["id"])), within=15)
                assert world.answers_to(channel, asked["id"]) == ["👍 2 · 👎 1"]

                # !kick: refused without KICK_MEMBERS, performed with it
                mention = f"!kick <@{target}>"
                refused = await world.answer(channel, mention, invoker, within=10)
                assert refused == "you need the permission(s) KICK_MEMBERS"
                assert target in guild.members

                moderator = next(r for r in guild.roles.values() if r.name == "Moderator")
                sb.world.update_member(guild_id, invoker, roles=[moderator.id])
                username = sb.world.users[target].username
                kicked = await world.answer(channel, mention, invoker, within=10)
                assert kicked == f"kicked {username}"
                assert target not in guild.members
                assert any(
                    r.session_id == session.session_id
                    and r.t == "GUILD_MEMBER_REMOVE"
                    and r.d["user"]["id"] == target
                    for r in sb.dispatch_log
                )

                child.send_signal(signal.SIGINT)
                _, stderr = await child.communicate()
        except TimeoutError as exc:
            child.kill()
            _, stderr = await child.communicate()
            log = stderr.decode()
            raise AssertionError(f"the bot did not finish in time; its log:\n{log}") from exc
        finally:
            if child.returncode is None:
                child.kill()
                await child.wait()
    assert child.returncode == 0, stderr.decode()
    assert "Traceback" not in stderr.decode()
