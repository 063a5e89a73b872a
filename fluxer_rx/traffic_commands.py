"""``fluxer-rx record``, ``replay`` and ``tail``: gateway traffic on the command line.

* :func:`run_record` logs a client in and records what it receives to a file.
* :func:`run_replay` replays a recording into an offline client and reports per event
  type counts and events/s.
* :func:`run_tail` logs a client in and prints each event on one line as it arrives.

``record`` and ``tail`` run against an in-process :class:`~fluxer_rx.sandbox.Sandbox`
with seeded traffic by default, or against a real gateway given a :class:`LiveTarget`
(whose token comes from the environment, never from the command line; it is never
printed and never recorded). Each returns once ``duration`` seconds have passed since
the client became ready, or ``stop`` is set, and raises the client's login errors
(``InvalidToken``, ``GatewayError``), ``TimeoutError`` when the client is not ready
within ``ready_timeout`` seconds, ``ConnectionError`` when the gateway cannot be
connected to for ``connect_grace`` seconds before the client is ready (naming the
gateway and the cause), and the recording errors of :mod:`fluxer_rx.replay`.

:func:`run_record` never leaves a misleading file: frames go to ``OUT.partial`` and the
file becomes ``OUT`` only once the recording succeeded; on a failure, ``OUT.partial`` is
kept (and named on stderr) when it holds frames, else removed. :func:`run_replay` of a
recording without frames raises :class:`~fluxer_rx.replay.MalformedRecording`.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys
import time
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, TextIO

from fluxer_rx.client import Client
from fluxer_rx.diagnostics import Diagnostic, Kind
from fluxer_rx.errors import FluxerError
from fluxer_rx.models.frame import RawEvent
from fluxer_rx.options import ClientOptions, GatewayOptions, RestOptions
from fluxer_rx.replay import MalformedRecording, ReplaySummary
from fluxer_rx.sandbox import Sandbox

__all__ = [
    "LiveTarget",
    "NotRecorded",
    "RecordResult",
    "describe_event",
    "event_name",
    "run_record",
    "run_replay",
    "run_tail",
]


@dataclass(frozen=True, slots=True)
class LiveTarget:
    """A real gateway to connect to instead of the sandbox.

    ``api_url`` (REST, also used to discover the gateway) and/or ``gateway_url``;
    ``token`` is never shown in a repr.
    """

    token: str = field(repr=False)
    api_url: str | None = None
    gateway_url: str | None = None


class NotRecorded(FluxerError):
    """``stop`` came before the client was ready: no session was recorded."""


@dataclass(frozen=True, slots=True)
class RecordResult:
    """What :func:`run_record` wrote: ``frames`` lines, of which ``events`` dispatches."""

    path: str
    frames: int
    events: int
    seconds: float


@dataclass(slots=True)
class _Source:
    options: ClientOptions
    token: str
    description: str
    start_traffic: Callable[[], None]
    stop_traffic: Callable[[], Awaitable[Any]]


async def _no_traffic() -> None:
    return None


@contextlib.asynccontextmanager
async def _source(live: LiveTarget | None, *, seed: int, rate: float) -> AsyncIterator[_Source]:
    if live is not None:
        # one retry: a person is waiting for the answer, and the URL was checked reachable
        api_url = live.api_url or RestOptions().api_url
        rest = RestOptions(api_url=api_url, timeout=10.0, max_retries=1)
        where = live.gateway_url or rest.api_url
        yield _Source(
            ClientOptions(rest=rest, gateway=GatewayOptions(url=live.gateway_url)),
            live.token,
            f"gateway via {where}",
            lambda: None,
            _no_traffic,
        )
        return
    async with Sandbox(seed=seed) as sb:

        def start() -> None:
            sb.start_traffic(rate=rate)

        yield _Source(
            ClientOptions(rest=RestOptions(api_url=sb.api_url)),
            sb.token,
            f"sandbox at {sb.api_url} (seed {seed}, {rate:g} traffic steps/s)",
            start,
            sb.stop_traffic,
        )


async def _give_up_after(failed: asyncio.Event, grace: float) -> None:
    await failed.wait()
    await asyncio.sleep(grace)


@dataclass(frozen=True, slots=True)
class _Timing:
    duration: float | None
    ready_timeout: float
    connect_grace: float


async def _run_logged_in(
    client: Client, source: _Source, timing: _Timing, stop: asyncio.Event, err: TextIO
) -> float | None:
    """Log in, start the traffic once ready, run for ``timing.duration`` (or until
    ``stop``), then stop everything; return the seconds run after ready (``None``: stopped
    before). A gateway that still cannot be connected to ``timing.connect_grace`` seconds
    after the first failed attempt (before ready) ends the run with ``ConnectionError``
    naming it; no readiness within ``timing.ready_timeout`` raises ``TimeoutError``."""
    reported: list[str] = []
    failed = asyncio.Event()

    def report(diagnostic: Diagnostic) -> None:
        if diagnostic.kind == Kind.CONNECT_FAILED and not reported:
            reported.append(diagnostic.detail)
            failed.set()
            grace = timing.connect_grace
            print(f"warning: {diagnostic.detail} (retrying for {grace:g} s)", file=err)

    client.diagnostics.subscribe(report)
    login = asyncio.create_task(client.login(source.token))
    ready = asyncio.create_task(client.wait_until_ready())
    halt = asyncio.create_task(stop.wait())
    give_up = asyncio.create_task(_give_up_after(failed, timing.connect_grace))
    started = time.monotonic()
    try:
        done, _ = await asyncio.wait(
            {login, ready, halt, give_up},
            timeout=timing.ready_timeout,
            return_when=asyncio.FIRST_COMPLETED,
        )
        if login in done:
            login.result()  # raises the login error
            raise ConnectionError("the gateway session ended before the client was ready")
        if give_up in done and ready not in done:
            raise ConnectionError(f"{reported[0]} (gave up after {timing.connect_grace:g} s)")
        if not done:
            raise TimeoutError(f"the client was not ready within {timing.ready_timeout:g} s")
        if ready not in done:
            return None
        source.start_traffic()
        started = time.monotonic()
        running = {login, halt}
        await asyncio.wait(running, timeout=timing.duration, return_when=asyncio.FIRST_COMPLETED)
        await source.stop_traffic()
        return time.monotonic() - started
    finally:
        for task in (ready, halt, give_up):
            task.cancel()
        await client.close()
        await login


PARTIAL_SUFFIX = ".partial"


async def run_record(
    path: str | os.PathLike[str],
    *,
    duration: float | None = 10.0,
    seed: int = 0,
    rate: float = 200.0,
    live: LiveTarget | None = None,
    stop: asyncio.Event | None = None,
    ready_timeout: float = 30.0,
    connect_grace: float = 5.0,
    out: TextIO | None = None,
    err: TextIO | None = None,
) -> RecordResult:
    """Record a client's session to ``path``, READY and the guild burst included.

    The frames are written to ``path + ".partial"``, which replaces ``path`` once the
    session ran and was recorded (so a failed run leaves an earlier ``path`` untouched).
    When the run fails, the partial file is kept and named on ``err`` if it holds
    events (a session was under way), else removed; the error propagates. ``stop`` set
    before the client was ready is a failure too: :class:`NotRecorded`."""
    stream = out if out is not None else sys.stdout
    errors = err if err is not None else sys.stderr
    stop = stop if stop is not None else asyncio.Event()
    final = os.fspath(path)
    partial = final + PARTIAL_SUFFIX
    frames = events = 0
    try:
        async with _source(live, seed=seed, rate=rate) as source:
            client = Client(source.options)

            def count(_event: object) -> None:
                nonlocal events
                events += 1

            client.events.subscribe(count)
            seconds: float | None = None
            with client.record(partial, redact=[source.token]) as recorder:
                print(f"recording {source.description} to {final}", file=stream, flush=True)
                try:
                    timing = _Timing(duration, ready_timeout, connect_grace)
                    seconds = await _run_logged_in(client, source, timing, stop, errors)
                finally:
                    frames = recorder.frames
        if seconds is None:
            raise NotRecorded("stopped before the client was ready: nothing worth keeping")
        os.replace(partial, final)
    except BaseException as exc:
        worth_keeping = events > 0 and not isinstance(exc, NotRecorded)
        _drop_or_keep(partial, frames if worth_keeping else 0, errors)
        raise
    result = RecordResult(final, recorder.frames, events, seconds)
    print(
        f"recorded {result.frames} frames ({result.events} events) in {seconds:.1f} s"
        f" to {result.path}",
        file=stream,
    )
    return result


def _drop_or_keep(partial: str, frames: int, err: TextIO) -> None:
    """After a failed recording: keep ``partial`` if it holds frames (and say so), else
    remove it."""
    if not os.path.exists(partial):
        return
    if frames > 0:
        print(f"the {frames} frames received before the failure are in {partial}", file=err)
        return
    with contextlib.suppress(OSError):
        os.remove(partial)


def event_name(event: object) -> str:
    """The name to show for an event: its class, or the event name of a :class:`RawEvent`."""
    return event.name if isinstance(event, RawEvent) else type(event).__name__


_ID_FIELDS = ("guild_id", "channel_id", "message_id", "user_id")


def _shorten(text: str, width: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def describe_event(event: object) -> str:
    """One line about ``event``: its name, the ids it refers to, and for messages the
    author and content (shortened)."""
    parts = [event_name(event)]
    for name in _ID_FIELDS:
        value = getattr(event, name, None)
        if isinstance(value, str):
            parts.append(f"{name[:-3]}={value}")
    if len(parts) == 1:
        for name in ("id", "name"):
            value = getattr(event, name, None)
            if isinstance(value, str) and not isinstance(event, RawEvent):
                parts.append(f"{name}={value}")
    user = getattr(event, "author", None) or getattr(event, "user", None)
    username = getattr(user, "username", None)
    if isinstance(username, str):
        parts.append(f"by={username}")
    elif isinstance(getattr(user, "id", None), str) and "user=" not in parts[-1]:
        parts.append(f"user={user.id}")  # type: ignore[union-attr]  # checked just above
    emoji = getattr(getattr(event, "emoji", None), "name", None)
    if isinstance(emoji, str):
        parts.append(f"emoji={emoji}")
    content = getattr(event, "content", None)
    if isinstance(content, str):
        parts.append(repr(_shorten(content)))
    return " ".join(parts)


async def run_tail(
    *,
    duration: float | None = None,
    seed: int = 0,
    rate: float = 20.0,
    live: LiveTarget | None = None,
    stop: asyncio.Event | None = None,
    ready_timeout: float = 30.0,
    connect_grace: float = 5.0,
    out: TextIO | None = None,
    err: TextIO | None = None,
) -> Counter[str]:
    """Print every event as it arrives (``[seconds] description``); return the counts
    per event name. ``duration=None`` runs until ``stop`` is set. When ``out`` is a pipe
    whose reader has gone, it stops and raises ``BrokenPipeError``."""
    stream = out if out is not None else sys.stdout
    errors = err if err is not None else sys.stderr
    stop = stop if stop is not None else asyncio.Event()
    counts: Counter[str] = Counter()
    async with _source(live, seed=seed, rate=rate) as source:
        client = Client(source.options)
        began = time.monotonic()

        closed: list[BrokenPipeError] = []

        def show(event: object) -> None:
            counts[event_name(event)] += 1
            if closed:
                return
            try:
                stream.write(f"[{time.monotonic() - began:8.3f}s] {describe_event(event)}\n")
                stream.flush()
            except BrokenPipeError as exc:  # the reader went away (`| head`): stop tailing
                closed.append(exc)
                stop.set()

        client.events.subscribe(show)
        print(f"tailing {source.description}", file=errors, flush=True)
        timing = _Timing(duration, ready_timeout, connect_grace)
        await _run_logged_in(client, source, timing, stop, errors)
    if closed:
        raise closed[0]
    return counts


async def run_replay(
    path: str | os.PathLike[str],
    *,
    speed: float | None = None,
    stop: asyncio.Event | None = None,
    out: TextIO | None = None,
) -> tuple[ReplaySummary, Counter[str]]:
    """Replay ``path`` into an offline client; print and return the summary and the
    event counts per name. Raises the errors of ``Client.replay``, and
    :class:`~fluxer_rx.replay.MalformedRecording` when the file holds no frame."""
    stream = out if out is not None else sys.stdout
    client = Client()
    counts: Counter[str] = Counter()
    client.events.subscribe(lambda event: counts.update((event_name(event),)))
    replay = asyncio.ensure_future(client.replay(path, speed=speed))
    halt = asyncio.ensure_future(stop.wait()) if stop is not None else None
    try:
        if halt is not None:
            await asyncio.wait({replay, halt}, return_when=asyncio.FIRST_COMPLETED)
            if not replay.done():
                await client.close()
        summary = await replay
    finally:
        if halt is not None:
            halt.cancel()
        if not replay.done():
            replay.cancel()
    if summary.frames == 0 and summary.completed:
        reason = "no frames after the header: an empty recording (cut short before any frame?)"
        raise MalformedRecording(os.fspath(path), 2, reason)
    events = sum(counts.values())
    rate = events / summary.elapsed_seconds if summary.elapsed_seconds > 0 else float("inf")
    pace = "as fast as possible" if speed is None else f"at {speed:g}x"
    state = "" if summary.completed else " (stopped early)"
    print(
        f"replayed {os.fspath(path)} {pace}{state}: {summary.frames} frames, {events} events"
        f" in {summary.elapsed_seconds:.3f} s ({rate:,.0f} events/s);"
        f" recorded over {summary.recorded_seconds:.1f} s",
        file=stream,
    )
    if summary.duplicates:
        print(f"  ({summary.duplicates} resumed duplicates seen on raw only)", file=stream)
    width = max((len(name) for name in counts), default=0)
    for name, count in counts.most_common():
        print(f"  {name:<{width}}  {count:>8}", file=stream)
    return summary, counts
