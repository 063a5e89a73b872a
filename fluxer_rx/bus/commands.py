"""Commands back to the gateway: a worker asks, the process holding the shard sends.

:class:`BusCommands` is the :class:`~fluxer_rx.gateway.shard_group.GatewayCommands` of a
worker: ``send`` and ``request_guild_members`` append a command to the shard's command
stream (in call order, retried while the broker is unreachable). The gateway process
holding the shard reads that stream (:func:`follow_commands`) and performs each command on
its connection, committing how far it got, fenced by its lease, so a process that takes
the shard over continues after the last command performed. A command older than
``max_age`` seconds when first read is skipped (a worker's presence update from
yesterday must not be sent on today's connection).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from typing import Any

import msgspec

from fluxer_rx.bus.batcher import Batcher
from fluxer_rx.bus.errors import BrokerUnavailable
from fluxer_rx.bus.port import START, Broker, Lease
from fluxer_rx.gateway.shard_group import ShardGroup

__all__ = ["COMMANDS_GROUP", "BusCommands", "follow_commands"]

log = logging.getLogger("fluxer_rx.bus")

COMMANDS_GROUP = "gateway:commands"
"""The consumer group under which gateway processes commit their command positions."""


class _Command(msgspec.Struct, kw_only=True, omit_defaults=True):
    kind: str
    op: int = 0
    d: Any = None
    presence: dict[str, Any] = msgspec.field(default_factory=dict)
    guild_id: str = ""
    fields: dict[str, Any] = msgspec.field(default_factory=dict)


_encode = msgspec.json.Encoder().encode
_decode = msgspec.json.Decoder(_Command).decode


class BusCommands:
    """Gateway commands of a worker, carried by ``broker`` to the shard's holder."""

    def __init__(
        self,
        broker: Broker,
        shard_count: int,
        *,
        on_error: Callable[[BaseException], None] | None = None,
    ) -> None:
        self.broker = broker
        self._shard_count = shard_count

        async def publish(batch: list[tuple[int, bytes]]) -> None:
            for shard_id, data in batch:
                await broker.publish_command(shard_id, data)

        self._outbox: Batcher[tuple[int, bytes]] = Batcher(
            publish, max_items=32, max_delay=0.0, on_error=on_error
        )

    @property
    def shard_count(self) -> int:
        return self._shard_count

    def send(self, shard_id: int, op: int, d: Any) -> None:
        """Queue ``{op, d}`` for shard ``shard_id`` (``TypeError`` if ``d`` cannot be JSON)."""
        self._outbox.add((shard_id, _encode(_Command(kind="send", op=op, d=d))))

    def request_guild_members(self, shard_id: int, guild_id: str, **fields: Any) -> None:
        """Queue REQUEST_GUILD_MEMBERS for ``guild_id`` on shard ``shard_id``."""
        command = _Command(kind="members", guild_id=guild_id, fields=fields)
        self._outbox.add((shard_id, _encode(command)))

    def broadcast(self, op: int, d: Any) -> None:
        """Queue ``{op, d}`` for every shard of the bot."""
        data = _encode(_Command(kind="send", op=op, d=d))
        for shard_id in range(self._shard_count):
            self._outbox.add((shard_id, data))

    def update_presence(self, presence: dict[str, Any]) -> None:
        """Queue a presence update for every shard; each holder sends it (op 3) and keeps
        it for its later IDENTIFYs."""
        data = _encode(_Command(kind="presence", presence=dict(presence)))
        for shard_id in range(self._shard_count):
            self._outbox.add((shard_id, data))

    async def flush(self) -> None:
        """Return once every command queued so far is in its stream."""
        await self._outbox.flush()


def _perform(group: ShardGroup, shard_id: int, data: bytes) -> None:
    command = _decode(data)
    if command.kind == "send":
        group.send(shard_id, command.op, command.d)
    elif command.kind == "members":
        group.request_guild_members(shard_id, command.guild_id, **command.fields)
    elif command.kind == "presence":
        group.update_presence(command.presence)
    else:
        raise ValueError(f"unknown command kind {command.kind!r}")


def _age(position: str) -> float:
    return time.time() - int(position.split("-", 1)[0]) / 1000


async def follow_commands(
    broker: Broker,
    group: ShardGroup,
    shard_id: int,
    lease: Lease | None,
    *,
    max_age: float = 30.0,
    retry_delay: float = 0.1,
) -> None:
    """Perform ``shard_id``'s commands on ``group`` until cancelled (see the module).

    A command that cannot be performed (bad form, payload refused by the shard) is
    logged and skipped.
    """
    position: str | None = None
    while True:
        try:
            if position is None:
                position = await broker.committed(COMMANDS_GROUP, shard_id) or START
            commands = await broker.read_commands(shard_id, position, timeout=1.0)
            for command in commands:
                if _age(command.position) > max_age:
                    continue
                try:
                    _perform(group, shard_id, command.data)
                except Exception as exc:  # a bad command must not stop the shard's commands
                    log.warning("shard %d: command %s skipped: %s", shard_id, command.position, exc)
            if commands:
                position = commands[-1].position
                if not await broker.commit(COMMANDS_GROUP, shard_id, position, lease=lease):
                    return  # the lease is gone
        except BrokerUnavailable as exc:
            log.warning("shard %d: reading commands failed (retrying): %s", shard_id, exc)
            await asyncio.sleep(retry_delay)
