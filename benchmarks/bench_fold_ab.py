"""Paired A/B of the cache fold per MESSAGE_CREATE: this tree's ``CacheState`` against the
``fluxer_rx/cache/state.py`` of another tree, in one process, alternated round by round.

Both variants fold the same decoded payloads into one cache built once (``bench_cache``'s
world: 100 guilds, their members cached); before each timed round the variant's methods
are installed on ``CacheState``, the author memo is emptied and refilled by a warm-up pass.
Each round times ``decode_event`` + ``Cache.apply`` minus ``decode_event`` alone. Rows:
15 authors posting (all in the CPU's caches), 10,000 authors (a cold memo), and a first
post by a new author (user + member stored). Reported: the medians of each variant, their
ratio and the median of the per-round ratios (new / old; below 1 is faster).

    git worktree add /tmp/base <commit>
    python benchmarks/bench_fold_ab.py --before /tmp/base [--members 20000] [--rounds 9]
"""

from __future__ import annotations

import argparse
import importlib.util
import statistics
import sys
import time
from collections.abc import Callable
from types import ModuleType

import bench_cache as bc
import msgspec

from fluxer_rx.cache import Cache
from fluxer_rx.cache import state as this_state
from fluxer_rx.models import decode_event, decode_frame
from fluxer_rx.sandbox.firehose import build_frames
from fluxer_rx.sandbox.world import World

OWN_MODULES = ("fluxer_rx.cache.compact", "fluxer_rx.cache.codecs", "fluxer_rx.cache.state")
"""Loaded from the other tree, in this order (each imports the ones before it)."""


def load_state(tree: str) -> ModuleType:
    """``fluxer_rx/cache/state.py`` of ``tree`` as a module of its own, bound to that tree's
    ``compact`` and ``codecs`` (the builders and comparisons its methods call)."""
    saved = {name: sys.modules[name] for name in OWN_MODULES}
    try:
        for name in OWN_MODULES:
            path = f"{tree}/{name.replace('.', '/')}.py"
            spec = importlib.util.spec_from_file_location(name, path)
            assert spec is not None and spec.loader is not None
            module = importlib.util.module_from_spec(spec)
            sys.modules[name] = module  # what the next one imports
            spec.loader.exec_module(module)
        return sys.modules[OWN_MODULES[-1]]
    finally:
        sys.modules.update(saved)


def methods(module: ModuleType) -> dict[str, Callable[..., object]]:
    """The functions ``CacheState`` defines in ``module``."""
    cls = module.CacheState
    return {name: f for name, f in vars(cls).items() if callable(f) and name != "__init__"}


def install(variant: dict[str, Callable[..., object]]) -> None:
    for name, function in variant.items():
        setattr(this_state.CacheState, name, function)


def timed_fold(apply: Callable[[object], None], payloads: list[bytes]) -> float:
    """ns per event of decode + apply, minus decode alone."""
    start = time.perf_counter_ns()
    for p in payloads:
        decode_event("MESSAGE_CREATE", p)
    decode = time.perf_counter_ns() - start
    start = time.perf_counter_ns()
    for p in payloads:
        apply(decode_event("MESSAGE_CREATE", p))
    return (time.perf_counter_ns() - start - decode) / len(payloads)


def world_payloads(guilds: int, frames: int) -> tuple[list[bytes], list[bytes]]:
    """The GUILD_CREATE payloads of a sandbox world of ``guilds`` guilds of 10 members (as
    bench_shapes' 1,000-guild shapes: only the bot's member in each) and ``frames`` of its
    firehose's gateway payloads, spread over one channel per guild."""
    world = World(guilds=guilds, channels_per_guild=1, members_per_guild=10, messages_per_channel=0)
    creates = [msgspec.json.encode(world.guild_create_wire(g, world.bot.id)) for g in world.guilds]
    per_guild: dict[str, str] = {}
    for channel_id in world.channel_ids:
        per_guild.setdefault(world.get_channel(channel_id).guild_id, channel_id)
    framed = build_frames(world, frames, 1, channel_ids=list(per_guild.values()))
    return creates, [ws_payload(f) for f in framed]


