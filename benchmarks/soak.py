"""Soak: a client against the sandbox at a steady event rate for N minutes; RSS must stay flat.

The sandbox runs in a child process (this script with ``--serve-sandbox``, driven over
JSON lines on its stdin/stdout), so the RSS reported is the client's process alone: the
client, its cache and this harness (which keeps counters only, never the events).

Traffic: the sandbox's seeded generator at ``--rate`` steps/s (about one dispatch each),
mostly MESSAGE_CREATE over 96 channels in 12 guilds from churning authors, plus edits,
deletes, reactions, typing, presences, member joins/leaves/updates and channel
create/update/delete. :class:`TrafficBounds` keeps the sandbox's world at a steady size
while ids stay fresh: every message, every joining member (a new user) and every created
channel has a new id, so anything in the client that grows with ids seen would show.

Client: ``CacheSizeLimits`` below the world's size for guilds, channels, users and members,
``message_cache_size`` per channel and presences cached, so every bound is hit (the
per-minute line prints the sizes); three subscribers on ``client.events`` (a tally by
type, a routed stream of one channel, one that reads the cache), a sync and an async
``on(...)`` handler, and every few seconds message and reaction collectors, a stopped
collector and a ``wait_for``, all finished before the next round. Every ``--drop-every``
seconds the sandbox aborts the socket (``drop_connections``) and the client resumes.

Per minute: events that minute and in total, events/s, RSS (VmRSS), Python heap blocks,
cache sizes, gc collections per generation, drops / closes / resumes / identifies / gaps.
At the end: RSS growth from the end of warm-up to the end (target: flat within 10 %), and
the loss check: traffic stops, the client catches up with the server's sequence, then the
events it emitted are compared, per event name, with what the server dispatched to its
session. Only MESSAGE_REACTION_ADD/REMOVE may be missing (the server never replays them on
RESUME) and then exactly as many as the client reported as gaps; anything else missing,
or any duplicate, fails. Exit 1 on a failed target or a loss.

    python benchmarks/soak.py --minutes 60 [--rate 3000] [--transport aiohttp|websockets]
        [--drop-every 60] [--warmup MINUTES] [--tracemalloc]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import json
import math
import random
import sys
import tracemalloc
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from fluxer_rx import (
    CachedResource,
    CacheOptions,
    CacheSizeLimits,
    Client,
    ClientOptions,
    GatewayOptions,
    RestOptions,
)
from fluxer_rx.diagnostics import Diagnostic, Kind
from fluxer_rx.gateway.actions import GapDetected
from fluxer_rx.models import EVENT_TYPES, MessageCreate, Ready, Resumed
from fluxer_rx.options import Transport
from fluxer_rx.sandbox import Sandbox, TrafficBounds, TrafficGenerator
from fluxer_rx.sandbox.gateway import NEVER_BUFFERED
from fluxer_rx.sandbox.traffic import TrafficKind

COMMAND: Final = "python benchmarks/soak.py"
TARGET_GROWTH: Final = 0.10

GUILDS: Final = 12
CHANNELS_PER_GUILD: Final = 8
MEMBERS_PER_GUILD: Final = 60
REPLAY_BUFFER: Final = 32_768
"""The sandbox's replay buffer: a resume must find every event since the drop."""

WEIGHTS: Final[dict[TrafficKind, float]] = {
    "message": 55,
    "edit": 6,
    "delete": 6,
    "reaction": 10,
    "typing": 8,
    "member_join": 3,
    "member_leave": 3,
    "member_update": 2,
    "presence": 4,
    "channel_update": 1,
    "channel_create": 0.5,
    "channel_delete": 0.5,
}
WORLD_BOUNDS: Final = TrafficBounds(
    messages_per_channel=100, members_per_guild=MEMBERS_PER_GUILD, created_channels=12
)
CACHE_LIMITS: Final = CacheSizeLimits(guilds=10, channels=80, users=400, members=500)
MESSAGE_CACHE_SIZE: Final = 50

COLLECT_EVERY: Final = 5.0
"""Seconds between rounds of collectors (each round ends before the next starts)."""
IGNORED_NAMES: Final = frozenset({"READY", "RESUMED", "GUILD_CREATE"})
"""Dispatches the server sends outside the world's events (session start and resume)."""
NAME_OF: Final[dict[type[Any], str]] = {cls: name for name, cls in EVENT_TYPES.items()}


