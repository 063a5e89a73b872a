"""The event pipeline on its own, fed frames from a list (no sockets, no client):
decode -> fold -> ``events`` -> handlers, errors reported and skipped, readiness from
READY / GUILD_CREATE with a held READY, member-chunk correlation by nonce."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import msgspec
import pytest

from fluxer_rx.cache import Cache, CacheOptions
from fluxer_rx.diagnostics import Diagnostic, Kind
from fluxer_rx.errors import ClientNotReady, Other
from fluxer_rx.gateway.actions import ConnectionState, SessionEndReason, SessionLost
from fluxer_rx.lifecycle import ClientState
from fluxer_rx.models import GuildCreate, MessageCreate, Ready
from fluxer_rx.models.frame import Frame, decode_frame
from fluxer_rx.pipeline import EventPipeline
from tests.util import wait_until


def frame(s: int, t: str, d: Any, shard: int = 0) -> Frame:
    decoded = decode_frame(msgspec.json.encode({"op": 0, "s": s, "t": t, "d": d}))
    decoded.shard_id = shard
    return decoded


def ready(s: int = 1, session: str = "S1") -> Frame:
    return frame(s, "READY", {"session_id": session, "user": {"id": "7", "username": "bot"}})


def guild(s: int, guild_id: str = "1") -> Frame:
    channel = {"id": "5", "type": 0, "guild_id": guild_id, "name": "general"}
    return frame(
        s, "GUILD_CREATE", {"id": guild_id, "properties": {"name": "g"}, "channels": [channel]}
    )


def message(s: int, content: str) -> Frame:
    return frame(
        s,
        "MESSAGE_CREATE",
        {
            "id": str(100 + s),
            "channel_id": "5",
            "guild_id": "1",
            "content": content,
            "author": {"id": "8", "username": "someone"},
            "timestamp": "2026-01-01T00:00:00Z",
        },
    )


def make(**options: Any) -> EventPipeline:
    return EventPipeline(lambda on_issue: Cache(CacheOptions(), on_issue=on_issue), **options)


class Commands:
    """A fake GatewayCommands: records what the pipeline asks of the gateway."""

    shard_count = 1

    def __init__(self) -> None:
        self.sent: list[tuple[int, int, Any]] = []
        self.member_requests: list[tuple[int, str, dict[str, Any]]] = []
        self.on_request: Callable[[str, dict[str, Any]], None] | None = None

    def send(self, shard_id: int, op: int, d: Any) -> None:
        self.sent.append((shard_id, op, d))

    def request_guild_members(self, shard_id: int, guild_id: str, **fields: Any) -> None:
        self.member_requests.append((shard_id, guild_id, fields))
        if self.on_request is not None:
            self.on_request(guild_id, fields)


async def test_frames_from_a_list_are_folded_then_emitted_in_order() -> None:
    pipeline = make()
    events: list[Any] = []
    raw: list[Frame] = []
    seen_cache: list[int] = []
    pipeline.events.subscribe(events.append)
    pipeline.raw.subscribe(raw.append)
    pipeline.handlers.add(lambda d: seen_cache.append(len(pipeline.cache.guilds)), "GUILD_CREATE")
    pipeline.begin(None, ())
    frames = [ready(), guild(2), message(3, "one"), message(4, "two")]
    for f in frames:
        pipeline.dispatch(f)
    assert [type(e) for e in events] == [Ready, GuildCreate, MessageCreate, MessageCreate]
    assert [e.content for e in events if isinstance(e, MessageCreate)] == ["one", "two"]
    assert raw == frames
    assert seen_cache == [1]  # the handler saw the cache with its own event applied
    assert pipeline.user is not None and pipeline.user.id == "7"
    assert pipeline.readiness.event.is_set()  # offline: one READY makes the run ready
    await pipeline.end()
    assert pipeline.lifecycle.state is ClientState.CLOSED
    assert not pipeline.readiness.event.is_set()


async def test_an_undecodable_payload_is_reported_and_the_next_frame_goes_on() -> None:
    pipeline = make()
    events: list[Any] = []
    reports: list[Diagnostic] = []
    pipeline.events.subscribe(events.append)
    pipeline.diagnostics.subscribe(reports.append)
    pipeline.begin(None, ())
    bad = frame(1, "MESSAGE_CREATE", {"id": 5, "channel_id": []})  # wrong types
    pipeline.dispatch(bad)
    pipeline.dispatch(message(2, "after"))
    assert [e.content for e in events] == ["after"]
    [report] = [r for r in reports if r.kind == Kind.DECODE_ERROR]
    assert report.frame is bad and "MESSAGE_CREATE" in report.detail
    await pipeline.end()


async def test_a_failing_handler_is_reported_and_the_others_run() -> None:
    pipeline = make()
    calls: list[str] = []
    reports: list[Diagnostic] = []
    pipeline.diagnostics.subscribe(reports.append)

    def broken(_event: Any) -> None:
        raise RuntimeError("handler bug")

    pipeline.handlers.add(broken)
    pipeline.handlers.add(lambda e: calls.append(type(e).__name__))
    pipeline.begin(None, ())
    pipeline.dispatch(message(1, "x"))
    assert calls == ["MessageCreate"]
    assert [r.kind for r in reports if r.kind == Kind.HANDLER_ERROR] == [Kind.HANDLER_ERROR]
    await pipeline.end()


async def test_live_readiness_follows_the_shards_and_holds_ready_for_the_burst() -> None:
    pipeline = make(wait_for_guilds=True, guild_ready_timeout=0.05)
    events: list[Any] = []
    pipeline.events.subscribe(events.append)
    commands = Commands()
    pipeline.begin(commands, (0,))
    pipeline.lifecycle.move(ClientState.DISCOVERING)
    pipeline.lifecycle.move(ClientState.CONNECTING)
    pipeline.state_changed(0, ConnectionState.IDENTIFYING, ConnectionState.READY)
    pipeline.dispatch(ready())
    pipeline.dispatch(guild(2, "1"))
    pipeline.dispatch(guild(3, "2"))
    assert events and type(events[0]) is GuildCreate  # READY waits for the burst
    assert not pipeline.readiness.event.is_set()
    await asyncio.wait_for(pipeline.readiness.event.wait(), 5)
    assert [type(e) for e in events] == [GuildCreate, GuildCreate, Ready]
    assert pipeline.lifecycle.state is ClientState.READY
    # a dropped connection makes the run not ready; the session coming back makes it ready
    pipeline.state_changed(0, ConnectionState.READY, ConnectionState.RESUMING)
    assert not pipeline.readiness.event.is_set()
    assert pipeline.lifecycle.state is ClientState.RECONNECTING
    pipeline.state_changed(0, ConnectionState.RESUMING, ConnectionState.READY)
    assert pipeline.readiness.event.is_set()
    # a lost session: not ready until the next READY
    lost = SessionLost(session_id="S1", last_seq=3, reason=SessionEndReason.INVALIDATED)
    pipeline.session_lost(0, lost)
    assert not pipeline.readiness.event.is_set()
    await pipeline.end()


async def test_a_session_known_from_elsewhere_makes_a_guild_waiting_run_ready() -> None:
    # a scale-out worker that took a shard over from a cache snapshot never sees its READY
    # (nor the burst after it): the session is known, there is no burst left to wait for
    pipeline = make(wait_for_guilds=True, guild_ready_timeout=0.05)
    pipeline.begin(Commands(), (0,))
    pipeline.state_changed(0, ConnectionState.DISCONNECTED, ConnectionState.READY)
    pipeline.readiness.session_known(0)
    assert pipeline.readiness.event.is_set()  # never, before the fix
    await pipeline.end()


async def test_member_requests_gather_their_chunks_by_nonce() -> None:
    pipeline = make()
    commands = Commands()
    pipeline.begin(commands, (0,))
    member = {
        "user": {"id": "9", "username": "u"},
        "roles": [],
        "joined_at": "2026-01-01T00:00:00Z",
    }

    def answer(guild_id: str, fields: dict[str, Any]) -> None:
        nonce = fields["nonce"]
        loop = asyncio.get_running_loop()
        for index in (1, 0, 1):  # out of order, with a duplicate
            chunk = {
                "guild_id": guild_id,
                "members": [{**member, "user": {"id": str(10 + index), "username": "u"}}],
                "chunk_index": index,
                "chunk_count": 2,
                "nonce": nonce,
            }
            loop.call_soon(pipeline.dispatch, frame(5 + index, "GUILD_MEMBERS_CHUNK", chunk))

    commands.on_request = answer
    members = await pipeline.request_members(0, "1", query="", limit=0, timeout=5)
    assert sorted(m.user.id for m in members if m.user) == ["10", "11"]
    assert commands.member_requests[0][:2] == (0, "1")
    with pytest.raises(TimeoutError):
        commands.on_request = None
        await pipeline.request_members(0, "1", timeout=0.05)
    await pipeline.end()


async def test_a_member_request_open_when_the_run_ends_fails_at_once() -> None:
    pipeline = make()
    commands = Commands()
    pipeline.begin(commands, (0,))
    request = asyncio.ensure_future(pipeline.request_members(0, "1", timeout=30))
    await wait_until(lambda: bool(commands.member_requests), what="member request sent")
    await pipeline.end()
    with pytest.raises(ClientNotReady, match="ended"):  # waited the whole 30 s before
        await asyncio.wait_for(request, timeout=1)


async def test_request_members_needs_a_live_run() -> None:
    pipeline = make()
    with pytest.raises(ClientNotReady):
        await pipeline.request_members(0, "1")


def test_an_illegal_lifecycle_move_is_a_typed_bug_report() -> None:
    pipeline = make()
    with pytest.raises(Other, match="illegal client state change idle -> ready"):
        pipeline.lifecycle.move(ClientState.READY)
    assert pipeline.lifecycle.state is ClientState.IDLE


async def test_a_live_run_holding_no_shard_is_not_ready() -> None:
    # a scale-out worker's shard set grows and shrinks with its leases
    pipeline = make()
    held: set[int] = set()
    pipeline.begin(Commands(), held)
    pipeline.state_changed(0, ConnectionState.IDENTIFYING, ConnectionState.READY)
    pipeline.dispatch(ready())
    assert not pipeline.readiness.event.is_set()  # READY seen, but no shard held
    held.add(0)
    pipeline.readiness.update()
    assert pipeline.readiness.event.is_set()
    held.discard(0)  # the lease was lost
    pipeline.readiness.update()
    assert not pipeline.readiness.event.is_set()
    await pipeline.end()


async def test_events_subscribers_are_isolated_in_order_and_disposal_is_honoured() -> None:
    # dispatch writes the subject's delivery loop out: same order, isolation, disposal
    pipeline = make()
    seen: list[str] = []
    reports: list[Diagnostic] = []
    pipeline.diagnostics.subscribe(reports.append)

    def broken(event: Any) -> None:
        seen.append("broken")
        raise RuntimeError("subscriber bug")

    def disposer(event: Any) -> None:
        seen.append(f"disposer {event.content}")
        later.dispose()  # the next subscriber gets nothing more, this event included

    pipeline.events.subscribe(broken)
    pipeline.events.subscribe(disposer)
    later = pipeline.events.subscribe(lambda e: seen.append(f"later {e.content}"))
    pipeline.events.subscribe(lambda e: seen.append(f"last {e.content}"))
    pipeline.begin(None, ())
    pipeline.dispatch(message(1, "a"))
    assert seen == ["broken", "disposer a", "last a"]
    [report] = [r for r in reports if r.kind == Kind.HANDLER_ERROR]
    assert "subscriber bug" in report.detail
    seen.clear()
    routed: list[str] = []
    pipeline.events.stream(MessageCreate).subscribe(lambda e: routed.append(e.content))
    pipeline.dispatch(message(2, "b"))  # with a routed subscription: the subject's delivery
    assert seen == ["broken", "disposer b", "last b"] and routed == ["b"]
    await pipeline.end()


async def test_a_lost_session_forgets_only_its_own_shards_member_list_requests() -> None:
    # two shards chunking: shard 1's session ends before its list arrives, shard 0's list
    # is still coming; the run must keep waiting for shard 0's list (before the fix, the
    # lost session made the chunker forget both, and the run was ready without it)
    pipeline = make(wait_for_guilds=True, guild_ready_timeout=0.05, chunk_guilds=True)
    commands = Commands()
    pipeline.begin(commands, (0, 1))
    for shard in (0, 1):
        pipeline.state_changed(shard, ConnectionState.IDENTIFYING, ConnectionState.READY)
    pipeline.dispatch(frame(1, "READY", {"session_id": "A", "user": {"id": "7"}}, shard=0))
    pipeline.dispatch(frame(1, "READY", {"session_id": "B", "user": {"id": "7"}}, shard=1))
    pipeline.dispatch(frame(2, "GUILD_CREATE", {"id": "10", "properties": {}}, shard=0))
    pipeline.dispatch(frame(2, "GUILD_CREATE", {"id": "11", "properties": {}}, shard=1))
    assert [(s, g) for s, g, _ in commands.member_requests] == [(0, "10"), (1, "11")]
    lost = SessionLost(session_id="B", last_seq=2, reason=SessionEndReason.INVALIDATED)
    pipeline.session_lost(1, lost)
    assert pipeline.readiness.chunker is not None
    assert pipeline.readiness.chunker.pending == {"10"}
    # shard 1 comes back with a new session and asks for its list again
    pipeline.dispatch(frame(1, "READY", {"session_id": "C", "user": {"id": "7"}}, shard=1))
    pipeline.dispatch(frame(2, "GUILD_CREATE", {"id": "11", "properties": {}}, shard=1))
    assert [(s, g) for s, g, _ in commands.member_requests][2:] == [(1, "11")]
    for s, (shard, guild_id) in enumerate([(1, "11"), (0, "10")], start=3):
        nonce = commands.member_requests[-1 if guild_id == "11" else 0][2]["nonce"]
        chunk = {"guild_id": guild_id, "members": [], "chunk_index": 0, "chunk_count": 1}
        assert not pipeline.readiness.event.is_set()  # a list is still missing
        pipeline.dispatch(frame(s, "GUILD_MEMBERS_CHUNK", {**chunk, "nonce": nonce}, shard))
    await asyncio.wait_for(pipeline.readiness.event.wait(), 5)
    await pipeline.end()
