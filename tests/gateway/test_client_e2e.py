"""The Client against the sandbox over real sockets: lifecycle, streams, faults, order."""

from __future__ import annotations

import asyncio
import random
import threading
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from reactivex import operators as ops

from fluxer_rx import Client, ClientOptions, Events, RestOptions
from fluxer_rx.diagnostics import Diagnostic, Kind
from fluxer_rx.errors import AlreadyLoggedIn, ClientNotReady, InvalidToken
from fluxer_rx.models import GuildCreate, MessageCreate, RawEvent, Ready, decode_frame
from fluxer_rx.options import Transport
from fluxer_rx.sandbox import Sandbox
from tests.util import client_options, wait_until


@dataclass
class Running:
    sb: Sandbox
    client: Client
    task: asyncio.Task[None]
    events: list[object] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)

    def messages(self) -> list[MessageCreate]:
        return [e for e in self.events if isinstance(e, MessageCreate)]

    def diag_kinds(self) -> list[str]:
        return [d.kind for d in self.diagnostics]


async def _start(sb: Sandbox, **options: Any) -> Running:
    client = Client(client_options(rest=RestOptions(api_url=sb.api_url), **options))
    running = Running(sb, client, asyncio.create_task(asyncio.sleep(0)))
    client.events.subscribe(running.events.append)
    client.diagnostics.subscribe(running.diagnostics.append)
    running.task = asyncio.create_task(client.login(sb.token))
    await client.wait_until_ready(timeout=10)
    return running


async def _stop(running: Running) -> None:
    await running.client.destroy()
    await asyncio.wait_for(running.task, 10)


@pytest.fixture(params=["picows", "aiohttp", "websockets"])
async def running(request: pytest.FixtureRequest) -> AsyncIterator[Running]:
    transport: Transport = request.param
    async with Sandbox(heartbeat_interval=1.0, resume_window=5.0) as sb:
        r = await _start(sb, transport=transport)
        try:
            yield r
        finally:
            await _stop(r)


async def test_login_ready_events_and_destroy(running: Running) -> None:
    client, sb = running.client, running.sb
    assert client.is_ready and client.ready_at is not None
    assert client.user is not None and client.user.id == sb.bot_id
    await wait_until(lambda: sum(isinstance(e, GuildCreate) for e in running.events) == 2)
    assert isinstance(running.events[0], Ready)
    posted = await sb.post_message(sb.channel_ids[0], "hello there")
    await wait_until(lambda: len(running.messages()) == 1)
    message = running.messages()[0]
    assert message.id == posted["id"] and message.content == "hello there"
    assert message.channel_id == sb.channel_ids[0]


async def test_second_login_raises_already_logged_in(running: Running) -> None:
    with pytest.raises(AlreadyLoggedIn):
        await running.client.login(running.sb.token)


async def test_drop_is_resumed_and_events_arrive_once_in_order(running: Running) -> None:
    sb = running.sb
    channel = sb.channel_ids[0]
    await sb.post_message(channel, "before")
    await wait_until(lambda: len(running.messages()) == 1)
    assert sb.drop_connections() == 1
    await sb.post_message(channel, "while away")  # buffered by the session, replayed on RESUME
    await wait_until(lambda: "resuming" in str([d.detail for d in running.diagnostics]))
    await sb.post_message(channel, "after")
    await wait_until(lambda: len(running.messages()) == 3)
    assert [m.content for m in running.messages()] == ["before", "while away", "after"]


async def test_handler_errors_are_reported_and_not_fatal(running: Running) -> None:
    client, sb = running.client, running.sb
    seen: list[str] = []

    def bad(payload: dict[str, Any]) -> None:
        raise RuntimeError("handler bug")

    async def good(payload: dict[str, Any]) -> None:
        seen.append(payload["content"])

    client.on(Events.MESSAGE_CREATE, bad)
    client.on(Events.MESSAGE_CREATE, good)
    client.events.subscribe(lambda e: (_ for _ in ()).throw(ValueError("subscriber bug")))
    await sb.post_message(sb.channel_ids[0], "one")
    await sb.post_message(sb.channel_ids[0], "two")
    await wait_until(lambda: seen == ["one", "two"])
    errors = [d for d in running.diagnostics if d.kind == Kind.HANDLER_ERROR]
    assert any("handler bug" in d.detail for d in errors)
    assert any("subscriber bug" in d.detail for d in errors)
    assert len(running.messages()) == 2


async def test_typed_handlers_and_pipes_run_on_the_loop(running: Running) -> None:
    client, sb = running.client, running.sb
    typed: list[str] = []
    client.on_typed(lambda e: typed.append(type(e).__name__))
    threads: list[int] = []
    client.events.pipe(
        ops.filter(lambda e: isinstance(e, MessageCreate)), ops.debounce(0.05)
    ).subscribe(lambda _: threads.append(threading.get_ident()))
    await sb.post_message(sb.channel_ids[0], "a")
    await sb.post_message(sb.channel_ids[0], "b")
    await wait_until(lambda: len(threads) == 1)
    assert threads == [threading.get_ident()]
    assert typed.count("MessageCreate") == 2


