"""Correlating REQUEST_GUILD_MEMBERS (op 8) with its GUILD_MEMBERS_CHUNK answers by nonce."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Sequence
from typing import TYPE_CHECKING

from fluxer_rx.models import GuildMembersChunk, Member

if TYPE_CHECKING:  # the gateway's modules are imported by login(), not with the client
    from fluxer_rx.pipeline.ports import GatewayCommands

__all__ = ["MemberRequests"]


class _Request:
    """The chunks gathered so far for one nonce."""

    def __init__(self, future: asyncio.Future[list[Member]]) -> None:
        self.future = future
        self.members: list[Member] = []
        self.seen: set[int] = set()


class MemberRequests:
    """Open member requests by nonce; :meth:`on_chunk` is fed every chunk in order."""

    def __init__(self) -> None:
        self._open: dict[str, _Request] = {}
        self._nonces = itertools.count(1)

    async def request(
        self,
        commands: GatewayCommands,
        shard_id: int,
        guild_id: str,
        *,
        query: str | None,
        limit: int | None,
        user_ids: Sequence[str] | None,
        presences: bool | None,
        timeout: float,
    ) -> list[Member]:
        """Send op 8 through ``commands`` and return the members of every chunk, in chunk
        order; ``TimeoutError`` when they do not all arrive within ``timeout`` seconds
        (the server drops requests it does not allow silently, PROTOCOL §1.8), the error
        given to :meth:`fail_all` when the run ends first."""
        nonce = f"m{next(self._nonces)}"
        future: asyncio.Future[list[Member]] = asyncio.get_running_loop().create_future()
        self._open[nonce] = _Request(future)
        try:
            commands.request_guild_members(
                shard_id,
                guild_id,
                query=query,
                limit=limit,
                user_ids=user_ids,
                presences=presences,
                nonce=nonce,
            )
            async with asyncio.timeout(timeout):
                return await future
        finally:
            self._open.pop(nonce, None)

    def fail_all(self, error: Exception) -> None:
        """Every open request raises ``error`` (the run that would answer it is over)."""
        for request in self._open.values():
            if not request.future.done():
                request.future.set_exception(error)

    def on_chunk(self, chunk: GuildMembersChunk) -> None:
        """Add a chunk to its request (a duplicate chunk index is ignored); the request
        completes once it has ``chunk_count`` chunks."""
        nonce = chunk.nonce
        request = self._open.get(nonce) if isinstance(nonce, str) else None
        if request is None or request.future.done():
            return
        index = chunk.chunk_index if isinstance(chunk.chunk_index, int) else 0
        count = chunk.chunk_count if isinstance(chunk.chunk_count, int) else 1
        if index in request.seen:
            return
        request.seen.add(index)
        request.members.extend(chunk.members or ())
        if len(request.seen) >= count:
            request.future.set_result(request.members)
