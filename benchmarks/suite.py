"""The benchmark suite: every figure beside its baseline from the same run, in one table.

Runs the benchmarks of this folder through their importable functions (each script still
runs alone and prints its own details) and reports, per figure: the value, the baseline
measured in the same process and run, their ratio, the target and whether it is met.

* quick (default): small sizes, about a minute on a laptop; the figures are indicative;
* ``--full``: the sizes each script uses by default (several minutes);
* ``--write [PATH]``: also write the results as Markdown (machine, date, every figure) to
  ``PATH``, by default ``benchmarks/RESULTS.md``.

``FLUXER_RX_BENCH_SCALE`` (a factor, e.g. ``0.05``) shrinks every size further: the test
suite uses it to check the table's shape in a few seconds; its figures mean nothing.

Run:  python benchmarks/suite.py [--full] [--write [PATH]]   (or: fluxer-rx bench ...)
"""

from __future__ import annotations

import argparse
import asyncio
import datetime
import os
import platform
import statistics
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:  # the sibling scripts import as top-level modules
    sys.path.insert(0, str(HERE))

RESULTS = HERE / "RESULTS.md"
SCALE_ENV = "FLUXER_RX_BENCH_SCALE"


@dataclass(frozen=True, slots=True)
class Figure:
    """One row of the table.

    ``ratio`` is ``value / baseline`` unless the figure says otherwise in ``ratio_means``;
    ``met`` is ``None`` when there is no target (or it does not apply at these sizes).
    """

    name: str
    value: float
    baseline: float
    unit: str
    baseline_name: str
    ratio: float
    ratio_means: str
    target: str
    met: bool | None
    command: str


@dataclass(frozen=True, slots=True)
class Settings:
    """The sizes of one run of the suite."""

    mode: str
    decode_frames: int
    protocol_frames: int
    gateway_frames: int
    cache_members: int
    cache_baseline_members: int
    cache_messages: int
    operator_events: int
    collector_frames: int
    replay_frames: int
    rest_sends: int
    latency_seconds: float
    repeats: int

    def scaled(self, factor: float) -> Settings:
        """These settings with every size multiplied by ``factor`` (at least a few)."""
        if factor == 1:
            return self

        def size(n: int, low: int) -> int:
            return max(low, int(n * factor))

        return Settings(
            mode=f"{self.mode} x{factor:g}",
            decode_frames=size(self.decode_frames, 1000),
            protocol_frames=size(self.protocol_frames, 1000),
            gateway_frames=size(self.gateway_frames, 200),
            cache_members=size(self.cache_members, 1000),
            cache_baseline_members=size(self.cache_baseline_members, 1000),
            cache_messages=size(self.cache_messages, 500),
            operator_events=size(self.operator_events, 1000),
            collector_frames=size(self.collector_frames, 200),
            replay_frames=size(self.replay_frames, 1000),
            rest_sends=size(self.rest_sends, 20),
            latency_seconds=max(0.2, self.latency_seconds * factor),
            repeats=self.repeats if factor >= 1 else 1,
        )


QUICK = Settings(
    mode="quick",
    decode_frames=30_000,
    protocol_frames=50_000,
    gateway_frames=10_000,
    cache_members=100_000,
    cache_baseline_members=20_000,
    cache_messages=20_000,
    operator_events=50_000,
    collector_frames=10_000,
    replay_frames=10_000,
    rest_sends=150,
    latency_seconds=1.0,
    repeats=3,
)
FULL = Settings(
    mode="full",
    decode_frames=100_000,
    protocol_frames=200_000,
    gateway_frames=30_000,
    cache_members=1_000_000,
    cache_baseline_members=100_000,
    cache_messages=100_000,
    operator_events=200_000,
    collector_frames=100_000,
    replay_frames=20_000,
    rest_sends=500,
    latency_seconds=2.0,
    repeats=5,
)


def _at_least(value: float, bound: float) -> bool:
    return value >= bound


def _at_most(value: float, bound: float) -> bool:
    return value <= bound


