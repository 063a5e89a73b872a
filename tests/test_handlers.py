"""``on`` / ``on_typed`` handlers (:mod:`fluxer_rx.handlers`): registration order, one
call at a time per async handler in event order, a bounded queue per handler with its
overflow policy, overflow reports that do not flood; then the same through a Client
logged into the sandbox."""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import AsyncIterator, Coroutine
from dataclasses import dataclass, field
from typing import Any

import pytest

from fluxer_rx import Client, ClientOptions, RestOptions
from fluxer_rx.diagnostics import Diagnostic, Kind
from fluxer_rx.handlers import HandlerOverflow, Handlers, OverflowPolicy
from fluxer_rx.models import MessageCreate
from fluxer_rx.sandbox import Sandbox
from tests.util import wait_until


@dataclass
class Reports:
    errors: list[Exception] = field(default_factory=list)
    overflows: list[HandlerOverflow] = field(default_factory=list)


def handlers(
    size: int = 3, policy: OverflowPolicy = "drop_oldest", interval: float = 60.0
) -> tuple[Handlers, Reports]:
    reports = Reports()
    made = Handlers(
        queue_size=size,
        overflow=policy,
        on_error=reports.errors.append,
        on_overflow=reports.overflows.append,
        report_interval=interval,
    )
    return made, reports


def deliver(made: Handlers, name: str, value: Any) -> None:
    """What Client.dispatch does with one payload."""
    for call in tuple(made.named.get(name, ())):
        call(value)


class Gated:
    """An async handler that records its calls and waits at a gate until it opens."""

    def __init__(self) -> None:
        self.gate = asyncio.Event()
        self.started: list[Any] = []
        self.done: list[Any] = []
        self.running = 0
        self.most_running = 0

    async def __call__(self, value: Any) -> None:
        self.started.append(value)
        self.running += 1
        self.most_running = max(self.most_running, self.running)
        try:
            await self.gate.wait()
            self.done.append(value)
        finally:
            self.running -= 1

    async def handler(self, value: Any) -> None:  # an ``async def`` (a bound method)
        await self(value)


def test_bad_options_are_refused() -> None:
    with pytest.raises(ValueError, match="handler_queue_size"):
        handlers(size=0)
    with pytest.raises(ValueError, match="handler_overflow"):
        handlers(policy="drop_random")  # type: ignore[arg-type]


async def test_handlers_run_in_registration_order_and_async_ones_in_event_order() -> None:
    made, reports = handlers(size=100)
    seen: list[tuple[str, int]] = []
    gated = Gated()

    async def later(value: int) -> None:
        await asyncio.sleep(0)
        seen.append(("async", value))

    made.add(lambda v: seen.append(("first", v)), "E")
    made.add(gated.handler, "E")
    made.add(later, "E")
    made.add(lambda v: seen.append(("last", v)), "E")
    for value in range(5):
        deliver(made, "E", value)
    # the sync handlers ran inside the delivery, in registration order
    assert seen == [(name, v) for v in range(5) for name in ("first", "last")]
    gated.gate.set()
    await made.idle(asyncio.Event())
    assert [v for name, v in seen if name == "async"] == list(range(5))
    assert gated.done == list(range(5)) and gated.most_running == 1
    assert not reports.errors and not reports.overflows


@pytest.mark.parametrize("policy", ["drop_oldest", "drop_newest"])
async def test_a_slow_handler_keeps_at_most_queue_size_calls_and_reports_once(
    policy: OverflowPolicy,
) -> None:
    made, reports = handlers(size=1000, policy=policy)
    gated = Gated()
    made.add(gated.handler, "E")
    deliver(made, "E", 0)
    await wait_until(lambda: gated.started == [0])  # call 0 runs, and waits at the gate
    for value in range(1, 100_001):
        deliver(made, "E", value)
    queue = made.queue(gated.handler)
    assert queue is not None and queue.waiting == 1000 and queue.dropped == 99_000
    # one report at the first drop; the rest waits for the summary (interval: 60 s)
    assert reports.overflows == [HandlerOverflow(gated.handler, policy, 1, 1000)]
    gated.gate.set()
    await made.idle(asyncio.Event())
    kept = list(range(99_001, 100_001)) if policy == "drop_oldest" else list(range(1, 1001))
    assert gated.done == [0, *kept]
    await made.close()  # the drops not reported yet are reported now, once
    assert [o.dropped for o in reports.overflows] == [1, 99_000]


async def test_overflow_summaries_carry_the_running_count_and_stop_with_the_drops() -> None:
    made, reports = handlers(size=2, interval=0.05)
    gated = Gated()
    made.add(gated.handler, "E")
    for value in range(10):
        deliver(made, "E", value)
    assert [o.dropped for o in reports.overflows] == [1]
    await wait_until(lambda: len(reports.overflows) == 2)
    assert reports.overflows[-1].dropped == 8  # 10 calls, 2 waiting (no task ran yet)
    assert gated.started == [8]  # since then call 8 runs: one slot is free
    for value in range(10, 15):
        deliver(made, "E", value)
    await wait_until(lambda: len(reports.overflows) == 3)
    assert reports.overflows[-1].dropped == 12
    queue = made.queue(gated.handler)
    assert queue is not None and queue.dropped == 12
    # no new drop: the pending summary finds nothing new and no other report is due
    await wait_until(lambda: queue._summary is None)
    assert len(reports.overflows) == 3
    gated.gate.set()
    await made.close()


