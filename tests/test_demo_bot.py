"""The demo bot (fluxer_rx/demo/bot.py) against the sandbox: what it did is read back from
the sandbox's world, not from the bot's own record."""

from __future__ import annotations

import asyncio
import contextlib
import re
from collections.abc import AsyncIterator

from fluxer_rx import Client
from fluxer_rx.demo.actions import Timeline
from fluxer_rx.demo.bot import SPAM_REPEATS, DemoBot
from fluxer_rx.sandbox import Sandbox
from fluxer_rx.sandbox.world_entities import Message
from tests.util import logged_in_client, wait_until


@contextlib.asynccontextmanager
async def demo_bot() -> AsyncIterator[tuple[Sandbox, Client, Timeline]]:
    """A sandbox with one guild and the demo bot logged in to it."""
    async with Sandbox(guilds=1) as sb, logged_in_client(sb) as client:
        loop = asyncio.get_running_loop()
        timeline = Timeline(loop.time)
        bot = DemoBot(client, timeline, loop.time)
        try:
            yield sb, client, timeline
        finally:
            bot.close()


def replies_to(sb: Sandbox, channel_id: str, message_id: str) -> list[Message]:
    return [
        m
        for m in sb.world.list_messages(channel_id)
        if m.author_id == sb.bot_id
        and m.message_reference is not None
        and m.message_reference["message_id"] == message_id
    ]


async def test_ping_is_answered_with_the_measured_round_trip() -> None:
    async with demo_bot() as (sb, _, timeline):
        channel_id = sb.channel_ids[0]
        ping = await sb.post_message(channel_id, "!ping")

        def answered() -> bool:
            return any("round trip" in m.content for m in replies_to(sb, channel_id, ping["id"]))

        await wait_until(answered, within=10, what="the edited pong")
        [reply] = replies_to(sb, channel_id, ping["id"])
        match = re.fullmatch(r"pong 🏓 round trip (\d+\.\d) ms", reply.content)
        assert match is not None, reply.content
        [latency] = timeline.ping_latencies
        assert match.group(1) == f"{latency * 1000:.1f}"
        # the bot writes its timeline line once its edit call returns, which can be after
        # the sandbox has applied the edit
        line = re.compile(rf"!ping from .+: pong, {re.escape(match.group(1))} ms")
        await wait_until(
            lambda: any(line.search(action.text) for action in timeline.actions),
            within=10,
            what="the bot's timeline line for the ping",
        )


async def ask_poll(sb: Sandbox, channel_id: str, seconds: int, question: str) -> Message:
    """Post ``!poll``; return the bot's poll once the bot reacted to it (its collector
    runs from then on, so votes cast after this are counted)."""
    asked = await sb.post_message(channel_id, f"!poll {seconds} {question}")

    def poll() -> Message | None:
        for m in replies_to(sb, channel_id, asked["id"]):
            bot_votes = [r for r in m.reactions.values() if sb.bot_id in r.user_ids]
            if m.content.startswith(f"📊 {question}") and len(bot_votes) == 2:
                return m
        return None

    await wait_until(lambda: poll() is not None, within=10, what="the poll's reactions")
    opened = poll()
    assert opened is not None
    return opened


async def test_poll_counts_the_votes_of_other_users() -> None:
    async with demo_bot() as (sb, _, timeline):
        channel_id = sb.channel_ids[0]
        voters = [await sb.add_member(sb.guild_ids[0]) for _ in range(3)]
        poll = await ask_poll(sb, channel_id, 3, "Tea?")
        for voter, emoji in zip(voters, ("👍", "👍", "👎"), strict=True):
            await sb.add_reaction(channel_id, poll.id, emoji, voter)
        await wait_until(lambda: bool(replies_to(sb, channel_id, poll.id)), within=10)
        [result] = replies_to(sb, channel_id, poll.id)
        assert result.content == "👍 2 · 👎 1"
        assert [(p.question, p.yes, p.no) for p in timeline.polls] == [("Tea?", 2, 1)]


async def test_a_deleted_poll_still_gets_its_result() -> None:
    async with demo_bot() as (sb, _, timeline):
        channel_id = sb.channel_ids[0]
        voter = await sb.add_member(sb.guild_ids[0])
        poll = await ask_poll(sb, channel_id, 30, "Coffee?")
        await sb.add_reaction(channel_id, poll.id, "👎", voter)
        await sb.delete_message(channel_id, poll.id)  # ends the collector long before 30 s
        said = '📊 poll "Coffee?": yes 0, no 1 (poll deleted)'

        def result_posted() -> bool:
            return any(m.content == said for m in sb.world.list_messages(channel_id))

        await wait_until(result_posted, within=10, what="the result of the deleted poll")
        assert [(p.question, p.yes, p.no) for p in timeline.polls] == [("Coffee?", 0, 1)]


async def test_banned_words_are_deleted_and_repeaters_timed_out() -> None:
    async with demo_bot() as (sb, client, timeline):
        channel_id, guild_id = sb.channel_ids[0], sb.guild_ids[0]
        fine = await sb.post_message(channel_id, "what a nice day")
        banned = await sb.post_message(channel_id, "Free AIRDROP, click!")

        def present(message_id: str) -> bool:
            return any(m.id == message_id for m in sb.world.list_messages(channel_id))

        await wait_until(lambda: not present(banned["id"]), within=10, what="the deletion")
        assert present(fine["id"])
        # the server deletes on the request; the bot counts once its REST call returns
        await wait_until(lambda: timeline.deleted == 1, what="the bot's count of the deletion")

        spammer = await sb.add_member(guild_id)
        for _ in range(SPAM_REPEATS - 1):
            await sb.post_message(channel_id, "same line", author_id=spammer)
        quiet = await sb.add_member(guild_id)
        for _ in range(SPAM_REPEATS - 1):
            await sb.post_message(channel_id, "same line", author_id=quiet)
        await sb.post_message(channel_id, "same line", author_id=spammer)

        def timed_out(user_id: str) -> bool:
            until = sb.world.get_member(guild_id, user_id).communication_disabled_until
            return until is not None

        await wait_until(lambda: timed_out(spammer), within=10, what="the time-out")
        # the marker arrives after every earlier message was handled
        await sb.post_message(channel_id, "marker")
        await client.wait_for("MESSAGE_CREATE", lambda m: m.content == "marker", 10)
        assert not timed_out(quiet)  # one repeat short of the limit
        await wait_until(lambda: timeline.timed_out == 1, what="the bot's count of the time-out")
        assert timeline.deleted == 1
