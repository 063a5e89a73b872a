"""``Client.replay``: a client driven offline from a recording behaves as it did live:
exactly once and in order, cache before emission, handlers, collectors, pacing."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import msgspec
import pytest

from fluxer_rx import CacheOptions, Client, ClientOptions
from fluxer_rx.errors import AlreadyLoggedIn, ClientNotReady
from fluxer_rx.gateway.actions import SessionLost
from fluxer_rx.models import GuildCreate, MessageCreate, UserUpdate
from fluxer_rx.models.frame import Frame, RawEvent, decode_frame
from fluxer_rx.replay import FramePlayer, MalformedRecording, RecordedFrame, open_recording
from tests.util import wait_until

DATA = Path(__file__).parent / "data" / "real-gateway"
HEADER = b'{"format":"fluxer_rx.recording","version":1,"gateway_version":"1"}\n'


def line(at: float, op: int, s: int | None = None, t: str | None = None, d: Any = None) -> bytes:
    entry: dict[str, Any] = {"at": at, "shard": 0, "op": op, "s": s, "t": t}
    if op != 11:
        entry["d"] = d
    return msgspec.json.encode(entry)


def ready(at: float, session: str, s: int = 1) -> bytes:
    user = {"id": "7", "username": "bot", "bot": True}
    return line(at, 0, s, "READY", {"session_id": session, "user": user})


def guild(at: float, s: int, guild_id: str = "1", channel_id: str = "5") -> bytes:
    channel = {"id": channel_id, "type": 0, "guild_id": guild_id, "name": "general"}
    return line(
        at,
        0,
        s,
        "GUILD_CREATE",
        {"id": guild_id, "properties": {"name": "g"}, "channels": [channel]},
    )


def message(at: float, s: int, content: str, channel_id: str = "5") -> bytes:
    d = {
        "id": str(100 + s),
        "channel_id": channel_id,
        "guild_id": "1",
        "author": {"id": "8", "username": "someone"},
        "content": content,
        "timestamp": "2026-01-01T00:00:00Z",
    }
    return line(at, 0, s, "MESSAGE_CREATE", d)


def write(path: Path, *lines: bytes) -> Path:
    path.write_bytes(HEADER + b"".join(x + b"\n" for x in lines))
    return path


def names(events: list[Any]) -> list[str]:
    return [e.name if isinstance(e, RawEvent) else type(e).__name__ for e in events]


class FakeClock:
    """Virtual time: ``sleep`` advances it at once (and gives the loop a turn)."""

    def __init__(self) -> None:
        self.now = 100.0
        self.sleeps: list[float] = []

    def monotonic(self) -> float:
        return self.now

    async def sleep(self, delay: float) -> None:
        self.sleeps.append(delay)
        self.now += delay
        await asyncio.sleep(0)


def transcript_recording(source: Path, target: Path) -> Path:
    """A real-gateway transcript's received frames as a recording."""
    lines = []
    for raw in source.read_bytes().splitlines()[1:]:
        entry = msgspec.json.decode(raw)
        if entry.get("dir") == "s2c" and "frame" in entry:
            frame = entry["frame"]
            out = {"at": entry["t_ms"] / 1000, "shard": 0, **frame}
            lines.append(msgspec.json.encode(out))
    return write(target, *lines)


async def test_real_gateway_resume_transcript_replays_exactly_once(tmp_path: Path) -> None:
    path = transcript_recording(DATA / "07-dispatch-and-resume.jsonl", tmp_path / "07.jsonl")
    client = Client()
    events: list[Any] = []
    raw: list[Frame] = []
    client.events.subscribe(events.append)
    client.raw.subscribe(raw.append)
    summary = await client.replay(path)
    assert names(events) == [
        "Ready",
        "UserUpdate",
        "USER_NOTE_UPDATE",
        "UserUpdate",
        "USER_NOTE_UPDATE",
        "Resumed",
        "UserUpdate",
    ]
    assert [e.username for e in events if isinstance(e, UserUpdate)] == [
        "renamed1",
        "renamed2",
        "renamed3",
    ]
    assert client.user is not None
    assert client.cache.self_user is not None
    assert client.cache.self_user.username == "renamed3"
    assert [f.op for f in raw].count(11) == 2  # control frames reach raw too
    assert summary.frames == len(raw) and summary.dispatches == len(events)
    assert summary.recorded_seconds == pytest.approx(1.556)
    assert "fake-secret" not in path.read_text()  # sent frames are not part of it


