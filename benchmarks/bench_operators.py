"""Benchmark: operator pipeline overhead and the cost of 1,000 live collectors.

Run:  python benchmarks/bench_operators.py [--events N] [--repeats R]

1. Pipeline overhead: a ``filter / map / filter`` pipeline on a
   :class:`~fluxer_rx.routing.RoutedEventSubject` vs a bare subscription to it, both fed the
   same pre-decoded ``MessageCreate`` objects; reports the extra time per event (target:
   <= 1 us).
2. Collectors, MICRO (the subject alone, no client): the same subject with one bare
   subscriber (a stand-in for the user's handler), without and with 1,000 live message
   collectors on 1,000 different channels, fed messages spread over those channels, so
   that every message reaches exactly one collector. Fed pre-decoded ``MessageCreate``
   objects, then from gateway JSON bytes (``decode_frame`` + emit). The issue's target
   (with collectors >= 50 % of without) is about END-TO-END throughput through the
   client: that is measured by ``benchmarks/bench_collectors_e2e.py``.

Figures are medians over ``--repeats`` runs, measured in this process; the runs with and
without collectors alternate, and the median of the paired ratios (with / without of the
same repeat) is reported next to the ratio of the medians.

3. Fan-out (#16's "100 subscribers" row, the subject alone): a ``RoutedEventSubject``
   with 100 plain subscribers (each a type test, as bench_shapes' subscribers) vs a plain
   ``for`` loop calling the same 100 functions, alternated in this process; nanoseconds
   per subscriber per event (the subject's cost per subscriber is the loop's when
   delivery adds nothing to the call), and the same with one subscriber, per event.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import msgspec
from reactivex import operators as ops

from fluxer_rx.models import MessageCreate, PartialUser, decode_frame
from fluxer_rx.operators import message_collector
from fluxer_rx.routing import RoutedEventSubject

CHANNELS = 1000


def make_messages(count: int) -> list[MessageCreate]:
    author = PartialUser(id="100", username="bench")
    return [
        MessageCreate(
            id=str(10_000 + i),
            channel_id=str(1_000_000 + i % CHANNELS),
            guild_id="42",
            author=author,
            content=f"message {i}",
        )
        for i in range(count)
    ]


def make_frames(messages: list[MessageCreate]) -> list[bytes]:
    return [
        msgspec.json.encode({"op": 0, "t": "MESSAGE_CREATE", "s": i + 1, "d": m})
        for i, m in enumerate(messages)
    ]


def timed(feed: Callable[[], None]) -> float:
    start = time.perf_counter()
    feed()
    return time.perf_counter() - start


def median_of(repeats: int, run: Callable[[], float]) -> float:
    return statistics.median(run() for _ in range(repeats))


def sink(_: Any) -> None:
    return None


def bench_pipeline(messages: list[MessageCreate], repeats: int) -> tuple[float, float]:
    def run(pipeline: bool) -> float:
        subject = RoutedEventSubject()
        if pipeline:
            subject.pipe(
                ops.filter(lambda m: m.guild_id is not None),
                ops.map(lambda m: m.content),
                ops.filter(lambda c: c != ""),
            ).subscribe(sink)
        else:
            subject.subscribe(sink)
        on_next = subject.on_next

        def feed() -> None:
            for message in messages:
                on_next(message)

        return timed(feed) / len(messages)

    bare = median_of(repeats, lambda: run(False))
    piped = median_of(repeats, lambda: run(True))
    return bare, piped


@dataclass(frozen=True)
class CollectorFigures:
    """Events per second without and with collectors (medians) and the two ratios."""

    without: float
    with_collectors: float
    paired_ratio: float

    @property
    def ratio_of_medians(self) -> float:
        return self.with_collectors / self.without


def bench_collectors(
    messages: list[MessageCreate], frames: list[bytes] | None, keep: bool, repeats: int
) -> CollectorFigures:
    def run(collectors: bool) -> float:
        subject = RoutedEventSubject()
        subject.subscribe(sink)
        live = []
        if collectors:
            # time and idle timers armed on the running loop; never due during the run
            # keep: every message is collected and retained (worst case); else each
            # collector waits for one user's reply that never comes (the common use)
            wanted = None if keep else (lambda m: m.author.id == "999")
            live = [
                message_collector(
                    subject, str(1_000_000 + c), filter=wanted, time=3600.0, idle=600.0
                )
                for c in range(CHANNELS)
            ]
        on_next = subject.on_next
        if frames is None:

            def feed() -> None:
                for message in messages:
                    on_next(message)
        else:

            def feed() -> None:
                for raw in frames:
                    on_next(decode_frame(raw).event)

        elapsed = timed(feed)
        if collectors:
            assert sum(len(c.items) for c in live) == (len(messages) if keep else 0)
            assert sum(c.processed for c in live) == len(messages)
            assert all(not c.ended for c in live)
            for c in live:
                c.stop()
            assert subject.routed_count == 0
        return len(messages) / elapsed

    async def in_loop() -> CollectorFigures:
        pairs = []
        for i in range(repeats):  # alternate which one goes first
            if i % 2:
                with_c = run(True)
                pairs.append((run(False), with_c))
            else:
                pairs.append((run(False), run(True)))
        return CollectorFigures(
            without=statistics.median(p[0] for p in pairs),
            with_collectors=statistics.median(p[1] for p in pairs),
            paired_ratio=statistics.median(p[1] / p[0] for p in pairs),
        )

    return asyncio.run(in_loop())


def _type_test(event: object) -> None:
    """A subscriber that does what bench_shapes' do: a type test."""
    if type(event) is MessageCreate:
        pass