def ws_payload(frame: bytes) -> bytes:
    """The payload of an unmasked websocket frame."""
    n = frame[1] & 0x7F
    return frame[2:] if n < 126 else frame[4:] if n == 126 else frame[10:]


def world_cache(creates: list[bytes]) -> Cache:
    cache = Cache()
    for payload in creates:
        cache.apply(decode_event("GUILD_CREATE", payload))
    return cache


def timed_each(apply: Callable[[object], None], frames: list[bytes]) -> float:
    """ns per event of ``apply`` alone, each event timed right after its decode (as in the
    client: its objects still in the CPU's caches), less the timer's own cost."""
    clock = time.perf_counter_ns
    start = clock()
    for _ in frames:
        clock()
    timer = (clock() - start) / len(frames)
    total = 0
    for frame in frames:
        event = decode_frame(frame).event
        start = clock()
        apply(event)
        total += clock() - start
    return total / len(frames) - timer


def world_rows(
    variants: dict[str, dict[str, Callable[..., object]]], rounds: int, frames: int
) -> dict[tuple[str, str], list[float]]:
    """The 1,000-guild rows: ``cold`` folds the firehose into a cache of the guilds alone
    (each author's first post stores its user and member), ``warm`` into one that has
    read ``8 x guilds`` frames first (every author cached and remembered)."""
    creates, payloads = world_payloads(1000, frames)
    results: dict[tuple[str, str], list[float]] = {}
    for _ in range(rounds):
        for name, variant in variants.items():
            install(variant)
            cache = world_cache(creates)
            results.setdefault(("1k guilds cold", name), []).append(
                timed_each(cache.apply, payloads)
            )
            cache = world_cache(creates)
            for p in payloads[:8000]:
                cache.apply(decode_frame(p).event)
            results.setdefault(("1k guilds warm", name), []).append(
                timed_each(cache.apply, payloads)
            )
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", required=True, help="a tree (git worktree) to compare with")
    parser.add_argument("--members", type=int, default=20_000)
    parser.add_argument("--messages", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--frames", type=int, default=30_000, help="of the 1k-guild rows")
    args = parser.parse_args()
    print("# python benchmarks/bench_fold_ab.py " + " ".join(sys.argv[1:]))
    variants = {"old": methods(load_state(args.before)), "new": methods(this_state)}
    cache = bc.new_cache(False, args.members)
    for _, payload in bc.chunk_payloads(args.members, 7):
        cache.apply(decode_event("GUILD_MEMBERS_CHUNK", payload))
    results: dict[tuple[str, str], list[float]] = {}
    for authors in (15, 10_000):
        payloads = bc.message_payloads(args.messages, cache, 7, authors)
        for _ in range(args.rounds):
            for name, variant in variants.items():
                install(variant)
                cache.state._authors.clear()  # both trees keep the memo there
                for p in payloads[: len(payloads) // 2]:  # warm-up: fills the memo
                    cache.apply(decode_event("MESSAGE_CREATE", p))
                results.setdefault((f"{authors:,} authors", name), []).append(
                    timed_fold(cache.apply, payloads)
                )
    first = bc.first_post_payloads(10_000, 7)
    for _ in range(args.rounds):
        for name, variant in variants.items():
            install(variant)
            fresh: Cache = bc.new_cache(False, 0)
            results.setdefault(("first post", name), []).append(timed_fold(fresh.apply, first))
    results.update(world_rows(variants, args.rounds, args.frames))
    install(variants["new"])
    print(f"fold per MESSAGE_CREATE, ns, medians of {args.rounds} alternated rounds")
    for row in ("15 authors", "10,000 authors", "first post", "1k guilds cold", "1k guilds warm"):
        old, new = results[(row, "old")], results[(row, "new")]
        paired = statistics.median(b / a for a, b in zip(old, new, strict=True))
        print(
            f"  {row:15} old {statistics.median(old):6.0f}  new {statistics.median(new):6.0f}"
            f"  new/old {statistics.median(new) / statistics.median(old):.2f}"
            f"  paired {paired:.2f}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