def rss_mib() -> float:
    """This process's resident set size in MiB (``VmRSS``; peak RSS where /proc is missing)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# -- the sandbox child ------------------------------------------------------------------


class SandboxChild:
    """The child's side: a sandbox with soak traffic, answering one JSON command a line.

    Commands (``op``): ``start`` (reset the dispatch counts, start traffic at ``rate``),
    ``drop`` (abort the gateway sockets), ``stats``, ``stop`` (stop traffic; final counts
    and session sequences), ``exit``. The counts are the world's events that reach the bot's
    sessions, by name: what the server dispatched to the client.
    """

    def __init__(self, sb: Sandbox, seed: int) -> None:
        self.sb = sb
        sb.traffic = TrafficGenerator(sb.world, seed=seed, weights=WEIGHTS, bounds=WORLD_BOUNDS)
        self.counts: Counter[str] = Counter()
        self.counting = False
        self.bot_id = sb.bot_id
        sb.world.add_listener(self._count)

    def _count(
        self, event: str, d: object, guild_id: str | None, user_ids: frozenset[str] | None
    ) -> None:
        if self.counting and (user_ids is None or self.bot_id in user_ids):
            self.counts[event] += 1

    def _sessions(self) -> dict[str, int]:
        return {sid: s.seq for sid, s in self.sb.gateway.sessions.items()}

    async def answer(self, command: dict[str, Any]) -> dict[str, Any]:
        op = command["op"]
        sb = self.sb
        if op == "start":
            self.counts.clear()
            self.counting = True
            sb.start_traffic(rate=float(command["rate"]))
            return {}
        if op == "drop":
            return {"dropped": sb.drop_connections()}
        if op == "stats":
            return {
                "dispatched": sum(self.counts.values()),
                "steps": sb.traffic.steps,
                "rss": rss_mib(),
            }
        if op == "stop":
            steps = await sb.stop_traffic()
            return {"counts": dict(self.counts), "sessions": self._sessions(), "steps": steps}
        raise ValueError(f"unknown command {op!r}")


async def serve_sandbox(seed: int) -> None:
    """Run the child: print the sandbox's addresses as one JSON line, then answer commands
    from stdin until ``exit`` or end of input."""
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    async with Sandbox(
        seed=seed,
        guilds=GUILDS,
        channels_per_guild=CHANNELS_PER_GUILD,
        members_per_guild=MEMBERS_PER_GUILD,
        messages_per_channel=0,
        record_dispatches=False,
        replay_buffer_size=REPLAY_BUFFER,
    ) as sb:
        child = SandboxChild(sb, seed)
        reply = {"api_url": sb.api_url, "token": sb.token, "channels": len(sb.channel_ids)}
        print(json.dumps(reply), flush=True)
        while line := await reader.readline():
            command = json.loads(line)
            if command["op"] == "exit":
                break
            print(json.dumps(await child.answer(command)), flush=True)


class SandboxProcess:
    """The parent's side: the child process and a request/answer call over its pipes."""

    def __init__(self, proc: asyncio.subprocess.Process, hello: dict[str, Any]) -> None:
        self.proc = proc
        self.hello = hello
        self._lock = asyncio.Lock()

    @classmethod
    async def start(cls, seed: int) -> SandboxProcess:
        proc = await asyncio.create_subprocess_exec(
            sys.executable,
            __file__,
            "--serve-sandbox",
            "--seed",
            str(seed),
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
        )
        assert proc.stdout is not None
        line = await asyncio.wait_for(proc.stdout.readline(), 60)
        if not line:
            raise RuntimeError("the sandbox child exited before serving")
        return cls(proc, json.loads(line))

    async def ask(self, op: str, **fields: Any) -> dict[str, Any]:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        async with self._lock:
            self.proc.stdin.write(json.dumps({"op": op, **fields}).encode() + b"\n")
            await self.proc.stdin.drain()
            line = await asyncio.wait_for(self.proc.stdout.readline(), 60)
        if not line:
            raise RuntimeError("the sandbox child exited")
        answer: dict[str, Any] = json.loads(line)
        return answer

    async def close(self) -> None:
        if self.proc.returncode is None:
            assert self.proc.stdin is not None
            with contextlib.suppress(ConnectionError):
                self.proc.stdin.write(b'{"op": "exit"}\n')
                await self.proc.stdin.drain()
            try:
                await asyncio.wait_for(self.proc.wait(), 10)
            except TimeoutError:
                self.proc.kill()
                await self.proc.wait()


