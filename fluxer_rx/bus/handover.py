"""Cache handover between workers: what a :class:`~fluxer_rx.bus.worker.StreamWorker`
needs from its sink's cache to snapshot a shard and to rebuild it after a takeover.

:class:`Handover` is the port; :class:`PipelineHandover` implements it on an
:class:`~fluxer_rx.pipeline.EventPipeline` (its cache, and its readiness: a shard whose
session is known from a snapshot or a folded READY counts as having had its READY).
"""

from __future__ import annotations

from typing import Protocol

from fluxer_rx.bus.cache_snapshot import dump_shard, load_shard
from fluxer_rx.errors import DecodeError
from fluxer_rx.models import Ready
from fluxer_rx.models.frame import Frame
from fluxer_rx.pipeline import EventPipeline

__all__ = ["Handover", "PipelineHandover"]


class Handover(Protocol):
    """The cache side of a shard taken over (all calls on the event loop)."""

    def dump(self, shard_id: int) -> bytes:
        """The shard's part of the cache, as it is now."""
        ...

    def load(self, shard_id: int, data: bytes) -> None:
        """Replace the shard's part of the cache by a :meth:`dump` (``ValueError`` if not one)."""
        ...

    def reset(self, shard_id: int) -> None:
        """Forget the shard's part of the cache (the stream is replayed from its start)."""
        ...

    def fold(self, shard_id: int, frame: Frame) -> None:
        """Apply a dispatch that was already handled to the cache only (no events)."""
        ...

    def session_known(self, shard_id: int) -> None:
        """The shard's session is known (from a snapshot): its READY was seen."""
        ...


class PipelineHandover:
    """:class:`Handover` on ``pipeline``'s cache, for a bot of ``shard_count`` shards."""

    def __init__(self, pipeline: EventPipeline, shard_count: int) -> None:
        self.pipeline = pipeline
        self.shard_count = shard_count

    def dump(self, shard_id: int) -> bytes:
        return dump_shard(self.pipeline.cache, shard_id, self.shard_count, self.pipeline.user)

    def load(self, shard_id: int, data: bytes) -> None:
        try:
            part = load_shard(self.pipeline.cache, data)
        except Exception as exc:  # msgspec's DecodeError and ValidationError
            raise ValueError(f"not a cache snapshot: {exc}") from None
        if (part.shard_id, part.shard_count) != (shard_id, self.shard_count):
            raise ValueError(
                f"snapshot of shard {part.shard_id}/{part.shard_count}, "
                f"not {shard_id}/{self.shard_count}"
            )
        if part.user is not None:
            self.pipeline.user = part.user

    def reset(self, shard_id: int) -> None:
        self.pipeline.cache.reset((shard_id, self.shard_count))

    def fold(self, shard_id: int, frame: Frame) -> None:
        try:
            event = frame.event
        except DecodeError:
            return  # reported when it was handled the first time
        self.pipeline.cache.apply(event)
        if type(event) is Ready:
            self.pipeline.user = event.user
            self.session_known(shard_id)

    def session_known(self, shard_id: int) -> None:
        self.pipeline.readiness.session_known(shard_id)
