"""The limiters against simulated Fluxer servers with random latencies: never a 429.

A fake clock drives both sides. Each request waits for its bucket and a global slot, then
reaches the server after a random delay and its answer comes back after another, so
requests overtake each other. The simulated server keeps per-channel buckets and a global
limit, as fixed windows opened by the first arrival ([S]) or as leaky buckets ([N]), and
counts every request it would have refused.
"""

from __future__ import annotations

import asyncio
import math
import random

import pytest

from fluxer_rx.rest.buckets import BucketLimiter
from fluxer_rx.rest.global_limiter import GlobalLimiter
from fluxer_rx.rest.headers import BucketInfo
from fluxer_rx.rest.routes import Route
from tests.rest.fakes import FakeClock
from tests.util import wait_until


class FixedWindow:
    def __init__(self, limit: int, window: float) -> None:
        self.limit, self.window = limit, window
        self.start: float | None = None
        self.count = 0

    def take(self, now: float) -> tuple[bool, int, float]:
        if self.start is None or now >= self.start + self.window:
            self.start, self.count = now, 0
        if self.count >= self.limit:
            return False, 0, self.start + self.window - now
        self.count += 1
        return True, self.limit - self.count, self.start + self.window - now


class Leaky:
    def __init__(self, limit: int, window: float) -> None:
        self.limit, self.window = limit, window
        self.level = 0.0
        self.at = 0.0

    def take(self, now: float) -> tuple[bool, int, float]:
        self.level = max(0.0, self.level - (now - self.at) * self.limit / self.window)
        self.at = now
        if self.level + 1 > self.limit + 1e-9:
            return False, 0, self.level * self.window / self.limit
        self.level += 1
        remaining = math.floor(self.limit - self.level + 1e-9)
        return True, remaining, self.level * self.window / self.limit


async def simulate(kind: str, seed: int, client_rate: float) -> tuple[list[str], float]:
    """Run 96 requests over 4 channels; return the refusals and the simulated duration."""
    rng = random.Random(seed)
    clock = FakeClock()
    make = FixedWindow if kind == "fixed" else Leaky
    channels = 4
    server_buckets = {c: make(5, 1.0) for c in range(channels)}
    server_global = make(8, 1.0)
    refused: list[str] = []
    buckets = BucketLimiter(clock)
    global_limiter = GlobalLimiter(client_rate, clock)
    requests = 96

    async def one(i: int) -> None:
        channel = i % channels
        route = Route("POST", "/channels/{channel_id}/messages", channel_id=channel + 1)
        permit = await buckets.bucket_for(route).acquire()
        slot = await global_limiter.acquire()
        await clock.sleep(rng.uniform(0.001, 0.08))
        now = clock.now
        ok_global, _, _ = server_global.take(now)
        if not ok_global:
            refused.append(f"global {i} at {now:.3f}")
        ok, remaining, reset_after = server_buckets[channel].take(now)
        if not ok:
            refused.append(f"bucket {channel} {i} at {now:.3f}")
        await clock.sleep(rng.uniform(0.001, 0.08))
        slot.release()
        permit.settle(BucketInfo(5, remaining, reset_after, "hash", exact=True))

    tasks = [asyncio.ensure_future(one(i)) for i in range(requests)]

    def waiting_in_limiters() -> int:
        return global_limiter.waiting + sum(b.waiting for b in buckets._buckets.values())

    def at_rest() -> bool:
        done = sum(t.done() for t in tasks)
        return done + clock.sleeping + waiting_in_limiters() == requests

    while not all(t.done() for t in tasks):
        await wait_until(at_rest, interval=0.0)
        if all(t.done() for t in tasks):
            break
        due = clock.next_timer()
        assert due is not None, (
            f"stuck at {clock.now}: done={sum(t.done() for t in tasks)} sleeping={clock.sleeping} "
            f"global={global_limiter!r} buckets={list(buckets._buckets.values())}"
        )
        clock.advance(due - clock.now)
    for t in tasks:
        t.result()
    return refused, clock.now - 1000.0


@pytest.mark.parametrize("kind", ["fixed", "leaky"])
@pytest.mark.parametrize("seed", [1, 2, 3])
async def test_random_latencies_never_exceed_the_server_limits(kind: str, seed: int) -> None:
    refused, elapsed = await simulate(kind, seed, client_rate=8)
    assert refused == []
    # The global limit binds: 96 / 8 per second, plus the latencies that anchor each slot.
    assert 11.0 <= elapsed <= 14.0


@pytest.mark.parametrize("kind", ["fixed", "leaky"])
async def test_the_simulated_server_does_catch_a_client_that_overshoots(kind: str) -> None:
    refused, _ = await simulate(kind, 1, client_rate=16)
    assert any(r.startswith("global") for r in refused)
