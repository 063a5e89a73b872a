"""Seed statements on ``ClientOptions`` and ``CacheSizeLimits``, each through a client
logged in to the sandbox.

Deliberate differences pinned here (see docs/MIGRATING.md):

* ``intents`` is accepted and never sent: Fluxer has no intents.
* ``ClientOptions.cache`` is a ``CacheOptions`` (stores, limits, message cache); the
  seed's ``cache=CacheSizeLimits(...)``, used below, is read as ``CacheOptions(limits=...)``.
* The cache evicts the least recently used entry on every write that goes past a limit,
  not "after each GUILD_CREATE": a bound holds at every instant, whatever event grew
  the store (a MESSAGE_CREATE's author, a member, a channel).
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from fluxer_rx import CacheSizeLimits, Client, ClientOptions, Events, RestOptions
from fluxer_rx.errors import GatewayError
from fluxer_rx.models import GuildCreate, MessageCreate, Ready
from fluxer_rx.sandbox import Sandbox
from tests.seed.harness import authors, logged_in, options_for, sandboxed
from tests.util import wait_until


def _spy_identify(sb: Sandbox, monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """The IDENTIFY payloads the sandbox receives (a server-side spy)."""
    seen: list[dict[str, Any]] = []
    hub = sb.gateway
    real = hub._on_identify

    async def spy(conn: Any, d: Any) -> None:
        seen.append(d)
        await real(conn, d)

    monkeypatch.setattr(hub, "_on_identify", spy)
    return seen


async def test_intents_default_to_0_are_accepted_and_never_sent(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Fluxer has no intents: the option exists for source compatibility; whatever its
    value, the IDENTIFY carries no ``intents`` key and the session is the same."""
    assert ClientOptions().intents == 0
    async with Sandbox(guilds=1) as sb:
        identifies = _spy_identify(sb, monkeypatch)
        async with logged_in(sb, intents=3276799) as run:
            assert run.client.is_ready
    assert len(identifies) == 1 and "intents" not in identifies[0]


