"""``run_demo``: the sandbox, the demo bot, the script and the dashboard, in one coroutine.

Order of a run: start an embedded :class:`~fluxer_rx.sandbox.Sandbox`; log a
:class:`~fluxer_rx.Client` in; start the analytics, the exactly-once accounting and the
:class:`~fluxer_rx.demo.bot.DemoBot`; start seeded traffic and the
:class:`~fluxer_rx.demo.director.Director`; show the dashboard (a terminal) or plain lines
(anything else) until ``duration`` has passed or ``stop`` is set (SIGINT / SIGTERM when
the caller gives no ``stop``); then stop the traffic, let an open poll close, post a
marker message and wait for it to arrive (so every dispatch sent before it has been
delivered or reported), print the summary table and return it.

Guarantees: the client and the sandbox are closed on every way out; an
interrupt ends the run with the summary and no traceback; nothing is printed to the
console after the summary.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import sys
from collections.abc import Awaitable, Iterator
from dataclasses import dataclass
from typing import TextIO

from rich.console import Console, RenderableType
from rich.constrain import Constrain
from rich.live import Live

from fluxer_rx.client import Client
from fluxer_rx.demo.actions import Timeline
from fluxer_rx.demo.activity import Activity
from fluxer_rx.demo.bot import DemoBot
from fluxer_rx.demo.dashboard import DashboardHeader, dashboard
from fluxer_rx.demo.delivery import Delivery
from fluxer_rx.demo.director import Director
from fluxer_rx.demo.plain import WIDTH, PlainReporter
from fluxer_rx.demo.summary import DemoSummary, summary_table
from fluxer_rx.models import MessageCreate
from fluxer_rx.options import ClientOptions, RestOptions
from fluxer_rx.sandbox import Sandbox, TrafficBounds, WorldError

__all__ = ["run_demo"]

MAX_CYCLE = 12.0
"""Seconds of one cycle of the script (shorter runs play it once, in their duration)."""
_WORLD_BOUNDS = TrafficBounds(messages_per_channel=1000, members_per_guild=30, created_channels=4)
"""The traffic keeps the world at about this size, so a run until Ctrl-C stays small."""
_WRAPPING_UP = "wrapping up the demo"
_MARKER = "that's all for this demo, thanks for watching"


@contextlib.contextmanager
def _signals_set(stop: asyncio.Event) -> Iterator[None]:
    """SIGINT and SIGTERM set ``stop`` while inside (where the loop can take signals)."""
    loop = asyncio.get_running_loop()
    installed = []
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            loop.add_signal_handler(sig, stop.set)
            installed.append(sig)
    try:
        yield
    finally:
        for sig in installed:
            loop.remove_signal_handler(sig)


async def _until(stop: asyncio.Event, timeout: float | None) -> bool:
    """Wait for ``stop`` up to ``timeout`` seconds; True when it was set."""
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), timeout)
    return stop.is_set()


async def run_demo(
    *,
    duration: float | None = 10.0,
    rate: float = 200.0,
    seed: int = 0,
    console: Console | None = None,
    out: TextIO | None = None,
    stop: asyncio.Event | None = None,
    bursts: bool = True,
    refresh: float = 0.25,
) -> DemoSummary:
    """Run the demo for ``duration`` seconds (``None``: until ``stop``) and return its
    :class:`DemoSummary`, after printing the summary table.

    ``rate``: the sandbox's mean traffic steps per second, in seeded bursts and lulls
    unless ``bursts`` is false; ``seed``: the world, traffic and script seed. Output
    goes to ``console`` (default: a console on ``out``, default stdout): a live
    dashboard when the console is a terminal, plain lines otherwise.
    ``stop``: set it to end the run early; when none is given, SIGINT and SIGTERM end the
    run (with the summary) while it runs. ``refresh``: seconds between redraws.

    Raises ``ValueError`` for a ``duration``, ``rate`` or ``refresh`` that is not > 0,
    and the client's login errors (``TimeoutError`` if it is not ready within 15 s).
    """
    if duration is not None and not duration > 0:
        raise ValueError(f"duration must be > 0, not {duration}")
    if not rate > 0 or not refresh > 0:
        raise ValueError("rate and refresh must be > 0")
    view = console if console is not None else Console(file=out if out is not None else sys.stdout)
    settings = _Settings(duration, rate, bursts, seed, refresh)
    if stop is not None:
        return await _run(view, settings, stop)
    own_stop = asyncio.Event()
    with _signals_set(own_stop):
        return await _run(view, settings, own_stop)


async def _ready(client: Client, stop: asyncio.Event) -> bool:
    """Wait until the client is ready (True) or ``stop`` is set (False)."""
    ready = asyncio.ensure_future(client.wait_until_ready(timeout=15))
    stopped = asyncio.ensure_future(stop.wait())
    try:
        await asyncio.wait({ready, stopped}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        stopped.cancel()
    if not ready.done():
        ready.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await ready
        return False
    ready.result()
    return True


@dataclass(frozen=True, slots=True)
class _Settings:
    """What :func:`run_demo` was asked for."""

    duration: float | None
    rate: float
    bursts: bool
    seed: int
    refresh: float


@dataclass(slots=True)
class _Parts:
    """One run's pieces, wired to one sandbox and one client."""

    console: Console
    sandbox: Sandbox
    client: Client
    timeline: Timeline
    activity: Activity
    delivery: Delivery
    bot: DemoBot
    settings: _Settings

    def frame(self, elapsed: float) -> RenderableType:
        address, settings = f"127.0.0.1:{self.sandbox.port}", self.settings
        header = DashboardHeader(address, settings.seed, settings.duration)
        state = self.client.state.value
        return dashboard(header, elapsed, self.activity, self.timeline, self.delivery, state)


