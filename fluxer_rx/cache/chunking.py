"""Book-keeping for ``ClientOptions(chunk_guilds=True)``: which guilds' full member lists
to request, and when each has fully arrived.

The client sends the op 8 itself; :class:`GuildChunker` only says what to send after a
GUILD_CREATE and recognises the GUILD_MEMBERS_CHUNK replies to its own requests (by
nonce). The cache folds the chunks like any others. No I/O, no clock: a request the
server drops silently (PROTOCOL 1.8) stays in :attr:`GuildChunker.pending`, so a caller
waiting on it must bound the wait itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

from fluxer_rx.models.events import GuildCreate, GuildMembersChunk

__all__ = ["CHUNK_NONCE_PREFIX", "ChunkRequest", "GuildChunker"]

CHUNK_NONCE_PREFIX: Final = "chunk:"
"""Nonces of chunker requests start with this (``"chunk:" + guild_id``, < 32 bytes)."""


@dataclass(frozen=True, slots=True)
class ChunkRequest:
    """One REQUEST_GUILD_MEMBERS for a guild's whole member list (``query=""``, ``limit=0``)."""

    guild_id: str
    nonce: str

    def payload(self) -> dict[str, Any]:
        """The op 8 ``d``: ``{guild_id, query: "", limit: 0, nonce}``."""
        return {"guild_id": self.guild_id, "query": "", "limit": 0, "nonce": self.nonce}

    def fields(self) -> dict[str, Any]:
        """The keyword arguments for ``Shard.request_guild_members(guild_id, **fields)``."""
        return {"query": "", "limit": 0, "nonce": self.nonce}


class GuildChunker:
    """Tracks full-member-list requests, one per guild at a time.

    ``request_for(event, shard_id)`` returns a :class:`ChunkRequest` for an available
    GUILD_CREATE (or GUILD_SYNC) whose guild has no request in flight, else ``None``; the
    request belongs to that shard's session. ``on_chunk(chunk)`` returns the guild id once
    every chunk of that guild's reply has arrived (chunks of other requests return
    ``None``). ``pending`` holds the guilds still waiting. ``reset(shard_id)`` forgets the
    requests of one shard's session (it ended: the server will not answer them) and
    leaves the other shards' requests waiting.
    """

    __slots__ = ("_pending", "_shard_of")

    def __init__(self) -> None:
        self._pending: dict[str, set[int]] = {}
        self._shard_of: dict[str, int] = {}

    def request_for(self, event: object, shard_id: int = 0) -> ChunkRequest | None:
        """The request to send after ``event`` on shard ``shard_id``, or ``None``."""
        if not isinstance(event, GuildCreate) or event.unavailable:
            return None
        if event.id in self._pending:
            return None
        self._pending[event.id] = set()
        self._shard_of[event.id] = shard_id
        return ChunkRequest(event.id, CHUNK_NONCE_PREFIX + event.id)

    def on_chunk(self, chunk: GuildMembersChunk) -> str | None:
        """Record a chunk; returns its guild id when that guild's list is complete."""
        nonce = chunk.nonce
        if nonce is None or nonce != CHUNK_NONCE_PREFIX + chunk.guild_id:
            return None
        seen = self._pending.get(chunk.guild_id)
        if seen is None:
            return None
        seen.add(chunk.chunk_index)
        if len(seen) < max(chunk.chunk_count, 1):
            return None
        self.forget(chunk.guild_id)
        return chunk.guild_id

    def forget(self, guild_id: str) -> None:
        """Stop waiting for a guild (it was deleted, or the wait gave up)."""
        self._pending.pop(guild_id, None)
        self._shard_of.pop(guild_id, None)

    def reset(self, shard_id: int | None = None) -> None:
        """Stop waiting for the guilds requested on shard ``shard_id`` (its session ended),
        or for every guild when ``shard_id`` is ``None``."""
        if shard_id is None:
            self._pending.clear()
            self._shard_of.clear()
            return
        for guild_id in [g for g, shard in self._shard_of.items() if shard == shard_id]:
            self.forget(guild_id)

    @property
    def pending(self) -> frozenset[str]:
        """The guilds whose member lists were requested and are not complete."""
        return frozenset(self._pending)

    @property
    def idle(self) -> bool:
        """Whether no request is in flight."""
        return not self._pending
