"""The gateway side of a shard stream: frames in, micro-batches to the broker out.

:class:`FramePublisher` keeps one :class:`~fluxer_rx.bus.batcher.Batcher` per shard, so
each batch goes to one shard's stream in one round trip. :meth:`FramePublisher.publish`
is synchronous and never blocks, so a shard sink calls it for each frame on the event
loop. Guarantees (from the batcher): per shard, frames reach the stream in the order they
were given; a batch that failed (Redis down or restarting) is retried, first in line,
until it is stored; :attr:`FramePublisher.acknowledged` counts frames whose publish
returned, i.e. that the broker reported stored.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fluxer_rx.bus.batcher import Batcher
from fluxer_rx.bus.port import Broker, FrameRecord

__all__ = ["FramePublisher"]


class FramePublisher:
    """Publish :class:`FrameRecord` values to their shard's stream in micro-batches.

    ``max_items`` and ``max_delay`` bound each batch (32 frames, 2 ms by default); up to
    ``coalesce`` batches that queued behind a round trip in flight share the next one;
    ``on_error`` hears every failed attempt (it is retried). ``on_stored(shard, batch)``
    is awaited after each stored batch, before it counts as acknowledged (if it raises,
    the batch is published again). ``last_position[shard]`` is
    the stream position of the newest stored frame of that shard.
    """

    def __init__(
        self,
        broker: Broker,
        *,
        max_items: int = 32,
        max_delay: float = 0.002,
        coalesce: int = 16,
        on_error: Callable[[BaseException], None] | None = None,
        on_stored: Callable[[int, list[FrameRecord]], Awaitable[None]] | None = None,
    ) -> None:
        self.broker = broker
        self.max_items = max_items
        self.max_delay = max_delay
        self.coalesce = coalesce
        self._on_error = on_error
        self._on_stored = on_stored
        self._batchers: dict[int, Batcher[FrameRecord]] = {}
        self.acknowledged = 0
        self.last_position: dict[int, str] = {}

    def __repr__(self) -> str:
        return f"<FramePublisher shards={sorted(self._batchers)} acknowledged={self.acknowledged}>"

    def publish(self, record: FrameRecord) -> None:
        """Queue ``record`` for its shard's stream (see the module for the guarantees)."""
        batcher = self._batchers.get(record.shard)
        if batcher is None:
            batcher = self._batchers[record.shard] = self._batcher(record.shard)
        batcher.add(record)

    def _batcher(self, shard: int) -> Batcher[FrameRecord]:
        async def send(batch: list[FrameRecord]) -> None:
            positions = await self.broker.publish(shard, batch)
            if self._on_stored is not None:
                await self._on_stored(shard, batch)
            self.acknowledged += len(batch)
            if positions:
                self.last_position[shard] = positions[-1]

        return Batcher(
            send,
            max_items=self.max_items,
            max_delay=self.max_delay,
            coalesce=self.coalesce,
            on_error=self._on_error,
        )

    @property
    def failures(self) -> int:
        """Failed publish attempts so far (each was retried)."""
        return sum(b.failures for b in self._batchers.values())

    async def flush(self) -> None:
        """Return once every frame given so far is stored."""
        for batcher in list(self._batchers.values()):
            await batcher.flush()

    async def aclose(self) -> None:
        """Flush, then refuse more frames."""
        for batcher in list(self._batchers.values()):
            await batcher.aclose()
