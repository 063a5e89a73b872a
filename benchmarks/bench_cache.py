"""Benchmark: memory per cached member, full GC pause, and fold cost per MESSAGE_CREATE.

Three figures, each beside a baseline measured in the same process:

1. Bytes per cached member. ``--members`` distinct users (default 1,000,000) spread over
   100 guilds arrive as real GUILD_MEMBERS_CHUNK payloads (1000 members each, decoded by
   the real decoder) and are folded into a :class:`fluxer_rx.cache.Cache`. tracemalloc
   measures what stays allocated afterwards: the member entry, its user record, its
   strings and its share of the maps. Baseline: the same payloads kept as plain dicts
   (``json.loads`` member with its nested user dict) in a guild -> user -> dict map, for
   ``--baseline-members`` members (default 100,000; per-member cost is flat in N).
   With ``--bounded`` the cache also runs with ``members``/``users`` limits set (the
   second-chance bookkeeping on), so the price of eviction order is visible.
2. Full GC pause (``gc.collect()``, median of ``--repeats``) with the members cached,
   against the same for the plain dict baseline (scaled to the same member count).
3. Fold cost per MESSAGE_CREATE, the steady state (authors and members already cached):
   ``decode_event`` then ``cache.apply`` per payload, as the client does, minus
   ``decode_event`` alone on the same payloads (median ns/event of each); the ratio is
   fold / decode. With ``--bounded``, the same on the bounded cache (every author's user
   and member marked used).

Run:  python benchmarks/bench_cache.py [--members 1000000] [--baseline-members 100000]
                                        [--messages 100000] [--repeats 7] [--bounded]
"""

from __future__ import annotations

import argparse
import gc
import json
import random
import statistics
import sys
import time
import tracemalloc
from typing import Any

import msgspec

from fluxer_rx.cache import Cache, CacheOptions, CacheSizeLimits
from fluxer_rx.models import decode_event

GUILDS = 100
ROLES_PER_GUILD = 20
CHUNK = 1000
GUILD_BASE = 1400000000000000000
USER_BASE = 1300000000000000000
ROLE_BASE = 1420000000000000000
CHANNEL_BASE = 1410000000000000000
Json = dict[str, Any]


def guild_id(g: int) -> str:
    return str(GUILD_BASE + (g << 22))


def user_json(n: int, rng: random.Random) -> Json:
    return {
        "id": str(USER_BASE + n),
        "username": f"user{n}",
        "discriminator": f"{rng.randrange(1, 10000):04d}",
        "global_name": f"User {n}",
        "avatar": f"{rng.getrandbits(128):032x}",
        "avatar_color": rng.randrange(0, 0xFFFFFF),
        "flags": 0,
    }


def member_json(n: int, g: int, rng: random.Random, *, with_user: bool = True) -> Json:
    roles = rng.sample(range(ROLES_PER_GUILD), rng.randrange(0, 4))
    d: Json = {
        "nick": f"nick{n}" if rng.random() < 0.2 else None,
        "avatar": None,
        "banner": None,
        "accent_color": None,
        "roles": [str(ROLE_BASE + g * 100 + r) for r in roles],
        "joined_at": f"2026-{1 + n % 12:02d}-{1 + n % 28:02d}T{n % 24:02d}:{n % 60:02d}:"
        f"{(n // 60) % 60:02d}.{n % 1000:03d}Z",
        "join_source_type": 0,
        "source_invite_code": None,
        "inviter_id": None,
        "mute": False,
        "deaf": False,
        "communication_disabled_until": None,
        "profile_flags": 0,
    }
    if with_user:
        d["user"] = user_json(n, rng)
    return d


def guild_create_json(g: int) -> bytes:
    gid = guild_id(g)
    return msgspec.json.encode(
        {
            "id": gid,
            "properties": {"id": gid, "name": f"guild {g}", "owner_id": str(USER_BASE)},
            "roles": [
                {"id": str(ROLE_BASE + g * 100 + r), "name": f"r{r}", "position": r}
                for r in range(ROLES_PER_GUILD)
            ],
            "channels": [
                {"id": str(CHANNEL_BASE + g * 100 + c), "guild_id": gid, "name": f"c{c}"}
                for c in range(10)
            ],
            "members": [],
            "member_count": 0,
        }
    )


def chunk_payloads(total: int, seed: int) -> list[tuple[int, bytes]]:
    """(guild index, GUILD_MEMBERS_CHUNK JSON) covering ``total`` distinct users."""
    rng = random.Random(seed)
    per_guild = total // GUILDS
    out: list[tuple[int, bytes]] = []
    n = 0
    for g in range(GUILDS):
        made = 0
        while made < per_guild:
            size = min(CHUNK, per_guild - made)
            members = [member_json(n + i, g, rng) for i in range(size)]
            n += size
            made += size
            d = {"guild_id": guild_id(g), "members": members, "chunk_index": 0, "chunk_count": 1}
            out.append((g, msgspec.json.encode(d)))
    return out


