"""IdentifyQueue admits callers in order, spaced by its interval."""

from __future__ import annotations

import asyncio
import itertools

import pytest

from fluxer_rx.gateway.identify_queue import IdentifyQueue


async def test_callers_pass_in_order_and_spaced() -> None:
    queue = IdentifyQueue(0.05)
    loop = asyncio.get_running_loop()
    passed: list[tuple[int, float]] = []

    async def shard(n: int) -> None:
        await queue.wait()
        passed.append((n, loop.time()))

    await asyncio.wait_for(asyncio.gather(*(shard(n) for n in range(4))), 5)
    assert [n for n, _ in passed] == [0, 1, 2, 3]
    gaps = [b - a for (_, a), (_, b) in itertools.pairwise(passed)]
    assert all(gap >= 0.05 - 0.005 for gap in gaps)  # loop timers may fire 1 ms early


def test_negative_interval_is_refused() -> None:
    with pytest.raises(ValueError):
        IdentifyQueue(-1)
