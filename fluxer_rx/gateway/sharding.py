"""Which shard serves a guild: :func:`shard_for_guild`.

A module of its own (no imports) so that the client can answer ``shard_for`` without
importing the shard machinery; :mod:`fluxer_rx.gateway.shard_group` re-exports it.
"""

from __future__ import annotations

__all__ = ["shard_for_guild"]


def shard_for_guild(guild_id: str | int, shard_count: int) -> int:
    """The shard that receives a guild's events: ``(guild_id >> 22) % shard_count``."""
    return (int(guild_id) >> 22) % shard_count
