"""Rules of the sandbox's server-side REST rate limiter, on a fake clock."""

from __future__ import annotations

import pytest

from fluxer_rx.sandbox.ratelimit import DEFAULT_RULES, RateLimiter, bucket_hash


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


WALL = 1_800_000_000.0


def limiter(style: str = "N", **kwargs: object) -> tuple[RateLimiter, FakeClock]:
    clock = FakeClock()
    lim = RateLimiter(
        header_style=style,  # type: ignore[arg-type]
        clock=clock,
        wall_clock=lambda: WALL + clock.now - 1000.0,
        **kwargs,  # type: ignore[arg-type]
    )
    return lim, clock


def test_s_fixed_window_allows_limit_then_refuses_until_window_ends() -> None:
    lim, clock = limiter("S", overrides={"channel:message:create": (3, 1.0)})
    for expected_remaining in ("2", "1", "0"):
        d = lim.acquire("channel:message:create", "c1", "u1")
        assert d.allowed
        assert d.headers["X-RateLimit-Remaining"] == expected_remaining
        assert d.headers["X-RateLimit-Limit"] == "3"
    clock.now += 0.25
    refused = lim.acquire("channel:message:create", "c1", "u1")
    assert not refused.allowed
    assert not refused.is_global
    assert refused.retry_after == pytest.approx(0.75)
    assert refused.headers["X-RateLimit-Global"] == "false"
    assert refused.headers["Retry-After"] == "1"
    clock.now += 0.7499
    assert not lim.acquire("channel:message:create", "c1", "u1").allowed
    clock.now += 0.0001
    for _ in range(3):
        assert lim.acquire("channel:message:create", "c1", "u1").allowed
    assert lim.rejections == 2


def test_n_leaky_bucket_refills_continuously() -> None:
    lim, clock = limiter("N", overrides={"channel:message:create": (4, 1.0)})
    resets = []
    for expected_remaining in ("3", "2", "1", "0"):
        d = lim.acquire("channel:message:create", "c1", "u1")
        assert d.allowed and d.headers["X-RateLimit-Remaining"] == expected_remaining
        resets.append(d.headers["X-RateLimit-Reset-After"])
    assert resets == ["0.250", "0.500", "0.750", "1.000"]
    clock.now += 0.1
    refused = lim.acquire("channel:message:create", "c1", "u1")
    assert not refused.allowed
    assert refused.retry_after == pytest.approx(0.15)
    assert refused.headers["X-RateLimit-Scope"] == "user"
    assert refused.headers["X-RateLimit-Remaining"] == "0"
    assert refused.headers["X-RateLimit-Reset-After"] == "0.900"
    clock.now += 0.15
    assert lim.acquire("channel:message:create", "c1", "u1").allowed
    assert not lim.acquire("channel:message:create", "c1", "u1").allowed
    clock.now += 1.0
    for _ in range(4):
        assert lim.acquire("channel:message:create", "c1", "u1").allowed
    assert lim.rejections == 2


@pytest.mark.parametrize("style", ["S", "N"])
def test_issue5_benchmark_configuration(style: str) -> None:
    """10 per 1 s per channel and 50/s global: bursts of 10 per channel, 50 in total."""
    lim, clock = limiter(style, overrides={"channel:message:create": (10, 1.0)})
    for channel in range(5):
        for _ in range(10):
            assert lim.acquire("channel:message:create", f"c{channel}", "bot").allowed
        refused = lim.acquire("channel:message:create", f"c{channel}", "bot")
        assert not refused.allowed
        assert refused.is_global is (channel == 4)
    refused = lim.acquire("channel:message:create", "c5", "bot")
    assert not refused.allowed and refused.is_global
    clock.now += 1.0
    for _ in range(10):
        assert lim.acquire("channel:message:create", "c5", "bot").allowed


def test_a_client_that_waits_for_reset_is_never_refused() -> None:
    for style in ("S", "N"):
        lim, clock = limiter(style, overrides={"channel:typing": (5, 1.0)})  # type: ignore[arg-type]
        for _ in range(40):
            d = lim.acquire("channel:typing", "c", "u")
            assert d.allowed, style
            if d.headers["X-RateLimit-Remaining"] == "0":
                if style == "N":
                    clock.now += float(d.headers["X-RateLimit-Reset-After"])
                else:
                    clock.now = int(d.headers["X-RateLimit-Reset"]) - WALL + 1000.0
            else:
                clock.now += 0.01


