"""A gateway process of a scale-out: the shards it holds a lease on, published to a broker.

:class:`GatewayProcess` competes for the lease ``gateway:{shard}`` of each shard it may
run. For every shard it holds it runs a :class:`~fluxer_rx.gateway.shard_group.ShardGroup`
of that one shard whose sink, :class:`BrokerSink`, publishes every received frame to the
shard's stream in micro-batches. Guarantees:

* **One live connection per shard** across processes: a shard runs only while its lease
  is held; when a renewal says the lease is lost, the shard is closed at once.
* **Takeover by RESUME.** After each stored batch the shard's session is stored (fenced
  by the lease) with the seq of the batch's last frame, i.e. the last seq durably in the
  stream. A process that takes the shard over RESUMEs from there, so the server replays
  what the old holder received but never stored; readers drop what was stored twice.
  For the server to still hold those frames, the shard's heartbeats acknowledge only the
  last seq stored (PROTOCOL §1.5: the server trims its replay buffer up to a heartbeat's
  seq), never the received one beyond it, also while Redis is down.
  When the server no longer knows the session (its resume window passed), the shard
  IDENTIFYs afresh and the readers see a new session.
* **IDENTIFYs are spaced across processes** by the broker's identify gate.
* **Commands from workers** (:class:`~fluxer_rx.bus.commands.BusCommands`) are read
  from the shard's command stream and performed on its connection while it is held.
* Frames of a holder that just lost its lease may still reach the stream; they belong
  to a session the readers either already applied (duplicates) or have seen replaced
  (stale): the de-duplicating reader drops both.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import functools
import logging
from collections.abc import Callable, Iterable

import msgspec

from fluxer_rx.bus.commands import follow_commands
from fluxer_rx.bus.lease_keeper import LeaseKeeper
from fluxer_rx.bus.port import Broker, FrameRecord, Lease
from fluxer_rx.bus.publisher import FramePublisher
from fluxer_rx.bus.shard_tasks import ShardTasks
from fluxer_rx.diagnostics import Diagnostic
from fluxer_rx.gateway.actions import ConnectionState, SessionLost
from fluxer_rx.gateway.identify_queue import IdentifyQueue
from fluxer_rx.gateway.options import GatewayOptions
from fluxer_rx.gateway.protocol import GatewayProtocol
from fluxer_rx.gateway.session import Session
from fluxer_rx.gateway.shard import Opener
from fluxer_rx.gateway.shard_group import ShardGroup
from fluxer_rx.models.frame import Frame

__all__ = ["BrokerIdentifyGate", "BrokerSink", "GatewayProcess", "frame_bytes"]

log = logging.getLogger("fluxer_rx.bus")

_json = msgspec.json.Encoder()


def frame_bytes(frame: Frame) -> bytes:
    """The frame as compact JSON with sorted keys (``d``, ``op``, ``s``, ``t``), as the
    gateway writes it, so a reader decodes it on the same one-pass path."""
    s = b"null" if frame.s is None else b"%d" % frame.s
    t = b"null" if frame.t is None else _json.encode(frame.t)
    if frame.has_d:
        return b'{"d":%b,"op":%d,"s":%b,"t":%b}' % (frame.raw_d, frame.op, s, t)
    return b'{"op":%d,"s":%b,"t":%b}' % (frame.op, s, t)


class BrokerIdentifyGate(IdentifyQueue):
    """An identify queue whose turns come from the broker's gate, shared by all processes."""

    def __init__(self, broker: Broker) -> None:
        super().__init__(0.0)
        self._broker = broker

    async def wait(self) -> None:
        await self._broker.wait_identify()


@dataclasses.dataclass(slots=True)
class _Bound:
    protocol: GatewayProtocol
    lease: Lease | None


