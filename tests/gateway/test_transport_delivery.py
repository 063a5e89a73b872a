"""What every transport delivers once open, on all three: messages whole and in order
(also fragmented, also at firehose rates), the server's close code and reason, an
exception from the callback propagated; picows and aiohttp call back from the parser
(no coroutine per message). And which transport is the default."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import importlib.util
import json
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field

import pytest

from fluxer_rx import GatewayOptions
from fluxer_rx.gateway import transport as transport_module
from fluxer_rx.gateway.transport import (
    TRANSPORT_NAMES,
    GatewayConnection,
    TransportName,
    default_transport,
    open_connection,
)
from fluxer_rx.sandbox import Sandbox
from tests.util import wait_until

_GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
CALLBACK_TRANSPORTS = ("picows", "aiohttp")


@dataclass
class Received:
    """What ``pump`` delivered, and whether each call ran inside a task (a coroutine)."""

    messages: list[bytes] = field(default_factory=list)
    in_task: list[bool] = field(default_factory=list)

    def __call__(self, message: bytes) -> None:
        self.messages.append(message)
        self.in_task.append(asyncio.current_task() is not None)

    def ops(self) -> list[int]:
        return [json.loads(m)["op"] for m in self.messages]


@contextlib.asynccontextmanager
async def pumping(
    url: str, transport: TransportName, on_message: Callable[[bytes], None]
) -> AsyncIterator[tuple[GatewayConnection, asyncio.Task[None]]]:
    conn = await open_connection(url, transport, 5.0)
    task = asyncio.create_task(conn.pump(on_message))
    try:
        yield conn, task
    finally:
        if not task.done():
            with contextlib.suppress(Exception):
                await asyncio.wait_for(conn.close(1000), 2)
        with contextlib.suppress(Exception):
            await asyncio.wait_for(task, 5)
        await conn.release()


def _identify(token: str) -> str:
    properties = {"os": "linux", "browser": "test", "device": "test"}
    return json.dumps({"op": 2, "d": {"token": token, "properties": properties}})


@pytest.mark.parametrize("transport", TRANSPORT_NAMES)
async def test_a_firehose_arrives_whole_and_in_order(transport: TransportName) -> None:
    got = Received()
    async with (
        Sandbox(members_per_guild=5, messages_per_channel=0) as sb,
        pumping(f"{sb.gateway_url}/?v=1&encoding=json", transport, got) as (conn, _),
    ):
        await wait_until(lambda: len(got.messages) == 1, what="HELLO")
        await conn.send(_identify(sb.token))
        await wait_until(lambda: any(b'"READY"' in m for m in got.messages), what="READY")
        before = len(got.messages)
        result = await sb.firehose(3000, batch_bytes=1 << 16)
        await wait_until(lambda: len(got.messages) >= before + 3000, within=30, what="firehose")
        seqs = [json.loads(m)["s"] for m in got.messages[before:]]
        assert seqs == list(range(result.first_seq, result.last_seq + 1))
    if transport in CALLBACK_TRANSPORTS:  # straight from the parser, no coroutine each
        assert not any(got.in_task[before:])


@pytest.mark.parametrize("transport", TRANSPORT_NAMES)
async def test_messages_before_and_after_the_pump_starts_arrive_in_order(
    transport: TransportName,
) -> None:
    async with Sandbox(heartbeat_interval=30.0) as sb:
        conn = await open_connection(f"{sb.gateway_url}/?v=1&encoding=json", transport, 5.0)
        await conn.send('{"op":1,"d":null}')  # answered before anyone reads: held
        got = Received()
        task = asyncio.create_task(conn.pump(got))
        await wait_until(lambda: len(got.messages) == 2, what="HELLO and the first ACK")
        for _ in range(3):
            await conn.send('{"op":1,"d":null}')
        await wait_until(lambda: len(got.messages) == 5, what="three more ACKs")
        assert got.ops() == [10, 11, 11, 11, 11]
        if transport in CALLBACK_TRANSPORTS:
            assert got.in_task[2:] == [False, False, False]
        await conn.close(1000)
        await asyncio.wait_for(task, 5)
        await conn.release()


@pytest.mark.parametrize("transport", TRANSPORT_NAMES)
async def test_the_servers_close_code_and_reason_are_reported(transport: TransportName) -> None:
    got = Received()
    async with (
        Sandbox() as sb,
        pumping(f"{sb.gateway_url}/?v=1&encoding=json", transport, got) as (conn, task),
    ):
        await wait_until(lambda: len(got.messages) == 1, what="HELLO")
        await conn.send(_identify("1.wrong"))
        await asyncio.wait_for(task, 5)
        assert (conn.close_code, conn.close_reason) == (4004, "Invalid token")


@pytest.mark.parametrize("transport", TRANSPORT_NAMES)
async def test_an_exception_from_on_message_ends_the_pump_and_propagates(
    transport: TransportName,
) -> None:
    seen: list[bytes] = []

    def failing(message: bytes) -> None:
        seen.append(message)
        if len(seen) == 2:
            raise LookupError("handler bug")

    async with (
        Sandbox(heartbeat_interval=30.0) as sb,
        pumping(f"{sb.gateway_url}/?v=1&encoding=json", transport, failing) as (conn, task),
    ):
        await wait_until(lambda: len(seen) == 1, what="HELLO")
        await conn.send('{"op":1,"d":null}')
        with pytest.raises(LookupError, match="handler bug"):
            await asyncio.wait_for(task, 5)
        assert len(seen) == 2


# --------------------------------------------------------------- a hand-made server


@dataclass
class ScriptedServer:
    """Accepts one WebSocket upgrade, writes ``script`` (raw frames), then reads the
    client's frames (their opcodes in ``client_opcodes``) until the client's close frame,
    and closes the socket as a server does after the closing handshake."""

    script: bytes
    port: int = 0
    client_opcodes: list[int] = field(default_factory=list)

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        request = await reader.readuntil(b"\r\n\r\n")
        key = next(
            line.split(b":", 1)[1].strip()
            for line in request.split(b"\r\n")
            if line.lower().startswith(b"sec-websocket-key:")
        )
        accept = base64.b64encode(hashlib.sha1(key + _GUID).digest())
        writer.write(
            b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
            b"Connection: Upgrade\r\nSec-WebSocket-Accept: " + accept + b"\r\n\r\n" + self.script
        )
        with contextlib.suppress(ConnectionError, asyncio.IncompleteReadError):
            while 8 not in self.client_opcodes:
                first, second = await reader.readexactly(2)
                length = second & 0x7F
                if length >= 126:
                    length = int.from_bytes(await reader.readexactly(2 if length == 126 else 8))
                await reader.readexactly(4 + length)  # mask and payload
                self.client_opcodes.append(first & 0x0F)
        writer.close()

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/?v=1&encoding=json"


@contextlib.asynccontextmanager
async def scripted(script: bytes) -> AsyncIterator[ScriptedServer]:
    peer = ScriptedServer(script)
    server = await asyncio.start_server(peer.handle, "127.0.0.1", 0)
    peer.port = server.sockets[0].getsockname()[1]
    async with server:
        yield peer


def frame(opcode: int, payload: bytes, *, fin: bool = True) -> bytes:
    assert len(payload) < 126
    return bytes(((0x80 if fin else 0) | opcode, len(payload))) + payload


@pytest.mark.parametrize("transport", TRANSPORT_NAMES)
async def test_a_fragmented_message_is_delivered_whole_and_a_ping_between_is_answered(
    transport: TransportName,
) -> None:
    script = (
        frame(0x1, b'{"op":10,', fin=False)
        + frame(0x9, b"are you there")  # a ping between two fragments
        + frame(0x0, b'"d":{"heartbeat_', fin=False)
        + frame(0x0, b'interval":1000}}')
        + frame(0x2, b'{"op":11}')
        + frame(0x8, (4321).to_bytes(2, "big") + b"bye")
    )
    got = Received()
    async with (
        scripted(script) as peer,
        pumping(peer.url, transport, got) as (conn, task),
    ):
        await asyncio.wait_for(task, 5)
        assert got.messages == [b'{"op":10,"d":{"heartbeat_interval":1000}}', b'{"op":11}']
        assert (conn.close_code, conn.close_reason) == (4321, "bye")
        await wait_until(lambda: 8 in peer.client_opcodes, what="the close answered")
        assert peer.client_opcodes == [0xA, 0x8]  # the ping's pong, then the close


# --------------------------------------------------------------- the default transport


def test_the_default_transport_is_picows_when_installed_else_aiohttp(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert importlib.util.find_spec("picows") is not None  # the test extra installs it
    assert default_transport() == "picows" == GatewayOptions().transport
    assert GatewayOptions(transport="websockets").transport == "websockets"
    real_find_spec = importlib.util.find_spec

    def without_picows(name: str, package: str | None = None) -> object:
        return None if name == "picows" else real_find_spec(name, package)

    monkeypatch.setattr(importlib.util, "find_spec", without_picows)
    assert transport_module.default_transport() == "aiohttp" == GatewayOptions().transport
    with pytest.raises(ImportError, match=r"fluxer_rx\[fast\]"):
        GatewayOptions(transport="picows")


def test_an_unknown_transport_or_compression_is_refused() -> None:
    with pytest.raises(ValueError, match="transport"):
        GatewayOptions(transport="carrier-pigeon")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="compress"):
        GatewayOptions(compress="zlib-stream")  # type: ignore[arg-type]


async def test_aiohttp_read_by_receive_loses_nothing_and_runs_in_the_pump_task(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # the pre-#16 path, kept for bench_gateway's before/after: the bytes that came with
    # the upgrade still reach aiohttp's own parser
    monkeypatch.setattr(transport_module.AiohttpConnection, "deliver_from_parser", False)
    async with Sandbox(heartbeat_interval=30.0) as sb:
        conn = await open_connection(f"{sb.gateway_url}/?v=1&encoding=json", "aiohttp", 5.0)
        await conn.send('{"op":1,"d":null}')
        got = Received()
        task = asyncio.create_task(conn.pump(got))
        await conn.send('{"op":1,"d":null}')
        await wait_until(lambda: len(got.messages) == 3, what="HELLO and two ACKs")
        assert got.ops() == [10, 11, 11] and all(got.in_task)
        await conn.close(1000)
        await asyncio.wait_for(task, 5)
        await conn.release()