def new_cache(bounded: bool, total: int) -> Cache:
    limits = CacheSizeLimits(members=total, users=total) if bounded else CacheSizeLimits()
    cache = Cache(CacheOptions(limits=limits))
    for g in range(GUILDS):
        cache.apply(decode_event("GUILD_CREATE", guild_create_json(g)))
    return cache


def measure_cache(total: int, seed: int, bounded: bool) -> tuple[Cache, float]:
    """Fold ``total`` members; returns the cache and the retained bytes per member."""
    cache = new_cache(bounded, total)
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    rng = random.Random(seed)
    per_guild = total // GUILDS
    n = 0
    for g in range(GUILDS):
        made = 0
        while made < per_guild:
            size = min(CHUNK, per_guild - made)
            members = [member_json(n + i, g, rng) for i in range(size)]
            n += size
            made += size
            d = {"guild_id": guild_id(g), "members": members, "chunk_index": 0, "chunk_count": 1}
            payload = msgspec.json.encode(d)
            del members, d
            cache.apply(decode_event("GUILD_MEMBERS_CHUNK", payload))
            del payload
    gc.collect()
    after = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    cached = sum(len(inner) for inner in cache.members.values())
    assert cached == total, (cached, total)
    return cache, (after - before) / total


def measure_baseline(total: int, seed: int) -> tuple[dict[str, dict[str, Any]], float]:
    """The same members as ``json.loads`` dicts in a guild -> user -> dict map."""
    store: dict[str, dict[str, Any]] = {guild_id(g): {} for g in range(GUILDS)}
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    for g, payload in chunk_payloads(total, seed):
        inner = store[guild_id(g)]
        for member in json.loads(payload)["members"]:
            inner[member["user"]["id"]] = member
        del payload
    gc.collect()
    after = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    return store, (after - before) / total


