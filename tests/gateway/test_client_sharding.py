"""Client features beyond one plain connection: shards, presence, size checks, gaps."""

from __future__ import annotations

import asyncio

import pytest

from fluxer_rx import Client, ClientOptions, GatewayOptions, RestOptions
from fluxer_rx.client import shard_for_guild
from fluxer_rx.diagnostics import Diagnostic, Kind
from fluxer_rx.errors import PayloadTooLarge
from fluxer_rx.gateway.actions import GapDetected
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
                rest=RestOptions(api_url=sb.api_url),
                gateway=GatewayOptions(shard_count=2, identify_interval=0.05),
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
