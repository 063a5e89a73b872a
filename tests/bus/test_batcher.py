"""Batcher on a fake clock: batches cut by count and by time, in order, retried on failure."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest

from fluxer_rx.bus.batcher import Batcher
from tests.util import wait_until


class FakeTimers:
    """``call_later`` on a clock that only moves when the test advances it."""

    def __init__(self) -> None:
        self.now = 0.0
        self._timers: list[_Timer] = []

    def call_later(self, delay: float, callback: Callable[[], None]) -> _Timer:
        timer = _Timer(self.now + delay, callback)
        self._timers.append(timer)
        return timer

    def advance(self, seconds: float) -> None:
        self.now += seconds
        due = sorted((t for t in self._timers if t.when <= self.now + 1e-12), key=lambda t: t.when)
        for timer in due:
            self._timers.remove(timer)
            if not timer.cancelled:
                timer.callback()

    @property
    def pending(self) -> int:
        return sum(not t.cancelled for t in self._timers)


class _Timer:
    def __init__(self, when: float, callback: Callable[[], None]) -> None:
        self.when = when
        self.callback = callback
        self.cancelled = False

    def cancel(self) -> None:
        self.cancelled = True


class Recorder:
    """A ``send`` that records batches and lets the test await the n-th one."""

    def __init__(self) -> None:
        self.batches: list[list[int]] = []
        self.failures_left = 0
        self._changed = asyncio.Event()

    async def send(self, batch: list[int]) -> None:
        self._changed.set()
        if self.failures_left:
            self.failures_left -= 1
            raise ConnectionError("redis is down")
        self.batches.append(list(batch))

    async def wait_for(self, n: int) -> None:
        async def until() -> None:
            while len(self.batches) < n:
                self._changed.clear()
                await self._changed.wait()

        await asyncio.wait_for(until(), 5)


async def test_a_full_batch_is_cut_at_once() -> None:
    clock, out = FakeTimers(), Recorder()
    batcher: Batcher[int] = Batcher(out.send, max_items=32, call_later=clock.call_later)
    for i in range(31):
        batcher.add(i)
    assert batcher.buffered == 31 and batcher.queued == []
    batcher.add(31)
    assert batcher.buffered == 0 and batcher.queued == [32]
    assert clock.pending == 0  # the time limit of the cut batch was cancelled
    await out.wait_for(1)
    assert out.batches == [list(range(32))]


async def test_a_partial_batch_is_cut_after_max_delay() -> None:
    clock, out = FakeTimers(), Recorder()
    batcher: Batcher[int] = Batcher(
        out.send, max_items=32, max_delay=0.002, call_later=clock.call_later
    )
    for i in range(5):
        batcher.add(i)
        clock.advance(0.0003)  # later items do not extend the deadline of the first
    clock.advance(0.0004)  # 1.9 ms after the first item
    assert batcher.buffered == 5 and batcher.queued == []
    clock.advance(0.0001)
    assert batcher.buffered == 0 and batcher.queued == [5]
    await out.wait_for(1)
    assert out.batches == [[0, 1, 2, 3, 4]]


async def test_batches_go_out_one_at_a_time_in_order() -> None:
    clock, out = FakeTimers(), Recorder()
    batcher: Batcher[int] = Batcher(out.send, max_items=4, call_later=clock.call_later)
    for i in range(10):
        batcher.add(i)
    clock.advance(0.002)
    assert batcher.queued == [4, 4, 2]
    await batcher.flush()
    assert out.batches == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]
    assert batcher.sent_batches == 3


async def test_batches_queued_behind_a_send_in_flight_go_out_together() -> None:
    clock, out = FakeTimers(), Recorder()
    release = asyncio.Event()
    sizes: list[int] = []

    async def slow_send(batch: list[int]) -> None:
        sizes.append(len(batch))
        await release.wait()
        await out.send(batch)

    batcher: Batcher[int] = Batcher(slow_send, max_items=2, coalesce=2, call_later=clock.call_later)
    batcher.add(0)
    batcher.add(1)  # cut: the sender starts and waits in slow_send
    await wait_until(lambda: sizes == [2], what="first send in flight")
    for i in range(2, 8):
        batcher.add(i)
    assert batcher.queued == [2, 2, 2, 2]  # the first is in flight
    release.set()
    await batcher.flush()
    assert out.batches == [[0, 1], [2, 3, 4, 5], [6, 7]]
    assert batcher.sent_batches == 4


async def test_a_failed_batch_is_retried_first_with_backoff() -> None:
    clock, out = FakeTimers(), Recorder()
    errors: list[BaseException] = []
    batcher: Batcher[int] = Batcher(
        out.send,
        max_items=2,
        call_later=clock.call_later,
        on_error=errors.append,
        retry_delay=0.1,
        retry_delay_max=0.15,
    )
    out.failures_left = 3
    for i in range(4):
        batcher.add(i)
    for n, backoff in ((1, 0.1), (2, 0.15), (3, 0.15)):
        await wait_until(lambda n=n: len(errors) >= n, what=f"failure {n}")
        assert out.batches == []
        clock.advance(backoff - 0.001)
        assert len(errors) == n  # not retried before its backoff
        clock.advance(0.001)
    await out.wait_for(2)
    assert out.batches == [[0, 1], [2, 3]]
    assert all(isinstance(e, ConnectionError) for e in errors) and batcher.failures == 3


async def test_flush_cuts_and_waits_and_close_refuses_more() -> None:
    clock, out = FakeTimers(), Recorder()
    batcher: Batcher[int] = Batcher(out.send, max_items=32, call_later=clock.call_later)
    batcher.add(1)
    batcher.add(2)
    await batcher.aclose()
    assert out.batches == [[1, 2]]
    with pytest.raises(RuntimeError, match="closed"):
        batcher.add(3)


def test_limits_are_checked() -> None:
    with pytest.raises(ValueError, match="max_items"):
        Batcher(Recorder().send, max_items=0)