class BrokerSink:
    """A :class:`~fluxer_rx.gateway.shard.ShardSink` that publishes every frame.

    Each frame becomes a :class:`FrameRecord` (shard, the shard's session id, ``s``, the
    frame's JSON) handed to ``publisher``. Shards must be :meth:`bind`-ed first (their
    protocol gives the session id; their lease fences the stored session). Diagnostics go
    to ``on_diagnostic`` and the log. :meth:`stored_seq` is the shard's last seq stored
    (frames and session), the ``heartbeat_seq`` of its protocol.
    """

    def __init__(
        self,
        broker: Broker,
        *,
        max_items: int = 32,
        max_delay: float = 0.002,
        on_diagnostic: Callable[[Diagnostic], None] | None = None,
    ) -> None:
        self.broker = broker
        self.publisher = FramePublisher(
            broker,
            max_items=max_items,
            max_delay=max_delay,
            on_error=self._publish_failed,
            on_stored=self._store_session,
        )
        self._on_diagnostic = on_diagnostic
        self._shards: dict[int, _Bound] = {}
        self._stored: dict[int, tuple[str, int]] = {}  # shard -> (session id, seq)
        self.states: dict[int, ConnectionState] = {}

    def bind(self, shard_id: int, protocol: GatewayProtocol, lease: Lease | None) -> None:
        """Publish ``shard_id``'s frames from now on, storing its session under ``lease``.

        A session the protocol starts with (taken over from storage) counts as stored
        up to its seq."""
        self._shards[shard_id] = _Bound(protocol, lease)
        self._stored.pop(shard_id, None)
        if protocol.session_id is not None:
            self._stored[shard_id] = (protocol.session_id, protocol.seq)

    def unbind(self, shard_id: int) -> None:
        """Stop storing ``shard_id``'s session (its lease is gone)."""
        self._shards.pop(shard_id, None)
        self._stored.pop(shard_id, None)

    def stored_seq(self, shard_id: int) -> int | None:
        """The last seq of ``shard_id``'s current session that is stored, both in the
        stream and as the session a successor RESUMEs from; ``None`` when none is."""
        bound = self._shards.get(shard_id)
        stored = self._stored.get(shard_id)
        if bound is None or stored is None or stored[0] != bound.protocol.session_id:
            return None
        return stored[1]

    def _record(self, frame: Frame) -> FrameRecord:
        bound = self._shards.get(frame.shard_id)
        session = bound.protocol.session_id if bound is not None else None
        return FrameRecord(frame.shard_id, session or "", frame.s, frame_bytes(frame))

    def frame(self, frame: Frame) -> None:
        self.publisher.publish(self._record(frame))

    def dispatch(self, frame: Frame) -> None:
        self.publisher.publish(self._record(frame))

    def diagnostic(self, report: Diagnostic) -> None:
        log.info("gateway diagnostic: %s", report)
        if self._on_diagnostic is not None:
            self._on_diagnostic(report)

    def session_lost(self, shard_id: int, lost: SessionLost) -> None:
        log.info("shard %d: session lost (%s)", shard_id, lost)

    def state_changed(self, shard_id: int, old: ConnectionState, new: ConnectionState) -> None:
        self.states[shard_id] = new

    def _publish_failed(self, exc: BaseException) -> None:
        log.warning("publishing frames failed (retrying): %s", exc)

    async def _store_session(self, shard_id: int, batch: list[FrameRecord]) -> None:
        bound = self._shards.get(shard_id)
        if bound is None:
            return
        session = bound.protocol.session
        if session is None:
            return
        stored = [r.seq for r in batch if r.seq is not None and r.session == session.session_id]
        if stored:
            value = msgspec.structs.replace(session, seq=stored[-1])
            if await self.broker.put_session(shard_id, value.to_bytes(), lease=bound.lease):
                last = self._stored.get(shard_id)
                if last is None or last[0] != value.session_id or last[1] < value.seq:
                    self._stored[shard_id] = (value.session_id, value.seq)


def _load_session(data: bytes | None, shard: tuple[int, int] | None) -> Session | None:
    if data is None:
        return None
    try:
        session = Session.from_bytes(data)
    except ValueError as exc:
        log.warning("stored session ignored: %s", exc)
        return None
    return session if session.shard == shard else None