async def test_presence_is_the_initial_presence_on_connect(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert ClientOptions().presence is None
    async with Sandbox(guilds=1) as sb:
        identifies = _spy_identify(sb, monkeypatch)
        async with logged_in(sb, presence={"status": "dnd", "afk": False}):
            (session,) = sb.gateway.attached_sessions
            assert session.status == "dnd"
    assert identifies[0]["presence"]["status"] == "dnd"


async def test_rest_options_default_when_not_given_and_are_used_when_given() -> None:
    assert ClientOptions().rest == RestOptions()
    async with Sandbox(guilds=1) as sb:
        rest = RestOptions(api_url=sb.api_url, max_retries=0, timeout=5.0)
        async with logged_in(sb, rest=rest) as run:
            assert run.client.rest.api_url == sb.api_url
            assert (await run.client.rest.get_current_user()).id == sb.bot_id


async def test_gateway_version_defaults_to_1_and_is_sent_as_v() -> None:
    """The sandbox, like Fluxer, refuses any ``v`` but 1 with close 4012 before HELLO: the
    default logs in, version "2" is sent and refused (a fatal ``GatewayError``)."""
    assert ClientOptions().gateway_version == "1"
    async with Sandbox(guilds=1) as sb:
        async with logged_in(sb) as run:
            assert run.client.is_ready
        client = Client(options_for(sb, gateway_version="2"))
        with pytest.raises(GatewayError) as caught:
            await asyncio.wait_for(client.login(sb.token), 10)
        assert caught.value.code == 4012


async def test_wait_for_guilds_delays_ready_until_every_guild_create() -> None:
    assert ClientOptions().wait_for_guilds is False
    async with Sandbox(guilds=3) as sb:
        ready_saw: list[tuple[bool, int]] = []
        client = Client(options_for(sb, wait_for_guilds=True, guild_ready_timeout=0.2))
        order: list[str] = []
        client.events.subscribe(lambda e: order.append(type(e).__name__))
        client.on(Events.READY, lambda d: ready_saw.append((client.is_ready, len(client.guilds))))
        login = asyncio.create_task(client.login(sb.token))
        try:
            await wait_until(lambda: "Ready" in order)
            assert order == [GuildCreate.__name__] * 3 + [Ready.__name__]
            assert ready_saw == [(True, 3)]
        finally:
            await client.destroy()
            await login


async def test_cache_limits_default_to_none_and_the_cache_is_unbounded() -> None:
    assert ClientOptions().cache.limits == CacheSizeLimits()
    limits = CacheSizeLimits()
    assert (limits.guilds, limits.channels, limits.users, limits.members) == (None,) * 4
    async with sandboxed({"guilds": 3, "channels_per_guild": 4, "members_per_guild": 6}) as run:
        sb = run.sb
        client = run.client
        posters = authors(sb)
        for user_id in posters:
            await sb.post_message(sb.channel_ids[0], "hi", author_id=user_id)
        await wait_until(lambda: len(run.of(MessageCreate)) == len(posters))
        assert set(client.guilds) == set(sb.guild_ids)
        assert set(client.channels) == set(sb.channel_ids)
        assert set(posters) | {sb.bot_id} <= set(client.users)
        assert set(posters) <= set(client.members[sb.guild_ids[0]])


async def test_cache_guilds_is_the_maximum_number_of_guilds() -> None:
    async with Sandbox(guilds=3) as sb, logged_in(sb, cache=CacheSizeLimits(guilds=2)) as run:
        first = run.of(GuildCreate)[0].id
        assert len(run.client.guilds) == 2 and first not in run.client.guilds
        # an evicted guild takes its channels and members with it
        gone = [c for c in sb.channel_ids if sb.world.channels[c].guild_id == first]
        assert gone and not set(gone) & set(run.client.channels)
        assert first not in run.client.members


async def test_cache_channels_is_the_maximum_number_of_channels() -> None:
    async with sandboxed(
        {"guilds": 2, "channels_per_guild": 3}, cache=CacheSizeLimits(channels=4)
    ) as run:
        sb = run.sb
        assert len(run.client.channels) == 4
        assert set(run.client.channels) <= set(sb.channel_ids)


async def test_cache_users_is_the_maximum_number_of_users() -> None:
    async with sandboxed(
        {"guilds": 1, "members_per_guild": 6}, cache=CacheSizeLimits(users=3)
    ) as run:
        sb = run.sb
        posters = authors(sb)
        for user_id in posters:
            await sb.post_message(sb.channel_ids[0], "hi", author_id=user_id)
        await wait_until(lambda: len(run.of(MessageCreate)) == len(posters))
        assert set(run.client.users) == set(posters[-3:])


async def test_cache_members_is_the_maximum_number_of_members_across_all_guilds() -> None:
    async with sandboxed(
        {"guilds": 2, "members_per_guild": 4}, cache=CacheSizeLimits(members=3)
    ) as run:
        sb = run.sb
        channels = [
            next(c for c in sb.channel_ids if sb.world.channels[c].guild_id == g)
            for g in sb.guild_ids
        ]
        for index, channel_id in enumerate(channels):
            for user_id in authors(sb, index)[:2]:
                await sb.post_message(channel_id, "hi", author_id=user_id)
        await wait_until(lambda: len(run.of(MessageCreate)) == 4)
        cached = [(g, u) for g, inner in run.client.members.items() for u in inner]
        assert len(cached) == 3
        assert {g for g, _ in cached} == set(sb.guild_ids)  # the bound spans guilds


async def test_cache_evicts_the_least_recently_used_entry_on_every_write() -> None:
    """Deliberate difference: the reference evicts the oldest entries after each
    GUILD_CREATE; fluxer_rx evicts the least recently used entry on the write that goes
    past the bound (here a MESSAGE_CREATE's author), and ``get`` counts as a use. So a
    bound is never exceeded, even between GUILD_CREATEs, and hot entries stay."""
    async with sandboxed(
        {"guilds": 1, "members_per_guild": 4}, cache=CacheSizeLimits(users=3)
    ) as run:
        sb = run.sb
        client = run.client
        a, b, c = authors(sb)[:3]
        seen_at_c: list[set[str]] = []
        client.on_typed(
            lambda e: (
                seen_at_c.append(set(client.users))
                if isinstance(e, MessageCreate) and e.author.id == c
                else None
            )
        )
        for user_id in (a, b):
            await sb.post_message(sb.channel_ids[0], "hi", author_id=user_id)
        await wait_until(lambda: len(run.of(MessageCreate)) == 2)
        assert set(client.users) == {sb.bot_id, a, b}
        assert client.users.get(sb.bot_id) is not None  # a use: now newer than a and b
        assert client.users.get(a) is not None  # newest
        await sb.post_message(sb.channel_ids[0], "hi", author_id=c)
        await wait_until(lambda: len(seen_at_c) == 1)
        assert seen_at_c == [{sb.bot_id, a, c}]  # b, least recently used, evicted at once
        assert len(run.of(GuildCreate)) == 1  # no GUILD_CREATE since the burst
