"""Snowflake ids and timestamps as the sandbox makes them (Fluxer's layout, read from
``../shared/PROTOCOL.md``; the sandbox never imports the client's snowflake helpers).

A snowflake is ``(unix_ms - FLUXER_EPOCH_MS) << 22 | worker << 17 | increment``, written
as a decimal string on the wire.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Final

__all__ = ["FLUXER_EPOCH_MS", "iso_timestamp", "snowflake_ms"]

FLUXER_EPOCH_MS: Final = 1420070400000
"""Fluxer's snowflake epoch (2015-01-01T00:00:00Z), in Unix milliseconds."""


def snowflake_ms(snowflake: str | int) -> int:
    """Return the Unix-milliseconds timestamp encoded in ``snowflake``."""
    return (int(snowflake) >> 22) + FLUXER_EPOCH_MS


def iso_timestamp(unix_ms: int) -> str:
    """Format Unix milliseconds the way Fluxer does (JavaScript ``toISOString``)."""
    moment = datetime.fromtimestamp(unix_ms / 1000, tz=UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{unix_ms % 1000:03d}Z"
