"""Per-route buckets on a fake clock: learning, in-flight bounds, independence, 429s."""

from __future__ import annotations

import asyncio

import pytest

from fluxer_rx.rest.buckets import BucketLimiter, Permit
from fluxer_rx.rest.headers import BucketInfo
from fluxer_rx.rest.routes import Route
from tests.rest.fakes import FakeClock
from tests.util import wait_until


def create(channel: int) -> Route:
    return Route("POST", "/channels/{channel_id}/messages", channel_id=channel)


def info(limit: int, remaining: int, reset_after: float | None = 1.0, bucket: str | None = None):
    return BucketInfo(limit, remaining, reset_after, bucket, exact=True)


async def test_unknown_bucket_lets_one_request_through_until_its_answer() -> None:
    clock = FakeClock()
    limiter = BucketLimiter(clock)
    bucket = limiter.bucket_for(create(1))
    first = await bucket.acquire()
    others = [asyncio.ensure_future(bucket.acquire()) for _ in range(3)]
    await wait_until(lambda: bucket.waiting == 3)
    assert bucket.in_flight == 1
    first.settle(info(5, 4))
    await wait_until(lambda: all(t.done() for t in others))
    assert bucket.in_flight == 3
    assert bucket.remaining == 1


async def test_never_more_in_flight_than_remaining_then_waits_for_reset() -> None:
    clock = FakeClock()
    bucket = BucketLimiter(clock).bucket_for(create(1))
    (await bucket.acquire()).settle(info(3, 2, reset_after=1.0))
    a = await bucket.acquire()
    b = await bucket.acquire()
    third = asyncio.ensure_future(bucket.acquire())
    await wait_until(lambda: bucket.waiting == 1)
    a.settle(info(3, 1, reset_after=0.9))
    b.settle(info(3, 0, reset_after=0.9))
    assert bucket.in_flight == 0 and bucket.waiting == 1
    clock.advance(0.99)
    assert not third.done() and bucket.waiting == 1
    clock.advance(0.01)
    await wait_until(third.done)
    assert bucket.in_flight == 1
    assert bucket.remaining == 2


async def test_server_reporting_less_remaining_than_expected_lowers_the_budget() -> None:
    clock = FakeClock()
    bucket = BucketLimiter(clock).bucket_for(create(1))
    (await bucket.acquire()).settle(info(10, 9))
    p = await bucket.acquire()
    # Someone else (another process with the same token) used the bucket meanwhile.
    p.settle(info(10, 2))
    assert bucket.remaining == 2


async def test_requests_in_flight_at_a_window_change_count_against_the_new_window() -> None:
    clock = FakeClock()
    bucket = BucketLimiter(clock).bucket_for(create(1))
    (await bucket.acquire()).settle(info(4, 3, reset_after=1.0))
    held = [await bucket.acquire() for _ in range(3)]
    clock.advance(1.0)
    fresh = await bucket.acquire()
    assert bucket.remaining == 0  # 4 - 3 still in flight - 1 just issued
    # The held requests reached the server after its window turned: their answers tell
    # the new window's end, and nothing is sent before it.
    for p in held:
        p.settle(info(4, 0, reset_after=0.8))
    fresh.settle(info(4, 0, reset_after=0.8))
    waiter = asyncio.ensure_future(bucket.acquire())
    await wait_until(lambda: bucket.waiting == 1)
    clock.advance(0.79)
    assert not waiter.done() and bucket.in_flight == 0
    clock.advance(0.01)
    await wait_until(waiter.done)
    assert bucket.remaining == 3


async def test_different_channels_never_wait_for_each_other() -> None:
    clock = FakeClock()
    limiter = BucketLimiter(clock)
    a = limiter.bucket_for(create(1))
    (await a.acquire()).settle(info(1, 0, reset_after=10.0))
    blocked = asyncio.ensure_future(a.acquire())
    await wait_until(lambda: a.waiting == 1)
    b = limiter.bucket_for(create(2))
    assert b is not a
    permit = await asyncio.wait_for(b.acquire(), 1.0)
    assert isinstance(permit, Permit)
    assert not blocked.done()
    blocked.cancel()


async def test_bucket_hash_merges_route_families_per_major_id() -> None:
    clock = FakeClock()
    limiter = BucketLimiter(clock)
    add = Route(
        "PUT",
        "/channels/{channel_id}/messages/{message_id}/reactions/{emoji}/@me",
        channel_id=1,
        message_id=5,
        emoji="x",
    )
    remove = Route(
        "DELETE",
        "/channels/{channel_id}/messages/{message_id}/reactions/{emoji}/@me",
        channel_id=1,
        message_id=6,
        emoji="y",
    )
    bucket = limiter.bucket_for(add)
    assert limiter.bucket_for(remove) is not bucket
    limiter.learn(add, "abc")
    limiter.learn(remove, "abc")
    assert limiter.bucket_for(add) is bucket
    assert limiter.bucket_for(remove) is bucket
    other_channel = Route("PUT", add.template, channel_id=2, message_id=5, emoji="x")
    assert limiter.bucket_for(other_channel) is not bucket


async def test_route_429_blocks_the_bucket_for_retry_after() -> None:
    clock = FakeClock()
    bucket = BucketLimiter(clock).bucket_for(create(1))
    (await bucket.acquire()).settle(info(5, 4))
    (await bucket.acquire()).rate_limited(0.25, info(5, 0, 0.25))
    waiter = asyncio.ensure_future(bucket.acquire())
    await wait_until(lambda: bucket.waiting == 1)
    clock.advance(0.2)
    assert bucket.waiting == 1
    clock.advance(0.05)
    await wait_until(waiter.done)


async def test_routes_without_headers_are_unlimited_but_failures_teach_nothing() -> None:
    clock = FakeClock()
    bucket = BucketLimiter(clock).bucket_for(Route("GET", "/gateway/bot"))
    (await bucket.acquire()).settle(None, success=False)
    assert not bucket.unlimited
    (await bucket.acquire()).settle(None)
    assert bucket.unlimited
    permits = [await asyncio.wait_for(bucket.acquire(), 1.0) for _ in range(20)]
    assert bucket.in_flight == 20
    for p in permits:
        p.release()


async def test_cancelled_waiter_gives_its_place_back() -> None:
    clock = FakeClock()
    bucket = BucketLimiter(clock).bucket_for(create(1))
    first = await bucket.acquire()
    cancelled = asyncio.ensure_future(bucket.acquire())
    later = asyncio.ensure_future(bucket.acquire())
    await wait_until(lambda: bucket.waiting == 2)
    cancelled.cancel()
    with pytest.raises(asyncio.CancelledError):
        await cancelled
    first.release()
    await wait_until(later.done)
    assert bucket.in_flight == 1


async def test_exhausted_without_known_reset_starts_over_instead_of_hanging() -> None:
    clock = FakeClock()
    bucket = BucketLimiter(clock).bucket_for(create(1))
    (await bucket.acquire()).settle(info(2, 0, reset_after=None))
    permit = await asyncio.wait_for(bucket.acquire(), 1.0)
    permit.release()


async def test_permit_settles_once() -> None:
    clock = FakeClock()
    bucket = BucketLimiter(clock).bucket_for(create(1))
    permit = await bucket.acquire()
    permit.settle(info(3, 2))
    permit.release()
    permit.rate_limited(5.0, None)
    assert bucket.in_flight == 0
    assert bucket.remaining == 2
