"""``run_async``: bounded concurrency, order, overflow, errors, cancellation, completion."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

import pytest
from reactivex.subject import Subject

from fluxer_rx.operators import EffectOverflow, EffectScope, run_async
from tests.util import wait_until


class Gates:
    """An effect whose call for ``v`` waits until ``open(v)``; records what runs."""

    def __init__(self) -> None:
        self.gates: dict[Any, asyncio.Future[None]] = {}
        self.started: list[Any] = []
        self.cancelled: list[Any] = []
        self.running = 0
        self.most_running = 0

    def open(self, value: Any, error: Exception | None = None) -> None:
        gate = self.gates.setdefault(value, asyncio.get_running_loop().create_future())
        if error is None:
            gate.set_result(None)
        else:
            gate.set_exception(error)

    async def __call__(self, value: Any) -> str:
        self.started.append(value)
        self.running += 1
        self.most_running = max(self.most_running, self.running)
        gate = self.gates.setdefault(value, asyncio.get_running_loop().create_future())
        try:
            await gate
        except asyncio.CancelledError:
            self.cancelled.append(value)
            raise
        finally:
            self.running -= 1
        return f"done {value}"


@dataclass
class Seen:
    values: list[Any] = field(default_factory=list)
    errors: list[Exception] = field(default_factory=list)
    overflows: list[EffectOverflow] = field(default_factory=list)
    failed: list[Exception] = field(default_factory=list)
    completed: bool = False


def pipeline(fn: Any, **options: Any) -> tuple[Subject[Any], Seen, Any]:
    source: Subject[Any] = Subject()
    seen = Seen()
    stream = source.pipe(
        run_async(fn, on_error=seen.errors.append, on_overflow=seen.overflows.append, **options)
    )

    def completed() -> None:
        seen.completed = True

    subscription = stream.subscribe(seen.values.append, seen.failed.append, completed)
    return source, seen, subscription


async def test_concurrency_is_bounded_and_results_keep_the_input_order() -> None:
    fx = Gates()
    source, seen, _ = pipeline(fx, concurrency=2, ordered=True)
    for n in range(5):
        source.on_next(n)
    await wait_until(lambda: fx.started == [0, 1])
    fx.open(1)  # finishes first, but its result waits for 0's
    await wait_until(lambda: fx.started == [0, 1, 2])
    assert seen.values == []
    fx.open(0)
    await wait_until(lambda: seen.values == ["done 0", "done 1"])
    for n in (4, 3, 2):
        fx.open(n)
    await wait_until(lambda: len(seen.values) == 5)
    assert seen.values == [f"done {n}" for n in range(5)]
    assert fx.started == [0, 1, 2, 3, 4]
    assert fx.most_running == 2


async def test_unordered_results_come_as_tasks_finish() -> None:
    fx = Gates()
    source, seen, _ = pipeline(fx, concurrency=3, ordered=False)
    for n in range(3):
        source.on_next(n)
    await wait_until(lambda: len(fx.started) == 3)
    for n in (2, 0, 1):
        fx.open(n)
        await wait_until(lambda n=n: seen.values[-1:] == [f"done {n}"])  # type: ignore[misc]
    assert seen.values == ["done 2", "done 0", "done 1"]


async def test_errors_are_reported_and_the_stream_goes_on() -> None:
    fx = Gates()
    boom, early = RuntimeError("boom"), ValueError("before any await")

    def effect(value: int) -> Any:
        if value == 1:
            raise early  # fn itself fails, before returning an awaitable
        return fx(value)

    source, seen, _ = pipeline(effect, concurrency=1)
    for n in range(4):
        source.on_next(n)
    fx.open(0, boom)
    fx.open(2)
    fx.open(3)
    await wait_until(lambda: seen.values == ["done 2", "done 3"])
    assert seen.errors == [boom, early]
    assert seen.failed == []


async def test_a_failing_subscriber_is_reported_not_fatal() -> None:
    fx = Gates()
    source: Subject[int] = Subject()
    errors: list[Exception] = []
    got: list[str] = []
    oops = KeyError("subscriber")

    def subscriber(value: str) -> None:
        got.append(value)
        if value == "done 0":
            raise oops

    source.pipe(run_async(fx, on_error=errors.append)).subscribe(subscriber)
    source.on_next(0)
    source.on_next(1)
    fx.open(0)
    fx.open(1)
    await wait_until(lambda: got == ["done 0", "done 1"])
    assert errors == [oops]


@pytest.mark.parametrize(("policy", "ran"), [("drop_oldest", [0, 4]), ("drop_newest", [0, 1])])
async def test_past_max_pending_a_value_is_dropped_and_reported(
    policy: str, ran: list[int]
) -> None:
    fx = Gates()
    source, seen, _ = pipeline(fx, concurrency=1, max_pending=1, overflow=policy)
    for n in range(5):  # 0 runs, 1 waits, then 2, 3, 4 each overflow the queue of one
        source.on_next(n)
    await wait_until(lambda: fx.started == [0])
    for n in range(5):
        fx.open(n)
    await wait_until(lambda: len(seen.values) == 2)
    assert fx.started == ran
    assert seen.overflows[0] == EffectOverflow(fx, policy, 1, 1)  # type: ignore[arg-type]
    # the first drop is reported at once, the others at most a second later as a total
    await wait_until(lambda: seen.overflows[-1].dropped == 3, within=3.0)
    assert len(seen.overflows) == 2


async def test_disposing_cancels_running_tasks_and_forgets_waiting_values() -> None:
    fx = Gates()
    source, seen, subscription = pipeline(fx, concurrency=1)
    source.on_next(0)
    source.on_next(1)
    await wait_until(lambda: fx.running == 1)
    subscription.dispose()
    await wait_until(lambda: fx.cancelled == [0])
    assert fx.started == [0]  # 1 never started
    source.on_next(2)
    assert fx.started == [0]
    assert seen.values == [] and seen.errors == []


async def test_closing_the_scope_cancels_tasks_and_the_subscription_goes_on() -> None:
    fx = Gates()
    scope = EffectScope()
    source, seen, _ = pipeline(fx, concurrency=1, scope=scope)
    source.on_next(0)
    source.on_next(1)
    await wait_until(lambda: fx.running == 1 and scope.running == 1)
    await scope.close()
    assert fx.cancelled == [0]
    assert scope.running == 0
    assert fx.started == [0]  # the waiting 1 was forgotten
    source.on_next(2)
    fx.open(2)
    await wait_until(lambda: seen.values == ["done 2"])
    assert seen.errors == []


async def test_completion_waits_for_the_work_in_flight() -> None:
    fx = Gates()
    source, seen, _ = pipeline(fx, concurrency=1)
    source.on_next(0)
    source.on_next(1)
    source.on_completed()
    await wait_until(lambda: fx.started == [0])
    assert not seen.completed
    fx.open(0)
    fx.open(1)
    await wait_until(lambda: seen.completed)
    assert seen.values == ["done 0", "done 1"]


async def test_a_source_error_cancels_the_tasks_and_is_passed_on() -> None:
    fx = Gates()
    scope = EffectScope()
    source, seen, _ = pipeline(fx, concurrency=1, scope=scope)
    source.on_next(0)
    await wait_until(lambda: fx.running == 1)
    error = OSError("source failed")
    source.on_error(error)
    assert seen.failed == [error]
    await wait_until(lambda: fx.cancelled == [0])
    assert scope.running == 0


@pytest.mark.parametrize(
    "options",
    [{"concurrency": 0}, {"concurrency": True}, {"max_pending": -1}, {"overflow": "block"}],
)
def test_bad_options_are_refused_at_once(options: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        run_async(Gates(), **options)
