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
    "parse_snowflake",
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
_MAX_DIGITS: Final = len(str(MAX_SNOWFLAKE))


def parse_snowflake(snowflake: str | int) -> int:
    """The value of ``snowflake``: an ``int``, or a ``str`` of ASCII digits ``0-9`` only.

    Guaranteed in 0..2**64-1. Signs, whitespace, underscores and non-ASCII digits such as
    fullwidth or Arabic-Indic ones (all of which ``str.isdigit`` or ``int()`` accept) raise
    ``ValueError``; anything that is neither ``str`` nor ``int`` (``bool`` included) raises
    ``TypeError``.
    """
    if isinstance(snowflake, bool) or not isinstance(snowflake, (str, int)):
        raise TypeError(f"a snowflake is a decimal string or an int, not {type(snowflake)!r}")
    if isinstance(snowflake, str):
        if not (0 < len(snowflake) <= _MAX_DIGITS and snowflake.isascii() and snowflake.isdigit()):
            raise ValueError(f"snowflake {snowflake!r} is not a string of ASCII digits")
        value = int(snowflake)
    else:
        value = snowflake
    if not 0 <= value <= MAX_SNOWFLAKE:
        raise ValueError(f"snowflake {snowflake!r} is outside the unsigned 64-bit range")
    return value


def snowflake_timestamp_ms(snowflake: str | int) -> int:
    """Unix time in milliseconds at which ``snowflake`` was created.

    Raises ``ValueError`` for a string that is not ASCII digits or a value outside
    0..2**64-1, ``TypeError`` for anything that is neither ``str`` nor ``int``.
    """
    return (parse_snowflake(snowflake) >> _TIMESTAMP_SHIFT) + FLUXER_EPOCH


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
