"""A Redis crash mid-stream: publishers and readers reconnect, nothing acknowledged is lost.

Redis runs with ``appendfsync always`` (an acknowledged write is on disk) and is killed
with SIGKILL, then started again on the same port and directory. Frames published during
the outage are retried by the batcher; the reader retries too; a batch that was stored but
whose reply was lost is published twice and dropped by the de-duplicating reader.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator

import pytest

from fluxer_rx.bus import START, BrokerUnavailable, FrameRecord, StreamEntry
from fluxer_rx.bus.dedup import DedupReader, Gap
from fluxer_rx.bus.publisher import FramePublisher
from fluxer_rx.bus.redis_broker import RedisBroker
from tests.redis_server import RedisServer
from tests.util import wait_until

SHARD = 1


@pytest.fixture
def durable_redis() -> Iterator[RedisServer]:
    server = RedisServer(["--appendonly", "yes", "--appendfsync", "always"])
    server.start()
    try:
        yield server
    finally:
        server.cleanup()


class Follower:
    """Reads the shard's stream with de-duplication, committing after each batch."""

    def __init__(self, broker: RedisBroker) -> None:
        self.broker = broker
        self.reader = DedupReader(broker, SHARD)
        self.applied: list[StreamEntry] = []
        self.gaps: list[Gap] = []
        self.duplicates = 0
        self.errors = 0

    async def run(self) -> None:
        while True:
            try:
                batch = await self.reader.read(timeout=0.2)
                self.applied += batch.entries
                self.gaps += batch.gaps
                self.duplicates += batch.duplicates
                if batch.entries or batch.duplicates:
                    await self.broker.commit("workers", SHARD, batch.position)
            except BrokerUnavailable:
                self.errors += 1
                await asyncio.sleep(0.05)  # reconnect backoff, not synchronisation


def _frames(seqs: range) -> list[FrameRecord]:
    return [FrameRecord(SHARD, "sess", s, b'{"op":0,"s":%d}' % s) for s in seqs]


async def test_redis_crash_and_restart_loses_nothing_acknowledged(
    durable_redis: RedisServer,
) -> None:
    async with RedisBroker(durable_redis.url) as pub_broker, RedisBroker(durable_redis.url) as b:
        errors: list[BaseException] = []
        publisher = FramePublisher(pub_broker, on_error=errors.append)
        follower = Follower(b)
        reading = asyncio.create_task(follower.run())
        try:
            for record in _frames(range(1, 201)):
                publisher.publish(record)
            await asyncio.wait_for(publisher.flush(), 10)
            assert publisher.acknowledged == 200
            await wait_until(lambda: len(follower.applied) == 200, within=10, what="200 read")
            before_crash = await _commit_reaching(b, follower.reader.position)

            durable_redis.kill()
            for record in _frames(range(201, 301)):
                publisher.publish(record)
            await wait_until(lambda: publisher.failures >= 2, within=10, what="failed publishes")
            await wait_until(lambda: follower.errors >= 1, within=10, what="a failed read")
            assert publisher.acknowledged == 200

            durable_redis.start()
            for record in _frames(range(301, 401)):
                publisher.publish(record)
            await asyncio.wait_for(publisher.flush(), 20)
            assert publisher.acknowledged == 400
            await wait_until(lambda: len(follower.applied) == 400, within=20, what="400 read")
        finally:
            # redis-py may turn this cancellation into a connection error inside the read;
            # the broker re-raises it as a cancellation, so the retrying loop ends
            reading.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.wait_for(reading, 5)

        assert [e.seq for e in follower.applied] == list(range(1, 401))
        assert follower.gaps == []
        assert all(isinstance(e, BrokerUnavailable) for e in errors)
        # everything acknowledged is in the stream after the crash, and so is the commit
        stored = [e.seq for e in await b.read(SHARD, START, count=10_000, timeout=0)]
        assert sorted(set(stored)) == list(range(1, 401))
        after = await b.committed("workers", SHARD)
        assert after is not None
        assert _id(before_crash) <= _id(after) <= _id(follower.reader.position)


def _id(position: str) -> tuple[int, int]:
    ms, seq = position.split("-")
    return int(ms), int(seq)


async def _commit_reaching(broker: RedisBroker, position: str) -> str:
    """Wait until the follower's commit reached ``position`` (it follows each read)."""
    for _ in range(1000):
        if await broker.committed("workers", SHARD) == position:
            return position
        await asyncio.sleep(0.005)
    raise AssertionError(f"the commit never reached {position}")