# -- the client's side ------------------------------------------------------------------


@dataclass
class Tally:
    """Counters fed by the subscribers and handlers; no event is kept."""

    by_type: Counter[type[Any]] = field(default_factory=Counter)
    total: int = 0
    in_channel: int = 0
    named_members: int = 0
    deletes_handled: int = 0
    joins_handled: int = 0
    resumes: int = 0
    identifies: int = 0
    closes: int = 0
    gaps: int = 0
    gap_events: int = 0
    unknown_gaps: int = 0
    sessions_lost: int = 0
    decode_errors: int = 0
    handler_errors: int = 0
    loop_stalls: int = 0
    handler_overflows: int = 0
    collectors: int = 0
    collected: int = 0

    def on_event(self, event: object) -> None:
        self.by_type[type(event)] += 1
        self.total += 1

    def on_diagnostic(self, report: Diagnostic) -> None:
        kind = report.kind
        if kind == Kind.GAP and isinstance(report.data, GapDetected):
            self.gaps += 1
            gap = report.data
            if gap.last_missing is None:
                self.unknown_gaps += 1
            else:
                self.gap_events += gap.last_missing - gap.first_missing + 1
        elif kind == Kind.CLOSED:
            self.closes += 1
        elif kind == Kind.SESSION_LOST:
            self.sessions_lost += 1
        elif kind == Kind.DECODE_ERROR:
            self.decode_errors += 1
        elif kind == Kind.HANDLER_ERROR:
            self.handler_errors += 1
        elif kind == Kind.LOOP_STALL:
            self.loop_stalls += 1
        elif kind == Kind.HANDLER_OVERFLOW:
            self.handler_overflows += 1

    def by_name(self) -> Counter[str]:
        return Counter({NAME_OF.get(cls, cls.__name__): n for cls, n in self.by_type.items()})


def attach(client: Client, tally: Tally, channel_id: str) -> None:
    """The subscribers and handlers a bot would have; each only counts."""
    client.events.subscribe(tally.on_event)
    client.diagnostics.subscribe(tally.on_diagnostic)

    def in_channel(_: MessageCreate) -> None:
        tally.in_channel += 1

    client.events.stream(MessageCreate, channel_id=channel_id).subscribe(in_channel)

    def read_cache(event: object) -> None:
        if type(event) is MessageCreate and event.guild_id is not None:
            member = client.cache.get_member(event.guild_id, event.author.id)
            if member is not None and client.cache.display_name(member):
                tally.named_members += 1
        elif type(event) is Resumed:
            tally.resumes += 1
        elif type(event) is Ready:
            tally.identifies += 1

    client.events.subscribe(read_cache)

    def on_delete(_: Any) -> None:
        tally.deletes_handled += 1

    async def on_join(_: Any) -> None:
        await asyncio.sleep(0)
        tally.joins_handled += 1

    client.on("MESSAGE_DELETE", on_delete)
    client.on("GUILD_MEMBER_ADD", on_join)


async def collector_rounds(client: Client, tally: Tally, rng: random.Random) -> None:
    """Forever: a message collector, a reaction collector on a recent message, a collector
    stopped early and a ``wait_for``, on random cached channels; all end before the next
    round, so live routes must come back to the baseline."""
    baseline = client.events.routed_count
    while True:
        await asyncio.sleep(COLLECT_EVERY)
        channels = [c for c in client.cache.channels.values() if c.type == 0]
        if not channels:
            continue
        channel = rng.choice(channels).id
        messages = client.cache.messages(channel)
        work: list[Any] = [
            client.create_message_collector(channel, time=3.0, max=200),
            client.create_message_collector(rng.choice(channels).id, time=60.0),
        ]
        if messages:
            work.append(
                client.create_reaction_collector(channel, messages[-1].id, time=3.0, dispose=True)
            )
        asyncio.get_running_loop().call_later(1.0, work[1].stop)

        def in_round_channel(message: MessageCreate, channel_id: str = channel) -> bool:
            return message.channel_id == channel_id

        waiter = client.wait_for(MessageCreate, in_round_channel, timeout=3.0)
        results = await asyncio.gather(*work, waiter, return_exceptions=True)
        tally.collectors += len(work)
        for result in results[: len(work)]:
            if isinstance(result, BaseException):
                raise result
            tally.collected += len(result.items)
        if client.events.routed_count != baseline:
            raise AssertionError(
                f"collectors left routes behind: {client.events.routed_count} != {baseline}"
            )


