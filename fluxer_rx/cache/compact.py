"""Compact encodings of the scalars the cache stores many times: asset hashes as bytes,
ISO-8601 timestamps as Unix milliseconds, repeated short strings shared.

Each ``pack``/``to`` function has an exact inverse for the values Fluxer sends
(``unpack_hash(pack_hash(h)) == h``; ``ms_to_iso`` writes Fluxer's own format), so a
cached record gives back what the wire said.
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime, timedelta
from typing import Final

__all__ = ["intern_or_none", "iso_to_ms", "ms_to_iso", "pack_hash", "unpack_hash"]

_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)
_MS: Final = timedelta(milliseconds=1)


def iso_to_ms(value: str | None) -> int | None:
    """Unix milliseconds of an ISO-8601 timestamp (naive means UTC); ``None`` for
    ``None`` or an unparseable value."""
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return (moment - _EPOCH) // _MS


def ms_to_iso(ms: int | None) -> str | None:
    """Unix milliseconds as Fluxer writes timestamps: ``YYYY-MM-DDTHH:MM:SS.mmmZ``."""
    if ms is None:
        return None
    moment = _EPOCH + timedelta(milliseconds=ms)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{ms % 1000:03d}Z"


def intern_or_none(value: str | None) -> str | None:
    """``value`` as a shared (interned) string; ``None`` stays ``None``."""
    # discriminators repeat across users (at most 10,000 values): share one string each
    return sys.intern(value) if value is not None else None


def pack_hash(value: str | None) -> str | bytes | None:
    """An asset hash in compact form: 32 lowercase hex digits (``a_``-prefixed for
    animated) become 16 bytes (17 with a leading ``1``); anything else stays as is."""
    if value is None or len(value) not in (32, 34):
        return value
    animated = value.startswith("a_")
    digits = value[2:] if animated else value
    if len(digits) != 32:
        return value
    try:
        raw = bytes.fromhex(digits)
    except ValueError:
        return value
    if raw.hex() != digits:  # upper case or spaces: keep the exact text
        return value
    return b"\x01" + raw if animated else raw


def unpack_hash(value: str | bytes | None) -> str | None:
    """The inverse of :func:`pack_hash`."""
    if value is None or isinstance(value, str):
        return value
    if len(value) == 17:
        return "a_" + value[1:].hex()
    return value.hex()
