"""Managers over the cache and REST, against the sandbox."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from fluxer_rx import Client, ClientOptions, RestOptions
from fluxer_rx.cache import Cache, CachedChannel, CachedGuild, CachedMember, CachedUser
from fluxer_rx.errors import ApiError, ClientNotReady
from fluxer_rx.managers import ChannelManager, GuildManager, MemberManager, UserManager
from fluxer_rx.models import Channel, Guild, Member, MessageCreate, PartialUser
from fluxer_rx.sandbox import Sandbox
from tests.typed_snippets import mypy_errors
from tests.util import wait_until


@pytest.fixture
async def logged_in() -> AsyncIterator[tuple[Sandbox, Client]]:
    async with Sandbox(members_per_guild=5) as sb:
        client = Client(ClientOptions(rest=RestOptions(api_url=sb.api_url, max_retries=0)))
        task = asyncio.create_task(client.login(sb.token))
        await client.wait_until_ready(timeout=10)
        await wait_until(lambda: len(client.guilds) == 2)
        try:
            yield sb, client
        finally:
            await client.destroy()
            await task


async def test_guild_and_channel_managers_read_the_cache(
    logged_in: tuple[Sandbox, Client],
) -> None:
    sb, client = logged_in
    guild_id = sb.guild_ids[0]
    assert len(client.guilds) == 2 and guild_id in client.guilds
    assert set(client.guilds) == set(sb.guild_ids)
    cached = client.guilds[guild_id]
    assert isinstance(cached, CachedGuild) and cached.id == guild_id
    assert client.guilds.get(guild_id) is cached
    assert client.guilds.get("1") is None
    assert await client.guilds.resolve(guild_id) is cached
    for channel_id in sb.channel_ids:
        assert isinstance(client.channels[channel_id], CachedChannel)
    assert client.members[guild_id][sb.bot_id].user_id == sb.bot_id
    assert client.members.get("1", {}) == {}
    assert set(client.members.keys()) == set(sb.guild_ids)


async def test_fetch_goes_to_rest_and_writes_the_cache(logged_in: tuple[Sandbox, Client]) -> None:
    sb, client = logged_in
    guild = await client.guilds.fetch(sb.guild_ids[0])
    assert isinstance(guild, Guild) and guild.id == sb.guild_ids[0]
    assert client.guilds[guild.id].name == guild.name
    channel = await client.channels.fetch(sb.channel_ids[0])
    assert isinstance(channel, Channel) and channel.id == sb.channel_ids[0]
    # members arrive without their users unless chunked; resolve falls back to REST
    stranger = next(u for u in sb.world.guilds[sb.guild_ids[0]].members if u != sb.bot_id)
    assert client.users.get(stranger) is None
    resolved = await client.users.resolve(stranger)
    assert isinstance(resolved, PartialUser) and resolved.id == stranger
    assert isinstance(client.users[stranger], CachedUser)
    assert await client.users.resolve(stranger) is client.users[stranger]
    user, profile = await client.users.fetch_with_profile(stranger)
    assert user.id == stranger and profile is not None
    member = await client.members.fetch(sb.guild_ids[0], stranger)
    assert member.user is not None and member.user.id == stranger
    assert stranger in client.members[sb.guild_ids[0]]


async def test_send_returns_the_message_and_the_event_follows(
    logged_in: tuple[Sandbox, Client],
) -> None:
    sb, client = logged_in
    events: list[MessageCreate] = []
    client.events.stream(MessageCreate).subscribe(events.append)
    message = await client.channels.send(sb.channel_ids[0], "from the bot")
    assert message.content == "from the bot" and message.author.id == sb.bot_id
    await wait_until(lambda: [e.id for e in events] == [message.id])
    fetched = await client.channels.fetch_message(sb.channel_ids[0], message.id)
    assert fetched.id == message.id and fetched.content == "from the bot"
    with pytest.raises(ApiError) as info:
        await client.channels.fetch_message(sb.channel_ids[0], "1")
    assert info.value.code.startswith("UNKNOWN")


async def test_fetch_instance(logged_in: tuple[Sandbox, Client]) -> None:
    _, client = logged_in
    instance = await client.fetch_instance()
    assert instance.endpoints.gateway is not None
    assert instance.endpoints.gateway.startswith("ws://127.0.0.1")


async def test_rest_needs_login() -> None:
    client = Client()
    with pytest.raises(ClientNotReady):
        await client.guilds.fetch("1")
    assert len(client.guilds) == 0 and client.guilds.get("1") is None


async def test_managers_read_a_view_and_write_fetches_only_to_their_store(
    logged_in: tuple[Sandbox, Client],
) -> None:
    """A manager over a read-only view writes what it fetches to the store it is given
    (here an empty cache of the test's own, fed only by the managers' fetches), and
    nowhere without one; given a whole Cache, the cache is its own store."""
    sb, client = logged_in
    guild_id, channel_id = sb.guild_ids[0], sb.channel_ids[0]
    stranger = next(u for u in sb.world.guilds[guild_id].members if u != sb.bot_id)
    rest = lambda: client.rest  # noqa: E731
    cache = Cache()
    # a guild fetched over REST is a GUILD_CREATE for a cache that has never seen it
    written = GuildManager(cache.view, rest, cache)
    assert written.get(guild_id) is None
    guild = await written.fetch(guild_id)
    stored = written.get(guild_id)
    assert isinstance(stored, CachedGuild) and stored is cache.guilds[guild_id]
    assert stored.name == guild.name
    assert await written.resolve(guild_id) is stored

    channels = ChannelManager(cache.view, rest, cache)
    channel = await channels.fetch(channel_id)
    assert channels.get(channel_id) is cache.channels[channel_id]
    assert cache.channels[channel_id].name == channel.name

    unwritten = Cache()
    read_only = UserManager(unwritten.view, rest)
    assert (await read_only.fetch(stranger)).id == stranger
    assert read_only.get(stranger) is None and len(unwritten.users) == 0
    assert isinstance(await read_only.resolve(stranger), PartialUser)  # REST again

    members = MemberManager(cache, rest)  # a whole Cache: its own store
    assert members.get_member(guild_id, stranger) is None
    member = await members.resolve(guild_id, stranger)
    assert isinstance(member, Member)
    cached = members.get_member(guild_id, stranger)
    assert isinstance(cached, CachedMember) and cached.user_id == stranger
    assert await members.resolve(guild_id, stranger) is cached
    assert members.get(guild_id, {}) is not None and stranger in members[guild_id]
    assert isinstance(cache.users[stranger], CachedUser)


def test_manager_types_are_precise_for_mypy() -> None:
    """get/fetch/resolve of every manager, and the view, are typed without ``Any``:
    tests/typed_snippets/managers_types.py passes ``mypy --strict``."""
    assert mypy_errors("managers_types") == []
