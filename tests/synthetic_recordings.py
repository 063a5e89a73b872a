"""Recordings with exact, synthetic times, for replay-on-recorded-time and event-time tests.

Each message's snowflake carries the time it was "sent": the recording's start plus its
``at``, so event time and recorded time agree unless a test makes them differ.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import msgspec

from fluxer_rx.models.snowflake import FLUXER_EPOCH

STARTED_AT = datetime(2026, 12, 1, 12, 0, 0, tzinfo=UTC)
"""When every synthetic recording started (an exact second)."""


@dataclass(frozen=True)
class Sent:
    """One message of a synthetic recording: received ``at`` seconds after the start,
    created ``created`` seconds after the start (its snowflake's time)."""

    at: float
    created: float
    channel: str = "5"
    user: str = "8"


def snowflake(seconds_after_start: float, sequence: int) -> str:
    """A snowflake created ``seconds_after_start`` after :data:`STARTED_AT`."""
    ms = round((STARTED_AT.timestamp() + seconds_after_start) * 1000)
    return str(((ms - FLUXER_EPOCH) << 22) | (sequence & 0xFFF))


def message_line(sent: Sent, s: int) -> bytes:
    d = {
        "id": snowflake(sent.created, s),
        "channel_id": sent.channel,
        "guild_id": "1",
        "author": {"id": sent.user, "username": f"user{sent.user}"},
        "content": f"message {s}",
        "timestamp": "2026-12-01T12:00:00Z",
    }
    entry: dict[str, Any] = {
        "at": round(sent.at, 6),
        "shard": 0,
        "op": 0,
        "s": s,
        "t": "MESSAGE_CREATE",
        "d": d,
    }
    return msgspec.json.encode(entry)


def header() -> bytes:
    return msgspec.json.encode(
        {
            "format": "fluxer_rx.recording",
            "version": 1,
            "gateway_version": "1",
            "started_at": STARTED_AT.isoformat(),
        }
    )


def write_recording(path: Path, messages: list[Sent]) -> Path:
    """A recording of ``messages`` (in list order, sequence numbers from 1)."""
    lines = [header()] + [message_line(m, s) for s, m in enumerate(messages, 1)]
    path.write_bytes(b"\n".join(lines) + b"\n")
    return path


def steady(seconds: int, per_second: int) -> list[Sent]:
    """``per_second`` messages in each of ``seconds`` seconds, all in the middle half of
    their second (from .25 to .75), created when received."""
    step = 0.5 / per_second
    return [
        Sent(at, at)
        for second in range(seconds)
        for at in (second + 0.25 + i * step for i in range(per_second))
    ]
