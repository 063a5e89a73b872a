"""Opening a gateway connection against peers that misbehave, on every transport: the
open is bounded by its timeout, fails with ``TimeoutError`` or an ``OSError``, cancels
promptly, and leaves no socket or HTTP session open; the websockets frame log never
shows what the client sends."""

from __future__ import annotations

import asyncio
import contextlib
import errno
import gc
import logging
import time
from collections.abc import AsyncIterator, Callable, Coroutine
from dataclasses import dataclass
from typing import Any, Literal

import aiohttp
import pytest

from fluxer_rx.gateway.transport import (
    TRANSPORT_NAMES,
    HandshakeFailed,
    TransportName,
    open_connection,
)
from fluxer_rx.sandbox import Sandbox
from tests.faultproxy import FaultProxy
from tests.util import wait_until

TRANSPORTS: tuple[TransportName, ...] = TRANSPORT_NAMES
OPEN_TIMEOUT = 0.5
MARGIN = 1.0  # generous: a loaded machine, not a slow implementation

Behaviour = Literal["silent", "garbage", "http_200", "close"]
_ANSWERS: dict[Behaviour, bytes] = {
    "garbage": b"\x00\xff\x13 this is not HTTP\r\n\r\n",
    "http_200": b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Type: text/plain\r\n\r\nok",
}


@dataclass
class RawPeer:
    """A TCP server on 127.0.0.1 that accepts and then does ``behaviour``.

    ``accepted`` counts connections; ``ended`` counts those the client side closed
    (EOF or reset seen by the server), which is how a test sees the client's socket go.
    """

    behaviour: Behaviour
    port: int = 0
    accepted: int = 0
    ended: int = 0

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.accepted += 1
        if self.behaviour == "close":
            writer.close()
            return
        try:
            if self.behaviour in _ANSWERS:
                await reader.readuntil(b"\r\n\r\n")
                writer.write(_ANSWERS[self.behaviour])
            while await reader.read(4096):
                pass
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        self.ended += 1
        writer.close()

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/?v=1&encoding=json"


@contextlib.asynccontextmanager
async def _peer(behaviour: Behaviour) -> AsyncIterator[RawPeer]:
    peer = RawPeer(behaviour)
    server = await asyncio.start_server(peer.handle, "127.0.0.1", 0)
    peer.port = server.sockets[0].getsockname()[1]
    async with server:
        yield peer


@pytest.fixture
async def silent() -> AsyncIterator[RawPeer]:
    async with _peer("silent") as peer:
        yield peer


def _open_sessions() -> list[aiohttp.ClientSession]:
    gc.collect()
    return [o for o in gc.get_objects() if isinstance(o, aiohttp.ClientSession) and not o.closed]


async def _timed(make: Callable[[], Coroutine[Any, Any, object]]) -> tuple[float, BaseException]:
    started = time.monotonic()
    with pytest.raises(BaseException) as info:
        await make()
    return time.monotonic() - started, info.value


@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_a_silent_peer_times_out_within_the_deadline_and_leaves_nothing_open(
    transport: TransportName, silent: RawPeer
) -> None:
    before = len(_open_sessions())
    elapsed, error = await _timed(lambda: open_connection(silent.url, transport, OPEN_TIMEOUT))
    assert isinstance(error, TimeoutError), repr(error)
    assert OPEN_TIMEOUT - 0.05 <= elapsed < OPEN_TIMEOUT + MARGIN
    assert silent.accepted == 1
    await wait_until(lambda: silent.ended == 1)  # the client's socket is closed
    assert len(_open_sessions()) == before


@pytest.mark.parametrize("behaviour", ["garbage", "http_200", "close"])
@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_a_peer_that_answers_no_upgrade_fails_fast_with_an_oserror(
    transport: TransportName, behaviour: Behaviour
) -> None:
    async with _peer(behaviour) as peer:
        before = len(_open_sessions())
        elapsed, error = await _timed(lambda: open_connection(peer.url, transport, 5.0))
        assert isinstance(error, OSError) and not isinstance(error, TimeoutError), repr(error)
        if behaviour != "close":  # a close may surface as a reset, before any answer
            assert isinstance(error, HandshakeFailed), repr(error)
        assert elapsed < MARGIN
        if behaviour != "close":
            await wait_until(lambda: peer.ended == 1)
        assert len(_open_sessions()) == before


@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_a_refused_connection_is_an_oserror(transport: TransportName) -> None:
    async with FaultProxy("127.0.0.1", 9) as proxy:
        await proxy.cut()
        _, error = await _timed(lambda: open_connection(proxy.url("/"), transport, 5.0))
    # aiohttp wraps it in ClientConnectorError, an OSError with the same errno
    assert isinstance(error, OSError) and error.errno == errno.ECONNREFUSED, repr(error)


@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_cancelling_the_open_returns_promptly_and_closes_the_socket(
    transport: TransportName, silent: RawPeer
) -> None:
    before = len(_open_sessions())
    task = asyncio.create_task(open_connection(silent.url, transport, 60.0))
    await wait_until(lambda: silent.accepted == 1)
    started = time.monotonic()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await asyncio.wait_for(task, MARGIN)
    assert time.monotonic() - started < MARGIN
    await wait_until(lambda: silent.ended == 1)
    assert len(_open_sessions()) == before


@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_a_blackholed_gateway_times_out_then_opens_once_restored(
    transport: TransportName,
) -> None:
    async with Sandbox() as sb, FaultProxy("127.0.0.1", sb.port) as proxy:
        await proxy.blackhole()
        url = proxy.url("/?v=1&encoding=json")
        elapsed, error = await _timed(lambda: open_connection(url, transport, OPEN_TIMEOUT))
        assert isinstance(error, TimeoutError), repr(error)
        assert elapsed < OPEN_TIMEOUT + MARGIN
        assert proxy.accepted == 1 and proxy.dropped_bytes > 0  # the upgrade request
        await proxy.restore()
        conn = await open_connection(url, transport, 5.0)
        hello: list[bytes] = []
        pumping = asyncio.create_task(conn.pump(hello.append))
        await wait_until(lambda: len(hello) == 1)
        assert b'"op":10' in hello[0].replace(b" ", b"")
        await conn.close(1000)
        await asyncio.wait_for(pumping, 5)
        await conn.release()


async def test_websockets_logs_sent_frames_without_their_content(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    sent = '{"op":1,"d":null,"marker":"sent-content-marker"}'
    async with Sandbox() as sb:
        conn = await open_connection(f"{sb.gateway_url}/?v=1&encoding=json", "websockets", 5.0)
        received: list[bytes] = []
        pumping = asyncio.create_task(conn.pump(received.append))
        await wait_until(lambda: len(received) == 1)  # HELLO
        await conn.send(sent)
        await wait_until(lambda: len(received) == 2)  # the heartbeat ACK
        await conn.close(1000)
        await asyncio.wait_for(pumping, 5)
    lines = [r.getMessage() for r in caplog.records if r.name == "websockets.client"]
    assert not any("sent-content-marker" in line for line in lines)
    assert any(line.startswith(f"> TEXT [{len(sent)} bytes") for line in lines), lines
    assert any(line.startswith("< TEXT") and '"op":10' in line for line in lines), lines