def gc_pause_ms(repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        gc.collect()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def message_payloads(
    count: int, cache: Cache, seed: int, authors: int | None = None
) -> list[bytes]:
    """MESSAGE_CREATE payloads by members already in ``cache``, author and member exactly
    as cached (the steady state: nothing to update, only to look up and touch); by up to
    100 members of each guild, or by the first ``authors`` of them."""
    rng = random.Random(seed)
    pool: list[tuple[int, Json, Json]] = []
    for g in range(GUILDS):
        for _, member in zip(range(100), cache.members[guild_id(g)].values(), strict=False):
            wire = msgspec.to_builtins(cache.member_to_wire(member))
            author = wire.pop("user")
            pool.append((g, author, wire))
    pool = pool[:authors]
    return [message_json(i, *pool[rng.randrange(len(pool))]) for i in range(count)]


def first_post_payloads(count: int, seed: int) -> list[bytes]:
    """MESSAGE_CREATE payloads by ``count`` members no cache has seen, one each."""
    rng = random.Random(seed)
    out = []
    for i in range(count):
        g = i % GUILDS
        member = member_json(10_000_000 + i, g, rng)
        out.append(message_json(i, g, member.pop("user"), member))
    return out


def message_json(i: int, g: int, author: Json, member: Json) -> bytes:
    """The ``i``-th MESSAGE_CREATE payload, in guild ``g``'s channels."""
    return msgspec.json.encode(
        {
            "id": str(1500000000000000000 + i),
            "channel_id": str(CHANNEL_BASE + g * 100 + i % 10),
            "guild_id": guild_id(g),
            "channel_type": 0,
            "type": 0,
            "flags": 0,
            "content": f"message {i}: the quick brown fox jumps over the lazy dog",
            "timestamp": "2026-11-27T18:00:00.123Z",
            "edited_timestamp": None,
            "pinned": False,
            "mention_everyone": False,
            "tts": False,
            "author": author,
            "member": member,
            "mentions": [],
            "mention_roles": [],
            "embeds": [],
            "attachments": [],
            "stickers": [],
        }
    )


def fold_cost(
    cache: Cache, messages: int, repeats: int, seed: int, authors: int | None = None
) -> tuple[float, float]:
    """Median ns per MESSAGE_CREATE of ``decode_event`` + ``cache.apply``, and of
    ``decode_event`` alone, on the same payloads (their authors already cached)."""
    payloads = message_payloads(messages, cache, seed, authors)
    decode_times = []
    both_times = []
    apply = cache.apply
    for _ in range(repeats):
        start = time.perf_counter_ns()
        for p in payloads:
            decode_event("MESSAGE_CREATE", p)
        decode_times.append((time.perf_counter_ns() - start) / len(payloads))
        start = time.perf_counter_ns()
        for p in payloads:
            apply(decode_event("MESSAGE_CREATE", p))
        both_times.append((time.perf_counter_ns() - start) / len(payloads))
    return statistics.median(both_times), statistics.median(decode_times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=1_000_000)
    parser.add_argument("--baseline-members", type=int, default=100_000)
    parser.add_argument("--messages", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--bounded", action="store_true", help="also measure with LRU limits")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    command = "python benchmarks/bench_cache.py " + " ".join(sys.argv[1:])
    print(f"# {command}".rstrip())
    print(f"python {sys.version.split()[0]}, msgspec {msgspec.__version__}")

    empty_pause = gc_pause_ms(args.repeats)
    # 2 first needs the baseline alive: measure it, time its GC, drop it.
    baseline, baseline_bytes = measure_baseline(args.baseline_members, args.seed)
    baseline_pause = gc_pause_ms(args.repeats)
    del baseline
    gc.collect()

    cache, cache_bytes = measure_cache(args.members, args.seed, bounded=False)
    print(f"\n1. bytes per cached member ({args.members:,} members, {GUILDS} guilds, tracemalloc)")
    print(f"   cache (unbounded):   {cache_bytes:8.0f} B/member   (target <= 600)")
    print(
        f"   plain dict baseline: {baseline_bytes:8.0f} B/member   "
        f"({args.baseline_members:,} members)   ratio cache/baseline = "
        f"{cache_bytes / baseline_bytes:.2f}"
    )

    cache_pause = gc_pause_ms(args.repeats)
    scaled_baseline_pause = baseline_pause * args.members / args.baseline_members
    print(f"\n2. full GC pause, gc.collect() median of {args.repeats}")
    print(f"   this process before any cache:  {empty_pause:8.2f} ms (imports only)")
    print(f"   cache with {args.members:,} members: {cache_pause:8.2f} ms   (target <= 50)")
    print(
        f"   plain dicts, {args.baseline_members:,} members: {baseline_pause:8.2f} ms "
        f"(x{args.members / args.baseline_members:.0f} = {scaled_baseline_pause:.0f} ms "
        f"at {args.members:,})   ratio = {cache_pause / scaled_baseline_pause:.3f}"
    )

    both, decode = fold_cost(cache, args.messages, args.repeats, args.seed)
    fold = both - decode
    print(f"\n3. fold cost per MESSAGE_CREATE ({args.messages:,} events, median of {args.repeats})")
    print(f"   decode_event + cache.apply: {both:8.0f} ns/event")
    print(f"   decode_event alone:         {decode:8.0f} ns/event")
    print(
        f"   fold (difference):          {fold:8.0f} ns/event   "
        f"ratio fold/decode = {fold / decode:.2f}"
    )
    few, many = 15, GUILDS * 100
    folds: dict[int, list[float]] = {few: [], many: []}
    for _ in range(args.repeats):  # alternated, so both see the same machine
        for authors in (few, many):
            both, decode = fold_cost(cache, args.messages // 4, 1, args.seed, authors)
            folds[authors].append(both - decode)
    first = []
    first_posts = first_post_payloads(many, args.seed)
    for _ in range(args.repeats):
        fresh = new_cache(False, 0)
        events = [decode_event("MESSAGE_CREATE", p) for p in first_posts]
        start = time.perf_counter_ns()
        for event in events:
            fresh.apply(event)
        first.append((time.perf_counter_ns() - start) / len(events))
    print(
        "\n3c. fold per MESSAGE_CREATE by how many authors post (cached, median of alternated runs)"
    )
    print(f"   {few:6,} authors:              {statistics.median(folds[few]):8.0f} ns/event")
    print(
        f"   {many:6,} authors:              {statistics.median(folds[many]):8.0f} ns/event   "
        f"ratio = {statistics.median(folds[many]) / statistics.median(folds[few]):.2f}"
    )
    print(
        f"   first post of a new author: {statistics.median(first):8.0f} ns/event (user + member)"
    )
    del cache
    gc.collect()

    if args.bounded:
        bounded, bounded_bytes = measure_cache(args.members, args.seed, bounded=True)
        print("\n1b. bytes per cached member with limits members=users=N (eviction order on)")
        print(
            f"   cache (bounded):     {bounded_bytes:8.0f} B/member   (target <= 600)   "
            f"ratio to unbounded = {bounded_bytes / cache_bytes:.2f}"
        )
        print(f"   GC pause: {gc_pause_ms(args.repeats):8.2f} ms")
        both, decode = fold_cost(bounded, args.messages, args.repeats, args.seed)
        print(f"\n3b. fold cost per MESSAGE_CREATE, bounded cache (median of {args.repeats})")
        print(
            f"   fold (difference):          {both - decode:8.0f} ns/event   "
            f"(decode_event alone {decode:.0f} ns/event)"
        )
        del bounded
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