async def test_a_sync_handler_returning_coroutines_is_queued_like_an_async_one() -> None:
    made, reports = handlers(size=3)
    gated = Gated()
    coroutines: list[Coroutine[Any, Any, None]] = []
    sync_part: list[int] = []

    def handler(value: int) -> Coroutine[Any, Any, None]:
        sync_part.append(value)  # runs at once, in the delivery
        coroutine = gated(value)
        coroutines.append(coroutine)
        return coroutine

    made.add(handler, "E")
    for value in range(10):
        deliver(made, "E", value)
    assert sync_part == list(range(10))
    queue = made.queue(handler)
    assert queue is not None and queue.waiting == 3
    await wait_until(lambda: gated.started == [7])  # drop_oldest kept the newest three
    deliver(made, "E", 10)
    assert gated.most_running == 1
    gated.gate.set()
    await made.idle(asyncio.Event())
    assert gated.done == [7, 8, 9, 10]
    # every dropped coroutine was closed: none is left to warn "never awaited"
    states = {inspect.getcoroutinestate(c) for c in coroutines}
    assert states == {inspect.CORO_CLOSED}
    assert [o.dropped for o in reports.overflows] == [1]


async def test_handler_errors_are_reported_and_later_calls_go_on() -> None:
    made, reports = handlers(size=10)
    done: list[int] = []

    async def flaky(value: int) -> None:
        if value == 1:
            raise RuntimeError("boom")
        done.append(value)

    def sync_flaky(value: int) -> None:
        if value == 2:
            raise ValueError("bang")

    made.add(flaky, "E")
    made.add(sync_flaky, "E")
    for value in range(4):
        deliver(made, "E", value)
    await made.idle(asyncio.Event())
    assert done == [0, 2, 3]
    assert sorted(type(e).__name__ for e in reports.errors) == ["RuntimeError", "ValueError"]


async def test_removing_the_last_handler_of_a_name_leaves_no_entry() -> None:
    made, _ = handlers()
    remove = made.add(lambda _v: None, "E")
    remove_typed = made.add(lambda _v: None)
    assert made.named and made.typed
    remove()
    remove()  # harmless twice
    remove_typed()
    assert not made.named and not made.typed  # the client's per-event tests are empty again


async def test_close_cancels_the_running_call_and_the_queue_is_usable_again() -> None:
    made, _ = handlers()
    gated = Gated()
    made.add(gated.handler, "E")
    deliver(made, "E", 1)
    deliver(made, "E", 2)
    await wait_until(lambda: gated.started == [1])
    await made.close()
    assert gated.running == 0 and gated.done == []
    gated.gate.set()
    deliver(made, "E", 3)
    await made.idle(asyncio.Event())
    assert gated.done == [3]


# --- through a Client logged into the sandbox ---------------------------------------


@dataclass
class Running:
    sb: Sandbox
    client: Client
    diagnostics: list[Diagnostic] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)

    def overflows(self) -> list[HandlerOverflow]:
        return [d.data for d in self.diagnostics if isinstance(d.data, HandlerOverflow)]


@pytest.fixture
async def running() -> AsyncIterator[Running]:
    async with Sandbox(heartbeat_interval=1.0) as sb:
        options = ClientOptions(rest=RestOptions(api_url=sb.api_url), handler_queue_size=3)
        client = Client(options)
        run = Running(sb, client)
        client.diagnostics.subscribe(run.diagnostics.append)
        client.events.subscribe(
            lambda e: run.messages.append(e.content) if isinstance(e, MessageCreate) else None
        )
        login = asyncio.create_task(client.login(sb.token))
        try:
            await client.wait_until_ready(timeout=10)
            yield run
        finally:
            await client.destroy()
            await asyncio.wait_for(login, 10)


async def test_a_slow_async_handler_is_bounded_and_its_drops_reported(running: Running) -> None:
    client, sb = running.client, running.sb
    gated = Gated()
    client.on("MESSAGE_CREATE", gated.handler)
    posted = [f"m{i}" for i in range(10)]
    for content in posted:
        await sb.post_message(sb.channel_ids[0], content)
    await wait_until(lambda: running.messages == posted)
    assert gated.most_running == 1
    gated.gate.set()
    handled = lambda: [d["content"] for d in gated.done]  # noqa: E731
    # the last count is reported within a second of the last drop
    await wait_until(
        lambda: (
            bool(running.overflows())
            and running.overflows()[-1].dropped + len(handled()) == len(posted)
        )
    )
    overflows = running.overflows()
    assert overflows[0].dropped == 1 and overflows[0].handler == gated.handler
    assert overflows[0].policy == "drop_oldest" and overflows[0].queue_size == 3
    assert len(overflows) <= 2  # 6 or 7 drops: one report at once, one summary
    assert handled()[-3:] == posted[-3:]  # drop_oldest: the newest calls are kept
    assert handled() == sorted(handled(), key=posted.index)
    overflow_reports = [d for d in running.diagnostics if d.kind == Kind.HANDLER_OVERFLOW]
    assert len(overflow_reports) == len(overflows)


async def test_a_sync_handler_returning_awaitables_runs_them_one_at_a_time(
    running: Running,
) -> None:
    client, sb = running.client, running.sb
    gated = Gated()
    client.on_typed(lambda e: gated(e.content) if isinstance(e, MessageCreate) else None)
    for content in ("a", "b", "c"):
        await sb.post_message(sb.channel_ids[0], content)
    await wait_until(lambda: running.messages == ["a", "b", "c"])
    assert gated.started == ["a"] and gated.most_running == 1
    gated.gate.set()
    await wait_until(lambda: gated.done == ["a", "b", "c"])
    assert gated.most_running == 1
    assert not running.overflows()
