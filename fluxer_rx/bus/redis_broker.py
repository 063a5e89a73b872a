"""The :class:`~fluxer_rx.bus.port.Broker` port on Redis (or Valkey), with redis-py asyncio.

Key layout under ``prefix`` (default ``fluxer``):

* ``{prefix}:events:{shard}`` — the shard's stream; one field per entry, its name the
  record's header and its value the raw frame (:mod:`~fluxer_rx.bus.entry_codec`; entries
  of the older four-field layout,
  ``h`` shard, ``s`` session, ``q`` seq or empty, ``f`` frame, are still read); trimmed
  with ``MAXLEN ~ retention``; a batch is appended by one Lua script (one round trip, all
  or nothing).
* ``{prefix}:commits:{group}`` — hash shard → committed stream id of that consumer group.
* ``{prefix}:lease:{name}`` — a lease: the holder's token, with a TTL.
* ``{prefix}:session:{shard}`` — hash with the shard's session bytes.
* ``{prefix}:snapshot:{group}:{shard}`` — hash: data, session, seq, position.
* ``{prefix}:identify`` — the next free IDENTIFY slot (Unix microseconds).
* ``{prefix}:commands:{shard}`` — the shard's command stream (``MAXLEN ~``).

Consumer groups of Redis itself (``XREADGROUP``) are not used: they hand entries to any
consumer of the group and so reorder a shard. Each group instead has one active reader per
shard (by lease) that reads with ``XREAD`` from its committed position.

Every Redis failure (connection refused or lost, timeout) surfaces as
:class:`~fluxer_rx.bus.errors.BrokerUnavailable`; the connection pool reconnects on the
next call, so callers retry the operation. Scripts and keys assume one Redis node (not
Redis Cluster).
"""

from __future__ import annotations

import asyncio
import os
import secrets
import socket
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import redis.asyncio as aioredis
from redis import exceptions as redis_errors

from fluxer_rx.bus import entry_codec, scripts
from fluxer_rx.bus.errors import BrokerUnavailable
from fluxer_rx.bus.port import Command, FrameRecord, Lease, Snapshot, StreamEntry

__all__ = ["RedisBroker", "RedisBrokerOptions"]

T = TypeVar("T")

_UNAVAILABLE = (redis_errors.ConnectionError, redis_errors.TimeoutError, OSError)


@dataclass(frozen=True, slots=True)
class RedisBrokerOptions:
    """How the Redis broker names its keys and bounds what it keeps.

    * ``prefix``: the first part of every key (several bots may share one Redis).
    * ``retention``: approximate number of entries kept per shard stream (``MAXLEN ~``:
      Redis trims whole nodes, so a stream may hold somewhat more, never fewer).
    * ``command_retention``: the same for command streams.
    * ``identify_per_window`` IDENTIFYs per ``identify_window`` seconds across all
      processes, spaced evenly (``identify_window / identify_per_window`` apart). Fluxer's
      [S] gateway may allow 1 per 5 s per node; [N] allows 300 per 60 s per IP
      (PROTOCOL §1.5). The default, 1 per second, matches the in-process identify queue.
    * ``connect_timeout``: seconds to open a connection before the call fails.
    * ``socket_timeout``: seconds any reply may take before the call fails (a connection
      left half-open by a crashed or partitioned server never hangs a caller). Blocking
      reads wait at most half of it.
    """

    prefix: str = "fluxer"
    retention: int = 100_000
    command_retention: int = 10_000
    identify_per_window: int = 1
    identify_window: float = 1.0
    connect_timeout: float = 2.0
    socket_timeout: float = 10.0

    def __post_init__(self) -> None:
        if not self.prefix or any(c.isspace() for c in self.prefix):
            raise ValueError(f"prefix must be a non-empty word, got {self.prefix!r}")
        for name in ("retention", "command_retention", "identify_per_window"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be >= 1, got {getattr(self, name)}")
        for name in ("identify_window", "connect_timeout", "socket_timeout"):
            if not getattr(self, name) > 0:
                raise ValueError(f"{name} must be > 0, got {getattr(self, name)}")

    def block_ms(self, timeout: float) -> int | None:
        """The ``BLOCK`` argument for a read that waits ``timeout`` s (``None``: no wait)."""
        if timeout <= 0:
            return None
        return max(1, round(min(timeout, self.socket_timeout / 2) * 1000))

    @property
    def identify_interval(self) -> float:
        """Seconds between two IDENTIFY slots."""
        return self.identify_window / self.identify_per_window


def _holder_token() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(8)}"


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


