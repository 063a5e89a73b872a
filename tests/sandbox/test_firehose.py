"""Firehose: N pre-encoded MESSAGE_CREATE frames, all valid, consecutive, and accounted."""

from __future__ import annotations

import json

import aiohttp
import pytest

from fluxer_rx.sandbox import Sandbox
from fluxer_rx.sandbox.firehose import build_frames
from tests.sandbox.digest_validate import assert_valid
from tests.sandbox.gateway_client import RawGateway


async def test_firehose_sends_n_valid_frames_with_consecutive_seqs() -> None:
    async with Sandbox(guilds=1, channels_per_guild=1) as sb, aiohttp.ClientSession() as http:
        gw = RawGateway(sb, http)
        await gw.connect()
        await gw.identify()
        result = await sb.firehose(3000, batch_bytes=32 * 1024)
        assert result.frames == 3000 and result.session_id == gw.session_id
        assert (result.first_seq, result.last_seq) == (3, 3002)
        assert result.bytes > 3000 * 100 and result.frames_per_second > 0
        ids = set()
        for expected_seq in range(3, 3003):
            frame = await gw.recv()
            assert (frame["op"], frame["t"], frame["s"]) == (0, "MESSAGE_CREATE", expected_seq)
            ids.add(frame["d"]["id"])
        assert len(ids) == 3000
        assert_valid(frame["d"], "MessageResponseSchema")
        # the session continues after the firehose
        message = await sb.post_message(sb.channel_ids[0], "after")
        frame = await gw.recv()
        assert frame["s"] == 3003 and frame["d"]["id"] == message["id"]
        await gw.close()


async def test_firehose_needs_an_attached_session() -> None:
    async with Sandbox(guilds=1, channels_per_guild=1) as sb, aiohttp.ClientSession() as http:
        gw = RawGateway(sb, http)
        await gw.connect()
        await gw.identify(ignored_events=["MESSAGE_CREATE"])
        assert gw.session_id is not None
        with pytest.raises(ValueError, match="ignores MESSAGE_CREATE"):
            await sb.firehose(10, session=gw.session_id)
        with pytest.raises(ValueError, match="unknown session"):
            await sb.firehose(10, session="nope")
        await gw.close()


def test_build_frames_are_websocket_text_frames_of_sorted_json() -> None:
    from fluxer_rx.sandbox import World

    world = World(guilds=1, channels_per_guild=1)
    frames = build_frames(world, 3, first_seq=7)
    for seq, frame in enumerate(frames, start=7):
        assert frame[0] == 0x81
        length = frame[1]
        offset = 2
        if length == 126:
            length, offset = int.from_bytes(frame[2:4], "big"), 4
        payload = frame[offset:]
        assert len(payload) == length
        decoded = json.loads(payload)
        assert decoded["s"] == seq and decoded["op"] == 0
        text = payload.decode()
        assert text == json.dumps(
            decoded, separators=(",", ":"), sort_keys=True, ensure_ascii=False
        )


def test_build_frames_spread_over_channel_ids_in_turn() -> None:
    from fluxer_rx.sandbox import World

    world = World(guilds=2, channels_per_guild=2, messages_per_channel=0)
    channels = world.channel_ids
    frames = build_frames(world, 9, first_seq=1, channel_ids=channels)
    payloads = [json.loads(f[2:] if f[1] < 126 else f[4:]) for f in frames]
    assert [p["d"]["channel_id"] for p in payloads] == [channels[i % 4] for i in range(9)]
    for p in payloads:
        channel = world.get_channel(p["d"]["channel_id"])
        assert p["d"]["guild_id"] == channel.guild_id
        assert p["d"]["author"]["id"] in world.guilds[channel.guild_id].members
    assert [p["s"] for p in payloads] == list(range(1, 10))
    assert len({p["d"]["id"] for p in payloads}) == 9
    one = build_frames(world, 3, first_seq=1, channel_id=channels[1])
    assert {json.loads(f[2:] if f[1] < 126 else f[4:])["d"]["channel_id"] for f in one} == {
        channels[1]
    }
    with pytest.raises(ValueError, match="not both"):
        build_frames(world, 1, 1, channels[0], channel_ids=channels)
    with pytest.raises(ValueError, match="empty"):
        build_frames(world, 1, 1, channel_ids=[])


async def test_firehose_spreads_over_channel_ids() -> None:
    async with Sandbox(guilds=1, channels_per_guild=3) as sb, aiohttp.ClientSession() as http:
        gw = RawGateway(sb, http)
        await gw.connect()
        await gw.identify()
        result = await sb.firehose(6, channel_ids=sb.channel_ids)
        assert result.frames == 6
        got = [(await gw.recv())["d"]["channel_id"] for _ in range(6)]
        assert got == [sb.channel_ids[i % 3] for i in range(6)]
        await gw.close()


def test_firehose_ids_are_a_block_of_the_world_clock_between_world_ids() -> None:
    from fluxer_rx.sandbox import World
    from fluxer_rx.sandbox.snowflakes import snowflake_ms

    world = World(guilds=1, channels_per_guild=1, clock=lambda: 1_780_000_000.0)
    before = int(world.new_id())
    frames = build_frames(world, 5000, first_seq=1)  # more than 4096: two milliseconds
    after = int(world.new_id())
    ids = [int(json.loads(f[2:] if f[1] < 126 else f[4:])["d"]["id"]) for f in frames]
    assert before < ids[0] and ids == sorted(set(ids)) and ids[-1] < after
    assert {snowflake_ms(i) for i in ids} == {1_780_000_000_001, 1_780_000_000_002}
