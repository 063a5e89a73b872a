"""The retry policy's backoff, jitter and bounds."""

from __future__ import annotations

import pytest

from fluxer_rx.rest.retry import RetryPolicy


def test_backoff_doubles_with_equal_jitter_and_is_capped() -> None:
    low = RetryPolicy(backoff=0.5, backoff_max=3.0, random=lambda: 0.0)
    high = RetryPolicy(backoff=0.5, backoff_max=3.0, random=lambda: 0.999999)
    assert [low.backoff_delay(n) for n in range(5)] == [0.25, 0.5, 1.0, 1.5, 1.5]
    assert [round(high.backoff_delay(n), 3) for n in range(5)] == [0.5, 1.0, 2.0, 3.0, 3.0]


def test_retry_after_raises_the_delay_but_never_lowers_it() -> None:
    policy = RetryPolicy(backoff=1.0, random=lambda: 0.0)
    assert policy.backoff_delay(0, retry_after=2.5) == 2.5
    assert policy.backoff_delay(0, retry_after=0.01) == 0.5


def test_retries_are_bounded() -> None:
    policy = RetryPolicy(max_retries=2)
    assert [policy.can_retry(n) for n in range(4)] == [True, True, False, False]
    assert not RetryPolicy(max_retries=0).can_retry(0)
    with pytest.raises(ValueError):
        RetryPolicy(max_retries=-1)