class GatewayProcess:
    """Run the shards of ``options`` that this process can lease, publishing to ``broker``.

    ``token`` and ``url`` (the full gateway URL) are as for a
    :class:`~fluxer_rx.gateway.shard_group.ShardGroup`. ``shard_ids`` limits which shards
    this process competes for (default: all of ``options``). ``lease_ttl`` bounds how
    long a dead process keeps its shards; ``poll`` is how often a free lease is looked
    for (``lease_ttl / 10`` by default). Frames are published in batches of up to
    ``batch_size`` frames or ``batch_delay`` seconds, whichever first.
    """

    def __init__(
        self,
        broker: Broker,
        token: str,
        url: str,
        options: GatewayOptions,
        *,
        shard_ids: Iterable[int] | None = None,
        lease_ttl: float = 10.0,
        poll: float | None = None,
        opener: Opener | None = None,
        on_diagnostic: Callable[[Diagnostic], None] | None = None,
        batch_size: int = 32,
        batch_delay: float = 0.002,
    ) -> None:
        self.broker = broker
        self.url = url
        self.options = options
        self.shard_ids = tuple(options.ids if shard_ids is None else shard_ids)
        self.lease_ttl = lease_ttl
        self.poll = poll if poll is not None else lease_ttl / 10
        self.sink = BrokerSink(
            broker, max_items=batch_size, max_delay=batch_delay, on_diagnostic=on_diagnostic
        )
        self.ever_held: set[int] = set()  # every shard this process has run
        self._token = token
        self._opener = opener
        self._gate = BrokerIdentifyGate(broker)
        self._groups: dict[int, ShardGroup] = {}
        self._tasks = ShardTasks()

    def __repr__(self) -> str:
        return f"<GatewayProcess shards={list(self.shard_ids)} held={sorted(self._groups)}>"

    @property
    def held(self) -> frozenset[int]:
        """The shards this process runs now."""
        return frozenset(self._groups)

    def group(self, shard_id: int) -> ShardGroup:
        """The running group of ``shard_id`` (``KeyError`` when not held)."""
        return self._groups[shard_id]

    async def run(self) -> None:
        """Hold and run shards until :meth:`close` (or a fatal gateway error, raised)."""
        try:
            await self._tasks.run(self.shard_ids, self._hold)
        finally:
            await self.close()

    async def close(self) -> None:
        """Close every shard, store what was received, and release the leases."""
        await self._tasks.cancel()
        await self.sink.publisher.flush()

    async def _hold(self, shard_id: int) -> None:
        shard = (shard_id, self.options.shard_count or 1) if self.options.sharded else None
        while True:
            keeper = LeaseKeeper(self.broker, f"gateway:{shard_id}", self.lease_ttl)
            await keeper.acquire(poll=self.poll)
            try:
                stopped = await self._run_shard(shard_id, shard, keeper)
            finally:
                self.sink.unbind(shard_id)
                await keeper.release()
            if stopped:
                return

    async def _run_shard(
        self, shard_id: int, shard: tuple[int, int] | None, keeper: LeaseKeeper
    ) -> bool:
        """Run the shard while the lease is held; ``True`` if it ended for good."""
        session = _load_session(await self.broker.get_session(shard_id), shard)
        options = dataclasses.replace(self.options, shard_ids=[shard_id])
        if not self.options.sharded:
            options = dataclasses.replace(options, shard_ids=None)
        group = ShardGroup(
            self._token,
            self.url,
            self.sink,
            options,
            identify_gate=self._gate,
            opener=self._opener,
            sessions={shard_id: session} if session is not None else None,
            heartbeat_seqs={shard_id: functools.partial(self.sink.stored_seq, shard_id)},
        )
        self.sink.bind(shard_id, group.shard(shard_id).protocol, keeper.lease)
        self._groups[shard_id] = group
        self.ever_held.add(shard_id)
        running = asyncio.create_task(group.run())
        lost = asyncio.create_task(keeper.lost.wait())
        commands = asyncio.create_task(
            follow_commands(self.broker, group, shard_id, keeper.lease)
        )
        try:
            await asyncio.wait([running, lost], return_when=asyncio.FIRST_COMPLETED)
            if running.done():
                running.result()  # a fatal gateway error ends the process
                return True
            log.warning("shard %d: lease lost, closing the shard", shard_id)
            return False
        finally:
            del self._groups[shard_id]
            lost.cancel()
            commands.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await commands
            if not running.done():
                await group.close()
                with contextlib.suppress(Exception, asyncio.CancelledError):
                    await running
            await self.sink.publisher.flush()
