"""ShardTasks (one task per held shard, in gateway and worker processes): after one shard's
task failed, ``cancel`` still waits for every other task to end (their ``finally``
releases the shard's lease before the broker is closed). No Redis needed."""

from __future__ import annotations

import asyncio

import pytest

from fluxer_rx.bus.shard_tasks import ShardTasks


async def test_cancel_waits_for_every_task_after_one_failed() -> None:
    tasks = ShardTasks()
    released: list[int] = []
    holding = asyncio.Event()

    async def hold(shard_id: int) -> None:
        if shard_id == 0:
            await holding.wait()
            raise RuntimeError("shard 0 failed")
        try:
            holding.set()
            await asyncio.Event().wait()
        finally:
            await asyncio.sleep(0)  # a release that awaits, as a lease release does
            released.append(shard_id)

    with pytest.raises(RuntimeError, match="shard 0"):
        await tasks.run([0, 1, 2], hold)
    with pytest.raises(RuntimeError, match="shard 0"):  # the error is not lost either
        await tasks.cancel()
    assert sorted(released) == [1, 2]  # cancel returned before they ended, before the fix
