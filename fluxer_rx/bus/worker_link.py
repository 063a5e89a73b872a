"""A client's link to the bus when it runs as a worker (``ClientOptions(bus=RedisBus(...))``).

:class:`WorkerLink` owns what a worker client adds to its event pipeline: the broker, a
:class:`~fluxer_rx.bus.worker.StreamWorker` feeding the pipeline with the shards it can
lease (with cache handover), and :class:`~fluxer_rx.bus.commands.BusCommands` carrying the
client's gateway commands to the processes that hold the shards. It offers the gateway
commands a client's façade calls on a shard group (``send``, ``broadcast``,
``update_presence``, ``request_guild_members``, ``shard_count``, ``shard``), so user code
does not change.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Mapping
from typing import Any

from fluxer_rx.bus.bus_options import RedisBus
from fluxer_rx.bus.commands import BusCommands
from fluxer_rx.bus.handover import PipelineHandover
from fluxer_rx.bus.redis_broker import RedisBroker
from fluxer_rx.bus.rest_limits import SharedRestLimits
from fluxer_rx.bus.worker import StreamWorker
from fluxer_rx.pipeline import EventPipeline

__all__ = ["WorkerLink"]

log = logging.getLogger("fluxer_rx.bus")

_FLUSH_GRACE = 0.5
"""Seconds :meth:`WorkerLink.close` waits for queued commands to reach their streams."""


class WorkerLink:
    """The bus side of a worker client: ``bus`` read into ``pipeline`` (see the module)."""

    def __init__(self, bus: RedisBus, pipeline: EventPipeline) -> None:
        self.bus = bus
        self.broker: RedisBroker = bus.open_broker()
        self.commands = BusCommands(self.broker, bus.shard_count, on_error=self._command_failed)
        self.worker = StreamWorker(
            self.broker,
            bus.group,
            pipeline,
            bus.shard_ids,
            lease_ttl=bus.lease_ttl,
            count=bus.read_count,
            handover=PipelineHandover(pipeline, bus.shard_count),
            snapshot_interval=bus.snapshot_interval,
        )
        self._closed = False

    def __repr__(self) -> str:
        return f"<WorkerLink {self.bus!r} held={sorted(self.worker.held)}>"

    def rest_limits(self, global_rate: float | None) -> SharedRestLimits:
        """REST rate limits shared through this link's Redis by every process of the bot."""
        return SharedRestLimits(self.broker, global_rate=global_rate)

    async def run(self) -> None:
        """Read the shards this worker can lease until :meth:`close`."""
        await self.worker.run()

    async def close(self) -> None:
        """Stop reading (snapshots taken, leases released), deliver queued commands
        (for up to half a second) and close the broker. Idempotent."""
        if self._closed:
            return
        self._closed = True
        try:
            await self.worker.close()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.commands.flush(), _FLUSH_GRACE)
        finally:
            await self.broker.close()

    @staticmethod
    def _command_failed(exc: BaseException) -> None:
        log.warning("sending a command to the gateway processes failed (retrying): %s", exc)

    # ---------------------------------------------------------------- gateway commands

    @property
    def shard_count(self) -> int:
        return self.bus.shard_count

    @property
    def latency(self) -> float | None:
        """A worker has no connection of its own: always ``None``."""
        return None

    def shard(self, shard_id: int) -> int:
        """``shard_id`` if the bot has it (``ValueError`` otherwise)."""
        if not 0 <= shard_id < self.bus.shard_count:
            raise ValueError(f"shard {shard_id} is not one of the bot's {self.bus.shard_count}")
        return shard_id

    def send(self, shard_id: int, op: int, d: Any) -> None:
        self.commands.send(self.shard(shard_id), op, d)

    def broadcast(self, op: int, d: Any) -> None:
        self.commands.broadcast(op, d)

    def update_presence(self, presence: Mapping[str, Any]) -> None:
        self.commands.update_presence(dict(presence))

    def request_guild_members(self, shard_id: int, guild_id: str, **fields: Any) -> None:
        self.commands.request_guild_members(self.shard(shard_id), guild_id, **fields)
