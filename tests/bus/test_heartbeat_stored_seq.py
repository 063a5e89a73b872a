"""A gateway process's heartbeats acknowledge only the seq stored in Redis.

PROTOCOL §1.5: the server trims its replay buffer up to a heartbeat's seq. A shard run
by a :class:`GatewayProcess` received frames it may not have stored yet (Redis down);
if its heartbeats acknowledged them and the process then died, the successor's RESUME
from the stored seq would get nothing back. These tests spy on the sandbox gateway's
heartbeat handling (the sandbox trims its buffer by heartbeat seq, as §1.5 says) while a
real, durable redis-server is stopped.
"""

from __future__ import annotations

import asyncio
import dataclasses
import signal
from typing import Any

import pytest

from fluxer_rx.bus.redis_broker import RedisBroker, RedisBrokerOptions
from fluxer_rx.sandbox import Sandbox
from tests.bus import test_restart
from tests.bus.children import Child
from tests.bus.conftest import sandbox_gateway_process
from tests.bus.test_gateway_process import Ledger, sandbox_log
from tests.redis_server import RedisServer
from tests.util import wait_until

pytestmark = pytest.mark.fluxer_sandbox(guilds=2, resume_window=30.0, heartbeat_interval=1.0)
durable_redis = test_restart.durable_redis  # the fixture: a redis-server with appendonly


@dataclasses.dataclass(frozen=True)
class Beat:
    d: Any  # the heartbeat's seq
    sent: int  # the session's last sent seq when it arrived
    buffered: tuple[int, ...]  # the replay buffer's seqs before the heartbeat trimmed it


def spy_heartbeats(sb: Sandbox, monkeypatch: pytest.MonkeyPatch) -> list[Beat]:
    """The heartbeats the sandbox receives from a session (a server-side spy)."""
    seen: list[Beat] = []
    hub = sb.gateway
    real = hub._on_heartbeat

    async def spy(conn: Any, d: Any) -> None:
        session = conn.session
        if session is not None:
            seen.append(Beat(d, session.seq, tuple(s for s, _ in session.buffer)))
        await real(conn, d)

    monkeypatch.setattr(hub, "_on_heartbeat", spy)
    return seen


def session_seq(sb: Sandbox) -> int:
    (session,) = [s for s in sb.gateway.sessions.values() if s.alive]
    seq: int = session.seq
    return seq


def restart(server: RedisServer) -> None:
    """Start ``server`` again if a failed test left it stopped."""
    if server.process is None:
        server.start()


async def beats_after(beats: list[Beat], mark: int, count: int) -> list[Beat]:
    await wait_until(lambda: len(beats) >= mark + count, within=15, what=f"{count} heartbeats")
    return beats[mark:]


async def caught_up(sb: Sandbox, beats: list[Beat]) -> None:
    """Wait for a heartbeat acknowledging everything the server has sent."""
    await wait_until(
        lambda: bool(beats) and beats[-1].d == beats[-1].sent == session_seq(sb),
        within=20,
        what="a heartbeat with the server's seq",
    )


async def test_heartbeats_hold_at_the_stored_seq_while_redis_is_down(
    fluxer_sandbox: Sandbox, durable_redis: RedisServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    sb = fluxer_sandbox
    beats = spy_heartbeats(sb, monkeypatch)
    async with RedisBroker(durable_redis.url, RedisBrokerOptions(prefix="hb")) as broker:
        process = sandbox_gateway_process(broker, sb, lease_ttl=30.0)
        running = asyncio.create_task(process.run())
        try:
            ledger = Ledger(broker)
            await ledger.until("GUILD_CREATEs", lambda: ledger.count("GUILD_CREATE") >= 2)
            await caught_up(sb, beats)
            stored = process.sink.stored_seq(0)
            assert stored == session_seq(sb)

            durable_redis.stop()
            for i in range(5):
                await sb.post_message(sb.channel_ids[0], f"during {i}")
            received = stored + 5
            protocol = process.group(0).shard(0).protocol
            await wait_until(lambda: protocol.seq == received, within=10, what="5 received")
            during = await beats_after(beats, len(beats), 2)
            assert [b.d for b in during] == [stored] * len(during)
            assert all(b.sent == received for b in during)
            # what was received but not stored is still in the server's replay buffer
            assert set(range(stored + 1, received + 1)) <= set(during[-1].buffered)
            assert process.sink.stored_seq(0) == stored

            durable_redis.start()
            await caught_up(sb, beats)
            assert beats[-1].d == received
            await ledger.until("5 messages", lambda: ledger.count("MESSAGE_CREATE") >= 5)
            await wait_until(lambda: sandbox_log(sb) == ledger.events(), what="ledger match")
            assert ledger.gaps == []
        finally:
            restart(durable_redis)  # closing flushes to Redis
            await process.close()
            await running


async def test_a_process_dying_during_an_outage_is_resumed_without_loss(
    fluxer_sandbox: Sandbox, durable_redis: RedisServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Redis down, the holder receives 5 messages it cannot store, then ``kill -9``: the
    successor RESUMEs from the stored seq and the server still replays all 5."""
    sb = fluxer_sandbox
    beats = spy_heartbeats(sb, monkeypatch)
    ttl = 8.0
    child = await Child.start(
        "gateway", durable_redis.url, "hd", sb.gateway_url, ttl, env={"FLUXER_TOKEN": sb.token}
    )
    async with RedisBroker(durable_redis.url, RedisBrokerOptions(prefix="hd")) as broker:
        ledger = Ledger(broker)
        successor = sandbox_gateway_process(broker, sb, lease_ttl=ttl)
        running: asyncio.Task[None] | None = None
        try:
            assert (await child.event(timeout=30))["event"] == "held"
            await ledger.until("GUILD_CREATEs", lambda: ledger.count("GUILD_CREATE") >= 2)
            await caught_up(sb, beats)
            stored = session_seq(sb)

            durable_redis.stop()
            for i in range(5):
                await sb.post_message(sb.channel_ids[0], f"during {i}")
            during = await beats_after(beats, len(beats), 2)
            assert [b.d for b in during] == [stored] * len(during)
            child.signal(signal.SIGKILL)
            await child.stop()

            durable_redis.start()
            running = asyncio.create_task(successor.run())
            await ledger.until(
                "5 messages", lambda: ledger.count("MESSAGE_CREATE") >= 5, within=3 * ttl
            )
            await wait_until(lambda: sandbox_log(sb) == ledger.events(), what="ledger match")
        finally:
            restart(durable_redis)
            await child.stop()
            await successor.close()
            if running is not None:
                await running
    sessions = {session for session, _, _ in ledger.events()}
    assert len(sessions) == 1, "the successor identified instead of resuming"
    assert ledger.gaps == []
