"""The Client under real network faults (a TCP proxy between it and the sandbox).

Issue 11, gateway lifecycle: a short cut never loses the session (item 1); readiness
follows the connection (item 2); every connection attempt is bounded (item 3); destroy()
ends the run from every state (item 4); closes are reported with their code (item 6);
the gateway URL's query is parsed and compression refused (items 7, 8).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from aiohttp import web

from fluxer_rx import Client, ClientOptions, ClientState, GatewayOptions, RestOptions
from fluxer_rx.client import gateway_url_with_query
from fluxer_rx.diagnostics import Diagnostic, Kind
from fluxer_rx.gateway.close_codes import CloseReport
from fluxer_rx.gateway.shard import RESUME_ATTEMPT_TIMEOUT, attempt_timeout
from fluxer_rx.models import MessageCreate
from fluxer_rx.options import Transport
from fluxer_rx.sandbox import Sandbox
from tests.faultproxy import FaultProxy
from tests.util import client_options, wait_until

TRANSPORTS: list[Transport] = ["picows", "aiohttp", "websockets"]


@dataclass
class Run:
    sb: Sandbox
    proxy: FaultProxy
    client: Client
    task: asyncio.Task[None]
    events: list[object] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    ready_log: list[bool] = field(default_factory=list)

    def contents(self) -> list[str]:
        return [e.content or "" for e in self.events if isinstance(e, MessageCreate)]

    def of_kind(self, kind: str) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.kind == kind]

    def states(self) -> list[str]:
        return [d.detail for d in self.of_kind(Kind.CLIENT_STATE)]


@contextlib.asynccontextmanager
async def running(
    transport: Transport, *, server_window: float = 10.0, **options: Any
) -> AsyncIterator[Run]:
    async with (
        Sandbox(heartbeat_interval=1.0, resume_window=server_window, guilds=1) as sb,
        FaultProxy("127.0.0.1", sb.port) as proxy,
    ):
        client = Client(
            client_options(
                rest=RestOptions(api_url=sb.api_url),
                url=proxy.url(),
                transport=transport,
                **options,
            )
        )
        run = Run(sb, proxy, client, asyncio.create_task(asyncio.sleep(0)))
        client.events.subscribe(run.events.append)
        client.diagnostics.subscribe(run.diagnostics.append)
        client.diagnostics.subscribe(lambda _: run.ready_log.append(client.is_ready))
        run.task = asyncio.create_task(client.login(sb.token))
        try:
            await client.wait_until_ready(timeout=10)
            yield run
        finally:
            await asyncio.wait_for(client.destroy(), 5)
            await asyncio.wait_for(run.task, 5)


async def _post_until_seen(run: Run, text: str) -> None:
    await run.sb.post_message(run.sb.channel_ids[0], text)
    await wait_until(lambda: text in run.contents(), within=20)


# ------------------------------------------------------------------ item 1: cuts


@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_a_2s_network_cut_resumes_the_session_and_loses_nothing(transport: Transport) -> None:
    async with running(transport) as run:
        await _post_until_seen(run, "before")
        await run.proxy.cut(duration=2.0)  # the fault: 2 s of refused connections
        await wait_until(lambda: not run.client.is_ready)
        for i in range(3):  # the session buffers these; RESUME replays them
            await run.sb.post_message(run.sb.channel_ids[0], f"during {i}")
        await wait_until(lambda: len(run.of_kind(Kind.CONNECT_FAILED)) >= 2, within=5)
        await run.client.wait_until_ready(timeout=8)
        await _post_until_seen(run, "after")
        assert run.contents() == ["before", "during 0", "during 1", "during 2", "after"]
        assert not run.of_kind(Kind.SESSION_LOST)
        assert not run.of_kind(Kind.GAP)
        assert run.states()[-2:] == ["ready -> reconnecting", "reconnecting -> ready"]


@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_a_blackholed_connection_is_detected_and_resumed(transport: Transport) -> None:
    async with running(transport, connect_timeout=1.5) as run:
        await _post_until_seen(run, "before")
        await run.proxy.blackhole()
        await run.sb.post_message(run.sb.channel_ids[0], "unseen yet")
        # heartbeat interval 1 s: no ACK before the next beat -> zombie -> reconnect
        await wait_until(lambda: not run.client.is_ready, within=5)
        await run.proxy.restore()
        await run.client.wait_until_ready(timeout=8)
        await _post_until_seen(run, "after")
        assert run.contents() == ["before", "unseen yet", "after"]
        assert not run.of_kind(Kind.SESSION_LOST)


async def test_a_short_client_window_identifies_after_it_expires() -> None:
    # the server would still resume (30 s); the client's own window (0.3 s) ends first
    async with running("aiohttp", server_window=30.0, resume_window=0.3) as run:
        await run.proxy.cut()
        await wait_until(lambda: bool(run.of_kind(Kind.SESSION_LOST)), within=5)
        lost = run.of_kind(Kind.SESSION_LOST)[0]
        assert "resume window" in lost.detail
        await run.proxy.restore()
        await run.client.wait_until_ready(timeout=10)
        assert run.client.state is ClientState.READY


# ------------------------------------------------------------------ item 2: readiness


async def test_readiness_follows_the_connection_and_the_session() -> None:
    async with running("aiohttp") as run:
        client = run.client
        assert client.is_ready and client.state is ClientState.READY
        assert run.states()[:3] == [
            "idle -> discovering",
            "discovering -> connecting",
            "connecting -> ready",
        ]
        await run.proxy.cut()
        await wait_until(lambda: client.state is ClientState.RECONNECTING)
        assert not client.is_ready
        waiter = asyncio.create_task(client.wait_until_ready(timeout=10))
        await asyncio.sleep(0)
        assert not waiter.done()
        await run.proxy.restore()
        await waiter
        assert client.is_ready and client.state is ClientState.READY
        # the server invalidates the session: not ready until a new READY
        run.sb.invalidate_sessions()
        await wait_until(lambda: not client.is_ready)
        await client.wait_until_ready(timeout=10)
        assert run.of_kind(Kind.SESSION_LOST)
    assert client.state is ClientState.CLOSED and not client.is_ready
    assert run.states()[-2:] == ["ready -> closing", "closing -> closed"]


# ---------------------------------------------------- items 3, 4: bounded opens, destroy


class SilentPeer:
    """A TCP server on 127.0.0.1 that accepts connections and never answers."""

    def __init__(self) -> None:
        self.accepted = 0
        self._server: asyncio.Server | None = None
        self._writers: list[asyncio.StreamWriter] = []

    async def __aenter__(self) -> SilentPeer:
        self._server = await asyncio.start_server(self._accept, "127.0.0.1", 0)
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._server is not None
        for writer in self._writers:
            writer.close()
        self._server.close()
        await self._server.wait_closed()

    @property
    def port(self) -> int:
        assert self._server is not None
        return int(self._server.sockets[0].getsockname()[1])

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.accepted += 1
        self._writers.append(writer)


async def _destroy_within_a_second(client: Client, login: asyncio.Task[None]) -> None:
    started = time.monotonic()
    await asyncio.wait_for(client.destroy(), 1.0)
    await asyncio.wait_for(login, 1.0 - (time.monotonic() - started))
    assert login.result() is None  # login() returned normally
    assert client.state is ClientState.CLOSED


def _start(client: Client, token: str, diagnostics: list[Diagnostic]) -> asyncio.Task[None]:
    client.diagnostics.subscribe(diagnostics.append)
    return asyncio.create_task(client.login(token))


async def test_destroy_when_idle_and_twice_returns_at_once() -> None:
    client = Client()
    await asyncio.wait_for(client.destroy(), 1.0)
    assert client.state is ClientState.IDLE


async def test_destroy_during_discovery_returns_within_1s_and_never_connects() -> None:
    async with SilentPeer() as api:
        client = Client(ClientOptions(rest=RestOptions(api_url=f"http://127.0.0.1:{api.port}/v1")))
        seen: list[Diagnostic] = []
        login = _start(client, "1.secret", seen)
        await wait_until(lambda: client.state is ClientState.DISCOVERING and api.accepted > 0)
        await _destroy_within_a_second(client, login)
        assert "discovering -> connecting" not in [d.detail for d in seen]


@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_a_silent_gateway_times_out_retries_and_destroy_returns(transport: Transport) -> None:
    # item 3: aiohttp's handshake was unbounded; a peer that accepts and never answers hung
    async with SilentPeer() as gateway:
        client = Client(
            ClientOptions(
                gateway=GatewayOptions(
                    url=f"ws://127.0.0.1:{gateway.port}", transport=transport, connect_timeout=0.3
                )
            )
        )
        seen: list[Diagnostic] = []
        login = _start(client, "1.secret", seen)
        await wait_until(lambda: sum(d.kind == Kind.CONNECT_FAILED for d in seen) >= 2, within=5)
        failed = [d for d in seen if d.kind == Kind.CONNECT_FAILED]
        assert f"127.0.0.1:{gateway.port}" in failed[0].detail
        assert "timed out" in failed[0].detail
        assert client.state is ClientState.CONNECTING
        await _destroy_within_a_second(client, login)


@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_a_socket_without_hello_is_bounded_by_connect_timeout(transport: Transport) -> None:
    app = web.Application()

    async def upgrade_then_silence(request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        async for _ in ws:  # never sends HELLO
            pass
        return ws

    app.router.add_get("/", upgrade_then_silence)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        client = Client(
            ClientOptions(
                gateway=GatewayOptions(
                    url=f"ws://127.0.0.1:{port}", transport=transport, connect_timeout=0.4
                )
            )
        )
        seen: list[Diagnostic] = []
        login = _start(client, "1.secret", seen)
        await wait_until(lambda: sum("no HELLO" in d.detail for d in seen) >= 2, within=5)
        await _destroy_within_a_second(client, login)
    finally:
        await runner.cleanup()


async def test_destroy_while_connections_are_refused_returns_within_1s() -> None:
    async with Sandbox(guilds=0) as sb, FaultProxy("127.0.0.1", sb.port) as proxy:
        await proxy.cut()
        client = Client(
            ClientOptions(
                rest=RestOptions(api_url=sb.api_url), gateway=GatewayOptions(url=proxy.url())
            )
        )
        seen: list[Diagnostic] = []
        login = _start(client, sb.token, seen)
        await wait_until(lambda: any(d.kind == Kind.CONNECT_FAILED for d in seen))
        assert "connection refused" in next(d for d in seen if d.kind == Kind.CONNECT_FAILED).detail
        await _destroy_within_a_second(client, login)


@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_destroy_while_ready_or_reconnecting_returns_within_1s(transport: Transport) -> None:
    async with (
        Sandbox(heartbeat_interval=1.0, guilds=0) as sb,
        FaultProxy("127.0.0.1", sb.port) as proxy,
    ):
        for fault in (None, "blackhole"):
            client = Client(
                ClientOptions(
                    rest=RestOptions(api_url=sb.api_url),
                    gateway=GatewayOptions(url=proxy.url(), transport=transport),
                )
            )
            seen: list[Diagnostic] = []
            login = _start(client, sb.token, seen)
            await client.wait_until_ready(timeout=10)
            if fault == "blackhole":
                await proxy.blackhole()  # the close handshake will never be answered
            await _destroy_within_a_second(client, login)
            await proxy.restore()


# ------------------------------------------------------------------ item 6: closes reported


async def test_every_close_is_reported_with_its_code_and_4002_as_a_refused_frame() -> None:
    async with running("aiohttp") as run:
        run.client.send_to_shard(0, 8, "not an object")  # the server refuses it: 4002
        await wait_until(lambda: bool(run.of_kind(Kind.CLOSED)))
        await run.client.wait_until_ready(timeout=10)
        report = run.of_kind(Kind.CLOSED)[0].data
        assert isinstance(report, CloseReport)
        assert (report.code, report.by_server, report.next_step) == (4002, True, "resume")
        assert "refused a frame" in report.describe()
    closes = [d.data for d in run.of_kind(Kind.CLOSED)]
    assert isinstance(closes[-1], CloseReport)
    assert (closes[-1].code, closes[-1].by_server, closes[-1].next_step) == (1000, False, "stop")


# ------------------------------------------------------------------ items 7, 8: the URL


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("wss://gw.example/?env=prod", "wss://gw.example/?env=prod&v=1&encoding=json"),
        ("wss://gw.example", "wss://gw.example/?v=1&encoding=json"),
        ("ws://h:1/?v=1&encoding=json", "ws://h:1/?v=1&encoding=json"),
        ("ws://h:1/?compress=none", "ws://h:1/?compress=none&v=1&encoding=json"),
    ],
)
def test_the_gateway_query_is_parsed_not_searched(url: str, expected: str) -> None:
    assert gateway_url_with_query(url, "1") == expected


@pytest.mark.parametrize(
    "url", ["wss://gw.example/?compress=zstd-stream", "https://gw.example/", "ws:///nohost"]
)
async def test_an_unusable_gateway_url_is_refused_before_connecting(url: str) -> None:
    client = Client(ClientOptions(gateway=GatewayOptions(url=url)))
    with pytest.raises(ValueError):
        await asyncio.wait_for(client.login("1.secret"), 2)
    assert client.state is ClientState.CLOSED


# ------------------------------------------------------------------ one bad delivery is not fatal


def _failing_on_boom(options: ClientOptions) -> Client:
    """A client whose own event pipeline fails on one event (a stand-in for any bug)."""
    client = Client(options)
    dispatch = client.pipeline.dispatch

    def failing(frame: Any) -> None:
        if frame.t == "MESSAGE_CREATE" and b"boom" in frame.raw_d:
            raise RuntimeError("pipeline bug")
        dispatch(frame)

    client.pipeline.dispatch = failing  # type: ignore[method-assign]
    return client


async def test_a_failing_event_pipeline_is_reported_and_the_session_goes_on() -> None:
    async with Sandbox(heartbeat_interval=1.0, guilds=1) as sb:
        client = _failing_on_boom(ClientOptions(rest=RestOptions(api_url=sb.api_url)))
        seen: list[Diagnostic] = []
        events: list[object] = []
        client.events.subscribe(events.append)
        login = _start(client, sb.token, seen)
        await client.wait_until_ready(timeout=10)
        for text in ("one", "boom", "two"):
            await sb.post_message(sb.channel_ids[0], text)
        await wait_until(lambda: any(getattr(e, "content", None) == "two" for e in events))
        assert [e.content for e in events if isinstance(e, MessageCreate)] == ["one", "two"]
        failures = [d for d in seen if d.kind == Kind.HANDLER_ERROR]
        assert len(failures) == 1 and "MESSAGE_CREATE" in failures[0].detail
        assert not login.done()
        await _destroy_within_a_second(client, login)


def test_attempts_while_resuming_are_bounded_tighter() -> None:
    assert attempt_timeout(15.0, resuming=False) == 15.0
    assert attempt_timeout(15.0, resuming=True) == RESUME_ATTEMPT_TIMEOUT < 10.0
    assert attempt_timeout(1.0, resuming=True) == 1.0