def _rows(reply: Any) -> list[tuple[Any, Any]]:
    """The (id, fields) rows of a raw one-stream XREAD reply (RESP2 list or RESP3 map)."""
    if not reply:
        return []
    rows = next(iter(reply.values())) if isinstance(reply, dict) else reply[0][1]
    if rows and isinstance(rows[0][0], list):  # RESP3 wraps the rows once more
        rows = rows[0]
    return list(rows)


def _entry(shard: int, position: bytes | str, fields: Any) -> StreamEntry:
    """An entry from its fields: a flat ``[name, value, ...]`` list as read raw, or a
    dict. Format 1 (one field, its name a header) first; then the older four-field layout;
    anything else is an :class:`~fluxer_rx.bus.entry_codec.UnreadableEntry` (never
    raises)."""
    where = position.decode() if isinstance(position, bytes) else position
    if type(fields) is list:
        if len(fields) % 2:
            return entry_codec.unreadable(where, shard, f"{len(fields)} field items")
        fields = dict(zip(fields[0::2], fields[1::2], strict=True))
    if len(fields) == 1:
        ((name, value),) = fields.items()
        if isinstance(name, bytes) and entry_codec.is_header(name):
            return entry_codec.unpack(where, shard, name, value)
    return _old_entry(where, shard, fields)


def _old_entry(position: str, shard: int, fields: dict[Any, Any]) -> StreamEntry:
    """An entry of the four-field layout, or unreadable."""
    if b"f" not in fields:
        names = ", ".join(sorted(map(repr, fields))[:8])
        return entry_codec.unreadable(position, shard, f"unknown fields {names}")
    try:
        seq = fields.get(b"q", b"")
        return StreamEntry(
            position=position,
            shard=int(fields.get(b"h", shard)),
            session=entry_codec.session_text(fields.get(b"s", b"")),
            seq=int(seq) if seq else None,
            frame=fields[b"f"],
        )
    except ValueError as exc:  # UnicodeDecodeError is one
        return entry_codec.unreadable(position, shard, f"bad header field: {exc}")


def _raw_reply(response: Any, **options: Any) -> Any:
    return response