async def watch_peaks(client: Client, peaks: Counter[str]) -> None:
    """Every second, the largest size seen of each cache store (to show the bounds hit)."""
    while True:
        for store, size in cache_sizes(client).items():
            peaks[store] = max(peaks[store], size)
        await asyncio.sleep(1.0)


async def drops(sandbox: SandboxProcess, every: float, counter: list[int]) -> None:
    while True:
        await asyncio.sleep(every)
        counter[0] += (await sandbox.ask("drop"))["dropped"]


# -- the run ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Sample:
    minute: int
    events: int
    rss: float


def cache_sizes(client: Client) -> dict[str, int]:
    counts = client.cache.counts()
    return {
        "g": counts.guilds,
        "c": counts.channels,
        "u": counts.users,
        "m": counts.members,
        "msg": counts.messages,
        "pres": counts.presences,
    }


def gc_collections() -> str:
    return "/".join(str(s["collections"]) for s in gc.get_stats())


def traced_snapshot() -> tracemalloc.Snapshot:
    return tracemalloc.take_snapshot().filter_traces(
        (
            tracemalloc.Filter(False, tracemalloc.__file__),
            tracemalloc.Filter(False, "<frozen importlib._bootstrap*>"),
        )
    )


def tracemalloc_report(reference: tracemalloc.Snapshot, top: int = 8) -> None:
    snapshot = traced_snapshot()
    stats = [s for s in snapshot.compare_to(reference, "lineno") if s.size_diff > 0][:top]
    for stat in stats:
        frame = stat.traceback[0]
        print(
            f"      +{stat.size_diff / 1024:9.1f} KiB  +{stat.count_diff:7d} blocks  "
            f"{frame.filename}:{frame.lineno}"
        )


def warmup_minutes(minutes: int) -> int:
    """Default warm-up: 20 % of the run, at least 1 minute."""
    return max(1, math.ceil(0.2 * minutes))


async def soak(args: argparse.Namespace) -> int:
    sandbox = await SandboxProcess.start(args.seed)
    client = Client(
        ClientOptions(
            rest=RestOptions(api_url=sandbox.hello["api_url"]),
            wait_for_guilds=True,
            cache=CacheOptions(
                resources=CachedResource.DEFAULT | CachedResource.PRESENCES,
                limits=CACHE_LIMITS,
                message_cache_size=MESSAGE_CACHE_SIZE,
            ),
            gateway=GatewayOptions(transport=args.transport),
        )
    )
    tally = Tally()
    rng = random.Random(args.seed)
    login = asyncio.create_task(client.login(sandbox.hello["token"]))
    background: list[asyncio.Task[None]] = []
    dropped = [0]
    peaks: Counter[str] = Counter()
    try:
        await client.wait_until_ready(timeout=60)
        attach(client, tally, next(iter(client.cache.channels)))
        tally.by_type.clear()
        tally.total = 0
        await sandbox.ask("start", rate=args.rate)
        background = [
            asyncio.create_task(collector_rounds(client, tally, rng)),
            asyncio.create_task(drops(sandbox, args.drop_every, dropped)),
            asyncio.create_task(watch_peaks(client, peaks)),
        ]
        samples = await run_minutes(args, client, tally, sandbox, dropped, background)
        final = await sandbox.ask("stop")
        for task in background:
            task.cancel()
        await asyncio.gather(*background, return_exceptions=True)
        caught_up = await catch_up(client, final["sessions"])
        return verdict(args, samples, tally, final, caught_up, cache_sizes(client), peaks)
    finally:
        for task in background:
            task.cancel()
        await client.destroy()
        with contextlib.suppress(Exception):
            await login
        await sandbox.close()


