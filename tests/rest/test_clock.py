"""``ClockTimeout`` (``asyncio.timeout_at`` on any Clock) and ``FifoGate.acquire(max_wait)``
on the fake clock."""

from __future__ import annotations

import asyncio

import pytest

from fluxer_rx.rest.buckets import BucketLimiter
from fluxer_rx.rest.clock import ClockTimeout
from fluxer_rx.rest.fifo_gate import GateTimeout
from fluxer_rx.rest.global_limiter import GlobalLimiter
from fluxer_rx.rest.headers import BucketInfo
from fluxer_rx.rest.routes import Route
from tests.rest.fakes import FakeClock
from tests.util import wait_until


async def block(clock: FakeClock, when: float, never: asyncio.Event) -> str:
    async with ClockTimeout(clock, when) as scope:
        await never.wait()
    assert scope.expired
    return "unreachable"


async def test_clock_timeout_raises_timeout_error_at_its_time_only() -> None:
    clock = FakeClock()
    never = asyncio.Event()
    task = asyncio.ensure_future(block(clock, clock.now + 2, never))
    await wait_until(lambda: clock.pending_timers == 1)
    clock.advance(1.999)
    await asyncio.sleep(0)
    assert not task.done()
    clock.advance(0.001)
    with pytest.raises(TimeoutError):
        await task


async def test_clock_timeout_leaves_an_outside_cancel_a_cancel_and_cleans_up() -> None:
    clock = FakeClock()
    never = asyncio.Event()
    task = asyncio.ensure_future(block(clock, clock.now + 2, never))
    await wait_until(lambda: clock.pending_timers == 1)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert clock.pending_timers == 0
    async with ClockTimeout(clock, clock.now + 1) as scope:
        await asyncio.sleep(0)
    assert not scope.expired and clock.pending_timers == 0
    assert asyncio.current_task().cancelling() == 0  # type: ignore[union-attr]


async def test_a_gate_closed_past_max_wait_refuses_at_once_without_queueing() -> None:
    clock = FakeClock()
    limiter = GlobalLimiter(None, clock)
    limiter.pause(100)
    with pytest.raises(GateTimeout) as info:
        await limiter.acquire(max_wait=60)
    assert info.value.known_wait == pytest.approx(100) and limiter.waiting == 0
    waiter = asyncio.ensure_future(limiter.acquire(max_wait=100))
    await wait_until(lambda: limiter.waiting == 1)
    clock.advance(100)
    slot = await asyncio.wait_for(waiter, 5)
    slot.release()
    assert clock.pending_timers == 0  # the give-up timer went with the grant


async def test_a_queued_waiter_gives_up_at_max_wait_and_leaves_no_permit_behind() -> None:
    clock = FakeClock()
    bucket = BucketLimiter(clock).bucket_for(Route("GET", "/channels/{channel_id}", channel_id=1))
    first = await bucket.acquire()  # unknown bucket: one at a time
    waiter = asyncio.ensure_future(bucket.acquire(max_wait=5))
    behind = asyncio.ensure_future(bucket.acquire())
    await wait_until(lambda: bucket.waiting == 2)
    clock.advance(5)
    with pytest.raises(GateTimeout) as info:
        await asyncio.wait_for(waiter, 5)
    assert info.value.known_wait is None and bucket.waiting == 1
    first.settle(BucketInfo(5, 4, 1.0, None, exact=True))
    (await asyncio.wait_for(behind, 5)).release()
    assert bucket.in_flight == 0
