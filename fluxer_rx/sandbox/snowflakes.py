"""Snowflake ids and timestamps as the sandbox makes them (Fluxer's layout, read from
``../shared/PROTOCOL.md`` §5; the sandbox never imports the client's snowflake helpers).

A snowflake is ``(unix_ms - FLUXER_EPOCH_MS) << 22 | worker << 17 | increment``, written
as a decimal string on the wire. :class:`SnowflakeMinter` makes them from a clock, so
every id carries the time (real or simulated) at which it was made.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Final

__all__ = [
    "FLUXER_EPOCH_MS",
    "Clock",
    "SnowflakeMinter",
    "iso_timestamp",
    "make_snowflake",
    "snowflake_ms",
]

FLUXER_EPOCH_MS: Final = 1420070400000
"""Fluxer's snowflake epoch (2015-01-01T00:00:00Z), in Unix milliseconds."""

Clock = Callable[[], float]
"""A wall clock: the current Unix time in seconds, as :func:`time.time` returns it."""

_TIMESTAMP_SHIFT: Final = 22
_WORKER_SHIFT: Final = 17
_MAX_INCREMENT: Final = 0xFFF


def snowflake_ms(snowflake: str | int) -> int:
    """Return the Unix-milliseconds timestamp encoded in ``snowflake``."""
    return (int(snowflake) >> _TIMESTAMP_SHIFT) + FLUXER_EPOCH_MS


def make_snowflake(unix_ms: int, *, worker: int = 0, increment: int = 0) -> str:
    """The snowflake made at ``unix_ms`` by ``worker`` (0..31) with ``increment``
    (0..4095); raises ``ValueError`` for a time before the epoch or fields out of range."""
    offset = unix_ms - FLUXER_EPOCH_MS
    if offset < 0 or offset >= 1 << (64 - _TIMESTAMP_SHIFT):
        raise ValueError(f"{unix_ms} ms is outside the snowflake range")
    if not 0 <= worker < 32 or not 0 <= increment <= _MAX_INCREMENT:
        raise ValueError("worker must be 0..31 and increment 0..4095")
    return str(offset << _TIMESTAMP_SHIFT | worker << _WORKER_SHIFT | increment)


def iso_timestamp(unix_ms: int) -> str:
    """Format Unix milliseconds the way Fluxer does (JavaScript ``toISOString``)."""
    moment = datetime.fromtimestamp(unix_ms / 1000, tz=UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{unix_ms % 1000:03d}Z"


class SnowflakeMinter:
    """Makes strictly increasing snowflakes whose timestamp is the clock's time.

    * :meth:`mint` stamps an id with :meth:`now_ms`; ids made in the same millisecond
      differ in their increment. Past 4096 ids in one millisecond an id takes the next
      millisecond, and if the clock goes back ids keep the newest id's time: ids never
      repeat or go down, and are never earlier than the clock.
    * :meth:`now_ms` is the clock rounded to the millisecond, never earlier than the
      newest id's time.
    * Inside :meth:`history`, the clock is not read: each id is made 1 ms after the
      previous one, starting at a given time (to lay out a past, as seeding does).

    ``clock`` defaults to :func:`time.time`; pass a simulated one to make ids that carry
    simulated time. ``worker`` (0..31) fills bits 17..21.
    """

    def __init__(self, clock: Clock = time.time, *, worker: int = 1) -> None:
        if not 0 <= worker < 32:
            raise ValueError("worker must be 0..31")
        self.clock = clock
        self.worker = worker
        self._last_ms = FLUXER_EPOCH_MS
        self._increment = -1
        self._history_ms: int | None = None

    def now_ms(self) -> int:
        """The current time in Unix ms: the clock's (or, inside :meth:`history`, the
        newest id's), never earlier than the newest id's time."""
        if self._history_ms is not None:
            return self._last_ms
        return max(round(self.clock() * 1000), self._last_ms)

    def mint(self) -> str:
        """Make the next snowflake (see the class docstring)."""
        if self._history_ms is not None:
            self._history_ms += 1
            ms = max(self._history_ms, self._last_ms)
        else:
            ms = self.now_ms()
        if ms == self._last_ms:
            self._increment += 1
            if self._increment > _MAX_INCREMENT:
                ms, self._increment = ms + 1, 0
        else:
            self._increment = 0
        self._last_ms = ms
        return make_snowflake(ms, worker=self.worker, increment=self._increment)

    def reserve(self, count: int) -> int:
        """Reserve ``count`` ids for a caller that writes them itself; return the first.

        Id ``i`` (0-based) of the block is ``first + ((i >> 12) << 22) + (i & 0xFFF)``:
        4096 per millisecond from the millisecond after the newest id (or the clock's,
        if later), so the block is larger than every id made before it and smaller than
        every id made after it.
        """
        if count < 1:
            raise ValueError(f"count must be >= 1, got {count}")
        first_ms = max(self._last_ms + 1, self.now_ms())
        self._last_ms = first_ms + ((count - 1) >> 12)
        self._increment = (count - 1) & _MAX_INCREMENT
        return int(make_snowflake(first_ms, worker=self.worker))

    @contextlib.contextmanager
    def history(self, start_ms: int) -> Iterator[None]:
        """Within the block, make ids 1 ms apart from ``start_ms + 1`` on, whatever the
        clock says (ids still never go down); afterwards, follow the clock again."""
        self._history_ms = start_ms
        try:
            yield
        finally:
            self._history_ms = None
