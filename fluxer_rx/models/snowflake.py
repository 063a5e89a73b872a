"""Snowflake ids: creation time from an id, and the smallest id for a given time.

Fluxer ids are Twitter-layout snowflakes sent as decimal strings: the top 42 bits count
milliseconds since :data:`FLUXER_EPOCH` (2015-01-01T00:00:00Z, the same epoch as Discord;
[S] ``fluxer_api/src/constants/Core.ts``), the low 22 bits hold worker, process and sequence.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Final

__all__ = [
    "FLUXER_EPOCH",
    "MAX_SNOWFLAKE",
    "snowflake_from_datetime",
    "snowflake_from_timestamp_ms",
    "snowflake_time",
    "snowflake_timestamp_ms",
]

FLUXER_EPOCH: Final = 1420070400000
"""Milliseconds since the Unix epoch at which snowflake time starts (2015-01-01 UTC)."""

MAX_SNOWFLAKE: Final = (1 << 64) - 1
"""The largest value a snowflake can hold (an unsigned 64-bit integer)."""

_TIMESTAMP_SHIFT: Final = 22


def _as_int(snowflake: str | int) -> int:
    if isinstance(snowflake, bool):
        raise TypeError("a snowflake is a decimal string or an int, not a bool")
    value = int(snowflake) if isinstance(snowflake, str) else snowflake
    if not isinstance(value, int):
        raise TypeError(f"a snowflake is a decimal string or an int, not {type(snowflake)!r}")
    if not 0 <= value <= MAX_SNOWFLAKE:
        raise ValueError(f"snowflake {snowflake!r} is outside the unsigned 64-bit range")
    return value


def snowflake_timestamp_ms(snowflake: str | int) -> int:
    """Unix time in milliseconds at which ``snowflake`` was created.

    Raises ``ValueError`` for a string that is not a decimal integer or a value outside
    0..2**64-1, ``TypeError`` for anything that is neither ``str`` nor ``int``.
    """
    return (_as_int(snowflake) >> _TIMESTAMP_SHIFT) + FLUXER_EPOCH


def snowflake_time(snowflake: str | int) -> datetime:
    """Creation time of ``snowflake`` as an aware UTC ``datetime`` (millisecond precision)."""
    ms = snowflake_timestamp_ms(snowflake)
    return datetime.fromtimestamp(ms / 1000, tz=UTC)


def snowflake_from_timestamp_ms(timestamp_ms: int) -> str:
    """The smallest snowflake (worker, process and sequence all 0) created at ``timestamp_ms``.

    Useful as a ``before``/``after`` bound when paging by time. Raises ``ValueError`` for a
    time before :data:`FLUXER_EPOCH` or beyond the 42-bit range.
    """
    offset = int(timestamp_ms) - FLUXER_EPOCH
    if offset < 0:
        raise ValueError(f"{timestamp_ms} ms is before the Fluxer epoch ({FLUXER_EPOCH} ms)")
    if offset >= 1 << (64 - _TIMESTAMP_SHIFT):
        raise ValueError(f"{timestamp_ms} ms is beyond the range of a snowflake")
    return str(offset << _TIMESTAMP_SHIFT)


def snowflake_from_datetime(when: datetime) -> str:
    """The smallest snowflake created at ``when``; a naive ``datetime`` is taken as UTC."""
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return snowflake_from_timestamp_ms(round(when.timestamp() * 1000))