def decode(s: Settings) -> Iterator[Figure]:
    import bench_decode

    typed, naive, _ = bench_decode.measure(s.decode_frames, s.repeats)
    value, base = statistics.median(typed), statistics.median(naive)
    yield Figure(
        "typed decode, MESSAGE_CREATE",
        value,
        base,
        "frames/s",
        "json.loads to dicts",
        value / base,
        "speed-up",
        ">= 3x",
        _at_least(value / base, 3),
        f"python benchmarks/bench_decode.py --frames {s.decode_frames} --repeats {s.repeats}",
    )


def protocol(s: Settings) -> Iterator[Figure]:
    import bench_protocol

    proto, base = bench_protocol.measure(s.protocol_frames, s.repeats)
    n = s.protocol_frames
    yield Figure(
        "protocol machine per dispatch",
        proto / n * 1e9,
        base / n * 1e9,
        "ns/frame",
        "decode_frame envelope",
        proto / base,
        "cost share",
        "",
        None,
        f"python benchmarks/bench_protocol.py --frames {n} --repeats {s.repeats}",
    )


def gateway(s: Settings) -> Iterator[Figure]:
    import bench_gateway

    runs, _ = asyncio.run(bench_gateway.measure(s.gateway_frames, s.repeats, floor=True))
    naive = statistics.median(runs[bench_gateway.NAIVE_NAME])
    n = s.gateway_frames
    command = f"python benchmarks/bench_gateway.py --frames {n} --runs {s.repeats}"
    default = f"fluxer_rx[{bench_gateway.DEFAULT_TRANSPORT}]"
    contenders = {
        name: statistics.median(times)
        for name, times in runs.items()  # every client contender bench_gateway measures
        if name.startswith("fluxer_rx[")
    }
    fastest = min(contenders, key=contenders.__getitem__)

    def vs_naive(figure: str, secs: float, target: float | None, note: str = "") -> Figure:
        return Figure(
            figure,
            n / secs,
            n / naive,
            "events/s",
            "naive aiohttp + json.loads",
            naive / secs,
            "speed-up",
            f">= {target:g}x{note}" if target else "",
            _at_least(naive / secs, target) if target else None,
            command,
        )

    for name, secs in contenders.items():
        target = gateway_target(name, default=default, fastest=fastest)
        note = " (fastest)" if name == fastest else ""
        yield vs_naive(f"end to end MESSAGE_CREATE, {name}", secs, target, note)
    for transport in bench_gateway.FLOOR_TRANSPORTS:
        secs = statistics.median(runs[bench_gateway.floor_name(transport)])
        figure = f"receive + typed decode alone, {transport} (the floor of a typed client)"
        yield vs_naive(figure, secs, None)
    # the firehose's capacity: the fastest reader that decodes nothing (the default
    # transport's receive path with a counting callback)
    raw = statistics.median(runs[bench_gateway.pump_name(bench_gateway.DEFAULT_TRANSPORT)])
    client = statistics.median(runs[default])
    yield Figure(
        f"sandbox firehose, raw reader (no decoding), {bench_gateway.DEFAULT_TRANSPORT}",
        n / raw,
        n / client,
        "events/s",
        "default client",
        client / raw,
        "headroom",
        ">= 2x",
        _at_least(client / raw, 2),
        command,
    )


def gateway_target(name: str, *, default: str, fastest: str) -> float | None:
    """The speed-up over the naive reader #16 asks of contender ``name``: 2.5x of the
    fastest, 2x of the default transport and of aiohttp (the default without the ``fast``
    extra), none of the others."""
    if name == fastest:
        return 2.5
    if name in (default, "fluxer_rx[aiohttp]"):
        return 2.0
    return None


SHAPE_TARGETS: dict[str, float | None] = {
    "100 subscribers": 1.2,
    "1,000 guilds, warm": 1.8,
    "1,000 guilds, cold": None,
}
"""The shapes of traffic of bench_shapes with their targets (1 subscriber is the row of
the default transport above). #16's 1,000-guild row (many active authors) is held to 1.8x
in the steady state, its authors cached (warm). The cold shape, every author's first post
in the run included (7,000 new users and members in a 30,000-frame run), is reported
beside it without a target: its ratio depends on the run's length."""


