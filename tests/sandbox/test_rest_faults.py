"""The REST fault switches: scripted order, bucket filters, seeded randomness, validation."""

from __future__ import annotations

import pytest

from fluxer_rx.sandbox.rest_faults import Fault, RestFaults


def test_scripted_faults_apply_in_order_to_matching_buckets() -> None:
    faults = RestFaults()
    faults.fail_next(2, status=502, bucket="channel:message:create")
    faults.rate_limit_next(1, retry_after=0.3)
    assert faults.pending == 3
    assert faults.pick("channel:read") == Fault("rate_limit", retry_after=0.3)
    assert faults.pick("channel:read") is None
    assert faults.pick("channel:message:create") == Fault("error", status=502)
    assert faults.pick("channel:message:create") == Fault("error", status=502)
    assert faults.pick("channel:message:create") is None
    assert faults.pending == 0
    assert faults.injected == {"error": 2, "rate_limit": 1}


def test_a_server_error_may_say_when_to_come_back() -> None:
    faults = RestFaults()
    faults.fail_next(status=503, retry_after=3600)
    faults.fail_next(status=500)
    assert faults.pick("x") == Fault("error", status=503, header_retry_after=3600)
    assert faults.pick("x") == Fault("error", status=500, header_retry_after=None)


def test_drop_and_slow_and_clear() -> None:
    faults = RestFaults()
    faults.drop_next()
    faults.slow_next(2, delay=0.5)
    assert faults.pick("x") == Fault("drop")
    assert faults.pick("x") == Fault("slow", delay=0.5)
    faults.set_random(error_rate=1.0)
    faults.clear()
    assert faults.pending == 0
    assert faults.pick("x") is None


def test_random_faults_follow_the_seed_and_the_rates() -> None:
    def draw(seed: int) -> list[str | None]:
        faults = RestFaults(seed)
        faults.set_random(error_rate=0.25, rate_limit_rate=0.25, drop_rate=0.25, slow_rate=0.25)
        return [f.kind if (f := faults.pick("b")) else None for _ in range(200)]

    first = draw(1)
    assert first == draw(1)
    assert first != draw(2)
    assert None not in first
    assert {"error", "rate_limit", "drop", "slow"} == set(first)
    off = RestFaults(1)
    assert [off.pick("b") for _ in range(20)] == [None] * 20


def test_bad_switches_are_refused() -> None:
    faults = RestFaults()
    with pytest.raises(ValueError, match="5xx"):
        faults.fail_next(status=404)
    with pytest.raises(ValueError, match="count"):
        faults.drop_next(0)
    with pytest.raises(ValueError, match="delay"):
        faults.slow_next(delay=-1)
    with pytest.raises(ValueError, match="retry_after"):
        faults.rate_limit_next(retry_after=-1)
    with pytest.raises(ValueError, match="retry_after"):
        faults.fail_next(status=503, retry_after=-1)
    with pytest.raises(ValueError, match="rates"):
        faults.set_random(error_rate=0.6, drop_rate=0.6)
    with pytest.raises(ValueError, match="error_status"):
        faults.set_random(error_status=200)
    assert faults.pending == 0