async def run_minutes(
    args: argparse.Namespace,
    client: Client,
    tally: Tally,
    sandbox: SandboxProcess,
    dropped: list[int],
    background: list[asyncio.Task[None]],
) -> list[Sample]:
    loop = asyncio.get_running_loop()
    start = loop.time()
    samples: list[Sample] = []
    reference: tracemalloc.Snapshot | None = None
    last_events = last_dispatched = 0
    print(
        f"soak: {args.minutes} min at {args.rate:,.0f} steps/s, transport {args.transport}, "
        f"a drop every {args.drop_every:g} s, warm-up {args.warmup} min; sandbox in a child "
        f"process (RSS below is the client's process alone); cache limits "
        f"g {CACHE_LIMITS.guilds} c {CACHE_LIMITS.channels} u {CACHE_LIMITS.users} "
        f"m {CACHE_LIMITS.members}, {MESSAGE_CACHE_SIZE} messages per channel"
    )
    for minute in range(1, args.minutes + 1):
        done, _ = await asyncio.wait(
            background, timeout=max(0.0, start + 60.0 * minute - loop.time())
        )
        for task in done:
            task.result()  # a failing background task ends the run with its error
        stats = await sandbox.ask("stats")
        total, rss = tally.total, rss_mib()
        served = stats["dispatched"] - last_dispatched
        sizes = " ".join(f"{k} {v:,}" for k, v in cache_sizes(client).items())
        print(
            f"min {minute:3d}  events {total - last_events:>9,} (total {total:>11,})  "
            f"{(total - last_events) / 60:>7,.0f}/s  server {served:>9,}  "
            f"RSS {rss:7.1f} MiB  heap {sys.getallocatedblocks() / 1000:>7,.0f}k blocks  "
            f"cache {sizes}  gc {gc_collections()}  drops {dropped[0]} closes {tally.closes} "
            f"resumes {tally.resumes} re-identifies {tally.identifies} gaps {tally.gaps} "
            f"({tally.gap_events} ev)  collectors {tally.collectors}  "
            f"sandbox RSS {stats['rss']:.0f} MiB",
            flush=True,
        )
        samples.append(Sample(minute, total, rss))
        last_events, last_dispatched = total, stats["dispatched"]
        # Traced from the end of warm-up; the reference is taken a minute later, once the
        # caches have turned over (before that, every live cache entry is "new").
        if args.tracemalloc:
            if minute == args.warmup:
                tracemalloc.start(1)
            elif minute == args.warmup + 1:
                reference = traced_snapshot()
            elif reference is not None:
                print(f"    tracemalloc: top growth since minute {args.warmup + 1}")
                tracemalloc_report(reference)
    return samples


