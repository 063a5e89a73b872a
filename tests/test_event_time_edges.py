"""Event-time windows at their edges: times on, just below and just above window edges
(where ``t / width`` rounds), far from zero (Unix times) and near it, with and without
lateness, are placed, emitted and reported late exactly as the rules of
``fluxer_rx.operators.event_time`` say, computed here by a plain model of those rules.
(The operator places most events by a range check instead of a division; this holds it
to the division.)"""

from __future__ import annotations

import math
from datetime import UTC, datetime
from random import Random
from typing import Any

from hypothesis import given, settings
from reactivex.subject import Subject

from fluxer_rx.operators import LateEvent, count_by, window_by_event_time
from tests.fuzz.hypothesis_settings import FUZZ, RANDOMS

WIDTHS = (1.0, 0.1, 0.3, 4.0, 60.0, 1e-3, 7.7)
BASES = (0.0, -50.0, 1e6, 1_796_126_400.0, 1.8e9)
LATENESS = (0.0, 1e-9, 0.5, 2.0)


def _start(index: int, width: float) -> datetime:
    return datetime.fromtimestamp(index * width, UTC)


def _model(times: list[float], width: float, lateness: float) -> list[Any]:
    """The documented rules, spelt out: window floor(t / width); the watermark is the
    newest time minus the lateness; a window is emitted once the watermark reaches its
    end, an event for an emitted window is late; completion emits the rest in order."""
    held: dict[int, list[float]] = {}
    closed_below: float = -math.inf
    newest = -math.inf
    out: list[Any] = []

    def emit_below(closed: float) -> None:
        for index in sorted(i for i in held if i < closed):
            out.append((_start(index, width), tuple(held.pop(index))))

    for t in times:
        index = math.floor(t / width)
        if index < closed_below:
            out.append(("late", t, _start(index, width)))
            continue
        held.setdefault(index, []).append(t)
        if t > newest:
            newest = t
            closed = math.floor((t - lateness) / width)
            if closed > closed_below:
                closed_below = closed
                emit_below(closed)
    emit_below(math.inf)
    return out


def _operator(times: list[float], width: float, lateness: float) -> list[Any]:
    out: list[Any] = []

    def late(event: LateEvent) -> None:
        out.append(("late", event.event, event.window_start))

    source: Subject[float] = Subject()
    source.pipe(
        window_by_event_time(width, key=float, allowed_lateness=lateness, on_late=late)
    ).subscribe(lambda w: out.append((w.start, w.items)))
    for t in times:
        source.on_next(t)
    source.on_completed()
    return out


def _times_near_edges(rng: Random, width: float, base: float) -> list[float]:
    times, newest = [], base
    for _ in range(rng.randint(1, 60)):
        edge = (math.floor(newest / width) + rng.randint(-3, 20)) * width
        pick = rng.random()
        if pick < 0.35:
            t = edge
        elif pick < 0.7:
            t = math.nextafter(edge, -math.inf if rng.random() < 0.5 else math.inf)
        else:
            t = edge + rng.uniform(-width, width)
        times.append(t)
        if rng.random() < 0.8:  # mostly forwards; sometimes the newest stays put
            newest = max(newest, t)
    return times


@settings(FUZZ)
@given(RANDOMS)
def test_windows_at_their_edges_follow_the_rules(rng: Random) -> None:
    width, base, lateness = rng.choice(WIDTHS), rng.choice(BASES), rng.choice(LATENESS)
    times = _times_near_edges(rng, width, base)
    assert _operator(times, width, lateness) == _model(times, width, lateness)


def test_counts_on_both_sides_of_an_edge_of_a_unix_second() -> None:
    edge = 1_796_126_401.0
    times = [edge - 1.0, math.nextafter(edge, 0.0), edge, math.nextafter(edge, math.inf)]
    counts: list[dict[str, int]] = []
    source: Subject[float] = Subject()
    source.pipe(count_by(lambda _t: "n", 1.0, event_time=float)).subscribe(
        lambda c: counts.append(c.counts)
    )
    for t in times:
        source.on_next(t)
    source.on_completed()
    assert counts == [{"n": 2}, {"n": 2}]


def test_times_at_rounded_edges_are_placed_by_the_division() -> None:
    """``index * width`` and the float just below ``(index + 1) * width`` are not always
    in window ``index`` by ``floor(t / width)`` (``85378036 * 0.1`` divides back to
    85378035.99...); the operator places them as the division does."""
    rng = Random(18)
    for width in (0.1, 0.3, 0.7, 1.1, 7.7):
        indices = sorted(rng.randrange(-(10**3), 10**10) for _ in range(3000))
        times: list[float] = []
        for index in indices:
            start, end = index * width, (index + 1) * width
            times += [start, math.nextafter(end, -math.inf)]
        assert _operator(times, width, 0.0) == _model(times, width, 0.0)