def shapes(s: Settings) -> Iterator[Figure]:
    import bench_shapes

    n = s.gateway_frames
    names = list(SHAPE_TARGETS)
    runs = asyncio.run(bench_shapes.measure(n, s.repeats, names))
    quoted = " ".join(f"'{name}'" for name in names)
    command = f"python benchmarks/bench_shapes.py --frames {n} --runs {s.repeats} --shapes {quoted}"
    for name, (client, naive) in runs.items():
        of_medians, _paired = bench_shapes.ratios(client, naive)
        target = SHAPE_TARGETS[name]
        yield Figure(
            f"end to end MESSAGE_CREATE, {name}",
            n / statistics.median(client),
            n / statistics.median(naive),
            "events/s",
            "naive aiohttp + json.loads, same subscribers",
            of_medians,
            "speed-up",
            f">= {target:g}x" if target else "",
            _at_least(of_medians, target) if target else None,
            command,
        )


def imports(s: Settings) -> Iterator[Figure]:
    import bench_import

    runs = max(s.repeats, 5) if s.repeats > 1 else 1
    results = bench_import.measure(runs)
    command = f"python benchmarks/bench_import.py --runs {runs}"
    for statement, figures in results.items():
        # #16 asks <= 300 ms of the package; what users write is held to the same bound
        yield Figure(
            f"{statement}, fresh interpreter",
            figures["wall"] * 1e3,
            figures["baseline"] * 1e3,
            "ms",
            f"{bench_import.BASELINE}",
            figures["wall"] / figures["baseline"],
            "slow-down",
            "<= 300 ms",
            _at_most(figures["wall"], 0.3),
            command,
        )


LATENCY_RATE = 10_000
"""Events/s of the paced sender of the latency figure (#16: p99 <= 0.5 ms at 10 k/s)."""


def latency(s: Settings) -> Iterator[Figure]:
    import bench_latency

    seconds, runs = s.latency_seconds, s.repeats
    default = bench_latency.DEFAULT_TRANSPORT
    _, results = asyncio.run(
        bench_latency.measure(LATENCY_RATE, seconds, runs, (default,), pinned=False)
    )
    baseline = statistics.median(r["p99"] for r in results[bench_latency.RAW])
    command = (
        f"python benchmarks/bench_latency.py --rate {LATENCY_RATE} --seconds {seconds:g}"
        f" --runs {runs}"
    )
    for name in (f"fluxer_rx[{default}]", f"fluxer_rx[{default}]+freeze"):
        p99 = statistics.median(r["p99"] for r in results[name])
        yield Figure(
            f"receive -> handler p99 at {LATENCY_RATE:,}/s, {name}",
            p99,
            baseline,
            "ms",
            "raw reader p99, aiohttp + json.loads",
            p99 / baseline,
            "of baseline",
            "<= 0.5 ms",
            _at_most(p99, 0.5),
            command,
        )


def cache(s: Settings) -> Iterator[Figure]:
    import gc

    import bench_cache

    seed = 7
    baseline, baseline_bytes = bench_cache.measure_baseline(s.cache_baseline_members, seed)
    del baseline
    gc.collect()
    members, member_bytes = bench_cache.measure_cache(s.cache_members, seed, bounded=False)
    command = (
        f"python benchmarks/bench_cache.py --members {s.cache_members}"
        f" --baseline-members {s.cache_baseline_members} --messages {s.cache_messages}"
        f" --repeats {s.repeats}"
    )
    yield Figure(
        f"bytes per cached member ({s.cache_members:,})",
        member_bytes,
        baseline_bytes,
        "B/member",
        "json.loads dicts",
        member_bytes / baseline_bytes,
        "size share",
        "<= 600 B",
        _at_most(member_bytes, 600),
        command,
    )
    both, alone = bench_cache.fold_cost(members, s.cache_messages, s.repeats, seed)
    del members
    gc.collect()
    bounded, bounded_bytes = bench_cache.measure_cache(s.cache_members, seed, bounded=True)
    del bounded
    gc.collect()
    yield Figure(
        f"bytes per cached member + user ({s.cache_members:,}), CacheSizeLimits",
        bounded_bytes,
        member_bytes,
        "B/member",
        "unbounded",
        bounded_bytes / member_bytes,
        "size share",
        "<= 600 B",
        _at_most(bounded_bytes, 600),
        command + " --bounded",
    )
    yield Figure(
        "cache fold per MESSAGE_CREATE",
        both - alone,
        alone,
        "ns/event",
        "decode_event alone",
        (both - alone) / alone,
        "cost share",
        "",
        None,
        command,
    )