async def test_malformed_frames_are_diagnosed_and_the_shard_goes_on(running: Running) -> None:
    sb = running.sb
    for kind in ("bad_json", "unknown_op", "unknown_event", "wrong_types", "missing_fields"):
        assert sb.send_malformed(kind) == 1
    await sb.post_message(sb.channel_ids[0], "still alive")
    await wait_until(lambda: len(running.messages()) == 1)
    kinds = running.diag_kinds()
    assert Kind.DECODE_ERROR in kinds
    assert "unknown_opcode" in kinds
    assert any(isinstance(e, RawEvent) for e in running.events)
    assert running.client.shards[0].protocol.state.value == "ready"


async def test_invalid_session_reidentifies_and_reports_the_lost_session(running: Running) -> None:
    sb = running.sb
    assert sb.invalidate_sessions() == 1
    await wait_until(lambda: sum(isinstance(e, Ready) for e in running.events) == 2, within=15)
    assert Kind.SESSION_LOST in running.diag_kinds()
    await sb.post_message(sb.channel_ids[0], "new session")
    await wait_until(lambda: len(running.messages()) == 1)


async def test_zombie_connection_is_closed_and_resumed(running: Running) -> None:
    sb = running.sb
    sb.set_zombie(True)
    await wait_until(lambda: "zombie_connection" in running.diag_kinds(), within=10)
    sb.set_zombie(False)
    await wait_until(lambda: sum(type(e).__name__ == "Resumed" for e in running.events) == 1)
    await sb.post_message(sb.channel_ids[0], "back")
    await wait_until(lambda: len(running.messages()) == 1)


async def test_bad_token_raises_invalid_token() -> None:
    async with Sandbox() as sb:
        client = Client(ClientOptions(rest=RestOptions(api_url=sb.api_url)))
        bad = "123456789012345678.not-the-secret"
        with pytest.raises(InvalidToken) as info:
            await asyncio.wait_for(client.login(bad), 10)
        assert "not-the-secret" not in str(info.value)
        assert not client.is_ready


async def test_commands_before_login_raise_client_not_ready() -> None:
    client = Client()
    with pytest.raises(ClientNotReady):
        client.send_to_gateway(3, {"status": "online"})
    with pytest.raises(ClientNotReady):
        client.update_presence("idle")


async def test_request_guild_members_gathers_chunks() -> None:
    async with Sandbox(members_per_guild=30) as sb:
        running = await _start(sb)
        try:
            members = await running.client.request_guild_members(sb.guild_ids[0], timeout=10)
            assert len(members) == 31  # the seeded members and the bot
            assert len({m.user.id for m in members if m.user is not None}) == 31
        finally:
            await _stop(running)


async def test_exactly_once_in_order_under_seeded_random_faults() -> None:
    rng = random.Random(1234)
    async with Sandbox(heartbeat_interval=1.0, resume_window=5.0, seed=7) as sb:
        running = await _start(sb)
        try:
            channel = sb.channel_ids[1]
            for i in range(60):
                await sb.post_message(channel, f"m{i}")
                roll = rng.random()
                if roll < 0.08:
                    sb.drop_connections()
                elif roll < 0.12:
                    await sb.request_reconnect()
            await wait_until(lambda: len(running.messages()) >= 60, within=30)
            expected = [r.d["id"] for r in sb.dispatch_log if r.t == "MESSAGE_CREATE"]
            got = [m.id for m in running.messages()]
            assert got == expected
            assert len(set(got)) == 60
        finally:
            await _stop(running)


async def test_wait_for_guilds_delays_readiness_until_the_burst_is_over() -> None:
    async with Sandbox(guilds=3) as sb:
        client = Client(
            ClientOptions(
                rest=RestOptions(api_url=sb.api_url), wait_for_guilds=True, guild_ready_timeout=0.2
            )
        )
        ready_during_burst: list[bool] = []
        client.events.stream(GuildCreate).subscribe(
            lambda _: ready_during_burst.append(client.is_ready)
        )
        task = asyncio.create_task(client.login(sb.token))
        await client.wait_until_ready(timeout=10)
        await client.destroy()
        await task
        # without wait_for_guilds the client is ready at READY, before every GUILD_CREATE
        assert ready_during_burst == [False, False, False]


async def test_empty_token_is_refused_and_the_client_stays_usable() -> None:
    client = Client()
    with pytest.raises(ValueError):
        await client.login("Bot   ")
    with pytest.raises(ValueError):  # still not "already logged in"
        await client.login("")


async def test_removed_handlers_are_not_called_and_removal_is_idempotent() -> None:
    client = Client()
    named: list[str] = []
    typed: list[object] = []
    remove_named = client.on(Events.TYPING_START, lambda d: named.append(d["user_id"]))
    remove_typed = client.on_typed(typed.append)
    frame = b'{"d":{"channel_id":"1","timestamp":1,"user_id":"2"},"op":0,"s":1,"t":"TYPING_START"}'
    client.pipeline.dispatch(decode_frame(frame))
    remove_named()
    remove_named()
    remove_typed()
    remove_typed()
    client.pipeline.dispatch(decode_frame(frame))
    assert named == ["2"] and len(typed) == 1
