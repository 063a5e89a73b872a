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
  :class:`~fluxer_rx.bus.dedup.Gap` as data; an entry that cannot be read (its format, see
  :mod:`~fluxer_rx.bus.entry_codec`) or decoded as ``Kind.DECODE_ERROR`` with the
  :class:`~fluxer_rx.bus.entry_codec.EntryFormatError` or
  :class:`~fluxer_rx.errors.DecodeError`; the stream goes on after it.
* A shard whose lease is lost stops at once (its commits would be refused anyway).

* **Sessions lost reach the sink.** When a shard's stream moves to a new session (the
  gateway identified afresh), ``sink.session_lost`` is called before the new session's
  first entry, as a shard group does in one process; the new READY's reducer then resets
  the shard's part of the cache.
* **Caught up.** Once a read of a held shard returns less than a full batch (the stream's
  head reached), ``sink.state_changed(shard, DISCONNECTED, READY)`` is called; when the
  shard is given up, ``state_changed(shard, READY, DISCONNECTED)``. An event pipeline's
  readiness so means "caught up, with the session's READY seen".
* **Cache handover** (with ``handover``): the worker stores a snapshot of each shard's
  part of the cache with the (session, seq) and position it reflects every
  ``snapshot_interval`` seconds and when it gives the shard up. A worker that takes the
  shard over loads the latest snapshot, folds the entries after it up to the committed
  position into the cache only (their events were handled already), and goes on from
  there; without a snapshot it folds the retained stream from its start.

The next read is sent before a batch is applied and committed, so the round trips overlap
the work.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Iterable

from fluxer_rx.bus.dedup import Deduplicator, DedupReader, ReadBatch
from fluxer_rx.bus.entry_codec import UnreadableEntry
from fluxer_rx.bus.errors import BrokerUnavailable
from fluxer_rx.bus.handover import Handover
from fluxer_rx.bus.lease_keeper import LeaseKeeper
from fluxer_rx.bus.port import START, Broker, Snapshot, StreamEntry
from fluxer_rx.bus.shard_tasks import ShardTasks
from fluxer_rx.diagnostics import Diagnostic, Kind
from fluxer_rx.errors import DecodeError
from fluxer_rx.gateway.actions import ConnectionState, SessionEndReason, SessionLost
from fluxer_rx.gateway.shard import ShardSink
from fluxer_rx.models.frame import Frame, decode_frame

__all__ = ["StreamWorker"]

log = logging.getLogger("fluxer_rx.bus")


def _key(position: str) -> tuple[int, int]:
    """A stream position (``ms-seq``, or ``0``) as a comparable pair."""
    ms, _, seq = position.partition("-")
    return int(ms), int(seq or 0)


class _ShardRun:
    """What a worker tracks of one held shard."""

    __slots__ = ("applied_at", "last_seq", "last_session", "live", "snapshot_at")

    def __init__(self) -> None:
        self.applied_at: str | None = None  # position the cache reflects (applied here)
        self.live = False
        self.last_session = ""
        self.last_seq = 0
        self.snapshot_at = time.monotonic()


