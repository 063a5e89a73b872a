"""End-to-end throughput with 1,000 live message collectors (issue 7's target: >= 50 %).

A client logged into an in-process sandbox receives a firehose of MESSAGE_CREATE spread
over 1,000 channels (message ``i`` on channel ``i % 1000``): transport -> decode ->
protocol -> cache fold -> ``client.events``, with one plain subscriber (a stand-in for
the user's handler, which also times the run) in every run. Contenders, on the same
logged-in client:

* ``without``: no collector;
* ``with, collect all``: 1,000 live ``client.create_message_collector`` on the 1,000
  channels, no filter: every message is collected and kept (worst case);
* ``with, filter rejects``: the same with a filter that rejects every message (a collector
  waiting for one user's reply, the common use).

Every collector has ``time=3600`` and ``idle=600`` (timers armed on the loop, never due
during a run), and every message lands on exactly one collector's channel. Each run is
timed from the first MESSAGE_CREATE to the last. A round runs the three contenders once
each, in an order that rotates from round to round; reported are the medians of the
rates and the median of the per-round paired ratios (with / without of the same round:
the robust figure on a noisy machine), then the time the cyclic garbage collector took
within the timed part of the runs (collected messages stay alive, so their gc-tracked
parts make full collections).

Then the micro figures of :mod:`bench_operators` (``RoutedEventSubject`` alone, no
client) are printed for comparison, labelled as such.

    python benchmarks/bench_collectors_e2e.py [--frames 100000] [--rounds 5] [--micro-events 100000]
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import statistics
import sys
import time
from collections.abc import Callable

from fluxer_rx import Client, ClientOptions, RestOptions
from fluxer_rx.models import MessageCreate
from fluxer_rx.operators import Collector
from fluxer_rx.sandbox import Sandbox

COMMAND = "python benchmarks/bench_collectors_e2e.py"
CHANNELS = 1000
GUILDS = 2

Contender = tuple[str, Callable[[MessageCreate], bool] | None, bool]
CONTENDERS: tuple[Contender, ...] = (
    ("without collectors", None, False),
    ("with, collect all", None, True),
    ("with, filter rejects", lambda m: m.author.id == "no such user", True),
)


class GcClock:
    """Seconds spent in the cyclic garbage collector, and full collections, while
    ``timing()`` says the timed part of a run is under way."""

    def __init__(self, timing: Callable[[], bool]) -> None:
        self.seconds = 0.0
        self.full = 0
        self._timing = timing
        self._start: float | None = None

    def __call__(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._start = time.perf_counter() if self._timing() else None
        elif self._start is not None:
            self.seconds += time.perf_counter() - self._start
            self.full += info["generation"] == 2

    def __enter__(self) -> GcClock:
        gc.callbacks.append(self)
        return self

    def __exit__(self, *_: object) -> None:
        gc.callbacks.remove(self)


class Counter:
    """The plain subscriber of every run: counts MessageCreate and times the run."""

    def __init__(self) -> None:
        self.count = 0
        self.target = 0
        self.start = 0.0
        self.done: asyncio.Future[float] | None = None

    def __call__(self, event: object) -> None:
        if type(event) is MessageCreate:
            self.count += 1
            if self.count == 1:
                self.start = time.perf_counter()
            if self.count == self.target and self.done is not None:
                self.done.set_result(time.perf_counter() - self.start)

    def arm(self, frames: int) -> asyncio.Future[float]:
        self.count, self.target = 0, frames
        self.done = asyncio.get_running_loop().create_future()
        return self.done


async def one_run(
    sb: Sandbox,
    client: Client,
    counter: Counter,
    channels: list[str],
    frames: int,
    contender: Contender,
) -> tuple[float, GcClock]:
    """Events per second of one firehose run with (or without) 1,000 live collectors, and
    the garbage collector's share of the run."""
    _, wanted, collectors = contender
    live: list[Collector[MessageCreate]] = []
    if collectors:
        live = [
            client.create_message_collector(channel, filter=wanted, time=3600.0, idle=600.0)
            for channel in channels
        ]
        # every collector watches its guild's deletion too (the channel is cached)
        assert client.events.routed_count == 3 * len(channels)
    gc.collect()
    done = counter.arm(frames)
    with GcClock(lambda: 0 < counter.count < frames) as gc_clock:
        await sb.firehose(frames, channel_ids=channels)
        elapsed = await asyncio.wait_for(done, 300)
    if collectors:
        kept = frames if wanted is None else 0
        assert sum(c.processed for c in live) == frames, "a message missed its collector"
        assert sum(len(c.items) for c in live) == kept
        assert not any(c.ended for c in live)
        for c in live:
            c.stop()
        assert client.events.routed_count == 0
    return frames / elapsed, gc_clock


