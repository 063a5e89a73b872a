"""End-to-end MESSAGE_CREATE throughput: sandbox firehose -> transport -> decode -> fold -> emit.

Contenders, all on the same sandbox firehose in the same process and run:

* ``raw``: an aiohttp WebSocket reader that decodes nothing (aiohttp's ceiling);
* ``naive``: an aiohttp WebSocket reader doing ``json.loads`` to dicts (the baseline);
* ``fluxer_rx[<transport>]`` for ``picows``, ``aiohttp`` and ``websockets``: the full
  client (decode, protocol de-duplication, cache fold, ``client.events`` with one
  subscriber);
* ``fluxer_rx[aiohttp, receive() loop]``: the same client with aiohttp read the way it
  was before #16, one ``await ws.receive()`` per message (the before/after of the
  aiohttp receive path, paired with the naive reader of the same round);
* ``fluxer_rx[<default>, zstd-stream]``: the default transport with
  ``GatewayOptions(compress="zstd-stream")`` (the sandbox compresses the firehose as it
  writes, in the same process, so this figure carries the server's compression too).

Then the receive path alone (a connection's ``pump`` with a counting callback, same
firehose, paired with the naive reader; on the default transport it is also the sandbox's
check that its firehose is never the bottleneck: target >= 2x the full client), the floor
of a typed client (``pump[<transport>] + typed decode``: the receive path plus the hot
path's one-pass decode to the typed event, nothing else: a client that decodes every
event in full, as this one does, cannot beat its ratio to the naive reader), the
per-stage costs of the client's hot path, and what ``zstd-stream`` does to the
firehose: bytes per frame on the wire and the client's CPU per frame to decompress it.

Each run is timed on the receiving side, from the first MESSAGE_CREATE to the last, so the
firehose's frame building is not counted. Runs alternate between contenders; medians are
reported with the ratio to the naive reader. Then the per-stage costs of the client's hot
path are measured in-process on the same frames, with the logged-in client's own receive
callback and what it costs beyond those stages. For a before/after of a change to the hot
path, ``benchmarks/bench_gateway_ab.py --before <worktree>`` pairs two trees.

    python benchmarks/bench_gateway.py [--frames 30000] [--runs 7]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from typing import Any

import aiohttp
import zstandard

from fluxer_rx import Client, ClientOptions, GatewayOptions, RestOptions
from fluxer_rx.cache import Cache
from fluxer_rx.gateway import shard as shard_module
from fluxer_rx.gateway.compression import ZstdStreamDecoder
from fluxer_rx.gateway.dispatch_cursor import take_next_dispatch
from fluxer_rx.gateway.protocol import GatewayProtocol
from fluxer_rx.gateway.transport import (
    TRANSPORT_NAMES,
    AiohttpConnection,
    Compression,
    GatewayConnection,
    open_connection,
)
from fluxer_rx.models import MessageCreate, decode_frame
from fluxer_rx.models.frame import ONE_PASS_BY_TAIL, ONE_PASS_MISSES, ONE_PASS_TAIL_LEN
from fluxer_rx.options import Transport
from fluxer_rx.sandbox import Sandbox
from fluxer_rx.sandbox.firehose import build_frames
from fluxer_rx.sandbox.zstd_framing import (
    PerMessageCompression,
    StreamCompression,
    split_frames,
)
from fluxer_rx.streams import EventSubject

_PROPERTIES = {"os": "linux", "browser": "bench", "device": "bench"}
COMMAND = "python benchmarks/bench_gateway.py"
DEFAULT_TRANSPORT = ClientOptions().gateway.transport


async def naive_run(
    sb: Sandbox, ws: aiohttp.ClientWebSocketResponse, frames: int, *, decode: bool
) -> tuple[float, float]:
    """Read ``frames`` firehose frames (with ``json.loads`` when ``decode``); return the
    wall and process-CPU seconds from the first to the last."""
    firehose = asyncio.create_task(sb.firehose(frames))
    got = 0
    start = cpu = 0.0
    async for msg in ws:
        if decode:
            if json.loads(msg.data).get("t") != "MESSAGE_CREATE":
                continue
        elif '"MESSAGE_CREATE"' not in msg.data[-40:]:
            continue
        if got == 0:
            start, cpu = time.perf_counter(), time.process_time()
        got += 1
        if got == frames:
            break
    elapsed = time.perf_counter() - start, time.process_time() - cpu
    await firehose
    return elapsed


async def naive_connect(sb: Sandbox) -> tuple[aiohttp.ClientSession, Any]:
    session = aiohttp.ClientSession()
    ws = await session.ws_connect(sb.gateway_url + "/?v=1&encoding=json", max_msg_size=0)
    await ws.receive()  # HELLO
    identify = {
        "op": 2,
        "d": {
            "token": sb.token,
            "properties": {"os": "linux", "browser": "bench", "device": "bench"},
        },
    }
    await ws.send_str(json.dumps(identify))
    while True:
        msg = await ws.receive()
        if json.loads(msg.data).get("t") == "READY":
            break
    await sb.wait_for_session()
    return session, ws


class ClientContender:
    """A logged-in client that counts MessageCreate events."""

    def __init__(
        self, sb: Sandbox, transport: Transport, compress: Compression | None = None
    ) -> None:
        self.sb = sb
        gateway = GatewayOptions(transport=transport, compress=compress)
        self.client = Client(ClientOptions(rest=RestOptions(api_url=sb.api_url), gateway=gateway))
        self.count = 0
        self.target = 0
        self.start = self.cpu = 0.0
        self.done: asyncio.Future[tuple[float, float]] | None = None
        self.client.events.subscribe(self._on_event)
        self.task: asyncio.Task[None] | None = None

    def _on_event(self, event: object) -> None:
        if type(event) is MessageCreate:
            self.count += 1
            if self.count == 1:
                self.start, self.cpu = time.perf_counter(), time.process_time()
            if self.count == self.target and self.done is not None:
                wall = time.perf_counter() - self.start
                self.done.set_result((wall, time.process_time() - self.cpu))

    async def login(self) -> None:
        self.task = asyncio.create_task(self.client.login(self.sb.token))
        await self.client.wait_until_ready(timeout=10)

    async def run(self, frames: int) -> tuple[float, float]:
        """Wall and process-CPU seconds from the first MessageCreate to the last."""
        self.count, self.target = 0, frames
        self.done = asyncio.get_running_loop().create_future()
        await self.sb.firehose(frames)
        return await asyncio.wait_for(self.done, 120)

    async def close(self) -> None:
        await self.client.destroy()
        if self.task is not None:
            await self.task


def per_stage(sb: Sandbox, frames: int, cache: Cache) -> dict[str, float]:
    """Nanoseconds per frame of each hot-path stage, on the firehose's own frames.

    ``cache`` is a logged-in client's cache (guilds, channels and members known), so the
    fold does what it does live: refresh the author and member, touch the channel."""
    raw = [_unframe(f) for f in build_frames(sb.world, frames, 1)]
    out: dict[str, float] = {}

    def timed(name: str, fn: Callable[[], None]) -> None:
        samples = []
        for _ in range(3):
            t0 = time.perf_counter()
            fn()
            samples.append(time.perf_counter() - t0)
        out[name] = statistics.median(samples) / frames * 1e9

    def loads() -> None:
        for r in raw:
            json.loads(r)

    def envelope() -> None:
        for r in raw:
            decode_frame(r)

    def typed() -> None:
        for r in raw:
            decode_frame(r).event  # noqa: B018 (the access is the work measured)

    timed("json.loads (baseline)", loads)
    timed("envelope decode_frame", envelope)
    timed("envelope + typed event", typed)
    decoded = [decode_frame(r) for r in raw]
    events = [f.event for f in decoded]

    def protocol_stage() -> None:
        proto = GatewayProtocol("1.x")
        proto._seq = 0  # a live session at s=0, so each frame is delivered in order
        for f in decoded:
            proto.receive_frame(f, 0.0)

    timed("protocol receive_frame", protocol_stage)

    def protocol_fast_path() -> None:
        proto = GatewayProtocol("1.x")
        proto._seq = 0
        for f in decoded:
            proto.accept_next_dispatch(f)

    timed("protocol accept_next_dispatch", protocol_fast_path)

    def cursor_check() -> None:
        # the shard inlines this check; through the function it costs one call more
        cursor = GatewayProtocol("1.x").dispatch_cursor
        for f in decoded:
            take_next_dispatch(cursor, f)

    timed("take_next_dispatch (shard's inline check)", cursor_check)

    def fold() -> None:
        for e in events:
            cache.apply(e)

    timed("cache fold", fold)
    subject: EventSubject[object] = EventSubject()
    sink: list[object] = []
    subject.subscribe(sink.append)

    def emit() -> None:
        sink.clear()
        for e in events:
            subject.on_next(e)

    timed("emit to one subscriber", emit)
    return out


class _CapturedCallback:
    """A gateway connection that keeps the receive callback its shard pumps it with."""

    def __init__(self, inner: GatewayConnection, into: list[Callable[[bytes], None]]) -> None:
        self._inner = inner
        self._into = into

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)  # close_code, send, close, release, ...

    async def pump(self, on_message: Callable[[bytes], None]) -> None:
        self._into.append(on_message)
        await self._inner.pump(on_message)


@contextlib.contextmanager
def capturing_callbacks(into: list[Callable[[bytes], None]]) -> Iterator[None]:
    """The receive callback of every connection a shard opens meanwhile is appended to
    ``into`` (the shard looks ``open_connection`` up in its module at each open)."""
    names = vars(shard_module)
    original = names["open_connection"]

    async def opening(*args: Any) -> GatewayConnection:
        return _CapturedCallback(await original(*args), into)

    names["open_connection"] = opening
    try:
        yield
    finally:
        names["open_connection"] = original


def live_callback(
    sb: Sandbox, frames: int, contender: ClientContender, on_message: Callable[[bytes], None]
) -> dict[str, float]:
    """Nanoseconds per frame of the logged-in ``contender``'s own receive callback (the
    shard's, as its transport calls it: decode, sequence check, fold, ``client.events``
    and its subscriber) on firehose frames that continue its session, and of the glue:
    the callback minus its stages (decode_frame and ``event``, the cache fold, the emit
    to the same subscriber, called one after the other per frame) timed on other frames of
    the same round, the two in turns (median
    of 5 rounds; the difference is taken within each round, so a change of the host's
    speed between rounds does not reach it)."""
    session = sb.gateway.attached_sessions[-1]
    cache = contender.client.pipeline.cache
    subject: EventSubject[object] = EventSubject()
    subject.subscribe(contender._on_event)  # the same subscriber as the client's events

    def stages(raw: list[bytes]) -> float:
        apply, emit = cache.apply, subject.on_next
        contender.target = 0  # counted, never "done"
        t0 = time.perf_counter()
        for message in raw:  # nothing kept: a growing list of them wakes the collector
            event = decode_frame(message).event
            apply(event)
            emit(event)
        return time.perf_counter() - t0

    def callback(raw: list[bytes]) -> float:
        contender.count, contender.target = 0, frames + 1  # counted, never "done"
        t0 = time.perf_counter()
        for message in raw:
            on_message(message)
        elapsed = time.perf_counter() - t0
        assert contender.count == frames, "every frame delivered once"
        return elapsed

    whole, glue = [], []
    for i in range(5):
        apart = [_unframe(f) for f in build_frames(sb.world, frames, 1)]
        live = [_unframe(f) for f in build_frames(sb.world, frames, session.seq + 1)]
        session.seq += frames  # the sandbox's numbering stays the client's
        if i % 2:
            parts, spent = stages(apart), callback(live)
        else:
            spent, parts = callback(live), stages(apart)
        whole.append(spent)
        glue.append(spent - parts)
    return {
        LIVE_CALLBACK: statistics.median(whole) / frames * 1e9,
        GLUE: statistics.median(glue) / frames * 1e9,
    }


def zstd_costs(sb: Sandbox, frames: int) -> dict[str, float]:
    """What ``zstd-stream`` does to the firehose's frames: websocket bytes per frame
    without and with it (one stream flushed per message, as newer servers send it, and
    one complete frame per message, as d4c392c does), and the client's ns per frame to
    decompress the stream (median of 3)."""
    plain = build_frames(sb.world, frames, 1)
    stream = StreamCompression().reframe(b"".join(plain))
    per_message = PerMessageCompression().reframe(b"".join(plain))
    payloads = list(split_frames(stream))
    samples = []
    for _ in range(3):
        decoder = ZstdStreamDecoder()
        decode = decoder.decode
        t0 = time.perf_counter()
        for payload in payloads:
            decode(payload)
        samples.append(time.perf_counter() - t0)
    return {
        "bytes per frame, uncompressed": sum(map(len, plain)) / frames,
        "bytes per frame, zstd-stream": len(stream) / frames,
        "bytes per frame, zstd per message": len(per_message) / frames,
        "zstd decompress, ns per frame": statistics.median(samples) / frames * 1e9,
    }


def _unframe(frame: bytes) -> bytes:
    length = frame[1] & 0x7F
    offset = 2 if length < 126 else (4 if length == 126 else 10)
    return frame[offset:]


RAW_NAME = "raw reader (no decoding)"
NAIVE_NAME = "naive (aiohttp + json.loads)"
RECEIVE_LOOP_NAME = "fluxer_rx[aiohttp, receive() loop]"
LIVE_CALLBACK = f"live receive callback [{DEFAULT_TRANSPORT}]"
"""The per-stage row of the logged-in client's whole callback (see :func:`live_callback`)."""
GLUE = "glue: live callback - decode, fold, emit"
"""The per-stage row of what the callback costs beyond its stages (:func:`live_callback`)."""
CPU = "cpu "
"""Prefix of the process-CPU seconds of a contender (``cpu pump[aiohttp]``)."""
ZSTD_NAME = f"fluxer_rx[{DEFAULT_TRANSPORT}, zstd-stream]"
FLOOR_TRANSPORTS: tuple[Transport, ...] = tuple(
    t for t in ("picows", "aiohttp") if t in TRANSPORT_NAMES
)
"""The transports whose receive + typed decode floor is measured (see :func:`pump_run`)."""


