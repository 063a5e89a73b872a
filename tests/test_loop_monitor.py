"""The loop-lag monitor (:mod:`fluxer_rx.loop_monitor`): a blocked loop is reported once
with the block's duration; then a Client whose handler blocks its loop past the gateway's
heartbeat timeout reports the stall and resumes with every event exactly once, in order.

The end-to-end test runs the sandbox on its own thread and loop: a handler blocking the
client's loop must not block the server too, or the server could not time the client out.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, TypeVar

import pytest

from fluxer_rx import Client, ClientOptions, RestOptions
from fluxer_rx.diagnostics import Diagnostic, Kind
from fluxer_rx.gateway.close_codes import CloseReport
from fluxer_rx.loop_monitor import LoopMonitor, probe_interval
from fluxer_rx.models import MessageCreate, RawEvent, Ready, Resumed
from fluxer_rx.models.frame import EVENT_TYPES
from fluxer_rx.sandbox import Sandbox
from fluxer_rx.sandbox.gateway import DispatchRecord
from tests.util import wait_until

T = TypeVar("T")


def block_loop(seconds: float) -> None:
    """The fault under test: a callback that holds the loop without awaiting."""
    time.sleep(seconds)


def test_bad_thresholds_are_refused() -> None:
    with pytest.raises(ValueError, match="loop_stall_threshold"):
        LoopMonitor(0, lambda _s: None)
    with pytest.raises(ValueError, match="interval"):
        LoopMonitor(1.0, lambda _s: None, interval=0)


def test_probe_interval_is_a_quarter_of_the_threshold_within_bounds() -> None:
    assert probe_interval(0.2) == pytest.approx(0.05)
    assert probe_interval(0.001) == 0.01
    assert probe_interval(60) == 0.25


async def test_a_blocked_loop_is_reported_once_with_its_duration() -> None:
    stalls: list[float] = []
    monitor = LoopMonitor(0.2, stalls.append, interval=0.02)
    monitor.start()
    try:
        ticks = 0

        def tick() -> None:  # shows the probe keeps running after the stall
            nonlocal ticks
            ticks += 1

        loop = asyncio.get_running_loop()
        loop.call_soon(block_loop, 0.5)
        await wait_until(lambda: len(stalls) == 1)
        assert 0.5 - 0.02 <= stalls[0] < 0.5 + 0.2
        loop.call_soon(block_loop, 0.1)  # below the threshold: not a stall
        probes = loop.call_later(0.3, tick)
        await wait_until(lambda: ticks == 1)
        probes.cancel()
        assert len(stalls) == 1
    finally:
        monitor.stop()
    assert not monitor.running


async def test_a_monitor_without_threshold_never_runs() -> None:
    monitor = LoopMonitor(None, lambda _s: None)
    monitor.start()
    assert not monitor.running
    monitor.stop()


# --- a handler blocking the client's loop, against the sandbox on another thread ------


class SandboxThread:
    """A started :class:`Sandbox` serving from its own thread and event loop."""

    def __init__(self, **options: Any) -> None:
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.sb = Sandbox(**options)

    async def __aenter__(self) -> SandboxThread:
        self._thread.start()
        await self.run(self.sb.start)
        return self

    async def __aexit__(self, *exc: object) -> None:
        try:
            await self.run(self.sb.close)
        finally:
            self.loop.call_soon_threadsafe(self.loop.stop)
            self._thread.join(10)
            self.loop.close()

    def run(self, make: Callable[[], Coroutine[Any, Any, T]]) -> Awaitable[T]:
        """Run ``make()`` on the sandbox's loop; await its result from the caller's loop."""

        async def on_sandbox_loop() -> T:
            return await make()

        return asyncio.wrap_future(asyncio.run_coroutine_threadsafe(on_sandbox_loop(), self.loop))


_NAMES = {cls: name for name, cls in EVENT_TYPES.items()}


def name_of(event: object) -> str:
    return event.name if isinstance(event, RawEvent) else _NAMES[type(event)]


async def test_a_handler_blocking_the_loop_is_reported_and_the_client_resumes_exactly_once() -> (
    None
):
    block = 2.0  # seconds: well past the sandbox's heartbeat timeout (about 0.45 s)
    async with SandboxThread(heartbeat_interval=0.4, resume_window=10.0) as remote:
        sb = remote.sb
        options = ClientOptions(rest=RestOptions(api_url=sb.api_url), loop_stall_threshold=0.5)
        client = Client(options)
        events: list[object] = []
        diagnostics: list[Diagnostic] = []
        client.events.subscribe(events.append)
        client.diagnostics.subscribe(diagnostics.append)

        def handler(d: dict[str, Any]) -> None:
            if d["content"] == "block":
                block_loop(block)

        client.on("MESSAGE_CREATE", handler)
        login = asyncio.create_task(client.login(sb.token))
        try:
            await client.wait_until_ready(timeout=10)
            channel = sb.channel_ids[0]

            async def traffic() -> None:
                # on the sandbox's loop, which goes on while the client's is blocked
                for content in ("before-1", "before-2", "block"):
                    await sb.post_message(channel, content)
                for i in range(20):
                    await sb.post_message(channel, f"during-{i}")
                    await asyncio.sleep(block / 10)  # spread over the block and after

            await remote.run(traffic)
            await remote.run(lambda: sb.post_message(channel, "after"))

            def contents() -> list[str]:
                return [e.content for e in events if isinstance(e, MessageCreate)]

            await wait_until(lambda: "after" in contents(), within=20)
            reports = [d.data for d in diagnostics if d.kind == Kind.LOOP_STALL]
            stalls = [seconds for seconds in reports if isinstance(seconds, float)]
            assert len(stalls) == len(reports), reports
            # the block is reported once; a busy machine may add short stalls of its own
            # (a full garbage collection after the suite's heavier tests), which are real
            assert len([s for s in stalls if block - 0.2 < s < block + 1.0]) == 1, stalls
            closes = [d.data for d in diagnostics if isinstance(d.data, CloseReport)]
            assert any(c.code == 4009 and c.by_server for c in closes), closes
            assert sum(isinstance(e, Ready) for e in events) == 1  # resumed, not identified
            assert sum(isinstance(e, Resumed) for e in events) >= 1

            async def log_copy() -> list[DispatchRecord]:
                return list(sb.dispatch_log)

            log = await remote.run(log_copy)
            assert len({record.session_id for record in log}) == 1
            sent = [r for r in log if r.t != "RESUMED"]
            received = [e for e in events if not isinstance(e, Resumed)]
            assert [name_of(e) for e in received] == [r.t for r in sent]
            assert contents() == [r.d["content"] for r in sent if r.t == "MESSAGE_CREATE"]
        finally:
            await client.destroy()
            await asyncio.wait_for(login, 10)
