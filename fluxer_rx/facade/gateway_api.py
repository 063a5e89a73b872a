"""Gateway control through the client: shards, latency, sends, presence, member requests."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Protocol

from fluxer_rx.errors import ClientNotReady
from fluxer_rx.gateway.sharding import shard_for_guild

if TYPE_CHECKING:
    from fluxer_rx.bus.worker_link import WorkerLink
    from fluxer_rx.gateway.shard import Shard
    from fluxer_rx.gateway.shard_group import ShardGroup
    from fluxer_rx.models import Member
    from fluxer_rx.options import ClientOptions
    from fluxer_rx.pipeline import EventPipeline

__all__ = ["GatewayControl"]


class _Connection(Protocol):
    """What both a shard group and a scale-out worker's link do with commands."""

    @property
    def shard_count(self) -> int: ...
    @property
    def latency(self) -> float | None: ...
    def shard(self, shard_id: int) -> object: ...
    def send(self, shard_id: int, op: int, d: Any) -> None: ...
    def broadcast(self, op: int, d: Any) -> None: ...
    def update_presence(self, presence: Mapping[str, Any]) -> None: ...


class GatewayControl:
    """Commands to the gateway, through the running shard group or, in a scale-out
    worker, through the bus to the processes that hold the shards."""

    options: ClientOptions
    _pipeline: EventPipeline
    _group: ShardGroup | None
    _link: WorkerLink | None

    def _connected(self) -> _Connection:
        connection: _Connection | None = self._group if self._group is not None else self._link
        if connection is None:
            raise ClientNotReady("the client is not connected; call login() first")
        return connection

    @property
    def shards(self) -> dict[int, Shard]:
        """The running shards by id (empty outside :meth:`login`, and in a worker, which
        has no connection of its own)."""
        return dict(self._group.shards) if self._group is not None else {}

    @property
    def latency(self) -> float | None:
        """Mean heartbeat round trip over the shards, in seconds (``None`` before an ACK)."""
        return self._group.latency if self._group is not None else None

    def shard_for(self, guild_id: str | int) -> int:
        """The id of the shard that serves ``guild_id``."""
        bus = self.options.bus
        count = self._group.shard_count if self._group is not None else None
        count = count or (bus.shard_count if bus is not None else None)
        return shard_for_guild(guild_id, count or self.options.gateway.shard_count or 1)

    def send_to_shard(self, shard_id: int, op: int, d: Any) -> None:
        """Send ``{op, d}`` on one shard (queued under the send budget, size-checked);
        ``ValueError`` for a shard this client does not run (a worker: that the bot does
        not have; the command goes to the shard's command stream)."""
        self._connected().send(shard_id, op, d)

    def send_to_gateway(self, op: int, d: Any) -> None:
        """Send ``{op, d}`` on every shard."""
        self._connected().broadcast(op, d)

    def update_presence(
        self, status: str = "online", *, afk: bool | None = None, **extra: Any
    ) -> None:
        """Set the bot's presence on every shard (op 3) and for later IDENTIFYs."""
        presence: dict[str, Any] = {"status": status, **extra}
        if afk is not None:
            presence["afk"] = afk
        self._connected().update_presence(presence)

    async def request_guild_members(
        self,
        guild_id: str,
        *,
        query: str | None = None,
        limit: int | None = None,
        user_ids: Sequence[str] | None = None,
        presences: bool | None = None,
        timeout: float = 30.0,
    ) -> list[Member]:
        """Send REQUEST_GUILD_MEMBERS (op 8) and gather every GUILD_MEMBERS_CHUNK answer.

        Returns the members of all chunks, in chunk order. Raises ``TimeoutError`` when the
        chunks do not all arrive within ``timeout`` seconds (the server drops requests it
        does not allow silently, PROTOCOL §1.8), :class:`ClientNotReady` outside a run or
        when the run ends (:meth:`close`) before they arrive.
        """
        shard_id = self.shard_for(guild_id)
        self._connected().shard(shard_id)  # ValueError before sending: not a shard we run
        return await self._pipeline.request_members(
            shard_id,
            guild_id,
            query=query,
            limit=limit,
            user_ids=user_ids,
            presences=presences,
            timeout=timeout,
        )
