"""Client features beyond one plain connection: shards, presence, size checks, gaps,
discovery fallbacks."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from aiohttp import web

from fluxer_rx import Client, ClientOptions, RestOptions
from fluxer_rx.client import shard_for_guild
from fluxer_rx.diagnostics import Diagnostic, Kind
from fluxer_rx.errors import InvalidToken, PayloadTooLarge, RestError
from fluxer_rx.gateway.actions import GapDetected
from fluxer_rx.gateway.discovery import discover_gateway_url
from fluxer_rx.models import GuildCreate, MessageCreate, Ready
from fluxer_rx.models.frame import Frame
from fluxer_rx.sandbox import Sandbox
from tests.util import wait_until


async def _login(client: Client, sb: Sandbox) -> asyncio.Task[None]:
    task = asyncio.create_task(client.login(sb.token))
    await client.wait_until_ready(timeout=10)
    return task


async def test_two_shards_split_guilds_by_id() -> None:
    async with Sandbox(guilds=4) as sb:
        client = Client(
            ClientOptions(
                rest=RestOptions(api_url=sb.api_url), shard_count=2, identify_interval=0.05
            )
        )
        frames: list[Frame] = []
        client.raw.subscribe(frames.append)
        task = await _login(client, sb)
        try:
            assert sorted(client.shards) == [0, 1]
            await wait_until(lambda: sum(f.t == "GUILD_CREATE" for f in frames) == 4)
            for frame in frames:
                if frame.t == "GUILD_CREATE":
                    guild_id = frame.data["id"]
                    assert frame.shard_id == shard_for_guild(guild_id, 2)
                    assert client.shard_for(guild_id) == frame.shard_id
            assert sum(f.t == "READY" for f in frames) == 2
            channel = sb.channel_ids[-1]
            guild = sb.world.get_channel(channel).guild_id
            await sb.post_message(channel, "routed")
            await wait_until(lambda: any(f.t == "MESSAGE_CREATE" for f in frames))
            message = next(f for f in frames if f.t == "MESSAGE_CREATE")
            assert message.shard_id == shard_for_guild(guild, 2)
        finally:
            await client.destroy()
            await task


async def test_presence_update_reaches_the_gateway_and_size_is_checked() -> None:
    async with Sandbox() as sb:
        client = Client(ClientOptions(rest=RestOptions(api_url=sb.api_url)))
        names: list[str] = []
        client.events.subscribe(lambda e: names.append(type(e).__name__))
        task = await _login(client, sb)
        try:
            client.update_presence("dnd")
            await wait_until(lambda: "SessionsReplace" in names)
            with pytest.raises(PayloadTooLarge):
                client.send_to_gateway(3, {"status": "online", "pad": "x" * 5000})
        finally:
            await client.destroy()
            await task


async def test_unbuffered_events_show_as_a_gap_after_resume() -> None:
    async with Sandbox(heartbeat_interval=1.0, resume_window=5.0) as sb:
        client = Client(ClientOptions(rest=RestOptions(api_url=sb.api_url)))
        reports: list[Diagnostic] = []
        events: list[object] = []
        client.diagnostics.subscribe(reports.append)
        client.events.subscribe(events.append)
        task = await _login(client, sb)
        try:
            channel = sb.channel_ids[0]
            message = await sb.post_message(channel, "reacted")
            await wait_until(lambda: any(isinstance(e, MessageCreate) for e in events))
            sb.drop_connections()
            # reactions consume a seq but are never buffered: the resume shows a gap
            await sb.add_reaction(channel, message["id"], "👍")
            await sb.post_message(channel, "after the reaction")
            await wait_until(lambda: any(r.kind == Kind.GAP for r in reports), within=10)
            gap = next(r.data for r in reports if r.kind == Kind.GAP)
            assert isinstance(gap, GapDetected) and gap.first_missing == gap.last_missing
            await wait_until(
                lambda: sum(isinstance(e, MessageCreate) for e in events) == 2, within=10
            )
        finally:
            await client.destroy()
            await task


async def test_session_lost_past_the_resume_window_reidentifies() -> None:
    async with Sandbox(heartbeat_interval=1.0, resume_window=0.0) as sb:
        client = Client(ClientOptions(rest=RestOptions(api_url=sb.api_url)))
        reports: list[Diagnostic] = []
        events: list[object] = []
        client.diagnostics.subscribe(reports.append)
        client.events.subscribe(events.append)
        task = await _login(client, sb)
        try:
            await wait_until(lambda: sum(isinstance(e, GuildCreate) for e in events) == 2)
            sb.drop_connections()  # the session dies at once (resume window 0)
            await wait_until(lambda: sum(isinstance(e, Ready) for e in events) == 2, within=15)
            lost = [r for r in reports if r.kind == Kind.SESSION_LOST]
            assert len(lost) == 1
            gaps = [r.data for r in reports if r.kind == Kind.GAP]
            assert any(isinstance(g, GapDetected) and g.last_missing is None for g in gaps)
            await wait_until(lambda: sum(isinstance(e, GuildCreate) for e in events) == 4)
            await sb.post_message(sb.channel_ids[0], "new session")
            await wait_until(lambda: any(isinstance(e, MessageCreate) for e in events))
        finally:
            await client.destroy()
            await task


@pytest.fixture
async def discovery_server() -> AsyncIterator[tuple[str, dict[str, int]]]:
    """An API with a broken /gateway/bot, so discovery must fall back."""
    hits: dict[str, int] = {}

    async def gateway_bot(request: web.Request) -> web.Response:
        hits["gateway_bot"] = hits.get("gateway_bot", 0) + 1
        return web.json_response({"code": "X", "message": "nope"}, status=500)

    async def well_known(request: web.Request) -> web.Response:
        hits["well_known"] = hits.get("well_known", 0) + 1
        return web.json_response({}, status=404)

    async def instance(request: web.Request) -> web.Response:
        hits["instance"] = hits.get("instance", 0) + 1
        return web.json_response({"endpoints": {"gateway": "ws://instance.example/"}})

    app = web.Application()
    app.router.add_get("/v1/gateway/bot", gateway_bot)
    app.router.add_get("/.well-known/fluxer", well_known)
    app.router.add_get("/v1/instance", instance)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        yield f"http://127.0.0.1:{port}/v1", hits
    finally:
        await runner.cleanup()


async def test_discovery_falls_back_to_instance(
    discovery_server: tuple[str, dict[str, int]],
) -> None:
    api, hits = discovery_server
    url = await discover_gateway_url(RestOptions(api_url=api), "1.secret")
    assert url == "ws://instance.example/"
    assert hits["gateway_bot"] == 1 and hits["well_known"] == 1 and hits["instance"] == 1


async def test_discovery_uses_gateway_bot_and_maps_401() -> None:
    async with Sandbox() as sb:
        url = await discover_gateway_url(RestOptions(api_url=sb.api_url), sb.token)
        assert url.startswith("ws://127.0.0.1") and "?" not in url
    app = web.Application()

    async def refuse(request: web.Request) -> web.Response:
        return web.json_response({"code": "INVALID_AUTH_TOKEN", "message": "no"}, status=401)

    app.router.add_get("/v1/gateway/bot", refuse)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    try:
        api = f"http://127.0.0.1:{runner.addresses[0][1]}/v1"
        with pytest.raises(InvalidToken) as info:
            await discover_gateway_url(RestOptions(api_url=api), "1.topsecret")
        assert "topsecret" not in str(info.value)
        client = Client(ClientOptions(rest=RestOptions(api_url=api)))
        with pytest.raises(InvalidToken):
            await client.login("1.topsecret")
    finally:
        await runner.cleanup()


async def test_discovery_without_any_source_raises_rest_error() -> None:
    with pytest.raises(RestError):
        await discover_gateway_url(RestOptions(api_url="http://127.0.0.1:9/v1", timeout=2), "1.x")