def test_buckets_are_per_major_id_and_per_caller() -> None:
    lim, _ = limiter(overrides={"channel:message:create": (1, 1.0)})
    assert lim.acquire("channel:message:create", "c1", "u1").allowed
    assert not lim.acquire("channel:message:create", "c1", "u1").allowed
    assert lim.acquire("channel:message:create", "c2", "u1").allowed
    assert lim.acquire("channel:message:create", "c1", "u2").allowed
    assert lim.acquire("channel:typing", "c1", "u1").allowed


def test_global_limit_is_checked_first_and_refusals_consume_nothing() -> None:
    lim, clock = limiter(global_limit=4)
    for i in range(4):
        assert lim.acquire("channel:read", f"c{i}", "u1").allowed
    refused = lim.acquire("channel:read", "c9", "u1")
    assert not refused.allowed and refused.is_global
    assert dict(refused.headers) == {
        "X-RateLimit-Global": "true",
        "X-RateLimit-Scope": "global",
        "Retry-After": "1",
    }
    assert lim.acquire("channel:read", "c9", "u2").allowed
    clock.now += 1.0
    d = lim.acquire("channel:read", "c9", "u1")
    assert d.allowed
    assert d.headers["X-RateLimit-Remaining"] == "99"


def test_window_scale_shrinks_every_window() -> None:
    lim, clock = limiter(window_scale=0.01, overrides={"channel:pins": (1, 10.0)})
    assert lim.acquire("channel:pins", "c", "u").allowed
    refused = lim.acquire("channel:pins", "c", "u")
    assert refused.retry_after == pytest.approx(0.1)
    clock.now += 0.1
    assert lim.acquire("channel:pins", "c", "u").allowed


def test_n_style_headers() -> None:
    lim, clock = limiter("N")
    d = lim.acquire("channel:message:create", "c1", "u1")
    assert set(d.headers) == {
        "X-RateLimit-Limit",
        "X-RateLimit-Remaining",
        "X-RateLimit-Reset",
        "X-RateLimit-Reset-After",
        "X-RateLimit-Bucket",
    }
    assert d.headers["X-RateLimit-Reset-After"] == "0.500"
    assert float(d.headers["X-RateLimit-Reset"]) == pytest.approx(WALL + 0.5)
    assert d.headers["X-RateLimit-Bucket"] == bucket_hash("channel:message:create")
    assert len(d.headers["X-RateLimit-Bucket"]) == 16
    clock.now += 2.5
    d2 = lim.acquire("channel:message:create", "c2", "u1")
    assert d2.headers["X-RateLimit-Bucket"] == d.headers["X-RateLimit-Bucket"]
    assert not lim.acquire("instance:info", "", "ip:1", bot=False).headers


def test_s_style_headers() -> None:
    lim, _ = limiter("S", overrides={"channel:typing": (1, 10.0)})
    d = lim.acquire("channel:typing", "c1", "u1", bot=False)
    assert set(d.headers) == {"X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset"}
    assert d.headers["X-RateLimit-Reset"] == str(int(WALL + 10))
    refused = lim.acquire("channel:typing", "c1", "u1")
    assert refused.headers["X-RateLimit-Global"] == "false"
    assert refused.headers["Retry-After"] == "10"
    assert "X-RateLimit-Bucket" not in refused.headers


def test_forced_refusal_reports_its_delay_without_touching_buckets() -> None:
    lim, _ = limiter("N")
    d = lim.refusal("channel:read", "c", "u", 0.25, is_global=False)
    assert not d.allowed and d.retry_after == pytest.approx(0.25)
    assert d.headers["X-RateLimit-Remaining"] == "0"
    assert d.headers["X-RateLimit-Reset-After"] == "0.250"
    g = lim.refusal("channel:read", "c", "u", 0.0001, is_global=True)
    assert g.is_global and g.retry_after == 0.001
    assert lim.acquire("channel:read", "c", "u").headers["X-RateLimit-Remaining"] == "99"


def test_bad_configuration_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown bucket rule"):
        RateLimiter(overrides={"nope": (1, 1.0)})
    with pytest.raises(ValueError, match="limit"):
        RateLimiter(overrides={"channel:read": (0, 1.0)})
    with pytest.raises(ValueError, match="window_scale"):
        RateLimiter(window_scale=0)
    with pytest.raises(ValueError, match="header_style"):
        RateLimiter(header_style="X")  # type: ignore[arg-type]
    assert "channel:message:create" in DEFAULT_RULES
