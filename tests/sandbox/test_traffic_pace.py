"""Traffic pacing: steady or in seeded bursts around the configured mean rate."""

from __future__ import annotations

import bisect
import itertools
import math

import pytest

from fluxer_rx.sandbox.traffic_pace import PHASES_PER_CYCLE, TrafficPace


def first(pace: TrafficPace, n: int) -> list[float]:
    return list(itertools.islice(pace.offsets(), n))


def until(pace: TrafficPace, seconds: float) -> list[float]:
    return list(itertools.takewhile(lambda t: t <= seconds, pace.offsets()))


def test_steady_pace_is_one_step_every_1_over_rate() -> None:
    assert first(TrafficPace(4.0), 5) == [0.25, 0.5, 0.75, 1.0, 1.25]
    assert TrafficPace(4.0).rate_at(1e6) == 4.0


def test_a_seed_gives_the_same_bursts_and_another_seed_others() -> None:
    a, b, c = (first(TrafficPace(30.0, bursts=True, seed=s), 2000) for s in (5, 5, 6))
    assert a == b and a != c
    assert a == sorted(a) and len(set(a)) == len(a)


@pytest.mark.parametrize(("rate", "seed"), [(0.5, 0), (20.0, 1), (300.0, 2)])
def test_every_cycle_keeps_the_configured_mean(rate: float, seed: int) -> None:
    pace = TrafficPace(rate, bursts=True, seed=seed)
    phases = list(itertools.islice(pace.phases(), PHASES_PER_CYCLE * 30))
    offsets = until(pace, phases[-1].end)
    for cycle_end in (p.end for p in phases[PHASES_PER_CYCLE - 1 :: PHASES_PER_CYCLE]):
        steps = bisect.bisect_right(offsets, cycle_end + 1e-9)
        assert abs(steps - rate * cycle_end) <= 1.0, (cycle_end, steps)
    assert abs(len(offsets) / phases[-1].end - rate) <= rate * 0.01 + 1 / phases[-1].end


def test_the_rate_varies_from_second_to_second() -> None:
    rate = 50.0
    pace = TrafficPace(rate, bursts=True, seed=3)
    per_second = [0] * 120
    for t in until(pace, 119.999):
        per_second[math.floor(t)] += 1
    assert max(per_second) > 2 * rate and min(per_second) < rate / 2
    phases = list(itertools.islice(pace.phases(), 40))
    assert any(p.rate > 2 * rate for p in phases) and any(p.rate < rate / 2 for p in phases)
    assert all(0.5 <= p.duration <= 3.0 for p in phases)
    assert [pace.rate_at(p.start + p.duration / 2) for p in phases] == [p.rate for p in phases]


@pytest.mark.parametrize("rate", [0, -1.0, math.inf, math.nan, True])
def test_a_rate_must_be_a_positive_finite_number(rate: float) -> None:
    with pytest.raises(ValueError, match=r"^rate must be a finite number > 0, got "):
        TrafficPace(rate, bursts=True)
