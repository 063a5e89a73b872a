"""Sandbox gateway behaviour beyond the transcripts: guild burst, routing, timers, members."""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest

from fluxer_rx.sandbox import Sandbox
from fluxer_rx.sandbox.gateway_clock import ManualGatewayClock
from tests.sandbox.gateway_client import PROPERTIES, RawGateway, wait_until


async def _identified_then_closed(
    sb: Sandbox, http: aiohttp.ClientSession, **identify: Any
) -> RawGateway:
    """A gateway client that IDENTIFYed, then closed its socket (the session detached)."""
    gw = RawGateway(sb, http)
    await gw.connect()
    await gw.identify(**identify)
    await gw.close()
    await wait_until(lambda: not sb.gateway.attached_sessions)
    return gw


async def _resume(sb: Sandbox, http: aiohttp.ClientSession, gw: RawGateway) -> RawGateway:
    """A new socket that sent RESUME for ``gw``'s session at its last seq."""
    again = RawGateway(sb, http)
    await again.connect()
    await again.send(6, {"token": sb.token, "session_id": gw.session_id, "seq": gw.seq})
    return again


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


async def test_ready_then_one_guild_create_per_guild(http: aiohttp.ClientSession) -> None:
    async with Sandbox(guilds=3, members_per_guild=4) as sb:
        gw = RawGateway(sb, http)
        await gw.connect()
        frames = await gw.identify()
        ready, creates = frames[0], frames[1:]
        assert ready["s"] == 1 and ready["d"]["guilds"] == []
        assert ready["d"]["user"]["id"] == sb.bot_id and ready["d"]["user"]["bot"] is True
        assert [f["t"] for f in creates] == ["GUILD_CREATE"] * 3
        assert [f["s"] for f in creates] == [2, 3, 4]
        assert [f["d"]["id"] for f in creates] == sb.guild_ids
        first = creates[0]["d"]
        assert first["properties"]["id"] == sb.guild_ids[0]
        assert "name" in first["properties"] and "name" not in first
        assert [c["id"] for c in first["channels"]] == sb.channel_ids[:3]
        assert {c["type"] for c in first["channels"]} == {0}
        assert first["members"] == [{**first["members"][0], "user": {"id": sb.bot_id}}]
        assert first["member_count"] == 5
        assert any(r["id"] == sb.guild_ids[0] for r in first["roles"])  # @everyone
        assert len(first["emojis"]) == 2
        await gw.expect_silence()  # quiet: nothing unprompted after the burst
        await gw.close()


async def test_hello_scales_and_heartbeat_timers_follow_the_interval(
    http: aiohttp.ClientSession,
) -> None:
    """The real gateway checks every interval/3: it asks for a heartbeat at the first
    check past 0.9x the interval (so at 1.0x) and closes 4009 at the first past 45/41.25x
    (so at 1.33x). On a manual clock each step is exact."""
    interval = 0.3
    clock = ManualGatewayClock()
    async with Sandbox(guilds=0, heartbeat_interval=interval, gateway_clock=clock) as sb:
        gw = RawGateway(sb, http)
        hello = await gw.connect()
        assert hello == {"d": {"heartbeat_interval": 300}, "op": 10}
        clock.advance(2 * interval / 3 + 1e-9)  # checks at 1/3 and 2/3: nothing yet
        # IDENTIFY does not count as a heartbeat: READY coming first shows that no
        # request was written before it
        await gw.send(2, {"token": sb.token, "properties": PROPERTIES})
        assert (await gw.recv())["t"] == "READY"
        clock.advance(interval / 3)  # the check at 1.0x
        assert await gw.recv() == {"d": None, "op": 1}
        clock.advance(interval / 3)  # the check at 1.33x: past 45/41.25x
        assert await gw.recv_close() == (4009, "Heartbeat timeout")


async def test_no_close_before_the_timeout_check(http: aiohttp.ClientSession) -> None:
    interval = 0.3
    clock = ManualGatewayClock()
    async with Sandbox(guilds=0, heartbeat_interval=interval, gateway_clock=clock) as sb:
        gw = RawGateway(sb, http)
        await gw.connect()
        clock.advance(interval + 1e-9)  # the request at 1.0x
        assert await gw.recv() == {"d": None, "op": 1}
        clock.advance(interval / 3 - 1e-6)  # just before the check at 1.33x
        await gw.send(1, None)  # answered in time: the timeout never comes
        assert await gw.recv() == {"op": 11}
        clock.advance(interval / 3)
        await gw.send(1, None)
        assert await gw.recv() == {"op": 11}
        assert sb.gateway.connection_count == 1