class StreamWorker:
    """Read the shards ``shard_ids`` for consumer ``group`` into ``sink`` (see the module).

    ``lease_ttl`` bounds how long a dead worker keeps its shards; ``count`` is the most
    entries read per round trip; ``retry_delay`` the pause after a broker failure.
    ``handover`` (the sink's cache) enables snapshots every ``snapshot_interval`` seconds
    (``None``: only when a shard is given up) and the rebuild on takeover.
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
        handover: Handover | None = None,
        snapshot_interval: float | None = 30.0,
    ) -> None:
        self.broker = broker
        self.group = group
        self.sink = sink
        self.shard_ids = tuple(shard_ids)
        self.lease_ttl = lease_ttl
        self.poll = poll if poll is not None else lease_ttl / 10
        self.count = count
        self.retry_delay = retry_delay
        self.handover = handover
        self.snapshot_interval = snapshot_interval
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

    @property
    def held_live(self) -> set[int]:
        """The set of shards held now, updated in place (for readiness to follow)."""
        return self._held

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
            run = _ShardRun()
            try:
                await self._read(shard_id, keeper, run)
            finally:
                self._held.discard(shard_id)
                if run.live:
                    self.sink.state_changed(
                        shard_id, ConnectionState.READY, ConnectionState.DISCONNECTED
                    )
                try:
                    if keeper.held:
                        await self._snapshot(shard_id, keeper, run)
                finally:
                    await keeper.release()

    async def _reader(self, shard_id: int, run: _ShardRun) -> DedupReader:
        committed = await self.broker.committed(self.group, shard_id)
        if self.handover is not None:
            reader = await self._rebuild(shard_id, committed, self.handover)
        else:
            dedup = Deduplicator()
            if committed is not None and committed != START:
                last = await self.broker.entry(shard_id, committed)
                if last is not None:
                    dedup.admit(last)
            reader = DedupReader(self.broker, shard_id, position=committed or START, dedup=dedup)
        applied = reader.dedup.applied(shard_id)
        if applied is not None:
            run.last_session, run.last_seq = applied
        return reader

    async def _rebuild(
        self, shard_id: int, committed: str | None, handover: Handover
    ) -> DedupReader:
        """The cache as of ``committed`` from the latest snapshot and the stream after it."""
        snapshot = await self.broker.get_snapshot(self.group, shard_id)
        reader = DedupReader(self.broker, shard_id)
        if snapshot is not None:
            try:
                handover.load(shard_id, snapshot.data)
            except ValueError as exc:
                log.warning("shard %d: snapshot ignored: %s", shard_id, exc)
                snapshot = None
        if snapshot is None:
            handover.reset(shard_id)
        else:
            reader = DedupReader(
                self.broker,
                shard_id,
                position=snapshot.position,
                dedup=Deduplicator({shard_id: (snapshot.session, snapshot.seq)}),
            )
            if snapshot.session:
                handover.session_known(shard_id)
        if committed is None:
            return reader
        end = _key(committed)
        while _key(reader.position) < end:
            raw = await self.broker.read(shard_id, reader.position, count=self.count, timeout=0)
            raw = [e for e in raw if _key(e.position) <= end]
            if not raw:
                break  # the committed entry is gone (trimmed): go on from it
            batch = reader.judge(raw)
            reader.position = batch.position
            for entry in batch.entries:
                frame = self._decode(shard_id, entry)
                if frame is not None and frame.op == 0:
                    handover.fold(shard_id, frame)
        if _key(reader.position) < end:
            reader.position = committed
        return reader

    async def _snapshot(self, shard_id: int, keeper: LeaseKeeper, run: _ShardRun) -> None:
        """Store the cache's part of ``shard_id`` as of the last applied batch."""
        run.snapshot_at = time.monotonic()
        if self.handover is None or run.applied_at is None:
            return
        snapshot = Snapshot(
            self.handover.dump(shard_id), run.last_session, run.last_seq, run.applied_at
        )
        try:
            await self.broker.put_snapshot(self.group, shard_id, snapshot, lease=keeper.lease)
        except BrokerUnavailable as exc:
            log.warning("shard %d: storing the cache snapshot failed: %s", shard_id, exc)

    async def _read(self, shard_id: int, keeper: LeaseKeeper, run: _ShardRun) -> None:
        reader: DedupReader | None = None
        ahead: asyncio.Task[ReadBatch] | None = None
        timeout = min(1.0, self.lease_ttl / 3)
        try:
            while keeper.held:
                try:
                    if reader is None:
                        reader = await self._reader(shard_id, run)
                    if ahead is None:
                        ahead = asyncio.create_task(reader.read(count=self.count, timeout=timeout))
                    batch = await ahead
                    # the next read travels while this batch is applied and committed: one
                    # loop turn lets its task send the XREAD now (a task created but not
                    # yet run would send it only at the commit's await, after the apply)
                    ahead = asyncio.create_task(reader.read(count=self.count, timeout=timeout))
                    await asyncio.sleep(0)
                    if not await self._apply_batch(shard_id, batch, keeper, run):
                        return  # the lease is gone: another worker reads this shard now
                    interval = self.snapshot_interval
                    if interval is not None and time.monotonic() - run.snapshot_at >= interval:
                        await self._snapshot(shard_id, keeper, run)
                except BrokerUnavailable as exc:
                    if ahead is not None and ahead.done() and ahead.exception() is not None:
                        ahead = None  # the read failed and its position did not move: again
                    # else a commit failed: the read ahead (its batch judged, the position
                    # moved past it) is still applied next; dropping it would lose its entries
                    log.warning("shard %d: reading the stream failed (retrying): %s", shard_id, exc)
                    await asyncio.sleep(self.retry_delay)
        finally:
            if ahead is not None:
                ahead.cancel()
                await asyncio.wait([ahead])
                if not ahead.cancelled():
                    ahead.exception()  # retrieved: a failed read-ahead is not an error here

    async def _apply_batch(
        self, shard_id: int, batch: ReadBatch, keeper: LeaseKeeper, run: _ShardRun
    ) -> bool:
        """Apply ``batch`` to the sink, then commit it; ``False`` if the lease is gone."""
        for gap in batch.gaps:
            self.sink.diagnostic(
                Diagnostic(Kind.GAP, shard_id, f"{gap.missing} dispatches missing", gap)
            )
        self._apply_entries(shard_id, batch.entries, run)
        self.applied += len(batch.entries)
        self.duplicates += batch.duplicates
        if batch.entries or batch.duplicates:
            run.applied_at = batch.position
            if not await self.broker.commit(
                self.group, shard_id, batch.position, lease=keeper.lease
            ):
                return False
        if not run.live and len(batch.entries) + batch.duplicates < self.count:
            run.live = True
            self.sink.state_changed(shard_id, ConnectionState.DISCONNECTED, ConnectionState.READY)
        return True

    def _apply_entries(self, shard_id: int, entries: list[StreamEntry], run: _ShardRun) -> None:
        """Decode ``entries`` and hand them to the sink, in order, telling it first of a
        session lost before a new session's first entry.

        The worker's hot loop, one pass per entry with what it calls bound once: the
        session check, the decode and the dispatch are inlined here (a method call per
        entry for each cost about as much as the check itself).
        """
        sink = self.sink
        dispatch, other = sink.dispatch, sink.frame
        decode = decode_frame
        session, seq = run.last_session, run.last_seq
        try:
            for entry in entries:
                if entry.seq is not None and entry.session:
                    if entry.session != session and session:
                        lost = SessionLost(session, seq, SessionEndReason.REPLACED)
                        sink.session_lost(shard_id, lost)
                    session, seq = entry.session, entry.seq
                try:
                    frame = decode(entry.frame)
                except DecodeError as exc:
                    self._undecodable(shard_id, entry, exc)
                    continue
                frame.shard_id = shard_id
                if frame.op == 0 and frame.s is not None:
                    dispatch(frame)
                else:
                    other(frame)
        finally:
            run.last_session, run.last_seq = session, seq

    def _decode(self, shard_id: int, entry: StreamEntry) -> Frame | None:
        try:
            frame = decode_frame(entry.frame)
        except DecodeError as exc:
            self._undecodable(shard_id, entry, exc)
            return None
        frame.shard_id = shard_id
        return frame

    def _undecodable(self, shard_id: int, entry: StreamEntry, exc: DecodeError) -> None:
        """Report ``entry`` on diagnostics: unreadable (its format) or undecodable."""
        if isinstance(entry, UnreadableEntry):
            error: DecodeError = entry.error()
            message = str(error)
        else:
            error, message = exc, f"undecodable stream entry {entry.position}: {exc}"
        self.sink.diagnostic(Diagnostic(Kind.DECODE_ERROR, shard_id, message, error))
