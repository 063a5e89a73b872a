"""A map that optionally keeps at most ``limit`` entries, evicting by *second chance*
(the CLOCK approximation of least-recently-used).

Unbounded (``limit=None``) it is a plain ``dict`` with no recency bookkeeping at all.

Bounded, what is guaranteed:

* the bound holds after every write: a :meth:`LruMap.put` that passes the limit evicts,
  before it returns, exactly as many entries as it takes to be back at the limit, and
  never the entry it writes (unless the limit is 0);
* entries are considered for eviction in the order they were stored; an entry that was
  *used* (written again, or :meth:`LruMap.touch`-ed) since it was stored or since the
  sweep last considered it is not evicted but goes to the back of that order, unmarked;
  the first unmarked entry is evicted. So entries used since the sweep last passed them
  all outlive every entry that was not, and a map in which nothing (or everything) is
  used evicts first in, first out.

Unlike exact LRU, an entry used once and passed over by the sweep is then treated like
a new one: among entries used a while ago the order is approximate. In exchange a use
costs one set insertion, and the bookkeeping is one queue slot per key (about 8 bytes)
plus a mark per key used since the sweep last passed it (a dict entry, about 30 bytes),
where exact LRU costs 100+ bytes per key in pure Python.

Garbage collection: the marks are dicts of keys to ``None``, which the collector does not
track at all, and the queue is a :class:`ChunkedQueue`, whose items sit in tuples the
collector untracks. A full collection passes over neither: on the 2-core test machine a
``deque`` of a million scattered records costs about 90 ms per full collection (it reads
every item's header), an ``OrderedDict`` about 180 ms, a ``set`` of strings about 60.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Iterator
from typing import Generic, TypeVar

__all__ = ["ChunkedQueue", "LruMap", "SweepOrder"]

K = TypeVar("K")
V = TypeVar("V")
T = TypeVar("T")

CHUNK = 512
"""Items per tuple of a :class:`ChunkedQueue`."""

COMPACT_SLACK = 1024
"""Removed keys left in a sweep queue beyond half the live keys trigger a compaction."""


class ChunkedQueue(Generic[T]):
    """A first-in, first-out queue that a full garbage collection does not walk.

    Items are appended to a short list; every :data:`CHUNK` of them become a tuple, and
    the collector untracks a tuple of untracked items (strings, ``gc=False`` records) at
    its next pass, so it never reads those items again. A ``deque`` holding the same
    items is tracked and its every item read on each full collection. Up to
    :data:`CHUNK` items already popped stay referenced by the chunk being read.
    """

    __slots__ = ("_chunks", "_head", "_pos", "_tail")

    def __init__(self, items: Iterable[T] = ()) -> None:
        self._chunks: deque[tuple[T, ...]] = deque()
        self._head: tuple[T, ...] = ()
        self._pos = 0
        self._tail: list[T] = []
        for item in items:
            self.append(item)

    def append(self, item: T) -> None:
        """Add ``item`` at the back."""
        tail = self._tail
        tail.append(item)
        if len(tail) >= CHUNK:
            self._chunks.append(tuple(tail))
            tail.clear()

    def popleft(self) -> T:
        """Remove and return the front item; ``IndexError`` when empty."""
        head = self._head
        pos = self._pos
        if pos >= len(head):
            if self._chunks:
                head = self._head = self._chunks.popleft()
            elif self._tail:
                head = self._head = tuple(self._tail)
                self._tail.clear()
            else:
                raise IndexError("pop from an empty ChunkedQueue")
            pos = 0
        self._pos = pos + 1
        return head[pos]

    def clear(self) -> None:
        """Remove every item."""
        self._chunks.clear()
        self._head = ()
        self._pos = 0
        self._tail.clear()

    def __len__(self) -> int:
        return len(self._head) - self._pos + CHUNK * len(self._chunks) + len(self._tail)

    def __iter__(self) -> Iterator[T]:
        yield from self._head[self._pos :]
        for chunk in self._chunks:
            yield from chunk
        yield from self._tail


class SweepOrder(Generic[K]):
    """The second-chance eviction order of a set of keys (see the module docstring).

    ``add`` appends a new key, ``use`` marks a present one, ``remove`` forgets one, and
    ``pop_victim`` returns the key the sweep evicts next. Every present key sits in the
    queue exactly once; a removed key stays in it, unlive, until the sweep or a
    compaction passes it (a key added again meanwhile takes that slot back, marked).
    Amortised O(1) per operation.
    """

    __slots__ = ("_marked", "_queue", "_removed")

    def __init__(self) -> None:
        self._queue: ChunkedQueue[K] = ChunkedQueue()
        # dicts of None rather than sets: smaller, and untracked by the garbage collector
        self._marked: dict[K, None] = {}
        self._removed: dict[K, None] = {}

    def add(self, key: K) -> None:
        """Append ``key``, which must not be present, as the newest unmarked key."""
        removed = self._removed
        if key in removed:  # its old slot is still queued: take it back, as a use
            del removed[key]
            self._marked[key] = None
        else:
            self._queue.append(key)

    def use(self, key: K) -> None:
        """Mark present ``key`` as used since the sweep last passed it."""
        self._marked[key] = None

    def remove(self, key: K) -> None:
        """Forget present ``key`` (its queue slot is dropped lazily)."""
        self._marked.pop(key, None)
        removed = self._removed
        removed[key] = None
        if len(removed) > (len(self._queue) >> 1) + COMPACT_SLACK:
            self._queue = ChunkedQueue(k for k in self._queue if k not in removed)
            removed.clear()

    def pop_victim(self, spare: K | None = None) -> K:
        """Remove and return the key the sweep evicts next; ``KeyError`` when empty.

        ``spare`` (the key being written) is passed over like a marked key: it is
        returned only when no other key is present."""
        queue = self._queue
        marked = self._marked
        removed = self._removed
        if marked and len(marked) >= len(queue) - len(removed):
            # Every key is marked: a full pass would unmark them all and leave the order
            # as it is, so unmark them at once (O(1) in Python, not a pass over the queue).
            marked.clear()
        while queue:
            key = queue.popleft()
            if key in removed:
                del removed[key]
            elif key in marked:
                del marked[key]
                queue.append(key)
            elif spare is not None and key == spare and len(queue) > len(removed):
                spare = None
                queue.append(key)
            else:
                return key
        raise KeyError("pop_victim from an empty SweepOrder")

    def keys(self) -> list[K]:
        """The present keys in the order they would be evicted if none were used again:
        the unmarked ones, then the marked ones, each in queue order (for tests and
        debugging)."""
        live = [k for k in self._queue if k not in self._removed]
        marked = self._marked
        return [k for k in live if k not in marked] + [k for k in live if k in marked]

    def clear(self) -> None:
        """Forget every key."""
        self._queue.clear()
        self._marked.clear()
        self._removed.clear()


class LruMap(Generic[K, V]):
    """A bounded or unbounded map with second-chance (approximate LRU) eviction.

    ``data`` is the underlying plain dict (read it directly for speed; write only through
    :meth:`put` and :meth:`pop`; its iteration order is insertion order, not recency).
    ``on_evict(key, value)`` is called for each entry evicted by a :meth:`put` that
    exceeded the limit (never for :meth:`pop` or :meth:`clear`), after the entry left
    the map. ``on_remove(key, value)`` is called when a value leaves the map otherwise
    (never for :meth:`clear`): taken out by :meth:`pop`, or replaced by a :meth:`put` of
    another object under its key, after the change. What eviction guarantees is in the
    module docstring.
    """

    __slots__ = ("_order", "data", "limit", "on_evict", "on_remove")

    def __init__(
        self,
        limit: int | None = None,
        on_evict: Callable[[K, V], None] | None = None,
        on_remove: Callable[[K, V], None] | None = None,
    ) -> None:
        if limit is not None and limit < 0:
            raise ValueError(f"a cache limit must be >= 0 or None, not {limit}")
        self.limit = limit
        self.on_evict = on_evict
        self.on_remove = on_remove
        self.data: dict[K, V] = {}
        self._order: SweepOrder[K] | None = SweepOrder() if limit is not None else None

    def put(self, key: K, value: V) -> None:
        """Store ``value`` under ``key`` (a write counts as a use); evict beyond the limit."""
        data = self.data
        order = self._order
        on_remove = self.on_remove
        old = data.get(key) if on_remove is not None else None
        if order is None:
            data[key] = value
        elif key in data:
            order.use(key)
            data[key] = value
        else:
            data[key] = value
            order.add(key)
            self._evict_beyond_limit(order, key)
            return
        if old is not None and old is not value and on_remove is not None:
            on_remove(key, old)

    def _evict_beyond_limit(self, order: SweepOrder[K], key: K) -> None:
        data = self.data
        limit = self.limit
        assert limit is not None
        while len(data) > limit:
            victim = order.pop_victim(key)
            evicted = data.pop(victim)
            if self.on_evict is not None:
                self.on_evict(victim, evicted)

    def touch(self, key: K) -> bool:
        """Mark ``key`` as used; returns whether it is present."""
        if key not in self.data:
            return False
        if self._order is not None:
            self._order.use(key)
        return True

    def pop(self, key: K) -> V | None:
        """Remove and return ``key``'s value (``None`` when absent); ``on_remove``, not
        ``on_evict``, is called."""
        value = self.data.pop(key, None)
        if value is not None:
            if self._order is not None:
                self._order.remove(key)
            if self.on_remove is not None:
                self.on_remove(key, value)
        return value

    def clear(self) -> None:
        """Remove every entry (no eviction callbacks)."""
        self.data.clear()
        if self._order is not None:
            self._order.clear()

    def recency(self) -> list[K]:
        """The keys in the order they would be evicted if none were used again
        (insertion order when unbounded)."""
        if self._order is None:
            return list(self.data)
        return self._order.keys()

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