async def test_regular_heartbeats_keep_the_socket_open(http: aiohttp.ClientSession) -> None:
    interval = 0.2
    clock = ManualGatewayClock()
    async with Sandbox(guilds=0, heartbeat_interval=interval, gateway_clock=clock) as sb:
        gw = RawGateway(sb, http)
        await gw.connect()
        await gw.identify()
        for _ in range(10):  # 8 intervals of time, a beat every 0.8x
            clock.advance(0.8 * interval)
            await gw.send(1, gw.seq)
            # the ACK is the next frame: no heartbeat request came before it
            assert await gw.recv() == {"op": 11}
        assert sb.gateway.connection_count == 1


async def test_zombie_fault_stops_acks_but_not_the_session(http: aiohttp.ClientSession) -> None:
    async with Sandbox(guilds=0) as sb:
        gw = RawGateway(sb, http)
        await gw.connect()
        await gw.identify()
        sb.set_zombie()
        await gw.send(1, 1)
        await gw.expect_silence()
        sb.set_zombie(False)
        await gw.send(1, 1)
        assert await gw.recv() == {"op": 11}
        await gw.close()


async def test_shards_split_guilds_and_non_guild_events_go_to_shard_zero(
    http: aiohttp.ClientSession,
) -> None:
    async with Sandbox(guilds=4, channels_per_guild=1, members_per_guild=2) as sb:
        shard_of = {g: (int(g) >> 22) % 2 for g in sb.guild_ids}
        assert set(shard_of.values()) == {0, 1}
        gws = [RawGateway(sb, http), RawGateway(sb, http)]
        for shard_id, gw in enumerate(gws):
            await gw.connect()
            frames = await gw.identify(shard=[shard_id, 2])
            assert frames[0]["d"]["shard"] == [shard_id, 2]
            got = [f["d"]["id"] for f in frames[1:]]
            assert got == [g for g in sb.guild_ids if shard_of[g] == shard_id]
        for guild_id, channel_id in zip(sb.guild_ids, sb.channel_ids, strict=True):
            message = await sb.post_message(channel_id, f"to {guild_id}")
            frame = await gws[shard_of[guild_id]].dispatch("MESSAGE_CREATE")
            assert frame["d"]["id"] == message["id"] and frame["d"]["guild_id"] == guild_id
        sb.world.emit("USER_UPDATE", sb.world.user_wire(sb.bot_id), user_ids=[sb.bot_id])
        assert (await gws[0].dispatch("USER_UPDATE"))["d"]["id"] == sb.bot_id
        await gws[1].expect_silence()
        for gw in gws:
            await gw.close()


async def test_invalid_shard_closes_4010(http: aiohttp.ClientSession) -> None:
    async with Sandbox(guilds=0) as sb:
        for shard in ([2, 2], [0, 0], [0], "0,1", [True, 2]):
            gw = RawGateway(sb, http)
            await gw.connect()
            await gw.send(
                2,
                {
                    "token": sb.token,
                    "properties": {"os": "a", "browser": "b", "device": "c"},
                    "shard": shard,
                },
            )
            assert await gw.recv_close() == (4010, "Invalid shard")


async def test_ignored_events_apply_to_guild_dispatches_without_seq(
    http: aiohttp.ClientSession,
) -> None:
    async with Sandbox(guilds=1, channels_per_guild=1) as sb:
        gw = RawGateway(sb, http)
        await gw.connect()
        await gw.identify(ignored_events=["typing_start"])
        channel = sb.channel_ids[0]
        await sb.trigger_typing(channel)
        message = await sb.post_message(channel, "after typing")
        frame = await gw.dispatch("MESSAGE_CREATE")
        assert frame["s"] == 3 and frame["d"]["id"] == message["id"]
        assert [r.t for r in sb.dispatch_log] == ["READY", "GUILD_CREATE", "MESSAGE_CREATE"]
        await gw.close()


async def test_unknown_token_with_the_right_shape_is_rejected_4004(
    http: aiohttp.ClientSession,
) -> None:
    async with Sandbox(guilds=0) as sb:
        gw = RawGateway(sb, http)
        await gw.connect()
        fake = f"{sb.bot_id}.not-the-secret"
        await gw.send(2, {"token": fake, "properties": {"os": "a", "browser": "b", "device": "c"}})
        assert await gw.recv_close() == (4004, "Invalid token")


