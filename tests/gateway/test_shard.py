"""The shard driver on its own: connect failures (WebSocketError), resuming a Session in a
new shard, and a poisoned machine. Fake connections, a refused port on 127.0.0.1, and the
sandbox."""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import Callable
from typing import Any

import pytest

from fluxer_rx.diagnostics import Diagnostic, Kind
from fluxer_rx.errors import WebSocketError
from fluxer_rx.gateway.actions import ConnectionState, SessionLost
from fluxer_rx.gateway.protocol import GatewayProtocol, ProtocolMisuse
from fluxer_rx.gateway.session import Session
from fluxer_rx.gateway.shard import Shard
from fluxer_rx.gateway.transport import GatewayConnection
from fluxer_rx.models import Frame
from fluxer_rx.sandbox import Sandbox
from tests.util import wait_until

TOKEN = "1000000000000000007.fake-secret-not-real"
SECRET = "fake-secret-not-real"
HELLO = b'{"d":{"heartbeat_interval":41250},"op":10}'
READY = b'{"d":{"session_id":"S1","user":{"id":"7"}},"op":0,"s":1,"t":"READY"}'
FAST: dict[str, Any] = {"backoff_base": 0.001, "backoff_cap": 0.001, "reconnect_delay_max": 0.001}


def dispatch(s: int) -> bytes:
    return b'{"d":{"n":%d},"op":0,"s":%d,"t":"USER_UPDATE"}' % (s, s)


class Sink:
    """Records what a shard delivers."""

    def __init__(self) -> None:
        self.dispatches: list[Frame] = []
        self.frames: list[Frame] = []
        self.diagnostics: list[Diagnostic] = []
        self.states: list[ConnectionState] = []
        self.on_dispatch: Callable[[Frame], None] | None = None

    def frame(self, frame: Frame) -> None:
        self.frames.append(frame)

    def dispatch(self, frame: Frame) -> None:
        self.dispatches.append(frame)
        if self.on_dispatch is not None:
            self.on_dispatch(frame)

    def diagnostic(self, report: Diagnostic) -> None:
        self.diagnostics.append(report)

    def session_lost(self, shard_id: int, lost: SessionLost) -> None:
        pass

    def state_changed(self, shard_id: int, old: ConnectionState, new: ConnectionState) -> None:
        self.states.append(new)

    def events(self, t: str) -> list[Frame]:
        return [f for f in self.dispatches if f.t == t]


class FakeConnection:
    """A GatewayConnection that delivers ``messages``, then drops (1006), or stays open
    until closed when ``stay_open``."""

    def __init__(self, messages: list[bytes], *, stay_open: bool = False) -> None:
        self.messages = messages
        self.stay_open = stay_open
        self.close_code: int | None = None
        self.close_reason = ""
        self.sent: list[str] = []
        self._closed = asyncio.Event()

    async def pump(self, on_message: Callable[[bytes], None]) -> None:
        for message in self.messages:
            on_message(message)
        if self.stay_open:
            await self._closed.wait()
        if self.close_code is None:
            self.close_code = 1006

    async def release(self) -> None:
        self._closed.set()

    async def send(self, data: str) -> None:
        self.sent.append(data)

    async def close(self, code: int, reason: str = "") -> None:
        self.close_code, self.close_reason = code, reason
        self._closed.set()


class Opener:
    """Plays a script of outcomes, one per connection attempt: an exception to raise, or
    a connection to return; after the script, refuses for ever."""

    def __init__(self, *script: BaseException | FakeConnection) -> None:
        self.script = list(script)
        self.calls = 0

    async def __call__(self, url: str, timeout: float) -> GatewayConnection:
        self.calls += 1
        outcome: BaseException | FakeConnection = (
            self.script.pop(0) if self.script else ConnectionRefusedError(111, "refused")
        )
        if isinstance(outcome, BaseException):
            raise outcome
        return outcome


def refused() -> ConnectionRefusedError:
    return ConnectionRefusedError(111, "Connection refused")


def shard(opener: Opener, sink: Sink | None = None, **kwargs: Any) -> Shard:
    protocol_kwargs = {**FAST, **kwargs.pop("protocol", {})}
    protocol = GatewayProtocol(TOKEN, **protocol_kwargs)
    return Shard(3, protocol, "ws://gateway.test/?v=1", sink or Sink(), opener=opener, **kwargs)


# ------------------------------------------------------------------ max_connect_failures


