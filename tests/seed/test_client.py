"""Seed statements on ``Client``: its fields and methods, each through the public API of
a client logged in to the sandbox.

Deliberate differences pinned here (see docs/MIGRATING.md):

* Handlers: the calls for one event run in registration order, and each handler sees
  the events in order; an async handler has its own queue, so a slow async handler never
  holds up the others: different handlers run side by side.
* ``guilds`` / ``channels`` / ``users`` / ``members`` are managers stored on the client
  that are read-only ``Mapping`` views of the cache, not maps built on the fly.
* ``is_ready`` follows the connection: it goes false while the client reconnects and
  true again once the session is resumed (README, "Reliability").
* ``rest`` exists while logged in (the token is given to ``login``), and raises
  ``ClientNotReady`` before.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import pytest

from fluxer_rx import Client, ClientState, Events
from fluxer_rx.cache import CachedChannel, CachedGuild, CachedMember, CachedUser, CacheView
from fluxer_rx.diagnostics import Diagnostic, Kind
from fluxer_rx.errors import ClientNotReady
from fluxer_rx.models import MessageCreate, MessageReactionAdd, Ready
from fluxer_rx.operators import of_type
from fluxer_rx.rest import Rest
from fluxer_rx.sandbox import Sandbox
from tests.seed.harness import authors, logged_in, options_for, sandboxed
from tests.util import wait_until


async def test_client_holds_the_cache_rest_client_connection_and_handlers() -> None:
    async with sandboxed({"guilds": 1}) as run:
        client = run.client
        assert isinstance(client.cache, CacheView) and isinstance(client.rest, Rest)
        assert list(client.shards) == [0]  # the gateway connection
        remove = client.on(Events.MESSAGE_CREATE, lambda d: None)
        remove()


async def test_client_new_connects_nothing_until_login() -> None:
    async with Sandbox(guilds=1) as sb:
        client = Client(options_for(sb))
        assert client.state is ClientState.IDLE and not client.is_ready
        assert client.shards == {} and client.user is None
        assert sb.gateway.connection_count == 0 and sb.dispatch_log == []
        async with logged_in(sb) as run:
            assert sb.gateway.connection_count == 1 and run.client.is_ready


async def test_rest_is_the_one_rest_client_of_the_login() -> None:
    """``client.rest`` is the same object on every access (one session, shared rate
    limits, cheap to pass around); it exists from ``login`` to ``destroy``."""
    async with Sandbox(guilds=1) as sb:
        client = Client(options_for(sb))
        with pytest.raises(ClientNotReady):
            _ = client.rest
        async with logged_in(sb) as run:
            rest = run.client.rest
            assert run.client.rest is rest
            before = rest.stats.requests
            await run.client.channels.fetch(sb.channel_ids[0])
            assert run.client.rest.stats.requests == before + 1
        with pytest.raises(ClientNotReady):
            _ = run.client.rest


async def test_guilds_is_the_guild_cache() -> None:
    async with sandboxed({"guilds": 2}) as run:
        guilds = run.client.guilds
        assert set(guilds) == set(run.sb.guild_ids)
        assert all(isinstance(g, CachedGuild) and g.id == key for key, g in guilds.items())


async def test_channels_is_the_channel_cache() -> None:
    async with sandboxed({"guilds": 2, "channels_per_guild": 2}) as run:
        channels = run.client.channels
        assert set(channels) == set(run.sb.channel_ids)
        assert all(isinstance(c, CachedChannel) for c in channels.values())


async def test_users_is_the_user_cache() -> None:
    async with sandboxed({"guilds": 1}) as run:
        sb, users = run.sb, run.client.users
        assert isinstance(users[sb.bot_id], CachedUser)  # READY's user
        author = authors(sb)[0]
        await sb.post_message(sb.channel_ids[0], "hi", author_id=author)
        await wait_until(lambda: author in users)
        assert users[author].username == sb.world.users[author].username


async def test_members_maps_guild_id_to_user_id_to_member() -> None:
    async with sandboxed({"guilds": 2}) as run:
        sb, members = run.sb, run.client.members
        assert set(members) == set(sb.guild_ids)
        for guild_id in sb.guild_ids:
            member = members[guild_id][sb.bot_id]
            assert isinstance(member, CachedMember) and member.user_id == sb.bot_id


async def test_managers_are_stored_mapping_views_of_the_cache() -> None:
    """Deliberate difference: the reference builds managers on the fly from the client's
    maps; here each manager is built once, stored on the client, and is a live,
    read-only ``Mapping`` of the cache (so ``len``, ``in``, iteration and ``[id]`` work on
    it and nothing can write the cache behind the fold's back)."""
    async with sandboxed({"guilds": 1}) as run:
        client, sb = run.client, run.sb
        channels = client.channels
        for manager in (client.guilds, client.channels, client.users, client.members):
            assert isinstance(manager, Mapping)
        assert client.channels is channels and client.guilds is client.guilds
        created = await sb.create_channel(sb.guild_ids[0], "fresh")
        await wait_until(lambda: created["id"] in channels)  # live: the same object sees it
        with pytest.raises(TypeError):
            channels[created["id"]] = channels[created["id"]]  # type: ignore[index]


async def test_on_calls_every_handler_for_an_event_in_registration_order() -> None:
    """``on`` takes an ``Events`` name and passes the payload as plain JSON (a dict)."""
    async with sandboxed({"guilds": 1}) as run:
        client, sb = run.client, run.sb
        calls: list[tuple[str, str]] = []
        client.on(Events.MESSAGE_CREATE, lambda d: calls.append(("first", d["content"])))
        client.on(Events.MESSAGE_CREATE, lambda d: calls.append(("second", d["content"])))
        client.on(Events.MESSAGE_CREATE, lambda d: calls.append(("third", d["content"])))
        for text in ("one", "two"):
            await sb.post_message(sb.channel_ids[0], text)
        await wait_until(lambda: len(calls) == 6)
        assert calls == [(n, t) for t in ("one", "two") for n in ("first", "second", "third")]
        assert Events.MESSAGE_CREATE == "MESSAGE_CREATE"


async def test_on_async_handlers_each_see_events_in_order_and_run_side_by_side() -> None:
    """Deliberate difference: an async handler runs its calls one at a time, in event
    order, on its own queue; a handler stuck on one event does not delay the others."""
    async with sandboxed({"guilds": 1}) as run:
        client, sb = run.client, run.sb
        release = asyncio.Event()
        slow: list[str] = []
        fast: list[str] = []

        async def slow_handler(d: dict[str, Any]) -> None:
            await release.wait()
            slow.append(d["content"])

        async def fast_handler(d: dict[str, Any]) -> None:
            fast.append(d["content"])

        client.on(Events.MESSAGE_CREATE, slow_handler)
        client.on(Events.MESSAGE_CREATE, fast_handler)
        for text in ("one", "two", "three"):
            await sb.post_message(sb.channel_ids[0], text)
        await wait_until(lambda: fast == ["one", "two", "three"])
        assert slow == []  # still held on "one", while the other handler went on
        release.set()
        await wait_until(lambda: slow == ["one", "two", "three"])


async def test_on_typed_passes_every_event_as_a_typed_model() -> None:
    """``on_typed`` handlers get the typed models ``client.events`` emits (the Rust enum's
    variants are our model classes); a sync or an async function will do, and
    ``client.events.pipe(of_type(...))`` gives the same events as a stream."""
    async with sandboxed({"guilds": 1}) as run:
        client, sb = run.client, run.sb
        typed: list[Any] = []
        piped: list[MessageCreate] = []

        async def handler(event: Any) -> None:
            typed.append(event)

        client.on_typed(handler)
        client.events.pipe(of_type(MessageCreate)).subscribe(piped.append)
        posted = await sb.post_message(sb.channel_ids[0], "typed")
        await wait_until(lambda: any(isinstance(e, MessageCreate) for e in typed))
        (message,) = [e for e in typed if isinstance(e, MessageCreate)]
        assert message.id == posted["id"] and message.content == "typed"
        assert piped == [message]


async def test_login_runs_until_destroy_then_returns() -> None:
    async with Sandbox(guilds=1) as sb:
        client = Client(options_for(sb))
        seen: list[MessageCreate] = []
        client.events.pipe(of_type(MessageCreate)).subscribe(seen.append)
        login = asyncio.create_task(client.login(sb.token))
        await client.wait_until_ready(timeout=10)
        await sb.post_message(sb.channel_ids[0], "still running")
        await wait_until(lambda: len(seen) == 1)
        assert not login.done()
        await client.destroy()
        await asyncio.wait_for(login, 2)  # returns normally
        assert client.state is ClientState.CLOSED


async def test_user_is_the_bot_user_from_ready_and_none_before_login() -> None:
    async with Sandbox(guilds=1) as sb:
        client = Client(options_for(sb))
        assert client.user is None
        async with logged_in(sb) as run:
            ready = run.of(Ready)[0]
            user = run.client.user
            assert user is not None and user == ready.user and user.id == sb.bot_id


async def test_is_ready_after_ready_and_ready_at_is_when_the_flag_was_set() -> None:
    async with Sandbox(guilds=1) as sb:
        client = Client(options_for(sb))
        flips: list[tuple[bool, datetime | None]] = []
        client.diagnostics.subscribe(
            lambda d: (
                flips.append((client.is_ready, client.ready_at))
                if d.kind == Kind.CLIENT_STATE and d.detail.endswith("-> ready")
                else None
            )
        )
        assert not client.is_ready and client.ready_at is None
        before = datetime.now(UTC)
        login = asyncio.create_task(client.login(sb.token))
        try:
            await client.wait_until_ready(timeout=10)
            after = datetime.now(UTC)
            assert client.is_ready and client.ready_at is not None
            assert flips == [(True, client.ready_at)]
            assert before <= client.ready_at <= after
        finally:
            await client.destroy()
            await login
        assert not client.is_ready


async def test_is_ready_with_wait_for_guilds_waits_for_every_guild_create() -> None:
    async with Sandbox(guilds=3) as sb:
        client = Client(options_for(sb, wait_for_guilds=True, guild_ready_timeout=0.2))
        guilds_when_ready: list[int] = []
        client.diagnostics.subscribe(
            lambda d: (
                guilds_when_ready.append(len(client.guilds))
                if d.kind == Kind.CLIENT_STATE and d.detail.endswith("-> ready")
                else None
            )
        )
        login = asyncio.create_task(client.login(sb.token))
        try:
            await client.wait_until_ready(timeout=10)
            assert guilds_when_ready == [3]
        finally:
            await client.destroy()
            await login


async def test_is_ready_goes_false_while_reconnecting_and_true_after_resume() -> None:
    """Deliberate difference: the reference sets the flag once; here readiness follows
    the connection, so ``is_ready`` (and ``wait_until_ready``) tell whether commands can
    reach the gateway now. ``ready_at`` is the last time it went true."""
    async with Sandbox(guilds=1, resume_window=5.0) as sb:
        client = Client(options_for(sb))
        states: list[tuple[str, bool]] = []

        def noted(d: Diagnostic) -> None:
            if d.kind == Kind.CLIENT_STATE:
                states.append((d.detail, client.is_ready))

        client.diagnostics.subscribe(noted)
        login = asyncio.create_task(client.login(sb.token))
        try:
            await client.wait_until_ready(timeout=10)
            first = client.ready_at
            assert sb.drop_connections() == 1
            await wait_until(lambda: ("reconnecting -> ready", True) in states)
            assert ("ready -> reconnecting", False) in states
            assert client.is_ready and client.ready_at is not None and first is not None
            assert client.ready_at >= first
        finally:
            await client.destroy()
            await login


async def test_send_to_gateway_sends_to_every_shard() -> None:
    async with sandboxed({"guilds": 2}, shard_count=2, identify_interval=0.05) as run:
        sessions = run.sb.gateway.attached_sessions
        assert len(sessions) == 2
        run.client.send_to_gateway(3, {"status": "idle", "afk": False})
        await wait_until(lambda: all(s.status == "idle" for s in sessions))


async def test_send_to_shard_sends_to_one_shard() -> None:
    async with sandboxed({"guilds": 2}, shard_count=2, identify_interval=0.05) as run:
        by_shard = {s.shard: s for s in run.sb.gateway.attached_sessions}
        run.client.send_to_shard(1, 3, {"status": "dnd", "afk": False})
        await wait_until(lambda: by_shard[(1, 2)].status == "dnd")
        assert by_shard[(0, 2)].status == "online"


async def test_create_message_collector_collects_a_channels_messages() -> None:
    async with sandboxed({"guilds": 1, "channels_per_guild": 2}) as run:
        client, sb = run.client, run.sb
        here, elsewhere = sb.channel_ids[:2]
        collector = client.create_message_collector(here, max=2, time=10)
        await sb.post_message(elsewhere, "not collected")
        for text in ("one", "two", "three"):
            await sb.post_message(here, text)
        result = await asyncio.wait_for(collector, 5)
        assert [m.content for m in result.items] == ["one", "two"]
        assert result.reason == "limit"


async def test_create_reaction_collector_collects_a_messages_reactions() -> None:
    async with sandboxed({"guilds": 1}) as run:
        client, sb = run.client, run.sb
        channel = sb.channel_ids[0]
        message = await sb.post_message(channel, "react here")
        other = await sb.post_message(channel, "not this one")
        collector = client.create_reaction_collector(channel, message["id"], max=2, time=10)
        await sb.add_reaction(channel, other["id"], "👎")
        for emoji in ("👍", "🎉"):
            await sb.add_reaction(channel, message["id"], emoji)
        result = await asyncio.wait_for(collector, 5)
        assert all(isinstance(r, MessageReactionAdd) for r in result.items)
        assert [r.emoji.name for r in result.items] == ["👍", "🎉"]
        assert result.reason == "limit"


async def test_fetch_instance_returns_the_instance_discovery_document() -> None:
    """Ours asks ``/.well-known/fluxer`` at the API's origin first (newer servers), then
    falls back to ``{api_url}/instance`` (the route the reference names)."""
    async with sandboxed({"guilds": 1}) as run:
        instance = await run.client.fetch_instance()
        assert instance.endpoints.gateway == run.sb.gateway_url


async def test_destroy_ends_login_which_returns_normally() -> None:
    async with Sandbox(guilds=1) as sb:
        idle = Client(options_for(sb))
        await idle.destroy()  # harmless when nothing runs
        assert idle.state is ClientState.IDLE
        client = Client(options_for(sb))
        login = asyncio.create_task(client.login(sb.token))
        await wait_until(lambda: client.state is not ClientState.IDLE)
        await asyncio.wait_for(client.destroy(), 2)  # from any state, here before READY
        await asyncio.wait_for(login, 1)  # returns normally
        assert client.state is ClientState.CLOSED
