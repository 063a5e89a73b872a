"""``VirtualClock`` and the loop scheduler it backs during a replay: timers in order, a
clock that never goes back, timers that move between the loop and the virtual clock."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from reactivex import abc

from fluxer_rx.replay import VirtualClock
from fluxer_rx.schedulers import loop_scheduler, scheduler_override


def recorder(clock: VirtualClock, log: list[tuple[str, float]], name: str) -> Any:
    def action(_scheduler: abc.SchedulerBase, _state: Any = None) -> None:
        log.append((name, clock.seconds))

    return action


def test_timers_run_in_due_order_each_at_its_due_time() -> None:
    clock = VirtualClock(start=100.0)
    log: list[tuple[str, float]] = []
    clock.schedule_relative(3.0, recorder(clock, log, "c"))
    clock.schedule_relative(1.0, recorder(clock, log, "a"))
    clock.schedule_relative(timedelta(seconds=1), recorder(clock, log, "a2"))
    clock.schedule_absolute(102.0, recorder(clock, log, "b"))
    cancelled = clock.schedule_relative(2.5, recorder(clock, log, "x"))
    cancelled.dispose()
    clock.advance_to(102.5)
    assert log == [("a", 101.0), ("a2", 101.0), ("b", 102.0)]
    assert clock.seconds == 102.5
    clock.advance_by(1.0)
    assert log[-1] == ("c", 103.0)
    assert clock.pending == 0


def test_a_timer_scheduled_by_a_timer_runs_in_the_same_advance_when_due() -> None:
    clock = VirtualClock(start=0.0)
    log: list[tuple[str, float]] = []

    def first(scheduler: abc.SchedulerBase, _state: Any = None) -> None:
        log.append(("first", clock.seconds))
        scheduler.schedule_relative(0.5, recorder(clock, log, "second"))

    clock.schedule_relative(1.0, first)
    clock.advance_to(2.0)
    assert log == [("first", 1.0), ("second", 1.5)]


def test_the_clock_never_goes_back_and_checks_its_arguments() -> None:
    clock = VirtualClock(start=datetime(2026, 1, 1, tzinfo=UTC))
    assert clock.now == datetime(2026, 1, 1, tzinfo=UTC)
    with pytest.raises(ValueError, match="cannot go back"):
        clock.advance_to(clock.seconds - 1)
    with pytest.raises(ValueError, match="cannot go back"):
        clock.sleep(-1)
    with pytest.raises(ValueError, match="tail"):
        VirtualClock(tail=-1)
    with pytest.raises(ValueError, match="max_gap"):
        VirtualClock(max_gap=0)
    with pytest.raises(ValueError, match="on_bad_time"):
        VirtualClock(on_bad_time="ignore")  # type: ignore[arg-type]


def test_begin_moves_only_a_fresh_clock_to_the_recording_start() -> None:
    started = datetime(2026, 12, 1, 12, tzinfo=UTC)
    assert VirtualClock().begin(started) == started.timestamp()
    assert VirtualClock(start=5.0).begin(started) == 5.0
    used = VirtualClock()
    used.advance_to(7.0)
    assert used.begin(started) == 7.0


def test_settle_advances_by_the_longest_delay_asked_for_or_exactly_tail() -> None:
    clock = VirtualClock(start=0.0)
    clock.begin(None)
    log: list[tuple[str, float]] = []

    def moved_deadline(scheduler: abc.SchedulerBase, _state: Any = None) -> None:
        log.append(("idle", clock.seconds))
        scheduler.schedule_relative(2.5, recorder(clock, log, "moved"))

    clock.schedule_relative(4.0, moved_deadline)  # the longest delay: 4 s
    clock.advance_to(1.0)
    clock.schedule_relative(0.5, recorder(clock, log, "short"))
    clock.settle(1.0)
    assert log == [("short", 1.5), ("idle", 4.0)]
    assert clock.seconds == 5.0  # 1.0 + 4; "moved" (6.5) was asked for after the end

    short = VirtualClock(start=0.0, tail=2.0)
    short_log: list[tuple[str, float]] = []
    short.schedule_relative(4.0, recorder(short, short_log, "late"))
    short.settle(1.0)
    assert short_log == [] and short.seconds == 3.0


async def test_loop_timers_move_to_the_clock_and_back_with_the_delay_they_have_left() -> None:
    scheduler = loop_scheduler()
    assert scheduler is not None
    fired: list[tuple[str, float]] = []
    loop_done: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    def note(name: str) -> Any:
        def action(_s: abc.SchedulerBase, _state: Any = None) -> None:
            fired.append((name, scheduler.seconds))
            if name == "after" and not loop_done.done():
                loop_done.set_result(None)

        return action

    begun = scheduler.seconds
    scheduler.schedule_relative(30.0, note("during"))  # would take 30 s on the loop
    scheduler.schedule_relative(60.05, note("after"))
    clock = VirtualClock(start=1000.0)
    with scheduler_override(clock) as overridden:
        assert overridden is scheduler and scheduler.backing is clock
        moved = scheduler.seconds
        clock.advance_by(31.0)
        assert [name for name, _ in fired] == ["during"]
        assert fired[0][1] == pytest.approx(begun + 30.0, abs=0.05)
        assert scheduler.seconds == pytest.approx(moved + 31.0)
        clock.advance_by(29.0)  # "after" has about 0.05 s left when the replay ends
        with pytest.raises(RuntimeError, match="already"), scheduler_override(clock):
            pass
    assert scheduler.backing is not clock
    await asyncio.wait_for(loop_done, 5)  # ran on the loop for the rest of its delay
    assert [name for name, _ in fired] == ["during", "after"]


async def test_a_cancelled_loop_timer_does_not_move() -> None:
    scheduler = loop_scheduler()
    assert scheduler is not None
    fired: list[str] = []
    timer = scheduler.schedule_relative(1.0, lambda _s, _t: fired.append("x"))
    timer.dispose()
    clock = VirtualClock(start=0.0)
    with scheduler_override(clock):
        clock.advance_by(5.0)
    assert fired == [] and clock.pending == 0
