"""Seed statements on the managers: ``GuildManager``, ``ChannelManager`` and
``UsersManager`` (ours: ``client.guilds``, ``client.channels``, ``client.users``), each
method through a client logged in to the sandbox.

``get`` reads the cache only; ``fetch`` always asks REST and writes the answer into the
cache; ``resolve`` returns the cached entry without a request, else fetches. A cache
bound is used to leave an entry out of the cache, so that ``fetch`` and ``resolve`` have
something to bring in.
"""

from __future__ import annotations

from fluxer_rx import CacheSizeLimits
from fluxer_rx.cache import CachedChannel, CachedGuild, CachedUser
from fluxer_rx.models import Channel, Guild, Message, MessageCreate, PartialUser
from fluxer_rx.rest import UserProfile
from tests.seed.harness import authors, sandboxed
from tests.util import wait_until


async def test_guild_manager_get_returns_the_cached_guild_or_none() -> None:
    async with sandboxed({"guilds": 1}) as run:
        guild_id = run.sb.guild_ids[0]
        found = run.client.guilds.get(guild_id)
        assert isinstance(found, CachedGuild) and found is run.client.guilds[guild_id]
        assert run.client.guilds.get("1") is None


async def test_guild_manager_fetch_fetches_the_guild_via_rest_and_updates_the_cache() -> None:
    async with sandboxed({"guilds": 2}, cache=CacheSizeLimits(guilds=1)) as run:
        client, sb = run.client, run.sb
        (kept,) = client.guilds
        evicted = next(g for g in sb.guild_ids if g != kept)
        before = client.rest.stats.requests
        guild = await client.guilds.fetch(evicted)
        assert isinstance(guild, Guild) and guild.id == evicted
        assert client.rest.stats.requests == before + 1
        assert client.guilds[evicted].name == guild.name == sb.world.guilds[evicted].name


async def test_guild_manager_resolve_returns_from_cache_else_fetches() -> None:
    async with sandboxed({"guilds": 2}, cache=CacheSizeLimits(guilds=1)) as run:
        client, sb = run.client, run.sb
        (kept,) = client.guilds
        evicted = next(g for g in sb.guild_ids if g != kept)
        before = client.rest.stats.requests
        assert await client.guilds.resolve(kept) is client.guilds[kept]
        assert client.rest.stats.requests == before  # no request for a cached guild
        resolved = await client.guilds.resolve(evicted)
        assert isinstance(resolved, Guild) and resolved.id == evicted
        assert client.rest.stats.requests == before + 1


async def test_channel_manager_get_returns_the_cached_channel_or_none() -> None:
    async with sandboxed({"guilds": 1}) as run:
        channel_id = run.sb.channel_ids[0]
        found = run.client.channels.get(channel_id)
        assert isinstance(found, CachedChannel) and found.id == channel_id
        assert run.client.channels.get("1") is None


async def test_channel_manager_fetch_fetches_the_channel_via_rest_and_updates_the_cache() -> None:
    async with sandboxed(
        {"guilds": 1, "channels_per_guild": 2}, cache=CacheSizeLimits(channels=1)
    ) as run:
        client, sb = run.client, run.sb
        (kept,) = client.channels
        evicted = next(c for c in sb.channel_ids if c != kept)
        channel = await client.channels.fetch(evicted)
        assert isinstance(channel, Channel) and channel.id == evicted
        assert client.channels[evicted].name == channel.name


async def test_channel_manager_resolve_returns_from_cache_else_fetches() -> None:
    async with sandboxed(
        {"guilds": 1, "channels_per_guild": 2}, cache=CacheSizeLimits(channels=1)
    ) as run:
        client, sb = run.client, run.sb
        (kept,) = client.channels
        evicted = next(c for c in sb.channel_ids if c != kept)
        before = client.rest.stats.requests
        assert await client.channels.resolve(kept) is client.channels[kept]
        assert client.rest.stats.requests == before
        resolved = await client.channels.resolve(evicted)
        assert isinstance(resolved, Channel) and resolved.id == evicted
        assert client.rest.stats.requests == before + 1


async def test_channel_manager_send_sends_a_message_by_channel_id() -> None:
    """By id, without a channel object: text, or a full message body."""
    async with sandboxed({"guilds": 1}) as run:
        client, sb = run.client, run.sb
        channel_id = sb.channel_ids[0]
        text = await client.channels.send(channel_id, "plain text")
        body = await client.channels.send(channel_id, {"content": "a body", "tts": False})
        assert isinstance(text, Message) and text.author.id == sb.bot_id
        assert (text.content, body.content) == ("plain text", "a body")
        await wait_until(lambda: [m.id for m in run.of(MessageCreate)] == [text.id, body.id])


async def test_channel_manager_fetch_message_fetches_a_message_by_id() -> None:
    async with sandboxed({"guilds": 1}) as run:
        channel_id = run.sb.channel_ids[0]
        posted = await run.sb.post_message(channel_id, "find me")
        message = await run.client.channels.fetch_message(channel_id, posted["id"])
        assert isinstance(message, Message)
        assert (message.id, message.content, message.channel_id) == (
            posted["id"],
            "find me",
            channel_id,
        )


async def test_users_manager_get_returns_the_cached_user_or_none() -> None:
    async with sandboxed({"guilds": 1}) as run:
        sb = run.sb
        found = run.client.users.get(sb.bot_id)
        assert isinstance(found, CachedUser) and found.id == sb.bot_id
        stranger = authors(sb)[0]  # GUILD_CREATE carries no users but the bot's member
        assert run.client.users.get(stranger) is None


async def test_users_manager_fetch_fetches_the_user_via_rest() -> None:
    """Ours also writes the user into the cache (when users are cached)."""
    async with sandboxed({"guilds": 1}) as run:
        stranger = authors(run.sb)[0]
        user = await run.client.users.fetch(stranger)
        assert isinstance(user, PartialUser) and user.id == stranger
        assert user.username == run.sb.world.users[stranger].username
        assert run.client.users[stranger].username == user.username


async def test_users_manager_resolve_returns_from_cache_else_fetches() -> None:
    async with sandboxed({"guilds": 1}) as run:
        client, sb = run.client, run.sb
        stranger = authors(sb)[0]
        before = client.rest.stats.requests
        assert await client.users.resolve(sb.bot_id) is client.users[sb.bot_id]
        assert client.rest.stats.requests == before
        resolved = await client.users.resolve(stranger)
        assert isinstance(resolved, PartialUser) and resolved.id == stranger
        assert client.rest.stats.requests == before + 1
        assert await client.users.resolve(stranger) is client.users[stranger]  # now cached


async def test_users_manager_fetch_with_profile_returns_the_user_and_profile() -> None:
    """Ours returns ``(user, profile)``: the user as ``fetch`` gives it and the profile
    response (``UserProfile``); with ``guild_id`` the profile carries the guild member."""
    async with sandboxed({"guilds": 1}) as run:
        sb = run.sb
        stranger = authors(sb)[0]
        user, profile = await run.client.users.fetch_with_profile(stranger)
        assert isinstance(user, PartialUser) and isinstance(profile, UserProfile)
        assert user.id == profile.user.id == stranger and profile.guild_member is None
        _, in_guild = await run.client.users.fetch_with_profile(stranger, guild_id=sb.guild_ids[0])
        assert in_guild.guild_member is not None