def pump_name(transport: Transport) -> str:
    """The contender that only receives on ``transport`` (a counting callback)."""
    return f"pump[{transport}]"


def floor_name(transport: Transport) -> str:
    """The contender that receives and decodes to typed events on ``transport``, no more."""
    return f"pump[{transport}] + typed decode"


@contextlib.contextmanager
def receive_loop_aiohttp() -> Iterator[None]:
    """aiohttp connections read by ``await ws.receive()`` per message, as before #16 (the
    delivery from the parser is not installed)."""
    AiohttpConnection.deliver_from_parser = False
    try:
        yield
    finally:
        AiohttpConnection.deliver_from_parser = True


async def client_run(
    sb: Sandbox, frames: int, transport: Transport, **options: Any
) -> tuple[float, float]:
    contender = ClientContender(sb, transport, **options)
    await contender.login()
    try:
        return await contender.run(frames)
    finally:
        await contender.close()


async def pump_run(
    sb: Sandbox, frames: int, transport: Transport, *, decode: bool = False
) -> tuple[float, float]:
    """Wall and process-CPU seconds from the first to the last firehose frame through one
    connection's ``pump`` (a counting callback: the receive path alone). The CPU figure
    includes the sandbox's writes, the same for every transport, and not the time the
    process waited for a core, so it is the steadier one on a loaded machine.

    With ``decode`` the callback also decodes each message to its typed event the way the
    shard's hot path does (``ONE_PASS_BY_TAIL``), and does nothing else: no sequence
    check, no cache, no subscriber. That is the floor of any client that decodes every
    event in full on this transport."""
    loop = asyncio.get_running_loop()
    done: asyncio.Future[tuple[float, float]] = loop.create_future()
    got = 0
    start = cpu = 0.0
    by_tail, cut = ONE_PASS_BY_TAIL, -ONE_PASS_TAIL_LEN

    def on_message(message: bytes) -> None:
        nonlocal got, start, cpu
        if decode:
            try:
                event = by_tail[message[cut:]](message).event
            except ONE_PASS_MISSES:  # HELLO, READY and the like: the general way
                frame = decode_frame(message)
                event = frame.event if frame.op == 0 else None
            if type(event) is not MessageCreate:
                return
        elif b'"MESSAGE_CREATE"' not in message[-40:]:
            return
        got += 1
        if got == 1:
            start, cpu = time.perf_counter(), time.process_time()
        elif got == frames:
            done.set_result((time.perf_counter() - start, time.process_time() - cpu))

    conn = await open_connection(sb.gateway_url + "/?v=1&encoding=json", transport, 10.0)
    pumping = asyncio.create_task(conn.pump(on_message))
    identify = {"op": 2, "d": {"token": sb.token, "properties": _PROPERTIES}}
    await conn.send(json.dumps(identify))
    session = await sb.wait_for_session()
    await sb.firehose(frames, session=session)
    elapsed = await asyncio.wait_for(done, 120)
    await conn.close(1000)
    await asyncio.wait_for(pumping, 10)
    await conn.release()
    return elapsed