def bench_fanout(
    messages: list[MessageCreate], subscribers: int, repeats: int
) -> tuple[float, float]:
    """Seconds per event through a ``RoutedEventSubject`` with ``subscribers`` plain
    subscribers and through a plain loop over the same functions (medians, alternated)."""
    subject = RoutedEventSubject()
    functions = [_type_test] * subscribers
    for function in functions:
        subject.subscribe(function)
    on_next = subject.on_next

    def through_subject() -> None:
        for message in messages:
            on_next(message)

    def plain_loop() -> None:
        for message in messages:
            for function in functions:
                function(message)

    pairs = [(timed(through_subject), timed(plain_loop)) for _ in range(repeats)]
    count = len(messages)
    return (
        statistics.median(p[0] for p in pairs) / count,
        statistics.median(p[1] for p in pairs) / count,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=200_000)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args(argv)
    messages = make_messages(args.events)
    frames = make_frames(messages)
    # decode_frame is only checked to give back the same objects the pre-decoded run uses
    assert decode_frame(frames[0]).event == messages[0]

    print(f"python {sys.version.split()[0]}, {args.events} events, median of {args.repeats}")
    bare, piped = bench_pipeline(messages, args.repeats)
    overhead = (piped - bare) * 1e6
    print("1. filter/map/filter pipeline vs bare subscription (pre-decoded MessageCreate)")
    print(f"   bare      {bare * 1e6:7.3f} us/event")
    print(f"   pipeline  {piped * 1e6:7.3f} us/event")
    verdict = "OK" if overhead <= 1 else "MISSED"
    print(f"   overhead  {overhead:7.3f} us/event  (target <= 1 us: {verdict})")

    print(
        f"2. MICRO (subject alone, no client): throughput with {CHANNELS} live message "
        f"collectors on {CHANNELS} channels"
    )
    print("   (every message lands on one collector's channel; one bare subscriber in both runs;")
    print("    the issue's >= 50 % target is end to end: benchmarks/bench_collectors_e2e.py)")
    for label, source in (("pre-decoded objects", None), ("from JSON (decode_frame)", frames)):
        for keep in (True, False):
            figures = bench_collectors(messages, source, keep, args.repeats)
            mode = "collect every message" if keep else "filter rejects (awaiting a reply)"
            print(f"   {label}, {mode}")
            print(f"     without collectors  {figures.without:12,.0f} events/s")
            print(f"     with collectors     {figures.with_collectors:12,.0f} events/s")
            print(f"     ratio of medians    {figures.ratio_of_medians:12.1%}")
            print(f"     median paired ratio {figures.paired_ratio:12.1%}")
    fan_events = messages[: max(len(messages) // 20, 1)]
    subject_s, loop_s = bench_fanout(fan_events, 100, args.repeats)
    one_s, one_loop_s = bench_fanout(messages, 1, args.repeats)
    print(f"3. fan-out: client.events' subject vs a plain loop over the same functions "
          f"({len(fan_events)} events x 100 subscribers, {len(messages)} x 1)")
    print(f"   100 subscribers  subject {subject_s / 100 * 1e9:6.1f} ns  "
          f"loop {loop_s / 100 * 1e9:6.1f} ns per subscriber per event")
    print(f"   1 subscriber     subject {one_s * 1e9:6.1f} ns  "
          f"loop {one_loop_s * 1e9:6.1f} ns per event")
    print(
        f"reproduce: python benchmarks/bench_operators.py --events {args.events} "
        f"--repeats {args.repeats}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
