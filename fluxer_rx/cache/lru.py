"""A map that optionally keeps at most ``limit`` entries, evicting the least recently used.

Unbounded (``limit=None``) it is a plain ``dict`` with no recency bookkeeping at all (no
per-entry cost beyond the dict's). Bounded it is an ``OrderedDict``: a write or a
:meth:`LruMap.touch` moves the entry to the recent end, and each eviction is one
``popitem(last=False)``: O(1).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterator
from typing import Generic, TypeVar

__all__ = ["LruMap"]

K = TypeVar("K")
V = TypeVar("V")


class LruMap(Generic[K, V]):
    """A bounded or unbounded map with LRU eviction.

    ``data`` is the underlying dict (read it directly for speed; write only through
    :meth:`put` and :meth:`pop`). ``on_evict(key, value)`` is called for each entry
    evicted by a :meth:`put` that exceeded the limit (never for :meth:`pop` or
    :meth:`clear`); it runs after the entry left the map.
    """

    __slots__ = ("_order", "data", "limit", "on_evict")

    def __init__(
        self, limit: int | None = None, on_evict: Callable[[K, V], None] | None = None
    ) -> None:
        if limit is not None and limit < 0:
            raise ValueError(f"a cache limit must be >= 0 or None, not {limit}")
        self.limit = limit
        self.on_evict = on_evict
        self._order: OrderedDict[K, V] | None = OrderedDict() if limit is not None else None
        self.data: dict[K, V] = self._order if self._order is not None else {}

    def put(self, key: K, value: V) -> None:
        """Store ``value`` under ``key`` as the most recent entry; evict beyond the limit."""
        order = self._order
        if order is None:
            self.data[key] = value
            return
        order[key] = value
        order.move_to_end(key)
        if len(order) > self.limit:  # type: ignore[operator]  # limit is set when bounded
            self._evict()

    def _evict(self) -> None:
        order = self._order
        assert order is not None and self.limit is not None
        while len(order) > self.limit:
            key, value = order.popitem(last=False)
            if self.on_evict is not None:
                self.on_evict(key, value)

    def touch(self, key: K) -> bool:
        """Mark ``key`` as most recently used; returns whether it is present."""
        order = self._order
        if order is None:
            return key in self.data
        try:
            order.move_to_end(key)
        except KeyError:
            return False
        return True

    def pop(self, key: K) -> V | None:
        """Remove and return ``key``'s value (``None`` when absent); no eviction callback."""
        return self.data.pop(key, None)

    def clear(self) -> None:
        """Remove every entry (no eviction callbacks)."""
        self.data.clear()

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
