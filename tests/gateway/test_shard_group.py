"""The shard group on its own, with a fake transport (no sockets, no client): every shard
connects and identifies as its pair, frames reach the one sink with their shard id,
commands go to the right shard, the first fatal error ends the group."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest

from fluxer_rx.errors import WebSocketError
from fluxer_rx.gateway.options import GatewayOptions
from fluxer_rx.gateway.shard_group import ShardGroup, shard_for_guild
from tests.gateway.test_shard import HELLO, TOKEN, FakeConnection, Sink
from tests.util import wait_until


def ready(session: str) -> bytes:
    d = {"session_id": session, "user": {"id": "7"}}
    return json.dumps({"op": 0, "s": 1, "t": "READY", "d": d}).encode()


class Gateway:
    """A fake transport: each connection says HELLO, READY, one dispatch, and stays open."""

    def __init__(self) -> None:
        self.connections: list[FakeConnection] = []

    async def __call__(self, url: str, timeout: float) -> FakeConnection:
        n = len(self.connections)
        event = {"op": 0, "s": 2, "t": "USER_UPDATE", "d": {"n": n}}
        conn = FakeConnection([HELLO, ready(f"S{n}"), json.dumps(event).encode()], stay_open=True)
        self.connections.append(conn)
        return conn

    def sent(self, op: int) -> list[tuple[FakeConnection, Any]]:
        return [
            (conn, message["d"])
            for conn in self.connections
            for message in map(json.loads, conn.sent)
            if message["op"] == op
        ]


async def test_every_shard_identifies_as_its_pair_and_delivers_to_the_sink() -> None:
    gateway, sink = Gateway(), Sink()
    group = ShardGroup(
        TOKEN,
        "ws://gw.test/?v=1",
        sink,
        GatewayOptions(shard_count=3, identify_interval=0),
        opener=gateway,
    )
    assert sorted(group.shards) == [0, 1, 2] and group.shard_count == 3
    run = asyncio.create_task(group.run())
    await wait_until(lambda: len(sink.events("USER_UPDATE")) == 3, what="three dispatches")
    pairs = sorted(d["shard"] for _, d in gateway.sent(2))
    assert pairs == [[0, 3], [1, 3], [2, 3]]
    assert sorted(f.shard_id for f in sink.events("USER_UPDATE")) == [0, 1, 2]
    assert TOKEN.split(".")[1] not in repr(group)
    await group.close()
    await asyncio.wait_for(run, 5)


async def test_commands_reach_the_shard_they_name() -> None:
    gateway, sink = Gateway(), Sink()
    group = ShardGroup(
        TOKEN,
        "ws://gw.test/?v=1",
        sink,
        GatewayOptions(shard_count=2, identify_interval=0),
        opener=gateway,
    )
    run = asyncio.create_task(group.run())
    await wait_until(lambda: len(sink.events("READY")) == 2, what="both shards ready")
    by_shard = {json.loads(conn.sent[0])["d"]["shard"][0]: conn for conn in gateway.connections}
    group.request_guild_members(1, "42", query="", limit=0, nonce="n1")
    group.broadcast(3, {"status": "idle", "since": None, "afk": False, "activities": []})
    await wait_until(lambda: any('"op":8' in s for s in by_shard[1].sent), what="op 8 sent")
    assert not any('"op":8' in s for s in by_shard[0].sent)
    await wait_until(
        lambda: all(any('"op":3' in s for s in c.sent) for c in by_shard.values()),
        what="op 3 on every shard",
    )
    with pytest.raises(ValueError, match="no shard 5"):
        group.send(5, 3, {})
    await group.close()
    await asyncio.wait_for(run, 5)


async def test_the_first_fatal_error_closes_the_others_and_is_raised() -> None:
    sink = Sink()
    gateway = Gateway()
    calls = 0

    async def opener(url: str, timeout: float) -> FakeConnection:
        nonlocal calls
        calls += 1
        if calls > 1:  # every shard after the first cannot connect
            raise ConnectionRefusedError(111, "refused")
        return await gateway(url, timeout)

    options = GatewayOptions(
        shard_count=2,
        identify_interval=0,
        max_connect_failures=2,
        backoff_base=0.001,
        backoff_cap=0.001,
    )
    group = ShardGroup(TOKEN, "ws://gw.test/?v=1", sink, options, opener=opener)
    with pytest.raises(WebSocketError):
        await asyncio.wait_for(group.run(), 10)
    assert all(conn.close_code is not None for conn in gateway.connections)


def test_guilds_map_to_shards_by_their_id() -> None:
    assert shard_for_guild("0", 4) == 0
    assert shard_for_guild(str(5 << 22), 4) == 1
    assert shard_for_guild(5 << 22, 1) == 0


def test_options_are_checked_when_built() -> None:
    with pytest.raises(ValueError, match="shard id 3"):
        GatewayOptions(shard_count=2, shard_ids=[3])
    with pytest.raises(ValueError, match="shard_count"):
        GatewayOptions(shard_count=0)
    with pytest.raises(ValueError, match="at least one shard"):
        GatewayOptions(shard_count=2, shard_ids=[])
    with pytest.raises(TypeError, match="sequence of event names"):
        GatewayOptions(ignored_events="TYPING_START")
    assert GatewayOptions(shard_count=4, shard_ids=[1, 3]).ids == (1, 3)
    assert GatewayOptions().ids == (0,) and not GatewayOptions().sharded