async def measure(
    frames: int, runs: int, *, receive: bool = False, floor: bool = False
) -> tuple[dict[str, list[float]], dict[str, float]]:
    """Seconds per run of each contender (``RAW_NAME``, ``NAIVE_NAME``,
    ``fluxer_rx[<transport>]``, ``RECEIVE_LOOP_NAME``, ``ZSTD_NAME``, with ``floor`` or
    ``receive`` the :func:`floor_name` of each of ``FLOOR_TRANSPORTS`` and the
    :func:`pump_name` of the default transport, and with ``receive`` the ``pump_name`` of
    every transport and ``pump[aiohttp, receive() loop]``; each also as
    ``CPU + name``, the process-CPU seconds), and the per-stage costs in ns per frame."""
    naive_name = NAIVE_NAME
    async with Sandbox(members_per_guild=20, messages_per_channel=0) as sb:
        results: dict[str, list[float]] = {RAW_NAME: [], naive_name: []}

        def record(name: str, seconds: tuple[float, float]) -> None:
            results.setdefault(name, []).append(seconds[0])
            results.setdefault(CPU + name, []).append(seconds[1])

        for _ in range(runs):
            for name, decode in ((RAW_NAME, False), (naive_name, True)):
                session, ws = await naive_connect(sb)
                record(name, await naive_run(sb, ws, frames, decode=decode))
                await ws.close()
                await session.close()
            for transport in TRANSPORT_NAMES:
                record(f"fluxer_rx[{transport}]", await client_run(sb, frames, transport))
            with receive_loop_aiohttp():
                record(RECEIVE_LOOP_NAME, await client_run(sb, frames, "aiohttp"))
            zstd = await client_run(sb, frames, DEFAULT_TRANSPORT, compress="zstd-stream")
            record(ZSTD_NAME, zstd)
            if floor or receive:
                for transport in FLOOR_TRANSPORTS:
                    seconds = await pump_run(sb, frames, transport, decode=True)
                    record(floor_name(transport), seconds)
            if not receive:
                if floor:  # the firehose's capacity, for the suite's headroom row
                    seconds = await pump_run(sb, frames, DEFAULT_TRANSPORT)
                    record(pump_name(DEFAULT_TRANSPORT), seconds)
                continue
            pumps: list[tuple[str, Transport, contextlib.AbstractContextManager[None]]] = [
                (pump_name(t), t, contextlib.nullcontext()) for t in TRANSPORT_NAMES
            ]
            pumps.append(("pump[aiohttp, receive() loop]", "aiohttp", receive_loop_aiohttp()))
            for name, transport, mode in pumps:
                with mode:
                    record(name, await pump_run(sb, frames, transport))
        callbacks: list[Callable[[bytes], None]] = []
        with capturing_callbacks(callbacks):
            contender = ClientContender(sb, DEFAULT_TRANSPORT)
            await contender.login()
        stage_frames = min(frames, 50_000)
        stages = per_stage(sb, stage_frames, contender.client.pipeline.cache)
        stages.update(live_callback(sb, stage_frames, contender, callbacks[-1]))
        await contender.close()
    return results, stages


