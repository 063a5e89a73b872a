"""The Client's thin collector / wait_for methods over ``client.events`` (no network)."""

from __future__ import annotations

import asyncio

from fluxer_rx.client import Client
from fluxer_rx.models import (
    GuildDelete,
    MessageCreate,
    MessageReactionAdd,
    PartialEmoji,
    PartialUser,
)


def msg(mid: str, channel: str = "c1") -> MessageCreate:
    return MessageCreate(id=mid, channel_id=channel, author=PartialUser(id="u"), content=mid)


async def test_client_message_collector_and_wait_for() -> None:
    client = Client()
    collector = client.create_message_collector("c1", max=2, guild_id="g1")
    waiter = asyncio.create_task(client.wait_for(MessageCreate, lambda m: m.channel_id == "c2"))
    await asyncio.sleep(0)  # let wait_for subscribe (ordering, not timing)
    client.events.on_next(msg("1"))
    client.events.on_next(msg("2", "c2"))
    client.events.on_next(msg("3"))
    result = await asyncio.wait_for(collector, 1.0)
    assert ([m.id for m in result.items], result.reason) == (["1", "3"], "limit")
    assert (await asyncio.wait_for(waiter, 1.0)).id == "2"
    assert client.events.routed_count == 0


async def test_client_reaction_collector_guild_delete() -> None:
    client = Client()
    collector = client.create_reaction_collector("c1", "m1", guild_id="g1", time=30.0)
    client.events.on_next(
        MessageReactionAdd(channel_id="c1", message_id="m1", user_id="u", emoji=PartialEmoji())
    )
    client.events.on_next(GuildDelete(id="g1"))
    result = await asyncio.wait_for(collector, 1.0)
    assert (len(result.items), result.reason) == (1, "guild_delete")
    assert client.events.routed_count == 0
