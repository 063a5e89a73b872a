"""Benchmark: 500 concurrent message sends under Fluxer's rate limits, with and without
proactive limiting.

Setup (issue 5): the sandbox on 127.0.0.1 with [N] headers, ``channel:message:create``
buckets of 10 requests per 1 s per channel and a global limit of 50 requests per 1 s.
``--sends`` (500) ``create_message`` calls are started at once, spread round-robin over
``--channels`` (10) channels. The global limit binds: 500 / 50 = 10 s of budget (the
server's leaky global bucket holds a burst of 50, so 9 s is the hard floor), while each
channel alone would need 50 / 10 = 5 s.

Three clients, each on a fresh sandbox, ``--repeats`` times, interleaved:

* proactive: ``RestOptions(global_rate_limit=50)`` (the default), ``max_retries=3``;
* baseline: ``RestOptions(global_rate_limit=None)``, ``max_retries=3``: route buckets
  are still learned, the global limit is only discovered through the server's 429s
  (each one pauses every request for its ``retry_after``);
* baseline-unbounded: the same with ``max_retries=10000``, so every send completes and
  the times compare like with like.

Reported per client (medians over repeats): wall time until every send has finished
(or failed), the number of 429 answers the server sent, retries, sends that failed, and
requests put on the wire. Target for the proactive client: 0 x 429, <= 11 s.

Run:  python benchmarks/bench_rest.py [--sends 500] [--channels 10] [--repeats 3]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from dataclasses import dataclass

from fluxer_rx.errors import FluxerError
from fluxer_rx.options import RestOptions
from fluxer_rx.rest import Rest
from fluxer_rx.sandbox import Sandbox

BUCKET = (10, 1.0)
GLOBAL_LIMIT = 50


@dataclass
class Run:
    seconds: float
    server_429: int
    client_429: int
    retries: int
    failed: int
    sent: int


async def one_run(*, proactive: bool, sends: int, channels: int, max_retries: int) -> Run:
    guilds = (channels + 4) // 5
    async with Sandbox(
        guilds=guilds,
        channels_per_guild=5,
        members_per_guild=3,
        messages_per_channel=0,
        rate_limit_headers="N",
        rest_bucket_limits={"channel:message:create": BUCKET},
        rest_global_limit=GLOBAL_LIMIT,
        record_dispatches=False,
    ) as sb:
        channel_ids = sb.channel_ids[:channels]
        if len(channel_ids) < channels:
            raise SystemExit(f"sandbox has only {len(channel_ids)} channels")
        options = RestOptions(
            api_url=sb.api_url,
            global_rate_limit=float(GLOBAL_LIMIT) if proactive else None,
            max_retries=max_retries,
        )
        async with Rest(sb.token, options) as rest:
            started = time.perf_counter()
            results = await asyncio.gather(
                *(
                    rest.create_message(channel_ids[i % channels], f"bench {i}")
                    for i in range(sends)
                ),
                return_exceptions=True,
            )
            elapsed = time.perf_counter() - started
            failed = [r for r in results if isinstance(r, BaseException)]
            for exc in failed:
                if not isinstance(exc, FluxerError):
                    raise exc
            assert sb.rest is not None
            return Run(
                seconds=elapsed,
                server_429=sb.rest.limiter.rejections,
                client_429=rest.stats.rate_limited,
                retries=rest.stats.retries,
                failed=len(failed),
                sent=rest.stats.requests,
            )


def median(values: list[float]) -> float:
    return statistics.median(values)


async def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sends", type=int, default=500)
    parser.add_argument("--channels", type=int, default=10)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--max-retries", type=int, default=3)
    args = parser.parse_args(argv)

    clients = {
        "proactive": (True, args.max_retries),
        "baseline": (False, args.max_retries),
        "baseline-unbounded": (False, 10_000),
    }
    runs: dict[str, list[Run]] = {name: [] for name in clients}
    for repeat in range(args.repeats):
        for name, (proactive, max_retries) in clients.items():
            run = await one_run(
                proactive=proactive,
                sends=args.sends,
                channels=args.channels,
                max_retries=max_retries,
            )
            runs[name].append(run)
            print(
                f"  run {repeat + 1} {name:18s}: {run.seconds:6.2f} s, "
                f"{run.server_429:4d} x 429, {run.retries:4d} retries, "
                f"{run.failed:3d} failed, {run.sent} requests sent",
                flush=True,
            )

    floor = args.sends / GLOBAL_LIMIT
    print()
    print(
        f"{args.sends} concurrent sends over {args.channels} channels; "
        f"buckets {BUCKET[0]}/{BUCKET[1]:g} s per channel, global {GLOBAL_LIMIT}/s, [N] headers"
    )
    print(
        f"global budget: {floor:.1f} s; one channel alone: "
        f"{args.sends / args.channels / BUCKET[0] * BUCKET[1]:.1f} s"
    )
    print(
        f"{'client':18s} {'median s':>9s} {'429s':>6s} {'retries':>8s} {'failed':>7s} "
        f"{'requests':>9s}"
    )
    medians: dict[str, float] = {}
    for name, rs in runs.items():
        medians[name] = median([r.seconds for r in rs])
        print(
            f"{name:18s} {medians[name]:9.2f} {median([r.server_429 for r in rs]):6.0f} "
            f"{median([r.retries for r in rs]):8.0f} {median([r.failed for r in rs]):7.0f} "
            f"{median([r.sent for r in rs]):9.0f}"
        )
    ratio = medians["proactive"] / medians["baseline-unbounded"]
    print(f"time ratio proactive / baseline-unbounded (both complete every send): {ratio:.2f}")
    proactive = runs["proactive"]
    target = all(r.server_429 == 0 and r.failed == 0 for r in proactive) and (
        medians["proactive"] <= 11.0
    )
    print(f"target (0 x 429, <= 11 s): {'met' if target else 'NOT met'}")
    print(
        "reproduce: python benchmarks/bench_rest.py "
        f"--sends {args.sends} --channels {args.channels} --repeats {args.repeats} "
        f"--max-retries {args.max_retries}"
    )
    return 0 if target else 1


if __name__ == "__main__":
    sys.exit(asyncio.run(main(sys.argv[1:])))
