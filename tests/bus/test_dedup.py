"""De-duplication by (shard, session, seq) and gap reports, in memory and over Redis."""

from __future__ import annotations

from fluxer_rx.bus import FrameRecord, StreamEntry
from fluxer_rx.bus.dedup import Deduplicator, DedupReader, Gap
from fluxer_rx.bus.redis_broker import RedisBroker


def _entry(session: str, seq: int | None, shard: int = 0) -> StreamEntry:
    return StreamEntry("0-1", shard, session, seq, b"{}")


def _verdicts(dedup: Deduplicator, entries: list[StreamEntry]) -> list[tuple[bool, Gap | None]]:
    return [(v.fresh, v.gap) for v in map(dedup.admit, entries)]


def test_duplicates_within_a_session_are_dropped() -> None:
    dedup = Deduplicator()
    entries = [_entry("a", s) for s in (1, 2, 3, 2, 3, 4, 1)]
    assert [fresh for fresh, _ in _verdicts(dedup, entries)] == [
        True, True, True, False, False, True, False,
    ]  # fmt: skip
    assert dedup.applied(0) == ("a", 4)


def test_a_seq_jump_is_a_gap_and_still_applied() -> None:
    dedup = Deduplicator()
    got = _verdicts(dedup, [_entry("a", 1), _entry("a", 2), _entry("a", 7), _entry("a", 8)])
    assert got == [(True, None), (True, None), (True, Gap(0, "a", 2, 7)), (True, None)]
    assert Gap(0, "a", 2, 7).missing == 4


def test_a_new_session_resets_and_old_sessions_are_stale() -> None:
    dedup = Deduplicator()
    got = _verdicts(
        dedup,
        [_entry("a", 1), _entry("a", 2), _entry("b", 1), _entry("a", 3), _entry("c", 5)],
    )
    assert got == [
        (True, None),
        (True, None),
        (True, None),  # READY of a new session starts at 1: no gap
        (False, None),  # a late entry of the replaced session
        (True, Gap(0, "c", 0, 5)),  # a session whose first four entries never arrived
    ]


def test_frames_without_seq_pass_and_shards_are_independent() -> None:
    dedup = Deduplicator({1: ("a", 10)})
    assert dedup.admit(_entry("a", None, shard=1)).fresh
    assert not dedup.admit(_entry("a", 10, shard=1)).fresh
    assert dedup.admit(_entry("a", 10, shard=2)).fresh
    assert dedup.admit(_entry("a", 11, shard=1)).fresh


async def test_reader_drops_a_republished_batch_and_reports_a_gap(broker: RedisBroker) -> None:
    def frames(seqs: range) -> list[FrameRecord]:
        return [FrameRecord(2, "s1", s, b'{"s":%d}' % s) for s in seqs]

    await broker.publish(2, frames(range(1, 6)))
    await broker.publish(2, frames(range(3, 8)))  # a retried publish: 3..5 twice
    await broker.publish(2, frames(range(10, 12)))  # 8 and 9 never arrived
    reader = DedupReader(broker, 2)
    batch = await reader.read(timeout=1)
    assert [e.seq for e in batch.entries] == [1, 2, 3, 4, 5, 6, 7, 10, 11]
    assert batch.duplicates == 3
    assert batch.gaps == [Gap(2, "s1", 7, 10)]
    assert batch.position == reader.position != "0"
    # a reader that restarts from a committed position with the applied state seeds
    await broker.commit("g", 2, batch.position)
    await broker.publish(2, frames(range(11, 13)))
    again = DedupReader(
        broker,
        2,
        position=await broker.committed("g", 2) or "0",
        dedup=Deduplicator({2: ("s1", 11)}),
    )
    later = await again.read(timeout=1)
    assert [e.seq for e in later.entries] == [12] and later.duplicates == 1
