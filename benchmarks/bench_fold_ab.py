"""Paired A/B of the cache fold per MESSAGE_CREATE: this tree's ``CacheState`` (bound to
its ``codecs`` and ``compact``) against another tree's, in one process.

Each variant folds the same payloads into its own cache, built the same way; the
variants take turns every 500 payloads (the variant's methods installed on
``CacheState`` for its turn), so a burst of load on the shared machine falls on both.
Each event is timed alone, right after its decode, as in the client. Rows:

* ``15 authors`` / ``10,000 authors``: ``bench_cache``'s world (100 guilds, their
  members chunked), the memo emptied and refilled by a warm-up pass each round: authors
  all in the CPU's caches, or a memo that misses them;
* ``first post``: new authors only (user + member stored);
* ``1k guilds cold`` / ``1k guilds warm``: the sandbox world of bench_shapes' 1,000-guild
  shapes and its firehose (1,000 guilds x 10 members, 8 authors per guild, the bot one
  of them in every guild), into a cache of the guilds alone (first posts included) or
  one that read ``8 x guilds`` frames first (every author cached and remembered).

Reported: the medians of each variant, their ratio and the median of the per-round
ratios (new / old; below 1 is faster).

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

OWN_MODULES = (
    "fluxer_rx.cache.lru",
    "fluxer_rx.cache.compact",
    "fluxer_rx.cache.codecs",
    "fluxer_rx.cache.state",
)
"""Loaded from the other tree, in this order (each imports the ones before it)."""


def load_state(tree: str) -> ModuleType:
    """``fluxer_rx/cache/state.py`` of ``tree`` as a module of its own, bound to that tree's
    ``lru``, ``compact`` and ``codecs`` (the stores, builders and comparisons it uses)."""
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
    """The functions ``CacheState`` defines in ``module`` (``__init__`` included: a cache
    built while they are installed has that tree's stores)."""
    cls = module.CacheState
    return {name: f for name, f in vars(cls).items() if callable(f)}


def install(variant: dict[str, Callable[..., object]]) -> None:
    for name, function in variant.items():
        setattr(this_state.CacheState, name, function)


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


def built(
    variants: dict[str, dict[str, Callable[..., object]]], build: Callable[[], Cache]
) -> dict[str, Cache]:
    """A cache per variant, each built with its variant installed."""
    caches = {}
    for name, variant in variants.items():
        install(variant)
        caches[name] = build()
    return caches


def gateway_event(frame: bytes) -> object:
    return decode_frame(frame).event


def message_event(payload: bytes) -> object:
    return decode_event("MESSAGE_CREATE", payload)


def interleaved(
    variants: dict[str, dict[str, Callable[..., object]]],
    caches: dict[str, Cache],
    frames: list[bytes],
    decode: Callable[[bytes], object] = gateway_event,
    chunk: int = 500,
) -> dict[str, float]:
    """ns per event of each variant folding ``frames`` into its own cache, the variants
    taking turns every ``chunk`` frames (so a burst of load on the machine falls on both);
    each event is timed alone right after its decode (as in the client: its objects
    still in the CPU's caches), less the timer's own cost."""
    clock = time.perf_counter_ns
    start = clock()
    for _ in frames:
        clock()
    timer = (clock() - start) / len(frames)
    totals = dict.fromkeys(variants, 0)
    names = list(variants)
    for turn, at in enumerate(range(0, len(frames), chunk)):
        for name in names if turn % 2 == 0 else names[::-1]:
            install(variants[name])
            apply = caches[name].apply
            total = 0
            for frame in frames[at : at + chunk]:
                event = decode(frame)
                start = clock()
                apply(event)
                total += clock() - start
            totals[name] += total
    return {name: total / len(frames) - timer for name, total in totals.items()}


def world_rows(
    variants: dict[str, dict[str, Callable[..., object]]], rounds: int, frames: int
) -> dict[tuple[str, str], list[float]]:
    """The 1,000-guild rows: ``cold`` folds the firehose into a cache of the guilds alone
    (each author's first post stores its user and member), ``warm`` into one that has
    read ``8 x guilds`` frames first (every author cached and remembered). Each variant
    has its own cache; they take turns (see :func:`interleaved`)."""
    creates, payloads = world_payloads(1000, frames)
    results: dict[tuple[str, str], list[float]] = {}
    for _ in range(rounds):
        cold = built(variants, lambda: world_cache(creates))
        for name, ns in interleaved(variants, cold, payloads).items():
            results.setdefault(("1k guilds cold", name), []).append(ns)
        warm = built(variants, lambda: world_cache(creates))
        for name, variant in variants.items():
            install(variant)
            for p in payloads[:8000]:
                warm[name].apply(gateway_event(p))
        for name, ns in interleaved(variants, warm, payloads).items():
            results.setdefault(("1k guilds warm", name), []).append(ns)
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
    chunked: dict[str, Cache] = {}
    for name, variant in variants.items():
        install(variant)
        chunked[name] = bc.new_cache(False, args.members)
        for _, payload in bc.chunk_payloads(args.members, 7):
            chunked[name].apply(decode_event("GUILD_MEMBERS_CHUNK", payload))
    results: dict[tuple[str, str], list[float]] = {}
    for authors in (15, 10_000):
        payloads = bc.message_payloads(args.messages, chunked["new"], 7, authors)
        for _ in range(args.rounds):
            for name, variant in variants.items():
                install(variant)
                chunked[name].state._authors.clear()  # both trees keep the memo there
                for p in payloads[: len(payloads) // 2]:  # warm-up: fills the memo
                    chunked[name].apply(message_event(p))
            for name, ns in interleaved(variants, chunked, payloads, message_event).items():
                results.setdefault((f"{authors:,} authors", name), []).append(ns)
    first = bc.first_post_payloads(10_000, 7)
    for _ in range(args.rounds):
        fresh = built(variants, lambda: bc.new_cache(False, 0))
        for name, ns in interleaved(variants, fresh, first, message_event).items():
            results.setdefault(("first post", name), []).append(ns)
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
