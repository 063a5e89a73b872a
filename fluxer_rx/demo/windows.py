"""Counting over time for the demo's analytics: per-second rates and sliding windows.

Both classes take the time of each observation from a clock passed in (``clock()``, in
seconds), so they are tested with a fake clock. Memory is bounded by the window's length
in whole seconds (plus the distinct keys seen inside it), never by the number of events.
"""

from __future__ import annotations

import math
from collections import Counter, deque
from collections.abc import Callable, Hashable, Sequence
from typing import Final, Generic, TypeVar

__all__ = ["RateHistory", "SlidingCounter", "sparkline"]

K = TypeVar("K", bound=Hashable)

_BARS: Final = "▁▂▃▄▅▆▇█"


def sparkline(values: Sequence[float], *, ceiling: float | None = None) -> str:
    """One block character per value, scaled to ``ceiling`` (default: the largest value).

    An empty ``values`` gives ``""``; zero (or an all-zero series) is the lowest bar, so
    the line never has holes. Every character is one terminal cell wide.
    """
    if not values:
        return ""
    top = ceiling if ceiling is not None else max(values)
    if top <= 0:
        return _BARS[0] * len(values)
    last = len(_BARS) - 1
    return "".join(_BARS[min(last, max(0, math.ceil(v / top * last)))] for v in values)


class SlidingCounter(Generic[K]):
    """Counts per key over the last ``window`` seconds, in buckets of ``bucket`` seconds.

    :meth:`add` counts a key now; :meth:`counts` and :meth:`most_common` cover the buckets
    that started less than ``window`` seconds ago (so up to one bucket more than the
    window while the current bucket fills). Old buckets are dropped as time moves on.
    """

    def __init__(self, window: float, clock: Callable[[], float], *, bucket: float = 1.0) -> None:
        if not window > 0 or not bucket > 0:
            raise ValueError("window and bucket must be > 0")
        self.window = window
        self.bucket = bucket
        self._clock = clock
        self._buckets: deque[tuple[int, Counter[K]]] = deque()
        self._total: Counter[K] = Counter()

    def _expire(self, now_index: int) -> None:
        oldest = now_index - max(1, math.ceil(self.window / self.bucket))
        while self._buckets and self._buckets[0][0] <= oldest:
            _, counts = self._buckets.popleft()
            self._total.subtract(counts)
            for key in counts:
                if self._total[key] <= 0:
                    del self._total[key]

    def add(self, key: K, count: int = 1) -> None:
        """Count ``key`` ``count`` times at the clock's current time."""
        index = math.floor(self._clock() / self.bucket)
        self._expire(index)
        if not self._buckets or self._buckets[-1][0] != index:
            self._buckets.append((index, Counter()))
        self._buckets[-1][1][key] += count
        self._total[key] += count

    def counts(self) -> Counter[K]:
        """A copy of the counts inside the window now."""
        self._expire(math.floor(self._clock() / self.bucket))
        return Counter(self._total)

    def count(self, key: K) -> int:
        """The count of ``key`` inside the window now."""
        self._expire(math.floor(self._clock() / self.bucket))
        return self._total.get(key, 0)

    def most_common(self, n: int) -> list[tuple[K, int]]:
        """The ``n`` keys with the highest counts inside the window, highest first (ties:
        the key seen first in the window first)."""
        return self.counts().most_common(n)


class RateHistory:
    """Events per whole second since ``start``, keeping the last ``keep`` complete seconds.

    :meth:`add` counts events now; :meth:`completed` gives the counts of the seconds that
    are over (oldest first), the series a sparkline draws; :attr:`total` and :attr:`peak`
    cover the whole run.
    """

    def __init__(self, clock: Callable[[], float], *, keep: int = 60) -> None:
        if keep < 1:
            raise ValueError("keep must be >= 1")
        self._clock = clock
        self._start = clock()
        self._keep = keep
        self._second = 0
        self._current = 0
        self._done: deque[int] = deque(maxlen=keep)
        self.total = 0
        self.peak = 0

    def _roll(self) -> None:
        second = math.floor(self._clock() - self._start)
        if second <= self._second:
            return
        self._done.append(self._current)
        self.peak = max(self.peak, self._current)
        self._done.extend([0] * min(second - self._second - 1, self._keep))
        self._current = 0
        self._second = second

    def add(self, count: int = 1) -> None:
        """Count ``count`` events now."""
        self._roll()
        self._current += count
        self.total += count

    def completed(self) -> list[int]:
        """Counts of the last completed seconds, oldest first (at most ``keep``)."""
        self._roll()
        return list(self._done)

    def seconds_done(self) -> int:
        """How many whole seconds are over since ``start`` (all of them, not only kept)."""
        self._roll()
        return self._second

    def elapsed(self) -> float:
        """Seconds since ``start``."""
        return self._clock() - self._start
