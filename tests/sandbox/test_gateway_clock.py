"""The sandbox gateway's clocks: the manual one runs timers in time order, only when told."""

from __future__ import annotations

import asyncio

import pytest

from fluxer_rx.sandbox.gateway_clock import LoopClock, ManualGatewayClock


def test_manual_clock_runs_due_timers_in_order_at_their_own_time() -> None:
    clock = ManualGatewayClock(start=10.0)
    ran: list[tuple[str, float]] = []
    clock.call_later(2.0, lambda: ran.append(("b", clock.monotonic())))
    clock.call_later(1.0, lambda: ran.append(("a", clock.monotonic())))
    clock.call_later(2.0, lambda: ran.append(("c", clock.monotonic())))  # tie: scheduled later
    clock.advance(1.5)
    assert ran == [("a", 11.0)]
    assert clock.monotonic() == 11.5
    clock.advance(0.5)
    assert ran == [("a", 11.0), ("b", 12.0), ("c", 12.0)]
    assert clock.pending == 0


def test_manual_clock_cancel_and_timers_scheduled_by_timers() -> None:
    clock = ManualGatewayClock(start=0.0)
    ran: list[float] = []

    def again() -> None:
        ran.append(clock.monotonic())
        if len(ran) < 3:
            clock.call_later(1.0, again)

    clock.call_later(1.0, again)
    dropped = clock.call_later(0.5, lambda: ran.append(-1.0))
    dropped.cancel()
    clock.advance(10.0)
    assert ran == [1.0, 2.0, 3.0]
    dropped.cancel()  # harmless after the fact
    with pytest.raises(ValueError):
        clock.advance(-1.0)


async def test_loop_clock_is_real_time_on_the_running_loop() -> None:
    clock = LoopClock()
    fired = asyncio.get_running_loop().create_future()
    before = clock.monotonic()
    clock.call_later(0.01, lambda: fired.set_result(clock.monotonic()))
    assert await asyncio.wait_for(fired, 5) >= before
