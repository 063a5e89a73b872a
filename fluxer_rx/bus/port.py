"""The broker port: what scale-out needs from a message broker, and nothing more.

Gateway processes publish each shard's frames to that shard's ordered stream; workers read
a shard's stream from a position and commit how far their consumer group got. Leases make
exactly one live holder per shard (per role, per group); the session store lets a process
that takes a shard over RESUME it; the snapshot store lets a worker hand its cache over;
the identify gate spaces IDENTIFYs across processes; the command stream carries commands
from workers back to the shard's gateway process.

:class:`Broker` is a :class:`typing.Protocol` so that another engine (NATS JetStream) can
be adapted without touching its users; :class:`~fluxer_rx.bus.redis_broker.RedisBroker`
is the Redis implementation. Positions are opaque strings that only the broker compares;
:data:`START` reads a stream from its first retained entry.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final, Protocol

import msgspec

__all__ = [
    "START",
    "Broker",
    "Command",
    "FrameRecord",
    "Lease",
    "Snapshot",
    "StreamEntry",
]

START: Final = "0"
"""The position before the first entry of every stream."""


@dataclass(frozen=True, slots=True)
class FrameRecord:
    """One received frame as a gateway process publishes it.

    ``session`` is the gateway session id the frame arrived on (empty before READY);
    ``seq`` is the frame's ``s`` (``None`` for frames without one); ``frame`` is the raw
    JSON message exactly as the server sent it.
    """

    shard: int
    session: str
    seq: int | None
    frame: bytes


class StreamEntry(msgspec.Struct, frozen=True, gc=False):
    """A :class:`FrameRecord` read back from a shard's stream, at ``position``.

    A frozen msgspec struct rather than a frozen dataclass: a worker builds one per entry
    read, and this one is built in about a fifth of the time (``benchmarks/bench_bus.py``).
    """

    position: str
    shard: int
    session: str
    seq: int | None
    frame: bytes


@dataclass(frozen=True, slots=True)
class Command:
    """A command for the process holding a shard (raw bytes, at ``position``)."""

    position: str
    data: bytes


@dataclass(frozen=True, slots=True)
class Lease:
    """A held lease: ``name`` is what is leased, ``token`` identifies this holder.

    A lease is a fencing token too: writes made ``lease=`` it succeed only while it is
    still held by this token.
    """

    name: str
    token: str
    ttl: float

    def __repr__(self) -> str:
        return f"Lease(name={self.name!r}, ttl={self.ttl})"


@dataclass(frozen=True, slots=True)
class Snapshot:
    """Opaque state (``data``) that reflects a shard's stream up to ``(session, seq)``.

    ``position`` is the stream position of that entry, so a reader resumes after it.
    """

    data: bytes
    session: str
    seq: int
    position: str


class Broker(Protocol):
    """Ordered per-shard streams, group positions, leases, stores, gate and commands.

    Guarantees every implementation gives:

    * :meth:`publish` appends a batch to one shard's stream in the given order; when it
      returns, the entries are stored (as durably as the engine is configured to be).
      After a failure part of a batch may be stored; publishing it again may duplicate
      entries, which readers drop by (shard, session, seq).
    * :meth:`read` returns entries strictly after ``after``, in stream order.
    * At most one token holds a lease at a time; a lease not renewed within its TTL
      expires; :meth:`renew_lease` tells a holder that lost its lease.
    * Writes given ``lease=`` happen only while that lease is held (fencing).
    """

    async def publish(self, shard: int, records: Sequence[FrameRecord]) -> list[str]:
        """Append ``records`` to ``shard``'s stream; return their positions."""
        ...

    async def read(
        self, shard: int, after: str, *, count: int = 512, timeout: float = 1.0
    ) -> list[StreamEntry]:
        """Up to ``count`` entries after ``after``; waits up to ``timeout`` s for one."""
        ...

    async def entry(self, shard: int, position: str) -> StreamEntry | None:
        """The entry at ``position`` of ``shard``'s stream (``None`` if trimmed or absent)."""
        ...

    async def commit(
        self, group: str, shard: int, position: str, *, lease: Lease | None = None
    ) -> bool:
        """Record that ``group`` processed ``shard``'s stream up to ``position``.

        Never moves a committed position backwards. Returns ``False`` when ``lease`` is
        given and no longer held (nothing is written).
        """
        ...

    async def committed(self, group: str, shard: int) -> str | None:
        """The position ``group`` committed for ``shard``, or ``None``."""
        ...

    async def acquire_lease(self, name: str, ttl: float) -> Lease | None:
        """Take the lease ``name`` for ``ttl`` seconds if nobody holds it."""
        ...

    async def renew_lease(self, lease: Lease) -> bool:
        """Extend ``lease`` by its TTL; ``False`` if it is no longer ours."""
        ...

    async def release_lease(self, lease: Lease) -> bool:
        """Give ``lease`` up now; ``False`` if it was no longer ours."""
        ...

    async def get_session(self, shard: int) -> bytes | None:
        """The stored session of ``shard`` (opaque bytes), or ``None``."""
        ...

    async def put_session(self, shard: int, data: bytes, *, lease: Lease | None = None) -> bool:
        """Store ``shard``'s session; ``False`` if ``lease`` is no longer held."""
        ...

    async def get_snapshot(self, group: str, shard: int) -> Snapshot | None:
        """``group``'s latest snapshot of ``shard``, or ``None``."""
        ...

    async def put_snapshot(
        self, group: str, shard: int, snapshot: Snapshot, *, lease: Lease | None = None
    ) -> bool:
        """Store ``group``'s snapshot of ``shard``; ``False`` if ``lease`` is not held."""
        ...

    async def wait_identify(self) -> float:
        """Wait for an IDENTIFY slot shared by all processes; return its Unix time."""
        ...

    async def publish_command(self, shard: int, data: bytes) -> str:
        """Append a command for the holder of ``shard``; return its position."""
        ...

    async def read_commands(
        self, shard: int, after: str, *, count: int = 64, timeout: float = 1.0
    ) -> list[Command]:
        """Commands for ``shard`` after ``after``; waits up to ``timeout`` s for one."""
        ...

    async def close(self) -> None:
        """Release the connections. Idempotent."""
        ...