Results = dict[str, list[tuple[float, GcClock]]]


async def end_to_end(frames: int, rounds: int) -> Results:
    """(rate in events/s, GC time) per contender, one per round, in round order."""
    rates: Results = {name: [] for name, _, _ in CONTENDERS}
    async with Sandbox(
        guilds=GUILDS,
        channels_per_guild=CHANNELS // GUILDS,
        members_per_guild=20,
        messages_per_channel=0,
    ) as sb:
        channels = sb.channel_ids
        assert len(channels) == CHANNELS
        client = Client(ClientOptions(rest=RestOptions(api_url=sb.api_url), wait_for_guilds=True))
        counter = Counter()
        client.events.subscribe(counter)
        login = asyncio.create_task(client.login(sb.token))
        try:
            await client.wait_until_ready(timeout=30)
            missing = [c for c in channels if c not in client.cache.channels]
            assert not missing, f"{len(missing)} channels not cached at readiness"
            # warm-up (not reported): one short run of each contender
            for contender in CONTENDERS:
                await one_run(sb, client, counter, channels, min(frames, 10_000), contender)
            for r in range(rounds):
                shift = r % len(CONTENDERS)
                for contender in CONTENDERS[shift:] + CONTENDERS[:shift]:
                    result = await one_run(sb, client, counter, channels, frames, contender)
                    rates[contender[0]].append(result)
        finally:
            await client.destroy()
            await login
    return rates


def report_end_to_end(results: Results, frames: int, rounds: int) -> None:
    rates = {name: [rate for rate, _ in runs] for name, runs in results.items()}
    base_name = CONTENDERS[0][0]
    base = rates[base_name]
    print(
        f"END TO END (sandbox firehose -> client -> client.events), {frames} MESSAGE_CREATE "
        f"per run over {CHANNELS} channels, {rounds} rounds (contender order rotates)"
    )
    print(f"  {base_name:24s} median {statistics.median(base):>10,.0f} events/s")
    for name, _, collectors in CONTENDERS:
        if not collectors:
            continue
        mine = rates[name]
        paired = [w / b for w, b in zip(mine, base, strict=True)]
        median_ratio = statistics.median(mine) / statistics.median(base)
        verdict = "OK" if statistics.median(paired) >= 0.5 else "MISSED"
        print(
            f"  {name:24s} median {statistics.median(mine):>10,.0f} events/s   "
            f"ratio of medians {median_ratio:6.1%}   median paired ratio "
            f"{statistics.median(paired):6.1%} (target >= 50 %: {verdict})"
        )
        print("    paired ratios per round: " + ", ".join(f"{p:.1%}" for p in paired))
    print("  cyclic GC during the timed part of the runs (medians over rounds):")
    for name, runs in results.items():
        gc_ms = statistics.median(clock.seconds for _, clock in runs) * 1000
        full = statistics.median(clock.full for _, clock in runs)
        run_ms = statistics.median(frames / rate for rate, _ in runs) * 1000
        print(f"    {name:24s} {gc_ms:7.0f} ms of {run_ms:6.0f} ms, {full:g} full collections")


def micro(events: int, repeats: int) -> None:
    """The micro figures of bench_operators (no client), labelled as such."""
    import bench_operators

    messages = bench_operators.make_messages(events)
    frames = bench_operators.make_frames(messages)
    print(
        f"MICRO (RoutedEventSubject alone, no client; {CHANNELS} collectors; "
        f"{events} events, {repeats} alternated repeats)"
    )
    for label, source in (("pre-decoded objects", None), ("from JSON (decode_frame)", frames)):
        for keep in (True, False):
            result = bench_operators.bench_collectors(messages, source, keep, repeats)
            mode = "collect all" if keep else "filter rejects"
            print(
                f"  {label:26s} {mode:15s} without {result.without:>11,.0f}/s  with "
                f"{result.with_collectors:>11,.0f}/s  ratio of medians "
                f"{result.ratio_of_medians:6.1%}  median paired ratio {result.paired_ratio:6.1%}"
            )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--micro-events", type=int, default=100_000, help="0: skip")
    parser.add_argument("--micro-repeats", type=int, default=3)
    args = parser.parse_args(argv)
    print(f"python {sys.version.split()[0]}")
    rates = asyncio.run(end_to_end(args.frames, args.rounds))
    report_end_to_end(rates, args.frames, args.rounds)
    if args.micro_events:
        micro(args.micro_events, args.micro_repeats)
    print(
        f"reproduce: {COMMAND} --frames {args.frames} --rounds {args.rounds} "
        f"--micro-events {args.micro_events} --micro-repeats {args.micro_repeats}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