async def test_resumed_duplicates_go_to_raw_only(tmp_path: Path) -> None:
    path = write(
        tmp_path / "dup.jsonl",
        ready(0.0, "a"),
        line(0.1, 0, 2, "TEST_A", {}),
        line(0.2, 0, 3, "TEST_B", {}),
        line(0.3, 10, None, None, {"heartbeat_interval": 41250}),
        line(0.4, 0, 2, "TEST_A", {}),  # replayed after RESUME: already delivered
        line(0.4, 0, 3, "TEST_B", {}),
        line(0.4, 0, 3, "RESUMED", None),
        line(0.5, 0, 4, "TEST_C", {}),
        line(0.6, 0, None, "TEST_NO_SEQ", {}),
    )
    client = Client()
    events: list[Any] = []
    raw: list[Frame] = []
    client.events.subscribe(events.append)
    client.raw.subscribe(raw.append)
    summary = await client.replay(path)
    assert names(events) == ["Ready", "TEST_A", "TEST_B", "Resumed", "TEST_C", "TEST_NO_SEQ"]
    assert len(raw) == 9
    assert (summary.frames, summary.dispatches, summary.duplicates) == (9, 6, 2)


async def test_a_new_session_reports_the_old_one_lost_and_resets_the_cache(
    tmp_path: Path,
) -> None:
    path = write(
        tmp_path / "sessions.jsonl",
        ready(0.0, "first"),
        guild(0.1, 2),
        line(0.2, 9, None, None, False),
        ready(0.3, "second"),
        line(0.4, 0, 2, "TEST_AFTER", {}),  # s restarts with the new session
    )
    client = Client()
    lost: list[tuple[int, SessionLost]] = []
    original = client.pipeline.session_lost

    def session_lost(shard_id: int, report: SessionLost) -> None:
        lost.append((shard_id, report))
        original(shard_id, report)

    client.pipeline.session_lost = session_lost  # type: ignore[method-assign]
    guilds_seen: list[int] = []
    client.on("READY", lambda _d: guilds_seen.append(len(client.cache.guilds)))
    events: list[Any] = []
    client.events.subscribe(events.append)
    await client.replay(path)
    assert names(events) == ["Ready", "GuildCreate", "Ready", "TEST_AFTER"]
    assert [(shard, r.session_id, r.last_seq) for shard, r in lost] == [(0, "first", 2)]
    assert guilds_seen == [0, 0]  # the second READY folded a fresh cache
    assert len(client.cache.guilds) == 0


async def test_handlers_see_the_cache_with_their_event_and_async_ones_finish(
    tmp_path: Path,
) -> None:
    path = write(
        tmp_path / "h.jsonl",
        ready(0.0, "a"),
        guild(0.1, 2),
        message(0.2, 3, "one"),
        message(0.3, 4, "two"),
    )
    client = Client(ClientOptions(cache=CacheOptions(message_cache_size=10)))
    seen_in_cache: list[bool] = []
    client.events.subscribe(
        lambda e: (
            seen_in_cache.append(client.cache.get_channel("5") is not None)
            if isinstance(e, GuildCreate)
            else None
        )
    )
    handled: list[str] = []

    async def slow(d: dict[str, Any]) -> None:
        await asyncio.sleep(0)
        handled.append(d["content"])

    client.on("MESSAGE_CREATE", slow)
    await client.replay(path)
    assert seen_in_cache == [True]
    assert handled == ["one", "two"]  # async handlers ran before replay returned
    assert [m.content for m in client.cache.messages("5")] == ["one", "two"]
    with pytest.raises(ClientNotReady):
        _ = client.rest  # no network while replaying or after


async def test_collectors_and_wait_for_work_on_a_replayed_client(tmp_path: Path) -> None:
    path = write(
        tmp_path / "c.jsonl",
        ready(0.0, "a"),
        guild(0.0, 2),
        message(0.1, 3, "vote yes"),
        message(0.1, 4, "chatter"),
        message(0.2, 5, "vote no"),
        message(0.3, 6, "vote late"),
    )
    client = Client()
    collector = client.create_message_collector(
        "5", filter=lambda m: m.content.startswith("vote"), max=2, time=30
    )
    first = asyncio.ensure_future(client.wait_for(MessageCreate, timeout=30))
    await client.replay(path)
    result = await asyncio.wait_for(collector, 5)
    assert result.reason == "limit"
    assert [m.content for m in result.items] == ["vote yes", "vote no"]
    assert (await asyncio.wait_for(first, 5)).content == "vote yes"