async def _run(console: Console, settings: _Settings, stop: asyncio.Event) -> DemoSummary:
    loop = asyncio.get_running_loop()
    async with Sandbox(seed=settings.seed) as sb:
        sb.traffic.bounds = _WORLD_BOUNDS
        client = Client(ClientOptions(rest=RestOptions(api_url=sb.api_url)))
        start = loop.time()
        timeline = Timeline(lambda: loop.time() - start)
        activity = Activity(client, loop.time)
        delivery = Delivery(client, sb, timeline.clock)
        bot = DemoBot(client, timeline, loop.time)
        parts = _Parts(console, sb, client, timeline, activity, delivery, bot, settings)
        login = asyncio.create_task(client.login(sb.token))
        try:
            if await _ready(client, stop):
                summary = await _play(parts, settings, stop)
            else:  # interrupted before the client was ready
                summary = _summary(parts, 0.0, interrupted=True)
        finally:
            bot.close()
            activity.close()
            delivery.close()
            await client.close()
            await login
    console.print(Constrain(summary_table(summary, plain=not console.is_terminal), WIDTH))
    return summary


async def _play(parts: _Parts, settings: _Settings, stop: asyncio.Event) -> DemoSummary:
    """Traffic, script and display until ``duration`` or ``stop``; then the wind-down."""
    loop = asyncio.get_running_loop()
    duration, refresh = settings.duration, settings.refresh
    sb, console = parts.sandbox, parts.console
    cycle = min(duration, MAX_CYCLE) if duration is not None else MAX_CYCLE
    director = Director(
        sb, parts.client, parts.delivery, parts.timeline, cycle=cycle, seed=parts.settings.seed
    )
    started = loop.time()
    parts.timeline.clock = lambda: loop.time() - started
    parts.activity.restart_rates()
    sb.start_traffic(rate=settings.rate, bursts=settings.bursts)
    script = asyncio.create_task(director.run())
    deadline = None if duration is None else started + duration
    live = console.is_terminal
    reporter = PlainReporter(console, parts.activity)
    if not live:
        reporter.line(
            f"fluxer-rx demo · sandbox 127.0.0.1:{sb.port} · seed {parts.settings.seed}"
            f" · {len(sb.guild_ids)} guilds · Ctrl-C ends"
        )
        parts.timeline.subscribe(reporter.action)
    try:
        with _display(console, live) as display:
            while not stop.is_set():
                now = loop.time()
                if deadline is not None and now >= deadline:
                    break
                parts.delivery.sync()
                if display is not None:
                    display.update(parts.frame(now - started), refresh=True)
                else:
                    reporter.tick()
                wait = refresh if deadline is None else min(refresh, deadline - now)
                await _until(stop, max(0.0, wait))
            seconds = loop.time() - started
            interrupted = stop.is_set()
            await _wind_down(parts, script, director, stop)
            if display is not None:
                display.update(parts.frame(seconds), refresh=True)
    finally:
        script.cancel()
        await asyncio.gather(script, return_exceptions=True)
        await director.finish()
        await sb.stop_traffic()
    return _summary(parts, seconds, interrupted)


