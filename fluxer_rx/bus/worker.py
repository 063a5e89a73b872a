"""The worker side of a scale-out: shard streams read in order, once, into a frame sink.

:class:`StreamWorker` competes for the lease ``worker:{group}:{shard}`` of each shard it
may read for consumer ``group``. For every shard it holds it reads the stream from the
group's committed position and feeds the frames to ``sink`` (an
:class:`~fluxer_rx.pipeline.EventPipeline`, or any
:class:`~fluxer_rx.gateway.shard.ShardSink`). Guarantees:

* **Order and exactly-once per shard.** One reader per shard per group (by lease);
  entries are de-duplicated by (shard, session, seq), seeded from the entry at the
  committed position, so a reader that takes over neither repeats nor skips.
* **Acknowledge after applying.** The position is committed (fenced by the lease) only
  after ``sink.dispatch``/``sink.frame`` returned for every entry before it, i.e. after
  the fold and the synchronous emission. A worker that dies before committing leaves
  the entries to its successor, which applies them (at-least-once made exactly-once by
  the de-duplication, for a sink whose state came with the position).
* **Gaps are reported** on ``sink.diagnostic`` as ``Kind.GAP`` with the
  :class:`~fluxer_rx.bus.dedup.Gap` as data.
* A shard whose lease is lost stops at once (its commits would be refused anyway).

The next read is sent before a batch is applied and committed, so the round trips overlap
the work.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable

from fluxer_rx.bus.dedup import Deduplicator, DedupReader, ReadBatch
from fluxer_rx.bus.errors import BrokerUnavailable
from fluxer_rx.bus.lease_keeper import LeaseKeeper
from fluxer_rx.bus.port import START, Broker
from fluxer_rx.bus.shard_tasks import ShardTasks
from fluxer_rx.diagnostics import Diagnostic, Kind
from fluxer_rx.errors import DecodeError
from fluxer_rx.gateway.shard import ShardSink
from fluxer_rx.models.frame import decode_frame

__all__ = ["StreamWorker"]

log = logging.getLogger("fluxer_rx.bus")


class StreamWorker:
    """Read the shards ``shard_ids`` for consumer ``group`` into ``sink`` (see the module).

    ``lease_ttl`` bounds how long a dead worker keeps its shards; ``count`` is the most
    entries read per round trip; ``retry_delay`` the pause after a broker failure.
    """

    def __init__(
        self,
        broker: Broker,
        group: str,
        sink: ShardSink,
        shard_ids: Iterable[int],
        *,
        lease_ttl: float = 10.0,
        poll: float | None = None,
        count: int = 512,
        retry_delay: float = 0.1,
    ) -> None:
        self.broker = broker
        self.group = group
        self.sink = sink
        self.shard_ids = tuple(shard_ids)
        self.lease_ttl = lease_ttl
        self.poll = poll if poll is not None else lease_ttl / 10
        self.count = count
        self.retry_delay = retry_delay
        self.applied = 0  # entries handed to the sink (dispatches and other frames)
        self.duplicates = 0
        self._held: set[int] = set()
        self._tasks = ShardTasks()

    def __repr__(self) -> str:
        return f"<StreamWorker group={self.group!r} held={sorted(self._held)}>"

    @property
    def held(self) -> frozenset[int]:
        """The shards this worker reads now."""
        return frozenset(self._held)

    async def run(self) -> None:
        """Hold and read shards until :meth:`close`."""
        try:
            await self._tasks.run(self.shard_ids, self._hold)
        finally:
            await self.close()

    async def close(self) -> None:
        """Stop reading and release the leases. Idempotent."""
        await self._tasks.cancel()

    async def _hold(self, shard_id: int) -> None:
        while True:
            keeper = LeaseKeeper(self.broker, f"worker:{self.group}:{shard_id}", self.lease_ttl)
            await keeper.acquire(poll=self.poll)
            self._held.add(shard_id)
            try:
                await self._read(shard_id, keeper)
            finally:
                self._held.discard(shard_id)
                await keeper.release()

    async def _reader(self, shard_id: int) -> DedupReader:
        position = await self.broker.committed(self.group, shard_id) or START
        dedup = Deduplicator()
        if position != START:
            last = await self.broker.entry(shard_id, position)
            if last is not None:
                dedup.admit(last)
        return DedupReader(self.broker, shard_id, position=position, dedup=dedup)

    async def _read(self, shard_id: int, keeper: LeaseKeeper) -> None:
        reader: DedupReader | None = None
        ahead: asyncio.Task[ReadBatch] | None = None
        timeout = min(1.0, self.lease_ttl / 3)
        try:
            while keeper.held:
                try:
                    if reader is None:
                        reader = await self._reader(shard_id)
                    if ahead is None:
                        ahead = asyncio.create_task(reader.read(count=self.count, timeout=timeout))
                    batch = await ahead
                    # the next read travels while this batch is applied and committed
                    ahead = asyncio.create_task(reader.read(count=self.count, timeout=timeout))
                    if not await self._apply_batch(shard_id, batch, keeper):
                        return  # the lease is gone: another worker reads this shard now
                except BrokerUnavailable as exc:
                    ahead = None
                    log.warning("shard %d: reading the stream failed (retrying): %s", shard_id, exc)
                    await asyncio.sleep(self.retry_delay)
        finally:
            if ahead is not None:
                ahead.cancel()
                await asyncio.wait([ahead])
                if not ahead.cancelled():
                    ahead.exception()  # retrieved: a failed read-ahead is not an error here

    async def _apply_batch(self, shard_id: int, batch: ReadBatch, keeper: LeaseKeeper) -> bool:
        """Apply ``batch`` to the sink, then commit it; ``False`` if the lease is gone."""
        for gap in batch.gaps:
            self.sink.diagnostic(
                Diagnostic(Kind.GAP, shard_id, f"{gap.missing} dispatches missing", gap)
            )
        for entry in batch.entries:
            self._apply(shard_id, entry.frame)
        self.applied += len(batch.entries)
        self.duplicates += batch.duplicates
        if not (batch.entries or batch.duplicates):
            return True
        return await self.broker.commit(self.group, shard_id, batch.position, lease=keeper.lease)

    def _apply(self, shard_id: int, raw: bytes) -> None:
        try:
            frame = decode_frame(raw)
        except DecodeError as exc:
            self.sink.diagnostic(
                Diagnostic(Kind.DECODE_ERROR, shard_id, f"undecodable stream entry: {exc}", exc)
            )
            return
        frame.shard_id = shard_id
        if frame.op == 0 and frame.s is not None:
            self.sink.dispatch(frame)
        else:
            self.sink.frame(frame)