async def test_refused_connections_end_the_run_with_a_websocket_error() -> None:
    opener = Opener()
    s = shard(opener, max_connect_failures=3)
    with pytest.raises(WebSocketError) as caught:
        await asyncio.wait_for(s.run(), 10)
    error = caught.value
    assert (error.shard_id, error.failures, opener.calls) == (3, 3, 3)
    assert isinstance(error.__cause__, ConnectionRefusedError)
    assert "connection refused" in str(error) and "gateway.test" in str(error)
    assert SECRET not in str(error) and SECRET not in repr(error.__cause__)
    assert s.protocol.state is ConnectionState.STOPPED


async def test_a_connection_that_gets_hello_resets_the_count() -> None:
    opener = Opener(refused(), refused(), FakeConnection([HELLO]), refused(), refused())
    s = shard(opener, max_connect_failures=3)
    with pytest.raises(WebSocketError) as caught:
        await asyncio.wait_for(s.run(), 10)
    assert caught.value.failures == 3
    assert opener.calls == 6  # without the reset it would have stopped at the 4th


async def test_a_connection_that_closes_before_hello_counts_as_failed() -> None:
    opener = Opener(FakeConnection([]), FakeConnection([]))
    s = shard(opener, max_connect_failures=2)
    with pytest.raises(WebSocketError) as caught:
        await asyncio.wait_for(s.run(), 10)
    assert opener.calls == 2
    assert isinstance(caught.value.__cause__, ConnectionError)
    assert "no HELLO" in str(caught.value)


async def test_failures_do_not_count_while_a_session_can_be_resumed() -> None:
    opener = Opener()
    session = Session(session_id="S1", seq=4)
    s = shard(opener, max_connect_failures=2, protocol={"session": session, "resume_window": 600})
    run = asyncio.create_task(s.run())
    await wait_until(lambda: opener.calls >= 6, what="six refused resume attempts")
    assert not run.done()
    await s.close()
    await asyncio.wait_for(run, 5)  # returns: no error


async def test_once_the_session_is_given_up_failures_count() -> None:
    opener = Opener()
    session = Session(session_id="S1", seq=4)
    sink = Sink()
    s = shard(
        opener, sink, max_connect_failures=2, protocol={"session": session, "resume_window": 0}
    )
    with pytest.raises(WebSocketError):
        await asyncio.wait_for(s.run(), 10)
    assert any(d.kind == Kind.RESUME_ABANDONED for d in sink.diagnostics)
    assert opener.calls == 3  # the first failure starts the window; the session ends at the 2nd


async def test_none_retries_for_ever() -> None:
    opener = Opener()
    s = shard(opener)
    run = asyncio.create_task(s.run())
    await wait_until(lambda: opener.calls >= 20, what="twenty refused attempts")
    assert not run.done()
    await s.close()
    await asyncio.wait_for(run, 5)


def test_max_connect_failures_must_be_positive() -> None:
    with pytest.raises(ValueError):
        shard(Opener(), max_connect_failures=0)


async def test_a_closed_port_on_loopback_raises_websocket_error() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    # nothing listens on ``port`` now: every connect is refused
    protocol = GatewayProtocol(TOKEN, **FAST)
    sink = Sink()
    s = Shard(
        0, protocol, f"ws://127.0.0.1:{port}/?v=1", sink, transport="aiohttp",
        max_connect_failures=2,
    )  # fmt: skip
    with pytest.raises(WebSocketError) as caught:
        await asyncio.wait_for(s.run(), 10)
    assert caught.value.failures == 2
    assert isinstance(caught.value.__cause__, OSError)
    assert f"127.0.0.1:{port}: connection refused" in str(caught.value)
    assert [d.kind for d in sink.diagnostics].count(Kind.CONNECT_FAILED) == 2


# ------------------------------------------------------------------ the receive path


def message_create(
    s: int, content: str, *, key_order: tuple[str, ...] = ("d", "op", "s", "t")
) -> bytes:
    d = {"author": {"id": "9"}, "channel_id": "2", "content": content, "id": str(100 + s)}
    frame = {"d": d, "op": 0, "s": s, "t": "MESSAGE_CREATE"}
    return json.dumps({k: frame[k] for k in key_order}, separators=(",", ":")).encode()