class RedisBroker:
    """The broker port on one Redis server at ``url`` (``redis://host:port/db``).

    Safe to share between tasks of one event loop; every call takes a pooled connection.
    ``sleep`` (how the identify gate waits for its slot) is injectable.
    """

    def __init__(
        self,
        url: str,
        options: RedisBrokerOptions | None = None,
        *,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.options = options if options is not None else RedisBrokerOptions()
        self._redis: aioredis.Redis = aioredis.Redis.from_url(
            url,
            decode_responses=False,
            socket_connect_timeout=self.options.connect_timeout,
            socket_timeout=self.options.socket_timeout,
            retry_on_timeout=False,
        )
        self._sleep = sleep
        # XREAD replies are read raw: redis-py would build a dict per entry
        self._redis.set_response_callback("XREAD", _raw_reply)
        self._append = self._redis.register_script(scripts.APPEND_BATCH)
        self._renew = self._redis.register_script(scripts.RENEW_LEASE)
        self._release = self._redis.register_script(scripts.RELEASE_LEASE)
        self._fenced_hset = self._redis.register_script(scripts.FENCED_HSET)
        self._commit = self._redis.register_script(scripts.COMMIT)
        self._identify = self._redis.register_script(scripts.IDENTIFY_SLOT)
        self._closed = False

    def __repr__(self) -> str:
        return f"<RedisBroker prefix={self.options.prefix!r}>"

    @property
    def redis(self) -> aioredis.Redis:
        """The underlying client (for tools such as the REST limits and benchmarks)."""
        return self._redis

    # ------------------------------------------------------------------ keys

    def key(self, *parts: object) -> str:
        """``{prefix}:part:part...``."""
        return ":".join((self.options.prefix, *map(str, parts)))

    def events_key(self, shard: int) -> str:
        return self.key("events", shard)

    # ------------------------------------------------------------------ plumbing

    async def call(self, what: str, operation: Awaitable[T]) -> T:
        """Await a Redis ``operation``; connection failures become ``BrokerUnavailable``.

        A cancellation of the calling task during the operation always ends in
        ``CancelledError``: redis-py can turn one that hits a half-read reply into a
        connection error, or absorb it, which would leave a retrying loop running.
        """
        task = asyncio.current_task()
        cancels = task.cancelling() if task is not None else 0
        try:
            result = await operation
        except _UNAVAILABLE as exc:
            if task is not None and task.cancelling() > cancels:
                raise asyncio.CancelledError from None
            raise BrokerUnavailable(f"redis {what} failed: {type(exc).__name__}: {exc}") from None
        if task is not None and task.cancelling() > cancels:
            raise asyncio.CancelledError
        return result

    def _fence(self, lease: Lease | None) -> tuple[str, str]:
        if lease is None:
            return "", ""
        return self.key("lease", lease.name), lease.token

    # ------------------------------------------------------------------ streams

    async def publish(self, shard: int, records: Sequence[FrameRecord]) -> list[str]:
        """Append ``records`` to ``shard``'s stream in one script call (one round trip).

        The batch is stored all or nothing (a Lua script runs as one unit); after a lost
        reply it may have been stored although this raised.
        """
        if not records:
            return []
        pack = entry_codec.pack_header
        args: list[bytes | int] = [self.options.retention]
        for record in records:
            args += (pack(shard, record), record.frame)
        ids: Any = await self.call(
            "publish", self._append(keys=[self.events_key(shard)], args=args)
        )
        return [_text(i) for i in ids]

    async def read(
        self, shard: int, after: str, *, count: int = 512, timeout: float = 1.0
    ) -> list[StreamEntry]:
        """Up to ``count`` entries strictly after ``after``, blocking up to ``timeout`` s.

        ``timeout <= 0`` does not block. Entries trimmed by retention are skipped
        silently here; the de-duplicating reader reports them as a gap.
        """
        key = self.events_key(shard)
        block = self.options.block_ms(timeout)
        reply: Any = await self.call(
            "read", self._redis.xread({key: after}, count=count, block=block)
        )
        return entry_codec.unpack_rows(shard, _rows(reply), _entry)

    async def entry(self, shard: int, position: str) -> StreamEntry | None:
        rows: Any = await self.call(
            "entry", self._redis.xrange(self.events_key(shard), position, position, count=1)
        )
        return _entry(shard, rows[0][0], rows[0][1]) if rows else None

    async def stream_length(self, shard: int) -> int:
        """How many entries ``shard``'s stream holds now."""
        length: int = await self.call("xlen", self._redis.xlen(self.events_key(shard)))
        return length

    async def commit(
        self, group: str, shard: int, position: str, *, lease: Lease | None = None
    ) -> bool:
        lease_key, token = self._fence(lease)
        done = await self.call(
            "commit",
            self._commit(
                keys=[lease_key, self.key("commits", group)], args=[token, shard, position]
            ),
        )
        return bool(done)

    async def committed(self, group: str, shard: int) -> str | None:
        value = await self.call("committed", self._redis.hget(self.key("commits", group), shard))
        return None if value is None else _text(value)

    # ------------------------------------------------------------------ leases

    async def acquire_lease(self, name: str, ttl: float) -> Lease | None:
        if not ttl > 0:
            raise ValueError(f"ttl must be > 0, got {ttl}")
        lease = Lease(name, _holder_token(), ttl)
        taken = await self.call(
            "acquire_lease",
            self._redis.set(self.key("lease", name), lease.token, nx=True, px=_ms(ttl)),
        )
        return lease if taken else None

    async def renew_lease(self, lease: Lease) -> bool:
        renewed = await self.call(
            "renew_lease",
            self._renew(keys=[self.key("lease", lease.name)], args=[lease.token, _ms(lease.ttl)]),
        )
        return bool(renewed)

    async def release_lease(self, lease: Lease) -> bool:
        released = await self.call(
            "release_lease",
            self._release(keys=[self.key("lease", lease.name)], args=[lease.token]),
        )
        return bool(released)

    async def lease_holder(self, name: str) -> str | None:
        """The token holding ``name`` now, or ``None``."""
        value = await self.call("lease_holder", self._redis.get(self.key("lease", name)))
        return None if value is None else _text(value)

    # ------------------------------------------------------------------ stores

    async def _hset(self, key: str, lease: Lease | None, fields: Sequence[Any]) -> bool:
        lease_key, token = self._fence(lease)
        done = await self.call(
            "store", self._fenced_hset(keys=[lease_key, key], args=[token, *fields])
        )
        return bool(done)

    async def get_session(self, shard: int) -> bytes | None:
        value: Any = await self.call(
            "get_session", self._redis.hget(self.key("session", shard), "data")
        )
        return None if value is None else bytes(value)

    async def put_session(self, shard: int, data: bytes, *, lease: Lease | None = None) -> bool:
        return await self._hset(self.key("session", shard), lease, ["data", data])

    async def get_snapshot(self, group: str, shard: int) -> Snapshot | None:
        values: Any = await self.call(
            "get_snapshot", self._redis.hgetall(self.key("snapshot", group, shard))
        )
        if not values:
            return None
        return Snapshot(
            data=values[b"data"],
            session=values[b"session"].decode(),
            seq=int(values[b"seq"]),
            position=values[b"position"].decode(),
        )

    async def put_snapshot(
        self, group: str, shard: int, snapshot: Snapshot, *, lease: Lease | None = None
    ) -> bool:
        fields = [
            "data", snapshot.data,
            "session", snapshot.session,
            "seq", snapshot.seq,
            "position", snapshot.position,
        ]  # fmt: skip
        return await self._hset(self.key("snapshot", group, shard), lease, fields)

    # ------------------------------------------------------------------ identify gate

    async def wait_identify(self) -> float:
        """Reserve the next IDENTIFY slot across all processes and sleep until it.

        Slots are at least ``options.identify_interval`` apart on the Redis server's clock,
        whichever process reserved them. Returns the slot as Unix seconds. A caller
        cancelled while waiting leaves its slot unused (never given to another).
        """
        interval = round(self.options.identify_interval * 1_000_000)
        slot_us, now_us = await self.call(
            "wait_identify", self._identify(keys=[self.key("identify")], args=[interval])
        )
        slot = int(slot_us) / 1_000_000
        delay = slot - int(now_us) / 1_000_000
        if delay > 0:
            await self._sleep(delay)
        return slot

    # ------------------------------------------------------------------ commands

    async def publish_command(self, shard: int, data: bytes) -> str:
        position = await self.call(
            "publish_command",
            self._redis.xadd(
                self.key("commands", shard),
                {b"d": data},
                maxlen=self.options.command_retention,
                approximate=True,
            ),
        )
        return _text(position)

    async def read_commands(
        self, shard: int, after: str, *, count: int = 64, timeout: float = 1.0
    ) -> list[Command]:
        block = self.options.block_ms(timeout)
        reply: Any = await self.call(
            "read_commands",
            self._redis.xread({self.key("commands", shard): after}, count=count, block=block),
        )
        return [Command(_text(position), fields[1]) for position, fields in _rows(reply)]

    # ------------------------------------------------------------------ lifecycle

    async def ping(self) -> bool:
        """Whether Redis answers now (never raises)."""
        try:
            return bool(await self._redis.ping())
        except _UNAVAILABLE:
            return False

    async def close(self) -> None:
        if not self._closed:
            self._closed = True
            await self._redis.aclose()

    async def __aenter__(self) -> RedisBroker:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()


def _ms(seconds: float) -> int:
    return max(1, round(seconds * 1000))