async def test_request_guild_members_chunks_and_echoes_nonce(http: aiohttp.ClientSession) -> None:
    async with Sandbox(guilds=1, channels_per_guild=1, members_per_guild=1500) as sb:
        gw = RawGateway(sb, http)
        await gw.connect()
        await gw.identify()
        guild_id = sb.guild_ids[0]
        await gw.send(8, {"guild_id": guild_id, "query": "", "limit": 0, "nonce": "n-1"})
        chunks = [await gw.dispatch("GUILD_MEMBERS_CHUNK") for _ in range(2)]
        assert [c["d"]["chunk_index"] for c in chunks] == [0, 1]
        assert {c["d"]["chunk_count"] for c in chunks} == {2}
        assert [len(c["d"]["members"]) for c in chunks] == [1000, 501]
        assert {c["d"]["nonce"] for c in chunks} == {"n-1"}
        ids = {m["user"]["id"] for c in chunks for m in c["d"]["members"]}
        assert ids == set(sb.world.guilds[guild_id].members)

        wanted = sorted(ids)[:3]
        await gw.send(8, {"guild_id": guild_id, "user_ids": wanted, "presences": True})
        chunk = (await gw.dispatch("GUILD_MEMBERS_CHUNK"))["d"]
        assert sorted(m["user"]["id"] for m in chunk["members"]) == wanted
        assert "nonce" not in chunk and isinstance(chunk["presences"], list)

        user = sb.world.users[wanted[0]]
        await gw.send(8, {"guild_id": guild_id, "query": user.username[:-1].upper(), "limit": 5})
        chunk = (await gw.dispatch("GUILD_MEMBERS_CHUNK"))["d"]
        assert wanted[0] in {m["user"]["id"] for m in chunk["members"]}
        assert len(chunk["members"]) <= 5

        await gw.send(8, {"guild_id": "1", "query": "", "limit": 0})  # not a guild of ours
        await gw.expect_silence()
        await gw.close()


async def test_resume_replays_what_was_missed_after_an_abrupt_drop(
    http: aiohttp.ClientSession,
) -> None:
    async with Sandbox(guilds=1, channels_per_guild=1) as sb:
        gw = RawGateway(sb, http)
        await gw.connect()
        await gw.identify()
        assert sb.drop_connections() == 1
        assert gw.ws is not None
        msg = await gw.ws.receive(timeout=5)
        assert msg.type in (
            aiohttp.WSMsgType.CLOSED,
            aiohttp.WSMsgType.ERROR,
            aiohttp.WSMsgType.CLOSE,
        )
        assert msg.type != aiohttp.WSMsgType.CLOSE or msg.data == 1006  # no close frame sent
        await wait_until(lambda: not sb.gateway.attached_sessions)
        channel = sb.channel_ids[0]
        first = await sb.post_message(channel, "while away 1")
        second = await sb.post_message(channel, "while away 2")
        again = RawGateway(sb, http)
        await again.connect()
        await again.send(6, {"token": sb.token, "session_id": gw.session_id, "seq": 2})
        replayed = [await again.recv() for _ in range(3)]
        assert [(f["t"], f["s"]) for f in replayed] == [
            ("MESSAGE_CREATE", 3),
            ("MESSAGE_CREATE", 4),
            ("RESUMED", 2),
        ]
        assert [f["d"]["id"] for f in replayed[:2]] == [first["id"], second["id"]]
        await again.close()


async def test_resume_window_is_its_own_option(http: aiohttp.ClientSession) -> None:
    clock = ManualGatewayClock()
    async with Sandbox(guilds=0, resume_window=7.0, gateway_clock=clock) as sb:
        gw = await _identified_then_closed(sb, http)
        clock.advance(7.0 - 1e-6)
        assert gw.session_id in sb.gateway.sessions  # still resumable
        clock.advance(1e-6)
        assert not sb.gateway.sessions  # expired exactly at the window
        again = RawGateway(sb, http)
        await again.connect()
        await again.send(6, {"token": sb.token, "session_id": gw.session_id, "seq": 1})
        assert await again.recv() == {"d": False, "op": 9}
        await again.close()