async def test_the_one_pass_and_the_general_decode_deliver_alike() -> None:
    # compact sorted frames take the inlined one-pass decode, the others decode_frame;
    # both deliver each s once, in order, with the shard's id and ``d`` as sent
    bad = message_create(4, "bad").replace(b'"author":{"id":"9"},', b"")  # no author
    conn = FakeConnection(
        [
            HELLO,
            READY,
            message_create(2, "one pass"),
            message_create(3, "reordered", key_order=("op", "t", "s", "d")),
            message_create(3, "duplicate"),
            bad,  # a MESSAGE_CREATE tail that does not decode as one: a lazy frame
            b'{"op":',  # undecodable: reported and skipped
            message_create(5, "after"),
        ],
        stay_open=True,
    )
    sink = Sink()
    s = shard(Opener(conn), sink)
    run = asyncio.create_task(s.run())
    try:
        await wait_until(lambda: len(sink.dispatches) == 5, what="five dispatches")
    finally:
        await s.close()
        await asyncio.wait_for(run, 5)
    assert [f.s for f in sink.dispatches] == [1, 2, 3, 4, 5]
    assert {f.shard_id for f in sink.dispatches} == {3}
    created = sink.events("MESSAGE_CREATE")
    assert [f.ordinary_dispatch for f in created] == [True, False, False, True]
    assert [f.data.get("content") for f in created] == ["one pass", "reordered", "bad", "after"]
    assert json.loads(created[0].raw_d) == json.loads(message_create(2, "one pass"))["d"]
    assert created[1].event.content == "reordered"
    assert [d.kind for d in sink.diagnostics].count(Kind.DECODE_ERROR) == 1
    assert s.protocol.dispatch_cursor.seq == 5


# ------------------------------------------------------------------ a poisoned machine


async def test_a_poisoned_machine_stops_the_shard_with_the_misuse() -> None:
    conn = FakeConnection([HELLO, READY, dispatch(2), dispatch(3)], stay_open=True)
    sink = Sink()
    s = shard(Opener(conn), sink)

    def misuse(frame: Frame) -> None:
        if frame.s == 2:
            s.protocol.connection_opened(0.0)  # a driver bug: the socket is already open

    sink.on_dispatch = misuse
    with pytest.raises(ProtocolMisuse):
        await asyncio.wait_for(s.run(), 5)
    assert s.protocol.state is ConnectionState.ERROR
    assert conn.close_code == 4000
    assert [f.s for f in sink.dispatches] == [1, 2]  # nothing after the poisoning


# ------------------------------------------------------------------ resuming a Session


async def test_a_new_shard_resumes_a_stopped_shards_session_without_loss() -> None:
    async with Sandbox(guilds=1, channels_per_guild=1, members_per_guild=2) as sb:
        url = f"{sb.gateway_url}/?v=1&encoding=json"
        channel = sb.channel_ids[0]
        gated: list[int] = []

        async def gate() -> None:
            gated.append(1)

        first_sink = Sink()
        first = Shard(
            0, GatewayProtocol(sb.token), url, first_sink, transport="aiohttp",
            identify_gate=gate,
        )  # fmt: skip
        running = asyncio.create_task(first.run())
        await wait_until(lambda: bool(first_sink.events("GUILD_CREATE")), what="the guild burst")
        for text in ("before 1", "before 2"):
            await sb.post_message(channel, text)
        await wait_until(lambda: len(first_sink.events("MESSAGE_CREATE")) == 2, what="2 msgs")

        running.cancel()  # stopped abruptly: no close(), as if the process died
        with pytest.raises(asyncio.CancelledError):
            await running
        assert first.protocol.session is not None
        blob = first.protocol.session.to_bytes()
        assert sb.token not in blob.decode()
        await wait_until(lambda: not sb.gateway.attached_sessions, what="the socket gone")
        for text in ("missed 1", "missed 2"):
            await sb.post_message(channel, text)

        second_sink = Sink()
        protocol = GatewayProtocol(sb.token, session=Session.from_bytes(blob))
        second = Shard(0, protocol, url, second_sink, transport="aiohttp", identify_gate=gate)
        resumed = asyncio.create_task(second.run())
        try:
            await wait_until(lambda: bool(second_sink.events("RESUMED")), what="RESUMED")
            await sb.post_message(channel, "live")
            await wait_until(lambda: len(second_sink.events("MESSAGE_CREATE")) == 3, what="3")
        finally:
            await second.close()
            await asyncio.wait_for(resumed, 5)

        assert gated == [1]  # only the first shard IDENTIFYed
        assert not second_sink.events("READY")
        assert len(sb.gateway.sessions) == 1
        contents = [
            f.data["content"]
            for f in first_sink.events("MESSAGE_CREATE") + second_sink.events("MESSAGE_CREATE")
        ]
        assert contents == ["before 1", "before 2", "missed 1", "missed 2", "live"]
        seqs = [f.s for f in first_sink.dispatches + second_sink.dispatches if f.t != "RESUMED"]
        assert seqs == list(range(1, len(seqs) + 1))  # every seq once, in order
        assert not [d for d in second_sink.diagnostics if d.kind in (Kind.GAP, Kind.SESSION_LOST)]