@contextlib.contextmanager
def _display(console: Console, live: bool) -> Iterator[Live | None]:
    if not live:
        yield None
        return
    with Live(console=console, auto_refresh=False, transient=False) as display:
        yield display


async def _within(awaitable: Awaitable[object], stop: asyncio.Event, timeout: float) -> None:
    """Await ``awaitable`` for up to ``timeout`` seconds or until ``stop`` is set; then
    cancel it if it has not ended."""
    task = asyncio.ensure_future(awaitable)
    stopped = asyncio.ensure_future(stop.wait())
    try:
        await asyncio.wait({task, stopped}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
    finally:
        stopped.cancel()
        task.cancel()
        await asyncio.gather(task, stopped, return_exceptions=True)


async def _wind_down(
    parts: _Parts, script: asyncio.Task[None], director: Director, stop: asyncio.Event
) -> None:
    """Stop the script and the traffic; unless ``stop`` is (or gets) set, let the acts
    under way and then the bot's work (an open poll, a reply) finish; then post a marker
    and count every dispatch sent up to it (:meth:`Delivery.sync`): once it has
    arrived, what was sent before it and is neither received nor reported is lost."""
    script.cancel()
    await asyncio.gather(script, return_exceptions=True)
    await parts.sandbox.stop_traffic()
    grace = director.cycle + 2.0
    if not stop.is_set():
        await _within(director.settle(), stop, grace)
    await director.finish()
    if not stop.is_set():  # once the bot has seen every message, let it finish its work
        await _marker(parts, _WRAPPING_UP)
        await _within(parts.bot.idle.wait(), stop, grace)
    parts.delivery.sync(await _marker(parts, _MARKER))


async def _marker(parts: _Parts, text: str) -> int:
    """Post ``text`` as a member and wait (5 s at most) for the client to receive it;
    return the length of the dispatch log once it was posted (the marker's cut-off)."""
    sb = parts.sandbox
    channel_id = sb.channel_ids[0]
    arrived = asyncio.ensure_future(
        parts.client.wait_for(
            MessageCreate, lambda m: m.content == text and m.channel_id == channel_id, 5.0
        )
    )
    cutoff = len(sb.dispatch_log)
    try:
        await sb.post_message(channel_id, text)
        cutoff = len(sb.dispatch_log)
        await arrived
    except (TimeoutError, WorldError):
        arrived.cancel()
    return cutoff


def _summary(parts: _Parts, seconds: float, interrupted: bool) -> DemoSummary:
    delivery, timeline = parts.delivery, parts.timeline
    return DemoSummary(
        seconds=seconds,
        interrupted=interrupted,
        by_type=dict(parts.activity.by_type),
        mean_rate=parts.activity.rates.total / seconds if seconds > 0 else 0.0,
        peak_rate=parts.activity.rates.peak,
        ping_latencies=tuple(timeline.ping_latencies),
        polls=tuple(timeline.polls),
        deleted=timeline.deleted,
        timed_out=timeline.timed_out,
        cuts=len(delivery.outages),
        resumes=sum(1 for outage in delivery.outages if outage.resumed),
        sent=delivery.sent,
        received=delivery.received,
        duplicated=delivery.duplicated,
        gap_reported=delivery.gap_reported,
        lost=delivery.in_flight,
    )
