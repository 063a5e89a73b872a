"""The one-field stream entry format (``entry_codec``): round trip, the older four-field
layout read alongside it, and entries nobody can read reported without stopping a stream.

* ``pack``/``unpack`` keep shard, session, seq (or none) and the frame byte for byte.
* A stream holding entries of both layouts reads back in order with the right fields, so
  a deployment's workers can be upgraded while its streams hold older entries.
* A worker given a foreign, truncated or future-format entry between good ones applies
  every good dispatch once and in order, reports each bad entry on diagnostics as an
  ``EntryFormatError`` naming its position, and commits past it.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from fluxer_rx.bus import START, FrameRecord
from fluxer_rx.bus.entry_codec import EntryFormatError, UnreadableEntry, pack_header, unpack
from fluxer_rx.bus.redis_broker import RedisBroker
from fluxer_rx.bus.worker import StreamWorker
from fluxer_rx.diagnostics import Kind
from fluxer_rx.errors import DecodeError
from fluxer_rx.gateway.actions import ConnectionState
from tests.util import wait_until


def _frame(seq: int) -> bytes:
    return b'{"op":0,"s":%d,"t":"TYPING_START","d":{}}' % seq


@pytest.mark.parametrize(
    "record",
    [
        FrameRecord(3, "sess-a", 17, _frame(17)),
        FrameRecord(0, "", None, b'{"op":11}'),
        FrameRecord(2**32 - 1, "séance-Ω", 0, b""),
        FrameRecord(1, "s" * 70_000, 2**63, b"\x00\xff binary \n tail"),
    ],
)
def test_pack_then_unpack_round_trips(record: FrameRecord) -> None:
    entry = unpack("5-1", 99, pack_header(record.shard, record), record.frame)
    assert type(entry) is not UnreadableEntry
    assert (entry.position, entry.shard, entry.session, entry.seq, entry.frame) == (
        "5-1", record.shard, record.session, record.seq, record.frame,
    )  # fmt: skip


def test_pack_refuses_what_the_header_cannot_hold() -> None:
    with pytest.raises(ValueError, match="seq must be >= 0"):
        pack_header(0, FrameRecord(0, "s", -1, b"{}"))
    with pytest.raises(ValueError, match="not storable"):
        pack_header(2**32, FrameRecord(2**32, "s", 1, b"{}"))


_HEAD = pack_header(0, FrameRecord(0, "ab", 1, b"{}"))


@pytest.mark.parametrize(
    ("head", "reason"),
    [
        (b"", "its field is not a header"),
        (b"f", "its field is not a header"),
        (b"\xf5", "its field is not a header"),
        (b"\xf5\x09" + _HEAD[2:], "format 9, this version reads 1"),
        (_HEAD[:9], "header of 9 bytes, cut short"),
        (_HEAD.replace(b"ab", b"\xff\xfe"), "not UTF-8"),
    ],
)
def test_unreadable_headers_become_unreadable_entries(head: bytes, reason: str) -> None:
    entry = unpack("7-0", 4, head, b"{}")
    assert isinstance(entry, UnreadableEntry)
    assert (entry.position, entry.shard, entry.seq, entry.frame) == ("7-0", 4, None, b"")
    assert reason in entry.reason
    error = entry.error()
    assert isinstance(error, EntryFormatError) and isinstance(error, DecodeError)
    assert "7-0" in str(error) and reason in str(error)


async def _old_layout(broker: RedisBroker, shard: int, session: str, seq: int | None) -> str:
    """An entry as the four-field layout's append script wrote it."""
    fields: dict[bytes, bytes | str | int] = {
        b"h": shard, b"s": session, b"q": "" if seq is None else seq,
        b"f": b'{"op":11}' if seq is None else _frame(seq),
    }  # fmt: skip
    position = await broker.redis.xadd(broker.events_key(shard), fields)  # type: ignore[arg-type]
    return str(position.decode())


async def test_a_stream_of_both_layouts_reads_in_order(broker: RedisBroker) -> None:
    positions = [await _old_layout(broker, 2, "old", s) for s in (1, 2)]
    positions.append(await _old_layout(broker, 2, "old", None))
    positions += await broker.publish(2, [FrameRecord(2, "new", s, _frame(s)) for s in (1, 2)])
    positions.append(await _old_layout(broker, 2, "old", 3))
    got = await broker.read(2, START, timeout=0)
    assert [(e.position, e.shard, e.session, e.seq) for e in got] == [
        (positions[0], 2, "old", 1),
        (positions[1], 2, "old", 2),
        (positions[2], 2, "old", None),
        (positions[3], 2, "new", 1),
        (positions[4], 2, "new", 2),
        (positions[5], 2, "old", 3),
    ]
    frames = [_frame(1), _frame(2), b'{"op":11}', _frame(1), _frame(2), _frame(3)]
    assert [e.frame for e in got] == frames
    # the single-entry lookup (a takeover's de-duplication seed) reads both layouts
    old, new = await broker.entry(2, positions[1]), await broker.entry(2, positions[4])
    assert old is not None and (old.session, old.seq) == ("old", 2)
    assert new is not None and (new.session, new.seq, new.frame) == ("new", 2, _frame(2))


async def test_foreign_entries_are_read_as_unreadable(broker: RedisBroker) -> None:
    key = broker.events_key(0)
    foreign = [
        await broker.redis.xadd(key, {b"x": b"y", b"z": b"w"}),
        await broker.redis.xadd(key, {b"\xf5\x02future": b"{}"}),
        await broker.redis.xadd(key, {b"h": b"0", b"q": b"1", b"f": b"{}", b"s": b"\xff"}),
        await broker.redis.xadd(key, {b"h": b"zero", b"q": b"1", b"f": b"{}"}),
    ]
    got = await broker.read(0, START, timeout=0)
    assert [e.position for e in got] == [p.decode() for p in foreign]
    assert all(isinstance(e, UnreadableEntry) and e.seq is None for e in got)
    reasons = [e.reason for e in got if isinstance(e, UnreadableEntry)]
    assert "unknown fields b'x', b'z'" in reasons[0]
    assert "format 2" in reasons[1]
    assert "bad header field" in reasons[2] and "bad header field" in reasons[3]


class Recorder:
    """A ShardSink keeping dispatch seqs and diagnostics."""

    def __init__(self) -> None:
        self.seqs: list[int] = []
        self.reports: list[Any] = []
        self.lost: list[Any] = []
        self.states: list[Any] = []

    def dispatch(self, frame: Any) -> None:
        self.seqs.append(frame.s)

    def frame(self, frame: Any) -> None:
        pass

    def diagnostic(self, report: Any) -> None:
        self.reports.append(report)

    def session_lost(self, shard_id: int, lost: Any) -> None:
        self.lost.append(lost)

    def state_changed(self, shard_id: int, old: Any, new: Any) -> None:
        self.states.append(new)


async def test_a_worker_reports_unreadable_entries_and_goes_on(broker: RedisBroker) -> None:
    key = broker.events_key(0)
    await _old_layout(broker, 0, "a", 1)
    await _old_layout(broker, 0, "a", 2)
    bad = [(await broker.redis.xadd(key, {b"junk": b"1"})).decode()]
    # a republished overlap in the new layout: 2 is a duplicate, 3 and 4 are fresh
    await broker.publish(0, [FrameRecord(0, "a", s, _frame(s)) for s in (2, 3, 4)])
    bad.append((await broker.redis.xadd(key, {b"\xf5\x01\x00": b"{}"})).decode())
    last = (await broker.publish(0, [FrameRecord(0, "b", s, _frame(s)) for s in (1, 2)]))[-1]
    sink = Recorder()
    worker = StreamWorker(broker, "g", sink, [0], lease_ttl=2.0, poll=0.01)
    running = asyncio.create_task(worker.run())
    try:
        # caught up is reported after the batch's commit (one read holds all 10 entries)
        await wait_until(lambda: ConnectionState.READY in sink.states, what="caught up")
        assert (worker.applied, worker.duplicates) == (8, 1)
        committed = await broker.committed("g", 0)
    finally:
        await worker.close()
        await running
    assert sink.seqs == [1, 2, 3, 4, 1, 2]
    assert [r.kind for r in sink.reports] == [Kind.DECODE_ERROR, Kind.DECODE_ERROR]
    assert all(isinstance(r.data, EntryFormatError) for r in sink.reports)
    assert [p in r.detail for p, r in zip(bad, sink.reports, strict=True)] == [True, True]
    assert [(lost.session_id, lost.last_seq) for lost in sink.lost] == [("a", 4)]
    assert committed == last
