"""A manual wall clock for sandbox worlds (Unix seconds; moves only when told)."""

from __future__ import annotations


class ManualClock:
    """Reads ``now`` (Unix seconds, default 2026-06-01T00:00:00Z); :meth:`advance` moves it."""

    def __init__(self, now: float = 1_780_272_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds
