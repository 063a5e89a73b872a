"""RedisBroker against a real redis-server: streams, positions, leases, stores, commands."""

from __future__ import annotations

import asyncio

import pytest

from fluxer_rx.bus import START, BrokerUnavailable, FrameRecord, Snapshot
from fluxer_rx.bus.redis_broker import RedisBroker, RedisBrokerOptions
from tests.redis_server import RedisServer


def _records(shard: int, session: str, seqs: range) -> list[FrameRecord]:
    return [
        FrameRecord(shard, session, s, b'{"op":0,"s":%d,"t":"TYPING_START"}' % s) for s in seqs
    ]


async def test_publish_then_read_keeps_order_and_fields(broker: RedisBroker) -> None:
    records = _records(3, "sess-a", range(1, 101))
    records.append(FrameRecord(3, "sess-a", None, b'{"op":11}'))
    positions = await broker.publish(3, records[:50])
    positions += await broker.publish(3, records[50:])
    assert len(positions) == 101

    got = []
    after = START
    while len(got) < len(records):
        batch = await broker.read(3, after, count=17, timeout=1.0)
        assert batch, "the stream ended early"
        got += batch
        after = batch[-1].position
    assert [(e.shard, e.session, e.seq, e.frame) for e in got] == [
        (r.shard, r.session, r.seq, r.frame) for r in records
    ]
    assert [e.position for e in got] == positions
    assert await broker.read(3, after, timeout=0) == []
    # another shard's stream is separate
    assert await broker.read(4, START, timeout=0) == []


async def test_read_blocks_until_an_entry_arrives(
    broker: RedisBroker, redis_server: RedisServer
) -> None:
    reader = asyncio.create_task(broker.read(0, START, timeout=5.0))
    other = RedisBroker(redis_server.url, broker.options)
    try:
        deadline = asyncio.get_running_loop().time() + 5
        while (await other.redis.info("clients"))["blocked_clients"] < 1:
            assert asyncio.get_running_loop().time() < deadline, "the reader never blocked"
        assert not reader.done()
        await other.publish(0, _records(0, "s", range(1, 2)))
        got = await asyncio.wait_for(reader, 5)
    finally:
        await other.close()
    assert [e.seq for e in got] == [1]


async def test_read_times_out_empty(broker: RedisBroker) -> None:
    assert await broker.read(9, START, timeout=0.05) == []


async def test_maxlen_trims_to_about_the_retention(redis_server: RedisServer) -> None:
    options = RedisBrokerOptions(retention=200)
    async with RedisBroker(redis_server.url, options) as b:
        for start in range(1, 2001, 32):
            await b.publish(0, _records(0, "s", range(start, min(start + 32, 2001))))
        length = await b.stream_length(0)
        # "~" trims whole listpack nodes (100 entries by default): never below retention
        assert 200 <= length < 400
        first = (await b.read(0, START, count=1, timeout=0))[0]
        assert first.seq == 2001 - length
        # the newest entries are all still there, in order
        tail = await b.read(0, START, count=length, timeout=0)
        assert [e.seq for e in tail] == list(range(2001 - length, 2001))


async def test_commit_moves_forward_only(broker: RedisBroker) -> None:
    assert await broker.committed("g", 1) is None
    assert await broker.commit("g", 1, "5-3")
    assert await broker.committed("g", 1) == "5-3"
    assert await broker.commit("g", 1, "5-2")  # older: kept as is
    assert await broker.committed("g", 1) == "5-3"
    assert await broker.commit("g", 1, "10-0")
    assert await broker.committed("g", 1) == "10-0"
    assert await broker.committed("other", 1) is None
    assert await broker.committed("g", 2) is None


async def test_lease_has_one_holder_and_fences_writes(broker: RedisBroker) -> None:
    first = await broker.acquire_lease("worker:g:1", ttl=5)
    assert first is not None
    assert await broker.acquire_lease("worker:g:1", ttl=5) is None
    assert await broker.lease_holder("worker:g:1") == first.token
    assert first.token not in repr(first)
    assert await broker.renew_lease(first)
    assert await broker.commit("g", 1, "1-0", lease=first)
    assert await broker.release_lease(first)
    assert not await broker.renew_lease(first)  # the holder learns it lost the lease
    assert not await broker.release_lease(first)

    second = await broker.acquire_lease("worker:g:1", ttl=5)
    assert second is not None and second.token != first.token
    # the old holder's fenced writes are refused
    assert not await broker.commit("g", 1, "9-0", lease=first)
    assert not await broker.put_session(1, b"old", lease=first)
    assert await broker.committed("g", 1) == "1-0"
    assert await broker.get_session(1) is None
    assert await broker.put_session(1, b"new", lease=second)
    assert await broker.get_session(1) == b"new"


async def test_lease_expires_without_renewal(broker: RedisBroker) -> None:
    lease = await broker.acquire_lease("gateway:0", ttl=0.05)
    assert lease is not None
    taken = None

    async def take() -> bool:
        nonlocal taken
        taken = await broker.acquire_lease("gateway:0", ttl=5)
        return taken is not None

    deadline = asyncio.get_running_loop().time() + 5
    while not await take():
        assert asyncio.get_running_loop().time() < deadline, "the lease never expired"
    assert not await broker.renew_lease(lease)


async def test_session_and_snapshot_round_trip(broker: RedisBroker) -> None:
    assert await broker.get_snapshot("g", 2) is None
    snap = Snapshot(data=b"\x00cache\xff", session="abc", seq=42, position="7-1")
    assert await broker.put_snapshot("g", 2, snap)
    assert await broker.get_snapshot("g", 2) == snap
    assert await broker.get_snapshot("h", 2) is None
    assert await broker.put_session(2, b"\x01session")
    assert await broker.get_session(2) == b"\x01session"


async def test_commands_stream_per_shard(broker: RedisBroker) -> None:
    first = await broker.publish_command(5, b'{"op":3}')
    await broker.publish_command(5, b'{"op":8}')
    await broker.publish_command(6, b"other")
    got = await broker.read_commands(5, START, timeout=0)
    assert [c.data for c in got] == [b'{"op":3}', b'{"op":8}']
    assert got[0].position == first
    assert [c.data for c in await broker.read_commands(5, first, timeout=0)] == [b'{"op":8}']


async def test_unreachable_redis_raises_broker_unavailable(redis_server: RedisServer) -> None:
    async with RedisBroker(redis_server.url) as b:
        assert await b.ping()
        redis_server.kill()
        assert not await b.ping()
        with pytest.raises(BrokerUnavailable, match="publish"):
            await b.publish(0, _records(0, "s", range(1, 2)))
        with pytest.raises(BrokerUnavailable):
            await b.read(0, START, timeout=0)


def test_options_are_checked() -> None:
    with pytest.raises(ValueError, match="retention"):
        RedisBrokerOptions(retention=0)
    with pytest.raises(ValueError, match="prefix"):
        RedisBrokerOptions(prefix="a b")
    assert RedisBrokerOptions(identify_per_window=300, identify_window=60).identify_interval == 0.2
