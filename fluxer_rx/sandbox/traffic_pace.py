"""When the sandbox's traffic steps happen: at a steady rate, or in seeded bursts and lulls
around it.

A :class:`TrafficPace` is a pure schedule (no clock, no I/O): :meth:`TrafficPace.offsets`
gives the time of each step in seconds from the start, so the same pace drives real-time
traffic (:meth:`TrafficGenerator.run`) or a simulated clock alike.

Bursty pacing varies the rate over *phases* (0.5 to 3 s each): about a quarter are bursts
(2.5 to 4 times the mean), a quarter lulls (0.1 to 0.4 times), the rest near the mean.
Phases come in cycles of four whose rates are scaled so that each cycle's time-weighted
mean is exactly the configured rate: at the end of every cycle, ``floor(rate * t)`` steps
have happened (up to float rounding), so over minutes the mean is the configured one
while each second differs.
The same ``seed`` gives the same phases and step times.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Final

__all__ = ["Phase", "TrafficPace"]

PHASES_PER_CYCLE: Final = 4
"""Phases per cycle; each cycle's mean rate is exactly the configured rate."""


@dataclass(frozen=True, slots=True)
class Phase:
    """A span of constant rate: ``rate`` steps per second from ``start`` for ``duration``
    seconds (offsets from the start of the traffic)."""

    start: float
    duration: float
    rate: float

    @property
    def end(self) -> float:
        """``start + duration``."""
        return self.start + self.duration


class TrafficPace:
    """The step times of traffic at mean ``rate`` steps per second (see the module docstring).

    ``bursts=False`` is a steady pace: step ``n`` (1-based) at ``n / rate`` seconds.
    ``bursts=True`` varies the rate by seeded phases; ``seed`` picks them. Raises
    ``ValueError`` unless ``rate`` is a finite number > 0.
    """

    def __init__(self, rate: float, *, bursts: bool = False, seed: int = 0) -> None:
        if isinstance(rate, bool) or not isinstance(rate, int | float):
            raise ValueError(f"rate must be a finite number > 0, got {rate!r}")
        if not math.isfinite(rate) or rate <= 0:
            raise ValueError(f"rate must be a finite number > 0, got {rate!r}")
        self.rate = float(rate)
        self.bursts = bursts
        self.seed = seed
        self._rng = random.Random(f"fluxer-sandbox-pace:{seed}")
        self._phases: list[Phase] = []

    def phases(self) -> Iterator[Phase]:
        """Every phase in order, without end (one phase at the mean rate, forever, when
        steady)."""
        if not self.bursts:
            yield Phase(0.0, math.inf, self.rate)
            return
        index = 0
        while True:
            while index >= len(self._phases):
                self._add_cycle()
            yield self._phases[index]
            index += 1

    def rate_at(self, t: float) -> float:
        """The rate (steps per second) at ``t`` seconds from the start (``t >= 0``)."""
        if t < 0:
            raise ValueError(f"t must be >= 0, got {t!r}")
        for phase in self.phases():
            if t < phase.end:
                return phase.rate
        raise AssertionError("phases never end")  # pragma: no cover - phases() is endless

    def offsets(self) -> Iterator[float]:
        """The time of each step in seconds from the start, step 1 first, without end:
        step ``n`` happens when the rate integrated from 0 reaches ``n``."""
        if not self.bursts:
            n = 0
            while True:
                n += 1
                yield n / self.rate
        done = 0.0  # steps' worth of rate integrated up to the current phase's start
        n = 1
        for phase in self.phases():
            worth = phase.rate * phase.duration
            while n <= done + worth:
                yield phase.start + (n - done) / phase.rate
                n += 1
            done += worth

    def _add_cycle(self) -> None:
        rng = self._rng
        durations = [rng.uniform(0.5, 3.0) for _ in range(PHASES_PER_CYCLE)]
        weights = []
        for _ in range(PHASES_PER_CYCLE):
            kind = rng.random()
            if kind < 0.25:
                weights.append(rng.uniform(2.5, 4.0))
            elif kind < 0.5:
                weights.append(rng.uniform(0.1, 0.4))
            else:
                weights.append(rng.uniform(0.7, 1.3))
        total = sum(durations)
        scale = self.rate * total / sum(w * d for w, d in zip(weights, durations, strict=True))
        start = self._phases[-1].end if self._phases else 0.0
        for weight, duration in zip(weights, durations, strict=True):
            self._phases.append(Phase(start, duration, weight * scale))
            start += duration