async def test_replay_buffer_keeps_the_newest_events(http: aiohttp.ClientSession) -> None:
    async with Sandbox(guilds=1, channels_per_guild=1, replay_buffer_size=5) as sb:
        gw = await _identified_then_closed(sb, http)
        for i in range(8):
            await sb.post_message(sb.channel_ids[0], f"m{i}")
        again = RawGateway(sb, http)
        await again.connect()
        await again.send(6, {"token": sb.token, "session_id": gw.session_id, "seq": 2})
        frames = [await again.recv() for _ in range(6)]
        assert [f["s"] for f in frames] == [6, 7, 8, 9, 10, 2]
        assert frames[-1]["t"] == "RESUMED"
        await again.close()


async def test_dispatch_log_accounts_for_every_seq(http: aiohttp.ClientSession) -> None:
    async with Sandbox(guilds=2, channels_per_guild=2, members_per_guild=3) as sb:
        gw = RawGateway(sb, http)
        await gw.connect()
        await gw.identify()
        channel = sb.channel_ids[0]
        message = await sb.post_message(channel, "hi")
        await sb.add_reaction(channel, message["id"], "👍")
        user_id = await sb.add_member(sb.guild_ids[0])
        await sb.remove_member(sb.guild_ids[0], user_id)
        await sb.delete_channel(sb.channel_ids[-1])
        received = [await gw.dispatch() for _ in range(5)]
        assert [f["t"] for f in received] == [
            "MESSAGE_CREATE",
            "MESSAGE_REACTION_ADD",
            "GUILD_MEMBER_ADD",
            "GUILD_MEMBER_REMOVE",
            "CHANNEL_DELETE",
        ]
        log = [r for r in sb.dispatch_log if r.session_id == gw.session_id]
        assert [r.seq for r in log] == list(range(1, 9))
        assert [(r.t, r.seq) for r in log[3:]] == [(f["t"], f["s"]) for f in received]
        assert log[3].d["content"] == "hi"
        assert received[3]["d"] == {"guild_id": sb.guild_ids[0], "user": {"id": user_id}}
        await gw.close()


async def test_token_stays_out_of_reprs(http: aiohttp.ClientSession) -> None:
    async with Sandbox(guilds=0) as sb:
        gw = RawGateway(sb, http)
        await gw.connect()
        await gw.identify()
        secret = sb.token.split(".", 1)[1]
        for obj in (sb, sb.config, sb.faults, sb.gateway.attached_sessions[0], *sb.dispatch_log):
            assert secret not in repr(obj)
        await gw.close()


async def test_close_does_not_wait_for_clients_that_do_not_read(
    http: aiohttp.ClientSession,
) -> None:
    sb = Sandbox(guilds=0)
    await sb.start()
    gw = RawGateway(sb, http)
    await gw.connect()
    start = time.monotonic()
    await sb.close()
    assert time.monotonic() - start < 3.0
    await gw.close()


async def test_removing_the_bot_sends_it_guild_delete(http: aiohttp.ClientSession) -> None:
    async with Sandbox(guilds=2, channels_per_guild=1) as sb:
        gw = RawGateway(sb, http)
        await gw.connect()
        await gw.identify()
        removed = await sb.remove_member(sb.guild_ids[0], sb.bot_id)
        assert (await gw.dispatch("GUILD_MEMBER_REMOVE"))["d"] == removed
        assert (await gw.dispatch("GUILD_DELETE"))["d"] == {"id": sb.guild_ids[0]}
        await sb.post_message(sb.channel_ids[0], "not for the bot any more")
        message = await sb.post_message(sb.channel_ids[1], "still for the bot")
        assert (await gw.dispatch("MESSAGE_CREATE"))["d"]["id"] == message["id"]
        await gw.close()


async def test_client_rate_limit_is_configurable_and_scales(http: aiohttp.ClientSession) -> None:
    async with Sandbox(guilds=0, client_rate_limit=(5, 60.0)) as sb:
        gw = RawGateway(sb, http)
        await gw.connect()
        for _ in range(5):
            await gw.send(1, None)
            assert await gw.recv() == {"op": 11}
        await gw.send(1, None)
        assert await gw.recv_close() == (4008, "Rate limited")
    async with Sandbox(guilds=0, heartbeat_interval=0.4125) as sb:
        assert sb.config.client_rate_limit == (120, pytest.approx(0.6))


