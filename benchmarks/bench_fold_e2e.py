"""End-to-end paired A/B of the cache fold: the full client on the sandbox firehose with this
tree's ``CacheState`` against another tree's, and the naive reader, in one process.

bench_fold_ab times the fold alone; this runs bench_shapes' client (transport, decode,
protocol, fold, ``client.events``) with each tree's ``CacheState`` installed (its
``__init__``, stores and codecs too, as bench_fold_ab loads them) while the client is
built and runs, so everything but the fold is the same code. The three readers take
turns round by round on one sandbox (the order reversed every other round), after one
warm-up run of each. Reported per reader: the median events/s and CPU per frame, each
client's paired ratios to the naive reader, and the paired ratio of the two clients' CPU
per frame (old / new; above 1 is faster).

    git worktree add /tmp/base <commit>
    python benchmarks/bench_fold_e2e.py --before /tmp/base [--frames 30000] [--runs 5]
        [--shape '1,000 guilds, warm']
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys

import bench_fold_ab as ab
import bench_shapes as bs


async def measure(before: str, shape: bs.Shape, frames: int, runs: int) -> dict[str, bs.Runs]:
    """Wall and CPU seconds per counted run of each reader (``old``, ``new``, ``naive``)."""
    variants = {"old": ab.methods(ab.load_state(before)), "new": ab.methods(ab.this_state)}
    results = {name: bs.Runs([], [], [], []) for name in (*variants, "naive")}
    async with bs.shape_sandbox(shape) as sb:
        channels = bs.spread_channels(sb, shape)
        for variant in variants.values():  # warm-up, not counted
            ab.install(variant)
            await bs.client_run(sb, shape, max(frames // 6, 1), channels)
        await bs.naive(sb, shape, max(frames // 6, 1), channels)
        readers = [*variants, "naive"]
        for round_ in range(runs):
            for name in readers if round_ % 2 == 0 else readers[::-1]:
                if name == "naive":
                    wall, cpu = await bs.naive(sb, shape, frames, channels)
                else:
                    ab.install(variants[name])
                    wall, cpu = await bs.client_run(sb, shape, frames, channels)
                results[name].client.append(wall)
                results[name].client_cpu.append(cpu)
        ab.install(variants["new"])
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", required=True, help="a tree (git worktree) to compare with")
    parser.add_argument("--frames", type=int, default=30_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--shape", choices=list(bs.SHAPES), default="1,000 guilds, warm")
    parser.add_argument("-v", action="store_true", help="also print each round's CPU per frame")
    args = parser.parse_args()
    print("# python benchmarks/bench_fold_e2e.py " + " ".join(sys.argv[1:]))
    n = args.frames
    results = asyncio.run(measure(args.before, bs.SHAPES[args.shape], n, args.runs))
    naive = results["naive"]
    for name, r in results.items():
        line = (
            f"  {name:5s} {n / statistics.median(r.client):>9,.0f} events/s"
            f"  CPU {statistics.median(r.client_cpu) / n * 1e6:5.2f} us/frame"
        )
        if name != "naive":
            wall = statistics.median(bs.paired(r.client, naive.client))
            cpu = statistics.median(bs.paired(r.client_cpu, naive.client_cpu))
            line += f"  vs naive x{wall:.2f} wall, x{cpu:.2f} CPU (paired)"
        print(line)
    old, new = results["old"].client_cpu, results["new"].client_cpu
    each = bs.paired(new, old)
    print(
        f"  old CPU / new CPU x{statistics.median(each):.2f} paired"
        f" (x{min(each):.2f}..x{max(each):.2f})"
    )
    if args.v:
        for name, r in results.items():
            rounds = [round(c / n * 1e6, 2) for c in r.client_cpu]
            print(f"  {name:5s} CPU us/frame by round: {rounds}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
