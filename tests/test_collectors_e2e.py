"""Collectors, wait_for and aiter_events end to end: a real Client on the sandbox, real
messages and reactions over a socket."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest

from fluxer_rx import Client, ClientOptions, RestOptions
from fluxer_rx.models import MessageCreate, MessageReactionAdd
from fluxer_rx.operators import aiter_events, content_matches, in_channel, of_type
from fluxer_rx.sandbox import Sandbox
from tests.util import wait_until


@dataclass
class Live:
    sb: Sandbox
    client: Client


@pytest.fixture
async def live() -> AsyncIterator[Live]:
    async with Sandbox(heartbeat_interval=1.0) as sb:
        client = Client(ClientOptions(rest=RestOptions(api_url=sb.api_url)))
        task = asyncio.create_task(client.login(sb.token))
        try:
            await client.wait_until_ready(timeout=10)
            yield Live(sb, client)
        finally:
            await client.destroy()
            await asyncio.wait_for(task, 10)


async def test_message_collector_with_real_messages(live: Live) -> None:
    sb, client = live.sb, live.client
    here, elsewhere = sb.channel_ids[0], sb.channel_ids[1]
    collector = client.create_message_collector(
        here, filter=lambda m: m.content.startswith("vote"), max=2, time=10.0
    )
    await sb.post_message(here, "chatter")
    await sb.post_message(elsewhere, "vote elsewhere")
    first = await sb.post_message(here, "vote a")
    second = await sb.post_message(here, "vote b")
    await sb.post_message(here, "vote c")
    result = await asyncio.wait_for(collector, 5.0)
    assert result.reason == "limit"
    assert [m.id for m in result.items] == [first["id"], second["id"]]
    assert all(isinstance(m, MessageCreate) for m in result.items)
    assert collector.processed == 3
    assert client.events.routed_count == 0


async def test_message_collector_dispose_and_channel_delete(live: Live) -> None:
    sb, client = live.sb, live.client
    channel = sb.channel_ids[0]
    collector = client.create_message_collector(channel, dispose=True, time=10.0)
    kept = await sb.post_message(channel, "kept")
    gone = await sb.post_message(channel, "gone")
    await sb.delete_message(channel, gone["id"])
    await sb.delete_channel(channel)
    result = await asyncio.wait_for(collector, 5.0)
    assert result.reason == "channel_delete"
    assert [m.id for m in result.items] == [kept["id"]]
    assert client.events.routed_count == 0


async def test_reaction_collector_with_real_reactions(live: Live) -> None:
    sb, client = live.sb, live.client
    channel, guild = sb.channel_ids[0], sb.guild_ids[0]
    posted = await sb.post_message(channel, "react here")
    other = await sb.post_message(channel, "not here")
    users = [await sb.add_member(guild) for _ in range(2)]
    collector = client.create_reaction_collector(
        channel, posted["id"], max_users=2, time=10.0, dispose=True
    )
    await sb.add_reaction(channel, other["id"], "👍", users[0])
    await sb.add_reaction(channel, posted["id"], "👍", users[0])
    await sb.add_reaction(channel, posted["id"], "🎉", users[0])
    sb.world.remove_reaction(channel, posted["id"], "🎉", users[0])
    await sb.add_reaction(channel, posted["id"], "👍", users[1])
    result = await asyncio.wait_for(collector, 5.0)
    assert result.reason == "user_limit"
    assert [(r.user_id, r.emoji.name) for r in result.items] == [
        (users[0], "👍"),
        (users[1], "👍"),
    ]
    assert all(isinstance(r, MessageReactionAdd) for r in result.items)
    assert client.events.routed_count == 0


async def test_reaction_collector_ends_on_message_delete(live: Live) -> None:
    sb, client = live.sb, live.client
    channel = sb.channel_ids[0]
    posted = await sb.post_message(channel, "short lived")
    collector = client.create_reaction_collector(channel, posted["id"], idle=10.0)
    await sb.add_reaction(channel, posted["id"], "👍")
    await sb.delete_message(channel, posted["id"])
    result = await asyncio.wait_for(collector, 5.0)
    assert (len(result.items), result.reason) == (1, "message_delete")


async def test_wait_for_and_aiter_with_real_messages(live: Live) -> None:
    sb, client = live.sb, live.client
    channel = sb.channel_ids[0]
    waiter = asyncio.create_task(
        client.wait_for(MessageCreate, lambda m: m.content == "the answer", timeout=5.0)
    )
    await wait_until(lambda: client.events.routed_count == 1)  # the waiter is subscribed
    stream = client.events.pipe(
        of_type(MessageCreate), in_channel(channel), content_matches(r"^n\d$")
    )
    seen: list[str] = []
    async with aiter_events(stream, buffer=10) as iterator:
        await sb.post_message(channel, "noise")
        for i in range(3):
            await sb.post_message(channel, f"n{i}")
        answer = await sb.post_message(channel, "the answer")
        async for message in iterator:
            seen.append(message.content)
            if len(seen) == 3:
                break
    assert seen == ["n0", "n1", "n2"]
    assert (await asyncio.wait_for(waiter, 5.0)).id == answer["id"]
    assert client.events.routed_count == 0