def operators(s: Settings) -> Iterator[Figure]:
    import bench_operators

    messages = bench_operators.make_messages(s.operator_events)
    bare, piped = bench_operators.bench_pipeline(messages, s.repeats)
    overhead_us = (piped - bare) * 1e6
    yield Figure(
        "filter/map/filter pipeline overhead",
        overhead_us,
        bare * 1e6,
        "us/event",
        "bare subscription",
        piped / bare,
        "slow-down",
        "<= 1 us",
        _at_most(overhead_us, 1),
        f"python benchmarks/bench_operators.py --events {s.operator_events} --repeats {s.repeats}",
    )


def collectors(s: Settings) -> Iterator[Figure]:
    import bench_collectors_e2e as e2e

    rounds = max(1, s.repeats - 1)
    results = asyncio.run(e2e.end_to_end(s.collector_frames, rounds))
    base_name = e2e.CONTENDERS[0][0]
    base = [rate for rate, _ in results[base_name]]
    mine = [rate for rate, _ in results["with, filter rejects"]]
    paired = statistics.median(w / b for w, b in zip(mine, base, strict=True))
    yield Figure(
        f"end to end with {e2e.CHANNELS:,} live collectors",
        statistics.median(mine),
        statistics.median(base),
        "events/s",
        "no collector",
        paired,
        "paired share",
        ">= 50 %",
        _at_least(paired, 0.5),
        f"python benchmarks/bench_collectors_e2e.py --frames {s.collector_frames}"
        f" --rounds {rounds} --micro-events 0",
    )


def replay(s: Settings) -> Iterator[Figure]:
    import bench_replay

    rates, _ = bench_replay.measure(s.replay_frames, s.repeats)
    value, base = statistics.median(rates["replay"]), statistics.median(rates["baseline"])
    yield Figure(
        "offline replay (file -> decode -> fold -> emit)",
        value,
        base,
        "frames/s",
        "in-memory dispatch",
        value / base,
        "speed share",
        ">= 350,000/s",
        _at_least(value, 350_000),
        f"python benchmarks/bench_replay.py --frames {s.replay_frames} --rounds {s.repeats}",
    )


def rest(s: Settings) -> Iterator[Figure]:
    import bench_rest

    sends = s.rest_sends
    proactive = asyncio.run(
        bench_rest.one_run(proactive=True, sends=sends, channels=10, max_retries=3)
    )
    baseline = asyncio.run(
        bench_rest.one_run(proactive=False, sends=sends, channels=10, max_retries=10_000)
    )
    bound = sends / bench_rest.GLOBAL_LIMIT + 1
    met = proactive.server_429 == 0 and proactive.failed == 0 and proactive.seconds <= bound
    yield Figure(
        f"{sends} concurrent sends, proactive limits ({proactive.server_429} x 429)",
        proactive.seconds,
        baseline.seconds,
        "s",
        f"429-driven ({baseline.server_429} x 429)",
        proactive.seconds / baseline.seconds,
        "time share",
        f"0 x 429, <= {bound:g} s",
        met,
        f"python benchmarks/bench_rest.py --sends {sends} --channels 10 --repeats 1",
    )


BENCHMARKS: tuple[Callable[[Settings], Iterator[Figure]], ...] = (
    decode,
    protocol,
    gateway,
    shapes,
    cache,
    operators,
    collectors,
    replay,
    rest,
    imports,
    latency,
)


def settings_for(full: bool) -> Settings:
    """The sizes for this run: quick or full, shrunk by ``FLUXER_RX_BENCH_SCALE`` if set."""
    chosen = FULL if full else QUICK
    raw = os.environ.get(SCALE_ENV, "").strip()
    if not raw:
        return chosen
    try:
        factor = float(raw)
    except ValueError:
        factor = float("nan")
    if not 0 < factor <= 1:
        raise ValueError(f"{SCALE_ENV} must be a number in (0, 1], not {raw!r}")
    return chosen.scaled(factor)


def run_suite(settings: Settings, progress: Callable[[str], None] = lambda _: None) -> list[Figure]:
    """Every figure of the suite at ``settings``, in table order."""
    figures: list[Figure] = []
    for bench in BENCHMARKS:
        progress(f"running {bench.__name__} ...")
        figures.extend(bench(settings))
    return figures


