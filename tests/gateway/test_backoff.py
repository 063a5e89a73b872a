"""Backoff: exponential growth, full jitter, cap, immediate first try, floor, reset."""

from __future__ import annotations

import random

import pytest

from fluxer_rx.gateway.backoff import Backoff


def test_delays_stay_under_the_exponential_ceiling_and_the_cap() -> None:
    backoff = Backoff(base=0.5, cap=10.0, rng=random.Random(3))
    for n in range(40):
        delay = backoff.next_delay()
        assert 0.0 <= delay <= min(10.0, 0.5 * 2**n)
    assert backoff.attempts == 40


def test_full_jitter_spreads_over_the_whole_range() -> None:
    rng = random.Random(9)
    samples = []
    for _ in range(2000):
        backoff = Backoff(base=1.0, cap=60.0, rng=rng)
        for _ in range(4):
            delay = backoff.next_delay()
        samples.append(delay)  # 4th attempt: uniform(0, 8)
    assert min(samples) < 0.5 and max(samples) > 7.5
    assert 3.5 < sum(samples) / len(samples) < 4.5


def test_immediate_first_try_and_reset() -> None:
    backoff = Backoff(rng=random.Random(1))
    assert backoff.next_delay(immediate=True) == 0.0
    assert backoff.next_delay(immediate=True) <= 2.0
    backoff.reset()
    assert backoff.attempts == 0
    assert backoff.next_delay(immediate=True) == 0.0


def test_floor_wins_even_on_the_first_try() -> None:
    backoff = Backoff(rng=random.Random(1))
    assert backoff.next_delay(immediate=True, floor=5.0) >= 5.0


def test_huge_attempt_counts_do_not_overflow() -> None:
    backoff = Backoff(base=1.0, cap=30.0, rng=random.Random(2))
    for _ in range(3000):
        assert backoff.next_delay() <= 30.0


@pytest.mark.parametrize(("base", "cap"), [(0.0, 1.0), (2.0, 1.0), (-1.0, 5.0)])
def test_bad_parameters(base: float, cap: float) -> None:
    with pytest.raises(ValueError):
        Backoff(base, cap)
