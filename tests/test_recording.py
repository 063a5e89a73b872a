"""Record and replay end to end: a live client on the sandbox records its session; an
offline client replays it and sees the same frames, events and cache."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import msgspec

from fluxer_rx import (
    CachedResource,
    CacheOptions,
    Client,
    ClientOptions,
    GatewayOptions,
    RestOptions,
)
from fluxer_rx.models import MessageCreate
from fluxer_rx.models.frame import Frame
from fluxer_rx.replay import FORMAT_VERSION, Recorder, open_recording
from fluxer_rx.sandbox import Sandbox
from tests.util import wait_until


def cache_snapshot(client: Client) -> Any:
    cache = client.cache
    return msgspec.to_builtins(
        {
            "self": cache.self_user,
            "guilds": dict(cache.guilds),
            "channels": dict(cache.channels),
            "users": dict(cache.users),
            "members": {g: dict(m) for g, m in cache.members.items()},
            "presences": dict(cache.presences),
            "messages": {c: list(cache.messages(c)) for c in cache.channels},
        }
    )


def frame_key(frame: Frame) -> tuple[Any, ...]:
    return (frame.op, frame.s, frame.t, frame.shard_id, frame.has_d, frame.raw_d)


async def test_round_trip_gives_the_live_frames_events_and_cache(tmp_path: Path) -> None:
    path = tmp_path / "session.jsonl"
    async with Sandbox(seed=5, heartbeat_interval=1.0) as sb:
        cache = CacheOptions(
            resources=CachedResource.DEFAULT | CachedResource.PRESENCES, message_cache_size=50
        )
        options = ClientOptions(rest=RestOptions(api_url=sb.api_url), cache=cache)
        live = Client(options)
        live_events: list[Any] = []
        live_raw: list[Frame] = []
        live.events.subscribe(live_events.append)
        live.raw.subscribe(live_raw.append)
        recorder = live.record(path, redact=[sb.token])
        login = asyncio.create_task(live.login(sb.token))
        try:
            await live.wait_until_ready(timeout=10)
            await sb.generate(120)
            channel = sb.channel_ids[0]
            posted = await sb.post_message(channel, "recorded hello")
            await sb.add_reaction(channel, posted["id"], "👍")
            await sb.add_member(sb.guild_ids[1])
            await sb.delete_channel(sb.channel_ids[-1])

            def all_delivered() -> bool:
                dispatches = sum(1 for f in live_raw if f.op == 0)
                return dispatches == len(sb.dispatch_log)

            await wait_until(all_delivered, within=10)
            live_cache = cache_snapshot(live)
        finally:
            await live.destroy()
            await asyncio.wait_for(login, 10)
        recorder.stop()
    assert recorder.frames == len(live_raw)
    assert len(live_cache["guilds"]) == 2 and any(live_cache["messages"].values())
    assert live_cache["presences"] and live_cache["members"]
    kinds = {type(e).__name__ for e in live_events}
    assert {"Ready", "GuildCreate", "MessageCreate", "MessageReactionAdd"} <= kinds

    offline = Client(options)
    events: list[Any] = []
    raw: list[Frame] = []
    offline.events.subscribe(events.append)
    offline.raw.subscribe(raw.append)
    summary = await offline.replay(path)

    assert summary.completed
    assert summary.frames == len(live_raw)
    assert summary.dispatches == len(live_events)
    assert summary.duplicates == 0
    assert [frame_key(f) for f in raw] == [frame_key(f) for f in live_raw]
    assert events == live_events
    assert cache_snapshot(offline) == live_cache
    assert offline.user is not None and offline.user.id == sb.bot_id
    text = path.read_text()
    assert sb.token not in text
    assert sb.token.split(".", 1)[1] not in text  # not even the secret half


async def test_recording_has_a_header_and_one_line_per_frame(tmp_path: Path) -> None:
    path = tmp_path / "r.jsonl"
    async with Sandbox(seed=2, heartbeat_interval=1.0) as sb:
        client = Client(
            ClientOptions(rest=RestOptions(api_url=sb.api_url), gateway=GatewayOptions(version="1"))
        )
        with client.record(path) as recorder:
            assert recorder.recording
            login = asyncio.create_task(client.login(sb.token))
            try:
                await client.wait_until_ready(timeout=10)
                await sb.post_message(sb.channel_ids[0], "one line")
                await client.wait_for(MessageCreate, timeout=5)
            finally:
                await client.destroy()
                await asyncio.wait_for(login, 10)
        assert not recorder.recording
    lines = path.read_bytes().splitlines()
    header = msgspec.json.decode(lines[0])
    assert header["format"] == "fluxer_rx.recording"
    assert header["version"] == FORMAT_VERSION
    assert header["gateway_version"] == "1"
    assert len(lines) == 1 + recorder.frames
    hello = msgspec.json.decode(lines[1])
    assert hello["op"] == 10 and hello["shard"] == 0 and hello["at"] >= 0
    ats = [msgspec.json.decode(line)["at"] for line in lines[1:]]
    assert ats == sorted(ats)
    with open_recording(path) as reader:
        ts = [entry.frame.t for entry in reader]
    assert "READY" in ts and "MESSAGE_CREATE" in ts


async def test_recorder_as_async_context_manager_records_until_exit(tmp_path: Path) -> None:
    path = tmp_path / "a.jsonl"
    client = Client()
    async with Recorder(client, path) as recorder:
        client.pipeline.frame(Frame(op=11))
    client.pipeline.frame(Frame(op=11))  # after stop: not recorded
    assert recorder.frames == 1
    with open_recording(path) as reader:
        assert [(e.frame.op, e.frame.has_d) for e in reader] == [(11, False)]


async def test_two_shards_round_trip_keeps_shard_ids_and_each_shards_order(
    tmp_path: Path,
) -> None:
    path = tmp_path / "sharded.jsonl"
    async with Sandbox(seed=9, guilds=4, heartbeat_interval=1.0) as sb:
        options = ClientOptions(
            rest=RestOptions(api_url=sb.api_url),
            gateway=GatewayOptions(shard_count=2, identify_interval=0.05),
        )
        live = Client(options)
        live_raw: list[Frame] = []
        live_events: list[Any] = []
        live.raw.subscribe(live_raw.append)
        live.events.subscribe(live_events.append)
        with live.record(path):
            login = asyncio.create_task(live.login(sb.token))
            try:
                await live.wait_until_ready(timeout=10)
                await sb.generate(60)
                await wait_until(
                    lambda: sum(1 for f in live_raw if f.op == 0) == len(sb.dispatch_log),
                    within=10,
                )
                live_cache = cache_snapshot(live)
            finally:
                await live.destroy()
                await asyncio.wait_for(login, 10)
    assert {f.shard_id for f in live_raw if f.t == "READY"} == {0, 1}
    offline = Client(options)
    raw: list[Frame] = []
    events: list[Any] = []
    offline.raw.subscribe(raw.append)
    offline.events.subscribe(events.append)
    summary = await offline.replay(path)
    assert summary.dispatches == len(live_events) and summary.duplicates == 0
    assert [frame_key(f) for f in raw] == [frame_key(f) for f in live_raw]
    assert events == live_events
    assert cache_snapshot(offline) == live_cache