async def test_pacing_follows_recorded_times_scaled_by_speed(tmp_path: Path) -> None:
    path = write(
        tmp_path / "p.jsonl",
        line(0.0, 0, None, "TEST_0", {}),
        line(1.0, 0, None, "TEST_1", {}),
        line(1.5, 0, None, "TEST_2", {}),
        line(1.5, 0, None, "TEST_3", {}),
        line(3.0, 0, None, "TEST_4", {}),
    )
    clock = FakeClock()
    client = Client()
    times: list[float] = []
    client.events.subscribe(lambda _e: times.append(clock.now - 100.0))
    summary = await client.replay(path, speed=2.0, clock=clock)
    assert times == pytest.approx([0.0, 0.5, 0.75, 0.75, 1.5])
    assert summary.elapsed_seconds == pytest.approx(1.5)
    assert summary.recorded_seconds == 3.0 and summary.completed

    fast_clock = FakeClock()
    summary = await Client().replay(path, clock=fast_clock)  # speed=None: no waiting
    assert fast_clock.sleeps == [] and summary.frames == 5


async def test_late_frames_are_not_delayed_further(tmp_path: Path) -> None:
    clock = FakeClock()

    class SlowConsumer:
        """Every delivery takes 1 virtual second: later frames are already due."""

        def __init__(self) -> None:
            self.times: list[float] = []

        def frame(self, frame: Frame) -> None:
            raise AssertionError("only dispatches here")

        def dispatch(self, frame: Frame) -> None:
            self.times.append(clock.now - 100.0)
            clock.now += 1.0

        def session_lost(self, shard_id: int, lost: SessionLost) -> None:
            raise AssertionError("no sessions here")

    frames = [RecordedFrame(at, decode_frame(b'{"op":0,"t":"T","d":{}}')) for at in (0.0, 0.5, 3.0)]
    sink = SlowConsumer()
    await FramePlayer(sink, frames, speed=1.0, clock=clock).run()
    assert sink.times == [0.0, 1.0, 3.0]
    assert clock.sleeps == [pytest.approx(1.0)]


async def test_destroy_stops_a_paced_replay(tmp_path: Path) -> None:
    path = write(
        tmp_path / "long.jsonl",
        line(0.0, 0, None, "TEST_NOW", {}),
        line(3600.0, 0, None, "TEST_IN_AN_HOUR", {}),
    )
    client = Client()
    events: list[Any] = []
    client.events.subscribe(events.append)
    task = asyncio.create_task(client.replay(path, speed=1.0))
    await wait_until(lambda: len(events) == 1)
    with pytest.raises(AlreadyLoggedIn):
        await client.replay(path)
    await client.destroy()
    summary = await asyncio.wait_for(task, 5)
    assert not summary.completed
    assert (summary.frames, summary.recorded_seconds) == (1, 0.0)
    assert names(events) == ["TEST_NOW"]
    again = await client.replay(path)  # the client can replay again afterwards
    assert again.completed and again.frames == 2


async def test_a_malformed_line_stops_the_replay_after_the_earlier_frames(
    tmp_path: Path,
) -> None:
    path = write(tmp_path / "bad.jsonl", line(0.0, 0, None, "TEST_OK", {}), b'{"at":0.1,"shard":0}')
    client = Client()
    events: list[Any] = []
    client.events.subscribe(events.append)
    with pytest.raises(MalformedRecording) as info:
        await client.replay(path)
    assert info.value.line == 3
    assert names(events) == ["TEST_OK"]
    with pytest.raises(ValueError, match="speed"):
        await client.replay(path, speed=0)
    # a reader (or any iterable of recorded frames) replays too
    with open_recording(path) as reader, pytest.raises(MalformedRecording):
        await client.replay(reader)
    assert names(events) == ["TEST_OK", "TEST_OK"]


async def test_a_bad_payload_is_a_diagnostic_as_live_and_the_replay_goes_on(
    tmp_path: Path,
) -> None:
    path = write(
        tmp_path / "payload.jsonl",
        line(0.0, 0, 1, "MESSAGE_CREATE", {"id": 5}),
        line(0.1, 0, 2, "TEST_NEXT", {}),
    )
    client = Client()
    kinds: list[str] = []
    events: list[Any] = []
    client.diagnostics.subscribe(lambda d: kinds.append(d.kind))
    client.events.subscribe(events.append)
    await client.replay(path)
    assert [kind for kind in kinds if kind != "client_state"] == ["decode_error"]
    assert names(events) == ["TEST_NEXT"]
