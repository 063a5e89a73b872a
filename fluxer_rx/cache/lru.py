"""A map that optionally keeps at most ``limit`` entries, evicting the least recently used.

Unbounded (``limit=None``) it is a plain ``dict`` with no recency bookkeeping at all.
Bounded, recency is kept as *stamps*: every write or :meth:`LruMap.touch` gives the key
the next sequence number, and ``order`` maps live sequence numbers back to keys. The
oldest entry is the smallest live sequence number; a cursor only ever moves forward over
sequence numbers, so finding it is amortised O(1) per eviction (each number is passed
once), and a touch or removal is O(1).

Why not ``OrderedDict``: it is always tracked by the garbage collector, which then visits
every entry on each full collection (about 180 ms per million entries on the 2-core test
machine), while these plain dicts of ``int``/``str`` keys and untracked values are not
tracked at all and cost a collection nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Generic, TypeVar

__all__ = ["LruMap", "RecencyOrder"]

K = TypeVar("K")
V = TypeVar("V")


class RecencyOrder(Generic[K]):
    """Recency of a set of keys: ``touch`` makes a key newest, ``pop_oldest`` removes and
    returns the least recently touched one. Amortised O(1) per operation."""

    __slots__ = ("_head", "_next", "_order", "_stamp")

    def __init__(self) -> None:
        self._stamp: dict[K, int] = {}
        self._order: dict[int, K] = {}
        self._next = 0
        self._head = 0

    def touch(self, key: K) -> None:
        """Make ``key`` the most recent (adding it when new)."""
        old = self._stamp.get(key)
        if old is not None:
            del self._order[old]
        seq = self._next
        self._next = seq + 1
        self._order[seq] = key
        self._stamp[key] = seq

    def touch_existing(self, key: K) -> bool:
        """Make ``key`` the most recent if present; returns whether it was."""
        if key not in self._stamp:
            return False
        self.touch(key)
        return True

    def discard(self, key: K) -> None:
        """Forget ``key`` (no-op when absent)."""
        old = self._stamp.pop(key, None)
        if old is not None:
            del self._order[old]

    def pop_oldest(self) -> K:
        """Remove and return the least recent key; ``KeyError`` when empty."""
        order = self._order
        if not order:
            raise KeyError("pop_oldest from an empty RecencyOrder")
        head = self._head
        while head not in order:
            head += 1
        self._head = head + 1
        key = order.pop(head)
        del self._stamp[key]
        return key

    def keys(self) -> list[K]:
        """The keys, least recent first (O(n log n); for tests and debugging)."""
        return [self._order[seq] for seq in sorted(self._order)]

    def clear(self) -> None:
        """Forget every key."""
        self._stamp.clear()
        self._order.clear()
        self._head = self._next

    def __len__(self) -> int:
        return len(self._stamp)

    def __contains__(self, key: object) -> bool:
        return key in self._stamp


class LruMap(Generic[K, V]):
    """A bounded or unbounded map with LRU eviction.

    ``data`` is the underlying plain dict (read it directly for speed; write only through
    :meth:`put` and :meth:`pop`; its iteration order is insertion order, not recency).
    ``on_evict(key, value)`` is called for each entry evicted by a :meth:`put` that
    exceeded the limit (never for :meth:`pop` or :meth:`clear`), after the entry left
    the map.
    """

    __slots__ = ("_recency", "data", "limit", "on_evict")

    def __init__(
        self, limit: int | None = None, on_evict: Callable[[K, V], None] | None = None
    ) -> None:
        if limit is not None and limit < 0:
            raise ValueError(f"a cache limit must be >= 0 or None, not {limit}")
        self.limit = limit
        self.on_evict = on_evict
        self.data: dict[K, V] = {}
        self._recency: RecencyOrder[K] | None = RecencyOrder() if limit is not None else None

    def put(self, key: K, value: V) -> None:
        """Store ``value`` under ``key`` as the most recent entry; evict beyond the limit."""
        self.data[key] = value
        recency = self._recency
        if recency is None:
            return
        recency.touch(key)
        if len(self.data) > self.limit:  # type: ignore[operator]  # bounded: limit is set
            self._evict(recency)

    def _evict(self, recency: RecencyOrder[K]) -> None:
        limit = self.limit
        assert limit is not None
        while len(self.data) > limit:
            key = recency.pop_oldest()
            value = self.data.pop(key)
            if self.on_evict is not None:
                self.on_evict(key, value)

    def touch(self, key: K) -> bool:
        """Mark ``key`` as most recently used; returns whether it is present."""
        recency = self._recency
        if recency is None:
            return key in self.data
        return recency.touch_existing(key)

    def pop(self, key: K) -> V | None:
        """Remove and return ``key``'s value (``None`` when absent); no eviction callback."""
        if self._recency is not None:
            self._recency.discard(key)
        return self.data.pop(key, None)

    def clear(self) -> None:
        """Remove every entry (no eviction callbacks)."""
        self.data.clear()
        if self._recency is not None:
            self._recency.clear()

    def recency(self) -> list[K]:
        """The keys, least recently used first (insertion order when unbounded)."""
        if self._recency is None:
            return list(self.data)
        return self._recency.keys()

    def get(self, key: K) -> V | None:
        """The value under ``key`` or ``None``; recency is not changed."""
        return self.data.get(key)

    def __contains__(self, key: object) -> bool:
        return key in self.data

    def __len__(self) -> int:
        return len(self.data)

    def __iter__(self) -> Iterator[K]:
        return iter(self.data)

    def __repr__(self) -> str:
        return f"<LruMap {len(self.data)}/{self.limit}>"
