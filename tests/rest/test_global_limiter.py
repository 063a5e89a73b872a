"""The proactive global limiter and global 429 pauses, on a fake clock."""

from __future__ import annotations

import asyncio

import pytest

from fluxer_rx.rest.global_limiter import GlobalLimiter
from tests.rest.fakes import FakeClock
from tests.util import wait_until


async def test_slots_free_one_period_after_the_answer_not_after_the_send() -> None:
    clock = FakeClock()
    limiter = GlobalLimiter(3, clock)
    slots = [await limiter.acquire() for _ in range(3)]
    fourth = asyncio.ensure_future(limiter.acquire())
    await wait_until(lambda: limiter.waiting == 1)
    clock.advance(0.5)
    slots[0].release()  # answered at t=0.5: the slot frees at t=1.5
    clock.advance(0.99)
    assert not fourth.done()
    clock.advance(0.01)
    await wait_until(fourth.done)
    assert limiter.in_flight == 3


async def test_requests_in_flight_hold_their_slot_indefinitely() -> None:
    clock = FakeClock()
    limiter = GlobalLimiter(2, clock)
    a = await limiter.acquire()
    await limiter.acquire()
    waiting = asyncio.ensure_future(limiter.acquire())
    await wait_until(lambda: limiter.waiting == 1)
    clock.advance(60)
    assert not waiting.done()
    a.release()
    clock.advance(1.0)
    await wait_until(waiting.done)


async def test_no_more_than_count_answers_in_any_period() -> None:
    clock = FakeClock()
    limiter = GlobalLimiter(5, clock)
    starts: list[float] = []

    async def one() -> None:
        slot = await limiter.acquire()
        starts.append(clock.now)
        slot.release()

    tasks = [asyncio.ensure_future(one()) for _ in range(23)]

    def at_rest() -> bool:
        return sum(t.done() for t in tasks) + limiter.waiting == len(tasks)

    while not all(t.done() for t in tasks):
        await wait_until(at_rest)
        clock.advance(0.1)
    for i, t in enumerate(starts):
        in_window = [s for s in starts if t <= s < t + 1.0]
        assert len(in_window) <= 5, (i, in_window)
    assert starts[-1] == pytest.approx(1004.0)  # 23 requests: 5 per second, 4 waits


async def test_pause_blocks_everyone_even_without_proactive_limit() -> None:
    clock = FakeClock()
    limiter = GlobalLimiter(None, clock)
    (await limiter.acquire()).release()
    limiter.pause(0.3)
    waiting = [asyncio.ensure_future(limiter.acquire()) for _ in range(4)]
    await wait_until(lambda: limiter.waiting == 4)
    clock.advance(0.29)
    assert not any(w.done() for w in waiting)
    clock.advance(0.01)
    await wait_until(lambda: all(w.done() for w in waiting))


async def test_fractional_rate_and_validation() -> None:
    clock = FakeClock()
    limiter = GlobalLimiter(2.5, clock)
    assert (limiter.count, limiter.period) == (2, pytest.approx(0.8))
    assert GlobalLimiter(0.5, clock).period == pytest.approx(2.0)
    for bad in (0, -1, float("nan"), float("inf")):
        with pytest.raises(ValueError):
            GlobalLimiter(bad, clock)


async def test_cancelled_waiter_does_not_leak_a_slot() -> None:
    clock = FakeClock()
    limiter = GlobalLimiter(1, clock)
    slot = await limiter.acquire()
    gone = asyncio.ensure_future(limiter.acquire())
    kept = asyncio.ensure_future(limiter.acquire())
    await wait_until(lambda: limiter.waiting == 2)
    gone.cancel()
    slot.release()
    clock.advance(1.0)
    await wait_until(kept.done)
    assert limiter.in_flight == 1
