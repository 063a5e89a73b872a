"""A commit that fails while the next read is in flight loses nothing (found by the chaos
test's Redis restart): the read-ahead's batch is applied next, not dropped with its
position already moved past it."""

from __future__ import annotations

import asyncio
from typing import Any

from fluxer_rx.bus import BrokerUnavailable, FrameRecord
from fluxer_rx.bus.publisher import FramePublisher
from fluxer_rx.bus.redis_broker import RedisBroker
from fluxer_rx.bus.worker import StreamWorker
from tests.redis_server import RedisServer
from tests.util import wait_until

FRAMES = 1000


class FailingCommits(RedisBroker):
    """A real broker whose next ``failures`` commits fail as an unreachable Redis would."""

    failures = 0

    async def commit(self, *args: Any, **kwargs: Any) -> bool:
        if self.failures:
            self.failures -= 1
            raise BrokerUnavailable("redis commit failed: injected")
        return await super().commit(*args, **kwargs)


class Recorder:
    """A ShardSink that keeps the seq of every dispatch it is given."""

    def __init__(self) -> None:
        self.seqs: list[int] = []

    def dispatch(self, frame: Any) -> None:
        self.seqs.append(frame.s)

    def frame(self, frame: Any) -> None:
        pass

    def diagnostic(self, report: Any) -> None:
        pass

    def session_lost(self, shard_id: int, lost: Any) -> None:
        pass

    def state_changed(self, shard_id: int, old: Any, new: Any) -> None:
        pass


async def test_a_failed_commit_does_not_drop_the_read_ahead(redis_server: RedisServer) -> None:
    async with FailingCommits(redis_server.url) as broker:
        publisher = FramePublisher(broker)
        for seq in range(1, FRAMES + 1):
            publisher.publish(FrameRecord(0, "s", seq, b'{"op":0,"s":%d,"t":"TYPING_START"}' % seq))
        await publisher.flush()
        broker.failures = 3
        sink = Recorder()
        worker = StreamWorker(broker, "g", sink, [0], count=50, retry_delay=0.01, lease_ttl=2.0)
        running = asyncio.create_task(worker.run())
        try:
            # the last one arrives whatever was lost before it
            await wait_until(
                lambda: bool(sink.seqs) and sink.seqs[-1] == FRAMES, within=20, what="the last"
            )
        finally:
            await worker.close()
            await running
    assert broker.failures == 0
    assert sink.seqs == list(range(1, FRAMES + 1))
