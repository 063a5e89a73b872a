"""GatewayProcess against the sandbox and a real redis-server.

A ledger compares the shard's stream, de-duplicated, with the sandbox's dispatch log of
the bot's session: every dispatch the server sent is in the stream exactly once, in
order. After ``kill -9`` of the gateway process holding the shard, another process takes
the lease over and RESUMEs the stored session: the server replays what was missed and
the ledger still holds, with one session and no gap.
"""

from __future__ import annotations

import asyncio
import signal
import time
from collections.abc import Callable

import pytest

from fluxer_rx.bus import START, Broker, StreamEntry
from fluxer_rx.bus.dedup import DedupReader, Gap
from fluxer_rx.bus.gateway_process import GatewayProcess
from fluxer_rx.bus.redis_broker import RedisBroker, RedisBrokerOptions
from fluxer_rx.gateway.session import Session
from fluxer_rx.models.frame import decode_frame
from fluxer_rx.sandbox import Sandbox
from tests.bus.children import Child
from tests.bus.conftest import sandbox_gateway_process
from tests.redis_server import RedisServer
from tests.util import wait_until

pytestmark = pytest.mark.fluxer_sandbox(guilds=2, resume_window=30.0)


class Ledger:
    """The shard's stream as a worker would apply it: de-duplicated, gaps noted."""

    def __init__(self, broker: Broker) -> None:
        self.reader = DedupReader(broker, 0, position=START)
        self.entries: list[StreamEntry] = []
        self.gaps: list[Gap] = []

    async def catch_up(self) -> None:
        batch = await self.reader.read(timeout=0.05)
        self.entries += batch.entries
        self.gaps += batch.gaps

    def events(self) -> list[tuple[str, int, str]]:
        out = []
        for entry in self.entries:
            frame = decode_frame(entry.frame)
            if frame.op == 0 and frame.t != "RESUMED":
                assert frame.s == entry.seq
                out.append((entry.session, entry.seq or 0, frame.t or ""))
        return out

    def count(self, t: str) -> int:
        return sum(1 for _, _, name in self.events() if name == t)

    async def until(self, what: str, predicate: Callable[[], bool], within: float = 30) -> None:
        """Read on until ``predicate()`` holds (each read waits for new entries)."""
        end = time.monotonic() + within
        while not predicate():
            assert time.monotonic() < end, f"no {what} within {within:g} s"
            await self.catch_up()


def sandbox_log(sb: Sandbox) -> list[tuple[str, int, str]]:
    return [(r.session_id, r.seq, r.t) for r in sb.dispatch_log if r.t != "RESUMED"]


async def test_every_dispatch_reaches_the_stream_once_and_the_session_is_stored(
    fluxer_sandbox: Sandbox, gateway_process: GatewayProcess
) -> None:
    sb, process = fluxer_sandbox, gateway_process
    broker = process.broker
    ledger = Ledger(broker)
    await ledger.until("GUILD_CREATEs", lambda: ledger.count("GUILD_CREATE") >= 2)
    for i in range(5):
        await sb.post_message(sb.channel_ids[0], f"hello {i}")
    await ledger.until("5 messages", lambda: ledger.count("MESSAGE_CREATE") >= 5)
    assert process.held == {0}
    await wait_until(lambda: sandbox_log(sb) == ledger.events(), what="ledger match")
    await process.sink.publisher.flush()
    stored = Session.from_bytes(await broker.get_session(0) or b"")
    session, last, _ = ledger.events()[-1]
    assert (stored.session_id, stored.seq) == (session, last)
    assert ledger.gaps == []
    await process.close()
    assert await process.broker.acquire_lease("gateway:0", 1.0) is not None  # released


async def test_kill_9_of_the_gateway_process_is_taken_over_by_resume(
    fluxer_sandbox: Sandbox, redis_server: RedisServer
) -> None:
    sb = fluxer_sandbox
    ttl = 1.0
    child = await Child.start(
        "gateway", redis_server.url, "g", sb.gateway_url, ttl, env={"FLUXER_TOKEN": sb.token}
    )
    async with RedisBroker(redis_server.url, RedisBrokerOptions(prefix="g")) as broker:
        ledger = Ledger(broker)
        successor = sandbox_gateway_process(broker, sb, lease_ttl=ttl)
        running: asyncio.Task[None] | None = None
        try:
            assert (await child.event(timeout=30))["event"] == "held"
            await ledger.until("GUILD_CREATEs", lambda: ledger.count("GUILD_CREATE") >= 2)
            for i in range(5):
                await sb.post_message(sb.channel_ids[0], f"before {i}")
            await ledger.until("5 messages", lambda: ledger.count("MESSAGE_CREATE") >= 5)

            child.signal(signal.SIGKILL)
            await child.stop()
            for i in range(5):  # sent to a session whose socket is dead: buffered
                await sb.post_message(sb.channel_ids[0], f"during {i}")
            running = asyncio.create_task(successor.run())
            for i in range(5):
                await sb.post_message(sb.channel_ids[1], f"after {i}")
            await ledger.until("15 messages", lambda: ledger.count("MESSAGE_CREATE") >= 15)
            await wait_until(lambda: sandbox_log(sb) == ledger.events(), what="ledger match")
        finally:
            await child.stop()
            await successor.close()
            if running is not None:
                await running
    sessions = {session for session, _, _ in ledger.events()}
    assert len(sessions) == 1, "the successor identified instead of resuming"
    assert ledger.count("READY") == 1
    assert ledger.gaps == []