async def main(frames: int, runs: int) -> None:
    results, stages = await measure(frames, runs, receive=True)
    naive = results[NAIVE_NAME]
    print(f"MESSAGE_CREATE throughput, {frames} frames x {runs} alternated rounds:")
    print(f"  {'':38s} {'median':>10s}            {'vs naive: ratio of medians / paired'}")
    for name, secs in results.items():
        if name.startswith(CPU):
            continue
        rate = frames / statistics.median(secs)
        # paired: each round's contender against the naive reader of the same round
        paired = statistics.median(n / c for n, c in zip(naive, secs, strict=True))
        print(
            f"  {name:38s} {rate:>10,.0f} events/s   "
            f"x{statistics.median(naive) / statistics.median(secs):.2f} / x{paired:.2f}"
        )
    print("process CPU per frame (median; the sandbox's writes included), vs naive (paired):")
    naive_cpu = results[CPU + NAIVE_NAME]
    for name, secs in results.items():
        if name.startswith(CPU):
            paired = statistics.median(n / c for n, c in zip(naive_cpu, secs, strict=True))
            print(
                f"  {name[len(CPU) :]:38s} {statistics.median(secs) / frames * 1e6:8.2f} us"
                f"   x{paired:.2f}"
            )
    for prefix in ("", CPU):
        before = results[prefix + "pump[aiohttp, receive() loop]"]
        after = results[prefix + "pump[aiohttp]"]
        paired = statistics.median(b / a for b, a in zip(before, after, strict=True))
        what = "process CPU" if prefix else "wall time"
        print(
            f"aiohttp receive path, from the parser vs a receive() loop ({what}): "
            f"x{paired:.2f} paired"
        )
    print("per-stage cost (ns per frame; median of 3, the live callback and glue of 5):")
    for name, ns in stages.items():
        print(f"  {name:42s} {ns:>8,.0f} ns")
    async with Sandbox(members_per_guild=20, messages_per_channel=0) as sb:
        zstd = zstd_costs(sb, min(frames, 50_000))
    print(f"zstd-stream on the firehose frames (zstandard {zstandard.__version__}):")
    plain, packed = zstd["bytes per frame, uncompressed"], zstd["bytes per frame, zstd-stream"]
    alone = zstd["bytes per frame, zstd per message"]
    print(
        f"  bytes on the wire per frame: {plain:,.0f} uncompressed, {packed:,.0f} zstd-stream "
        f"(x{plain / packed:.1f} fewer), {alone:,.0f} with each frame compressed alone "
        f"(x{plain / alone:.1f}); the firehose repeats 4 message bodies, so the stream's "
        "ratio is an upper bound"
    )
    print(
        f"  client CPU per frame to decompress: {zstd['zstd decompress, ns per frame']:,.0f} ns "
        f"(decode_frame: {stages['envelope decode_frame']:,.0f} ns); end to end: "
        f"{ZSTD_NAME} above vs fluxer_rx[{DEFAULT_TRANSPORT}]"
    )
    for transport in FLOOR_TRANSPORTS:
        floor = results[CPU + floor_name(transport)]
        full = results[CPU + f"fluxer_rx[{transport}]"]
        ceiling = statistics.median(n / f for n, f in zip(naive_cpu, floor, strict=True))
        share = statistics.median(f / c for f, c in zip(floor, full, strict=True))
        print(
            f"floor on {transport}: receiving and decoding to typed events alone is "
            f"x{ceiling:.2f} the naive reader's CPU per frame (paired), {share:.0%} of the "
            "full client's; a client that also folds and emits stays below it"
        )
    client = statistics.median(results[f"fluxer_rx[{DEFAULT_TRANSPORT}]"])
    raw = statistics.median(results[RAW_NAME])
    pump = statistics.median(results[pump_name(DEFAULT_TRANSPORT)])
    print(
        f"firehose headroom (target >= 2): {pump_name(DEFAULT_TRANSPORT)} / default client "
        f"x{client / pump:.2f}; the aiohttp raw reader / default client x{client / raw:.2f}"
    )
    print(f"reproduce: {COMMAND} --frames {frames} --runs {runs}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=30_000)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    asyncio.run(main(args.frames, args.runs))
    sys.exit(0)
