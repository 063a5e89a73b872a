"""The TCP fault proxy of :mod:`tests.faultproxy`, driven with plain asyncio streams."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import pytest

from tests.faultproxy import FaultProxy, Mode
from tests.util import wait_until


@dataclass
class Upstream:
    """An echo server on 127.0.0.1 that records what it receives and how it ended."""

    port: int = 0
    connections: int = 0
    received: bytearray = field(default_factory=bytearray)
    endings: list[str] = field(default_factory=list)
    writers: list[asyncio.StreamWriter] = field(default_factory=list)

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        self.writers.append(writer)
        try:
            while data := await reader.read(65536):
                self.received += data
                writer.write(data)
                await writer.drain()
            self.endings.append("eof")
        except ConnectionResetError:
            self.endings.append("reset")
        writer.close()


@pytest.fixture
async def upstream() -> AsyncIterator[Upstream]:
    up = Upstream()
    server = await asyncio.start_server(up.handle, "127.0.0.1", 0)
    up.port = server.sockets[0].getsockname()[1]
    async with server:
        yield up


@pytest.fixture
async def proxy(upstream: Upstream) -> AsyncIterator[FaultProxy]:
    async with FaultProxy("127.0.0.1", upstream.port) as p:
        yield p


async def _connect(proxy: FaultProxy) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    return await asyncio.open_connection("127.0.0.1", proxy.port)


async def _echo(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, data: bytes) -> bytes:
    writer.write(data)
    await writer.drain()
    return await asyncio.wait_for(reader.readexactly(len(data)), 5)


async def _assert_reset(reader: asyncio.StreamReader) -> None:
    with pytest.raises(ConnectionResetError):
        await asyncio.wait_for(reader.read(1), 5)


async def test_forwards_both_ways_and_counts_connections(
    proxy: FaultProxy, upstream: Upstream
) -> None:
    assert proxy.url("/x?v=1") == f"ws://127.0.0.1:{proxy.port}/x?v=1"
    reader, writer = await _connect(proxy)
    payload = bytes(range(256)) * 1000  # several chunks
    assert await _echo(reader, writer, payload) == payload
    assert proxy.accepted == 1 and proxy.live == 1 and upstream.connections == 1
    writer.write_eof()  # a half-close reaches the upstream, whose close comes back
    assert await asyncio.wait_for(reader.read(), 5) == b""
    await wait_until(lambda: proxy.live == 0)
    assert upstream.endings == ["eof"]
    writer.close()


async def test_cut_resets_live_connections_and_refuses_new_ones_until_restored(
    proxy: FaultProxy, upstream: Upstream
) -> None:
    reader, writer = await _connect(proxy)
    await _echo(reader, writer, b"hi")
    port = proxy.port
    assert await proxy.cut() == 1
    assert proxy.mode is Mode.CUT and proxy.live == 0
    await _assert_reset(reader)
    await wait_until(lambda: upstream.endings == ["reset"])
    with pytest.raises(ConnectionRefusedError):
        await _connect(proxy)
    await proxy.restore()
    assert proxy.port == port and proxy.mode.value == "forward"
    reader, writer = await _connect(proxy)
    assert await _echo(reader, writer, b"back") == b"back"
    writer.close()


async def test_cut_for_a_duration_restores_by_itself(proxy: FaultProxy) -> None:
    started = time.monotonic()
    await proxy.cut(0.3)
    with pytest.raises(ConnectionRefusedError):
        await _connect(proxy)
    await wait_until(lambda: proxy.mode is Mode.FORWARD)
    assert time.monotonic() - started >= 0.3
    reader, writer = await _connect(proxy)
    assert await _echo(reader, writer, b"ok") == b"ok"
    writer.close()


async def test_blackhole_drops_bytes_both_ways_and_accepts_silent_connections(
    proxy: FaultProxy, upstream: Upstream
) -> None:
    reader, writer = await _connect(proxy)
    await _echo(reader, writer, b"ab")
    await proxy.blackhole()
    writer.write(b"lost")
    await wait_until(lambda: proxy.dropped_bytes == 4)
    assert bytes(upstream.received) == b"ab"  # read by the proxy, never forwarded
    writer.close()  # a close is not passed on either
    await wait_until(lambda: proxy.accepted == 1 and proxy.live == 1)
    new_reader, new_writer = await _connect(proxy)  # accepted, then nothing
    new_writer.write(b"12345")
    await wait_until(lambda: proxy.dropped_bytes == 9)
    assert proxy.accepted == 2 and proxy.live == 2
    assert upstream.connections == 1 and upstream.endings == []
    await proxy.restore()  # both streams have holes: reset
    await _assert_reset(new_reader)
    await wait_until(lambda: proxy.live == 0 and upstream.endings == ["reset"])
    reader, writer = await _connect(proxy)
    assert await _echo(reader, writer, b"fine") == b"fine"
    writer.close()


async def test_blackhole_drops_what_the_upstream_sends(
    proxy: FaultProxy, upstream: Upstream
) -> None:
    reader, writer = await _connect(proxy)
    await _echo(reader, writer, b"x")
    await proxy.blackhole()
    upstream.writers[0].write(b"pushed")
    await wait_until(lambda: proxy.dropped_bytes == 6)
    await proxy.restore()  # the client's stream has a hole: reset before it reads a byte
    with pytest.raises(ConnectionResetError):
        await asyncio.wait_for(reader.read(), 5)
    writer.close()


async def test_an_idle_connection_survives_a_blackhole(proxy: FaultProxy) -> None:
    reader, writer = await _connect(proxy)
    await _echo(reader, writer, b"1")
    await proxy.blackhole()
    await proxy.restore()
    assert proxy.live == 1
    assert await _echo(reader, writer, b"2") == b"2"
    writer.close()


async def test_delay_adds_latency_each_way_and_keeps_order(proxy: FaultProxy) -> None:
    reader, writer = await _connect(proxy)
    await _echo(reader, writer, b"warm")
    await proxy.delay(0.1)
    assert proxy.delay_seconds == 0.1
    started = time.monotonic()
    parts = [f"<{i}>".encode() for i in range(50)]
    for part in parts:
        writer.write(part)
        await writer.drain()
    got = await asyncio.wait_for(reader.readexactly(sum(map(len, parts))), 5)
    elapsed = time.monotonic() - started
    assert got == b"".join(parts)
    assert 0.2 <= elapsed < 2.0  # latency both ways, not per chunk in sequence
    await proxy.restore()
    assert proxy.delay_seconds == 0.0
    writer.close()
    with pytest.raises(ValueError):
        await proxy.delay(-1)


async def test_reset_sends_rst_both_ways_and_keeps_accepting(
    proxy: FaultProxy, upstream: Upstream
) -> None:
    reader, writer = await _connect(proxy)
    await _echo(reader, writer, b"a")
    assert await proxy.reset() == 1
    assert proxy.live == 0
    await _assert_reset(reader)
    await wait_until(lambda: upstream.endings == ["reset"])
    reader, writer = await _connect(proxy)
    assert await _echo(reader, writer, b"b") == b"b"
    assert proxy.accepted == 2
    writer.close()


async def test_an_upstream_that_refuses_gets_the_client_reset(upstream: Upstream) -> None:
    async with FaultProxy("127.0.0.1", upstream.port) as outer:
        inner = FaultProxy("127.0.0.1", outer.port)
        await inner.start()
        await outer.cut()
        reader, _ = await _connect(inner)
        await _assert_reset(reader)
        await inner.close()


async def test_close_resets_everything_and_frees_the_port(upstream: Upstream) -> None:
    proxy = FaultProxy("127.0.0.1", upstream.port)
    await proxy.start()
    reader, writer = await _connect(proxy)
    await _echo(reader, writer, b"a")
    await proxy.close()
    await _assert_reset(reader)
    with pytest.raises(ConnectionRefusedError):
        await _connect(proxy)
    await proxy.close()  # idempotent