async def test_rest_writes_reach_the_gateway(http: aiohttp.ClientSession) -> None:
    async with Sandbox(guilds=1, channels_per_guild=1) as sb:
        gw = RawGateway(sb, http)
        await gw.connect()
        await gw.identify()
        headers = {"Authorization": f"Bot {sb.token}"}
        url = f"{sb.api_url}/channels/{sb.channel_ids[0]}/messages"
        async with http.post(
            url, json={"content": "via REST", "nonce": "n1"}, headers=headers
        ) as r:
            assert r.status == 200
            created = await r.json()
        frame = await gw.dispatch("MESSAGE_CREATE")
        assert frame["d"]["id"] == created["id"] and frame["d"]["content"] == "via REST"
        assert frame["d"]["author"]["id"] == sb.bot_id and frame["d"]["nonce"] == "n1"
        async with http.put(
            f"{url}/{created['id']}/reactions/%F0%9F%91%8D/@me", headers=headers
        ) as r:
            assert r.status == 204
        frame = await gw.dispatch("MESSAGE_REACTION_ADD")
        assert frame["d"]["emoji"] == {"name": "👍"} and frame["d"]["user_id"] == sb.bot_id
        await gw.close()


async def test_presence_subscriptions_follow_op14_when_enabled(http: aiohttp.ClientSession) -> None:
    async with Sandbox(guilds=1, members_per_guild=3, presence_subscriptions=True) as sb:
        gw = RawGateway(sb, http)
        await gw.connect()
        await gw.identify()
        guild_id = sb.guild_ids[0]
        watched, other = [u for u in sb.world.guilds[guild_id].members if u != sb.bot_id][:2]
        await sb.set_presence(other, "dnd")
        await gw.expect_silence()
        await gw.send(14, {"subscriptions": {guild_id: {"members": [watched]}}})
        session = sb.gateway.attached_sessions[0]
        await wait_until(lambda: guild_id in session.presence_members)
        await sb.set_presence(other, "idle")
        await sb.set_presence(watched, "dnd")
        frame = await gw.dispatch("PRESENCE_UPDATE")
        assert (frame["d"]["user"]["id"], frame["d"]["status"]) == (watched, "dnd")
        assert frame["d"]["guild_id"] == guild_id
        await gw.close()
    async with Sandbox(guilds=1, members_per_guild=1) as sb:  # default: every presence
        gw = RawGateway(sb, http)
        await gw.connect()
        await gw.identify()
        user = next(u for u in sb.world.guilds[sb.guild_ids[0]].members if u != sb.bot_id)
        await sb.set_presence(user, "idle")
        assert (await gw.dispatch("PRESENCE_UPDATE"))["d"]["user"]["id"] == user
        await gw.close()


async def test_a_resume_inside_the_window_cancels_the_expiry(http: aiohttp.ClientSession) -> None:
    clock = ManualGatewayClock()
    async with Sandbox(guilds=0, resume_window=5.0, gateway_clock=clock) as sb:
        gw = await _identified_then_closed(sb, http)
        clock.advance(4.0)
        again = await _resume(sb, http, gw)
        assert await again.recv() == {"d": None, "op": 0, "s": gw.seq, "t": "RESUMED"}
        clock.advance(60.0)  # far past the old expiry, heartbeats aside
        assert gw.session_id in sb.gateway.sessions
        await again.close()


async def test_connections_are_logged_with_shard_and_how_they_started(
    http: aiohttp.ClientSession, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="fluxer_rx.sandbox")
    async with Sandbox(guilds=0) as sb:
        gw = await _identified_then_closed(sb, http, shard=[0, 2])
        again = await _resume(sb, http, gw)
        assert (await again.recv())["t"] == "RESUMED"
        await again.close()
        await wait_until(lambda: sb.gateway.connection_count == 0)
    lines = [r.getMessage() for r in caplog.records if r.name.startswith("fluxer_rx.sandbox")]
    sid = gw.session_id
    assert "gateway connection #1 opened from 127.0.0.1" in lines
    assert f"gateway connection #1 (shard 0/2, session {sid}) identified" in lines
    assert any(
        line.startswith(f"gateway connection #1 (shard 0/2, session {sid}) closed with 1000")
        and line.endswith("identified")
        for line in lines
    ), lines
    assert f"gateway connection #2 (shard 0/2, session {sid}) resumed at seq 1 (0 replayed)" in (
        lines
    )
    assert any(line.startswith("gateway connection #2 (shard 0/2") and line.endswith("resumed")
               for line in lines), lines  # fmt: skip
    assert not [r for r in caplog.records if sb.token in r.getMessage()]