def _number(value: float) -> str:
    """Three significant digits or more; a difference of two noisy figures may be < 0."""
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    if abs(value) >= 10:
        return f"{value:.1f}"
    return f"{value:.3g}"


def _met(met: bool | None) -> str:
    return "-" if met is None else ("yes" if met else "no")


COLUMNS = ("figure", "value", "baseline", "ratio", "target", "met")


def rows(figures: list[Figure]) -> list[tuple[str, ...]]:
    """The table's rows as text, one per figure, in :data:`COLUMNS` order."""
    return [
        (
            f.name,
            f"{_number(f.value)} {f.unit}",
            f"{_number(f.baseline)} {f.unit} ({f.baseline_name})",
            f"{f.ratio:.2f} {f.ratio_means}",
            f.target or "-",
            _met(f.met),
        )
        for f in figures
    ]


def format_table(figures: list[Figure]) -> str:
    """The figures as an aligned plain-text table (header, rule, one line per figure)."""
    table = [COLUMNS, *rows(figures)]
    widths = [max(len(row[i]) for row in table) for i in range(len(COLUMNS))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)) for row in table]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(line.rstrip() for line in lines)


def machine() -> dict[str, str]:
    """CPU model, logical cores, Python, OS and the load when asked (other processes share
    the cores: absolute rates move with the load, the ratios to the same-run baselines
    much less)."""
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            for line in info:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return {
        "CPU": cpu,
        "cores": str(os.cpu_count() or "?"),
        "Python": f"{platform.python_implementation()} {platform.python_version()}",
        "OS": platform.platform(),
        "load average (1, 5, 15 min)": ", ".join(f"{x:.1f}" for x in os.getloadavg()),
    }


def results_markdown(
    figures: list[Figure], settings: Settings, when: datetime.datetime, host: dict[str, str]
) -> str:
    """The text of ``RESULTS.md`` for a run started at ``when`` on ``host``
    (:func:`machine`)."""
    out = [
        "# Benchmark results",
        "",
        f"Generated by `fluxer-rx bench{' --full' if settings.mode.startswith('full') else ''}"
        " --write` (`python benchmarks/suite.py`); do not edit by hand.",
        "",
        f"- date: {when.strftime('%Y-%m-%d %H:%M UTC')}",
        *(f"- {key}: {value}" for key, value in host.items()),
        f"- settings: {settings.mode}, medians of {settings.repeats} runs per figure",
        "",
        "| " + " | ".join(COLUMNS) + " |",
        "|" + "---|" * len(COLUMNS),
        *("| " + " | ".join(row) + " |" for row in rows(figures)),
        "",
        "Reproduce one figure:",
        "",
        *sorted({f"    {f.command}" for f in figures}),
        "",
        KEPT_MARKER,
        "",
    ]
    return "\n".join(out)


KEPT_MARKER = "<!-- generated above; the sections below are written by hand and kept by --write -->"


def kept_sections(previous: str) -> str:
    """What ``--write`` keeps of the file it replaces: everything after
    :data:`KEPT_MARKER` (sections measured by other scripts, such as the scale-out one)."""
    _, marker, kept = previous.partition(KEPT_MARKER)
    return kept.lstrip("\n") if marker else ""


def main(argv: list[str] | None = None) -> int:
    """Run the suite, print the table; with ``--write`` regenerate ``RESULTS.md``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--full", action="store_true", help="the longer, published settings")
    parser.add_argument(
        "--write",
        nargs="?",
        const=str(RESULTS),
        metavar="PATH",
        help=f"write the results as Markdown to PATH (default: benchmarks/{RESULTS.name})",
    )
    args = parser.parse_args(argv)
    settings = settings_for(args.full)
    print(f"benchmark suite, {settings.mode} settings", file=sys.stderr, flush=True)
    now = datetime.datetime.now(datetime.UTC)
    host = machine()  # the load before the suite adds its own
    figures = run_suite(settings, lambda line: print(line, file=sys.stderr, flush=True))
    print(format_table(figures))
    if args.write is not None:
        target = Path(args.write)
        text = results_markdown(figures, settings, now, host)
        if target.exists():
            text += kept_sections(target.read_text(encoding="utf-8"))
        target.write_text(text, encoding="utf-8")
        print(f"wrote {args.write}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
