"""The client folds each event into the cache before anyone sees the event."""

from __future__ import annotations

import asyncio

from fluxer_rx import Client, ClientOptions, RestOptions
from fluxer_rx.models import GuildMemberAdd, MessageCreate
from fluxer_rx.sandbox import Sandbox
from tests.util import wait_until


async def test_subscribers_see_the_cache_with_their_event_applied() -> None:
    async with Sandbox() as sb:
        client = Client(ClientOptions(rest=RestOptions(api_url=sb.api_url)))
        seen_in_cache: list[bool] = []

        def check(event: object) -> None:
            if isinstance(event, GuildMemberAdd) and event.user is not None:
                seen_in_cache.append(event.user.id in client.cache.members[event.guild_id])
            elif isinstance(event, MessageCreate):
                seen_in_cache.append(event.author.id in client.cache.users)

        client.events.subscribe(check)
        task = asyncio.create_task(client.login(sb.token))
        await client.wait_until_ready(timeout=10)
        try:
            guild = sb.guild_ids[0]
            await wait_until(lambda: guild in client.cache.guilds)
            user_id = await sb.add_member(guild)
            await sb.post_message(sb.channel_ids[0], "hi", author_id=user_id)
            await wait_until(lambda: len(seen_in_cache) == 2)
            assert seen_in_cache == [True, True]
        finally:
            await client.destroy()
            await task


async def test_chunk_guilds_fills_member_lists_before_ready() -> None:
    async with Sandbox(guilds=2, members_per_guild=25) as sb:
        client = Client(
            ClientOptions(
                rest=RestOptions(api_url=sb.api_url),
                chunk_guilds=True,
                wait_for_guilds=True,
                guild_ready_timeout=0.1,
            )
        )
        task = asyncio.create_task(client.login(sb.token))
        try:
            await client.wait_until_ready(timeout=10)
            for guild in sb.guild_ids:
                assert len(client.cache.members[guild]) == 26  # 25 members and the bot
        finally:
            await client.destroy()
            await task
