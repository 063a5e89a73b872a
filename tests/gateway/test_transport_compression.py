"""``zstd-stream`` on every transport: the decoder in both framings, the sandbox speaking
each, a client logged in with ``GatewayOptions(compress="zstd-stream")`` receiving,
heartbeating and resuming (the replay recompressed), and a corrupt stream dropping the
connection so the next one starts afresh."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import pytest
import zstandard

from fluxer_rx.diagnostics import Diagnostic, Kind
from fluxer_rx.gateway.compression import (
    CORRUPT_REASON,
    ZstdStreamConnection,
    ZstdStreamDecoder,
    zstd_stream_url,
)
from fluxer_rx.gateway.transport import TRANSPORT_NAMES, TransportName, open_connection
from fluxer_rx.models import MessageCreate
from fluxer_rx.sandbox import Sandbox
from tests.gateway.test_transport_delivery import Received, frame, scripted
from tests.util import logged_in_client, wait_until

MESSAGES = [b'{"op":10,"d":{"heartbeat_interval":41250}}', b'{"op":11}', b'{"op":0,"s":1}' * 40]


def test_the_decoder_reads_complete_frames_one_per_message() -> None:
    decoder = ZstdStreamDecoder()
    compressor = zstandard.ZstdCompressor(level=3)
    assert [decoder.decode(compressor.compress(m)) for m in MESSAGES] == MESSAGES
    assert decoder.per_message is True


def test_the_decoder_reads_one_stream_flushed_per_message() -> None:
    decoder = ZstdStreamDecoder()
    stream = zstandard.ZstdCompressor(level=3).compressobj()
    flush = zstandard.COMPRESSOBJ_FLUSH_BLOCK
    assert [decoder.decode(stream.compress(m) + stream.flush(flush)) for m in MESSAGES] == MESSAGES
    assert decoder.per_message is False


def test_the_decoder_reads_two_complete_frames_in_one_message() -> None:
    compressor = zstandard.ZstdCompressor()
    both = compressor.compress(MESSAGES[0]) + compressor.compress(MESSAGES[1])
    assert ZstdStreamDecoder().decode(both) == MESSAGES[0] + MESSAGES[1]


def test_the_decoder_refuses_what_is_not_zstd() -> None:
    with pytest.raises(zstandard.ZstdError):
        ZstdStreamDecoder().decode(b'{"op":10}')


def test_the_url_asks_for_the_stream_and_keeps_what_is_there() -> None:
    assert zstd_stream_url("ws://h:1/?v=1&encoding=json") == (
        "ws://h:1/?v=1&encoding=json&compress=zstd-stream&stream=1"
    )
    assert zstd_stream_url("ws://h:1/?stream=0") == "ws://h:1/?stream=0&compress=zstd-stream"


@contextlib.asynccontextmanager
async def compressed(
    url: str, transport: TransportName, got: Received
) -> AsyncIterator[ZstdStreamConnection]:
    conn = await open_connection(url, transport, 5.0, compress="zstd-stream")
    assert isinstance(conn, ZstdStreamConnection)
    task = asyncio.create_task(conn.pump(got))
    try:
        yield conn
    finally:
        with contextlib.suppress(Exception):
            await asyncio.wait_for(conn.close(1000), 2)
        with contextlib.suppress(Exception):
            await asyncio.wait_for(task, 5)
        await conn.release()


@pytest.mark.parametrize("stream", [True, False], ids=["stream", "per-message"])
@pytest.mark.parametrize("transport", TRANSPORT_NAMES)
async def test_both_framings_of_the_sandbox_are_read_and_answered(
    transport: TransportName, stream: bool
) -> None:
    got = Received()
    async with Sandbox(heartbeat_interval=30.0) as sb:
        # without stream=1 the server sends complete frames and wants plain text back
        query = "v=1&encoding=json" + ("" if stream else "&stream=0")
        async with compressed(f"{sb.gateway_url}/?{query}", transport, got) as conn:
            await wait_until(lambda: len(got.messages) == 1, what="HELLO")
            assert conn.decoder.per_message is (not stream)
            for _ in range(3):  # each answered only if sent in the form the server wants
                await conn.send('{"op":1,"d":null}')
            await wait_until(lambda: len(got.messages) == 4, what="three ACKs")
            assert got.ops() == [10, 11, 11, 11]
            assert conn.close_code is None


@pytest.mark.parametrize("transport", TRANSPORT_NAMES)
async def test_a_corrupt_stream_is_reported_and_the_connection_dropped(
    transport: TransportName,
) -> None:
    hello = zstandard.ZstdCompressor().compressobj()
    script = (
        frame(0x2, hello.compress(MESSAGES[0]) + hello.flush(zstandard.COMPRESSOBJ_FLUSH_BLOCK))
        + frame(0x2, b"\x00 not zstd at all")
        + frame(0x2, b"never delivered")
    )
    got = Received()
    async with scripted(script) as peer:
        conn = await open_connection(peer.url, transport, 5.0, compress="zstd-stream")
        await asyncio.wait_for(conn.pump(got), 5)
        await conn.release()
    assert got.messages == [MESSAGES[0], b"\x00 not zstd at all"]  # the reader reports it
    assert (conn.close_code, conn.close_reason) == (1006, CORRUPT_REASON)


def resuming(seen: list[Diagnostic]) -> bool:
    """Whether a shard reported moving to ``resuming`` (it lost its socket)."""
    return any(d.kind == Kind.STATE and d.detail.endswith("resuming") for d in seen)


@pytest.mark.parametrize("transport", TRANSPORT_NAMES)
async def test_a_compressed_client_receives_heartbeats_and_resumes_losing_nothing(
    transport: TransportName,
) -> None:
    async with (
        Sandbox(heartbeat_interval=0.5, resume_window=10.0, guilds=1) as sb,
        logged_in_client(sb, transport=transport, compress="zstd-stream") as client,
    ):
        events: list[MessageCreate] = []
        seen: list[Diagnostic] = []
        client.events.subscribe(lambda e: isinstance(e, MessageCreate) and events.append(e))
        client.diagnostics.subscribe(seen.append)
        channel = sb.channel_ids[0]
        await sb.post_message(channel, "one")
        await wait_until(lambda: len(events) == 1, what="the first message")
        await wait_until(lambda: client.latency is not None, what="a heartbeat ACK")
        assert sb.drop_connections() == 1
        # a report, not a poll of is_ready: a local RESUME can finish between two polls
        await wait_until(lambda: resuming(seen), what="the drop seen")
        for text in ("two", "three"):  # buffered by the session (or live if resumed already)
            await sb.post_message(channel, text)
        await client.wait_until_ready(timeout=10)
        await sb.post_message(channel, "four")
        await wait_until(lambda: len(events) == 4, within=10, what="every message")
        assert [e.content for e in events] == ["one", "two", "three", "four"]
        assert not [d for d in seen if d.kind == Kind.DECODE_ERROR]
        assert resuming(seen), [d.detail for d in seen if d.kind == Kind.STATE]
        assert any(r.t == "RESUMED" for r in sb.dispatch_log)