async def catch_up(client: Client, sessions: dict[str, int], timeout: float = 30.0) -> bool:
    """Wait until the client's session has every dispatch the server sent it."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    shard = next(iter(client.shards.values()))
    while loop.time() < deadline:
        protocol = shard.protocol
        if sessions.get(protocol.session_id or "") == protocol.seq:
            return True
        await asyncio.sleep(0.1)
    return False


def verdict(
    args: argparse.Namespace,
    samples: list[Sample],
    tally: Tally,
    final: dict[str, Any],
    caught_up: bool,
    sizes: dict[str, int],
    peaks: Counter[str],
) -> int:
    failures: list[str] = []
    base = next(s for s in samples if s.minute == args.warmup)
    end = samples[-1]
    growth = (end.rss - base.rss) / base.rss
    print(
        f"RSS at the end of warm-up (minute {base.minute}): {base.rss:.1f} MiB; at the end "
        f"(minute {end.minute}): {end.rss:.1f} MiB; growth {growth:+.1%} "
        f"(target: flat within {TARGET_GROWTH:.0%})"
    )
    if args.tracemalloc:
        print("  (with --tracemalloc the RSS includes tracemalloc's own traces since warm-up)")
    if abs(growth) > TARGET_GROWTH:
        failures.append(f"RSS growth {growth:+.1%}")
    minutes = end.minute - base.minute
    if minutes:
        per_hour = (end.rss - base.rss) / minutes * 60
        half = samples[(base.minute + end.minute) // 2 - 1]
        late = (end.rss - half.rss) / half.rss
        print(
            f"  average slope after warm-up {per_hour:+.1f} MiB/hour; over the second half "
            f"(minute {half.minute} to {end.minute}) {late:+.1%} (a plateau, or a steady leak)"
        )

    sent: Counter[str] = Counter(final["counts"])
    got = tally.by_name()
    names = sorted((set(sent) | set(got)) - IGNORED_NAMES)
    missing = {n: sent[n] - got[n] for n in names if sent[n] > got[n]}
    extra = {n: got[n] - sent[n] for n in names if got[n] > sent[n]}
    unreplayable = sum(v for n, v in missing.items() if n in NEVER_BUFFERED)
    lost = {n: v for n, v in missing.items() if n not in NEVER_BUFFERED}
    print(
        f"server dispatched {sum(sent.values()):,} events in {final['steps']:,} steps; the "
        f"client emitted {sum(got[n] for n in names):,} of them "
        f"({'caught up with' if caught_up else 'NOT caught up with'} the server's sequence)"
    )
    print("  per event: " + ", ".join(f"{n} {sent[n]:,}" for n in names))
    print(
        f"  reactions not replayed on resume (the server never buffers them): {unreplayable:,}; "
        f"gaps reported by the client: {tally.gaps} ({tally.gap_events:,} events, "
        f"{tally.unknown_gaps} of unknown size); sessions lost: {tally.sessions_lost}"
    )
    if not caught_up:
        failures.append("the client never caught up with the server's sequence")
    if lost:
        failures.append(f"events lost: {lost}")
    if extra:
        failures.append(f"events delivered twice or unasked: {extra}")
    if unreplayable != tally.gap_events or tally.unknown_gaps:
        failures.append(f"{unreplayable} unreplayed events but {tally.gap_events} reported in gaps")
    if tally.sessions_lost:
        failures.append(f"{tally.sessions_lost} sessions lost")
    if tally.decode_errors or tally.handler_errors:
        failures.append(
            f"{tally.decode_errors} decode errors, {tally.handler_errors} handler errors"
        )
    if tally.resumes == 0 and args.drop_every < 60 * args.minutes:
        failures.append("no resume happened")

    limits = {
        "g": CACHE_LIMITS.guilds,
        "c": CACHE_LIMITS.channels,
        "u": CACHE_LIMITS.users,
        "m": CACHE_LIMITS.members,
    }
    unreached = [k for k, limit in limits.items() if limit is None or peaks[k] < limit]
    print(
        "cache at the end (largest seen / limit): "
        + ", ".join(f"{k} {sizes[k]:,} ({peaks[k]:,}/{limit})" for k, limit in limits.items())
        + f", messages {sizes['msg']:,} ({peaks['msg']:,}; <= {MESSAGE_CACHE_SIZE} per "
        f"cached channel), presences {sizes['pres']:,} ({peaks['pres']:,})"
    )
    if unreached:
        failures.append(f"cache bounds not reached: {unreached} (the soak tests nothing there)")
    print(
        f"handlers: {tally.deletes_handled:,} deletes, {tally.joins_handled:,} joins; "
        f"routed stream {tally.in_channel:,} messages; cache reads {tally.named_members:,}; "
        f"collectors {tally.collectors:,} finished, {tally.collected:,} items; "
        f"loop stalls {tally.loop_stalls}, async handler overflows {tally.handler_overflows}"
    )
    print("PASS" if not failures else "FAIL: " + "; ".join(failures))
    print(
        f"reproduce: {COMMAND} --minutes {args.minutes} --rate {args.rate:g} "
        f"--transport {args.transport} --drop-every {args.drop_every:g} --warmup {args.warmup}"
        + (" --tracemalloc" if args.tracemalloc else "")
    )
    return 1 if failures else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=int, default=60)
    parser.add_argument("--rate", type=float, default=3000.0, help="traffic steps per second")
    transports: tuple[Transport, ...] = ("aiohttp", "websockets")
    default_transport = ClientOptions().gateway.transport
    parser.add_argument("--transport", choices=transports, default=default_transport)
    parser.add_argument("--drop-every", type=float, default=60.0, help="seconds")
    parser.add_argument(
        "--warmup", type=int, default=None, help="minutes (default: 20 %% of the run, at least 1)"
    )
    parser.add_argument(
        "--tracemalloc",
        action="store_true",
        help="trace allocations from the end of warm-up; from warm-up + 2 minutes on, print "
        "the top growing sites every minute",
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--serve-sandbox", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve_sandbox:
        asyncio.run(serve_sandbox(args.seed))
        return 0
    if args.minutes < 2:
        parser.error("--minutes must be >= 2 (warm-up, then at least one measured minute)")
    if args.warmup is None:
        args.warmup = warmup_minutes(args.minutes)
    if not 1 <= args.warmup < args.minutes:
        parser.error("--warmup must be >= 1 and below --minutes")
    print(f"python {sys.version.split()[0]}")
    return asyncio.run(soak(args))


if __name__ == "__main__":
    raise SystemExit(main())
