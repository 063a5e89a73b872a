"""A :class:`ShardGroup`: the shards of one process, their identify queue and commands.

It outputs what the shards receive to one :class:`~fluxer_rx.gateway.shard.ShardSink`
(in one process, the event pipeline; in a gateway process of a scale-out, a broker) and
takes commands for the gateway (:class:`GatewayCommands`). It knows nothing of events,
the cache or handlers.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from typing import Any, Protocol

from fluxer_rx.gateway.identify_queue import IdentifyQueue
from fluxer_rx.gateway.options import GatewayOptions
from fluxer_rx.gateway.protocol import GatewayProtocol
from fluxer_rx.gateway.session import Session
from fluxer_rx.gateway.shard import Opener, Shard, ShardSink
from fluxer_rx.gateway.sharding import shard_for_guild

__all__ = ["GatewayCommands", "ShardGroup", "shard_for_guild"]


class GatewayCommands(Protocol):
    """What can be asked of the gateway connections, wherever they run.

    A :class:`ShardGroup` does it on its own sockets; a scale-out worker forwards it to
    the process that holds the shard.
    """

    @property
    def shard_count(self) -> int:
        """How many shards the bot runs in all (for :func:`shard_for_guild`)."""
        ...

    def send(self, shard_id: int, op: int, d: Any) -> None:
        """Send ``{op, d}`` on one shard (queued under its send budget, size-checked)."""

    def request_guild_members(self, shard_id: int, guild_id: str, **fields: Any) -> None:
        """Send REQUEST_GUILD_MEMBERS (op 8) for ``guild_id`` on ``shard_id``."""


class ShardGroup:
    """The shards ``options.ids`` of ``options.shard_count``, connected to ``url``.

    ``url`` is the full gateway URL (see :func:`~fluxer_rx.gateway.url.gateway_url_with_query`).
    Every shard delivers to ``sink``. IDENTIFYs are spaced by one
    :class:`~fluxer_rx.gateway.identify_queue.IdentifyQueue` unless ``identify_gate`` is
    given (a scale-out shares one gate across processes). ``opener`` opens connections
    (default: ``options.transport``; tests pass a fake one). ``sessions`` are sessions to
    RESUME by shard id (taken over from another process); ``heartbeat_seqs`` give, by
    shard id, the protocol's ``heartbeat_seq`` (the last seq stored elsewhere). The
    token is only handed to the protocols; it is in no repr.
    """

    def __init__(
        self,
        token: str,
        url: str,
        sink: ShardSink,
        options: GatewayOptions,
        *,
        identify_gate: IdentifyQueue | None = None,
        opener: Opener | None = None,
        sessions: Mapping[int, Session] | None = None,
        heartbeat_seqs: Mapping[int, Callable[[], int | None]] | None = None,
    ) -> None:
        self.options = options
        self.url = url
        gate = identify_gate if identify_gate is not None else IdentifyQueue(
            options.identify_interval
        )
        self._shard_count = options.shard_count or 1
        self._shards: dict[int, Shard] = {}
        for shard_id in options.ids:
            protocol = GatewayProtocol(
                token,
                presence=options.presence,
                ignored_events=options.ignored_events,
                shard=(shard_id, self._shard_count) if options.sharded else None,
                rng=options.rng,
                backoff_base=options.backoff_base,
                backoff_cap=options.backoff_cap,
                rate_limited_delay=options.rate_limited_delay,
                resume_window=options.resume_window,
                reconnect_delay_max=options.reconnect_delay_max,
                hello_timeout=options.hello_timeout or options.connect_timeout,
                invalid_session_delay=options.invalid_session_delay,
                session=(sessions or {}).get(shard_id),
                heartbeat_seq=(heartbeat_seqs or {}).get(shard_id),
            )
            self._shards[shard_id] = Shard(
                shard_id,
                protocol,
                url,
                sink,
                transport=options.transport,
                compress=options.compress,
                identify_gate=gate.wait,
                connect_timeout=options.connect_timeout,
                max_connect_failures=options.max_connect_failures,
                opener=opener,
            )

    def __repr__(self) -> str:
        return f"<ShardGroup shards={sorted(self._shards)} of {self._shard_count}>"

    @property
    def shard_count(self) -> int:
        """How many shards the bot runs in all."""
        return self._shard_count

    @property
    def shards(self) -> Mapping[int, Shard]:
        """The shards of this group by id."""
        return self._shards

    @property
    def latency(self) -> float | None:
        """Mean heartbeat round trip over the shards, in seconds (``None`` before an ACK)."""
        values = [s.latency for s in self._shards.values() if s.latency is not None]
        return sum(values) / len(values) if values else None

    async def run(self) -> None:
        """Run every shard until each has ended (:meth:`close`); the first fatal error
        (an invalid token, a fatal close code, too many failed connects) closes the
        others and is raised."""
        tasks = [asyncio.create_task(shard.run()) for shard in self._shards.values()]
        try:
            while tasks:
                done, pending = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
                tasks = list(pending)
                errors = [t.exception() for t in done if not t.cancelled()]  # all retrieved
                first = next((error for error in errors if error is not None), None)
                if first is not None:
                    raise first
        except BaseException:
            await self.close()
            # every other shard ends (closed above) and its error, if any, is retrieved;
            # the first error stays the one raised
            await asyncio.gather(*tasks, return_exceptions=True)
            raise

    async def close(self) -> None:
        """Close every shard for good (politely when the peer answers)."""
        for shard in list(self._shards.values()):
            await shard.close()

    def shard(self, shard_id: int) -> Shard:
        """The shard ``shard_id``; ``ValueError`` when this group does not run it."""
        try:
            return self._shards[shard_id]
        except KeyError:
            raise ValueError(f"this client runs no shard {shard_id}") from None

    def send(self, shard_id: int, op: int, d: Any) -> None:
        """Send ``{op, d}`` on one shard (queued under the send budget, size-checked)."""
        self.shard(shard_id).send(op, d)

    def broadcast(self, op: int, d: Any) -> None:
        """Send ``{op, d}`` on every shard."""
        for shard in self._shards.values():
            shard.send(op, d)

    def update_presence(self, presence: Mapping[str, Any]) -> None:
        """Set the presence on every shard (op 3) and for their later IDENTIFYs."""
        for shard in self._shards.values():
            shard.update_presence(dict(presence))

    def request_guild_members(self, shard_id: int, guild_id: str, **fields: Any) -> None:
        """Send REQUEST_GUILD_MEMBERS (op 8) on ``shard_id``."""
        self.shard(shard_id).request_guild_members(guild_id, **fields)

