"""One task per shard, for the processes that hold shards by lease (gateway and worker).

:class:`ShardTasks` starts a coroutine per shard, waits until they all ended or one
failed (its error is raised), and cancels them all on :meth:`ShardTasks.cancel`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine, Iterable
from typing import Any

__all__ = ["ShardTasks"]


class ShardTasks:
    """The tasks of ``hold(shard_id)`` for each shard id."""

    def __init__(self) -> None:
        self._tasks: list[asyncio.Task[None]] = []

    async def run(
        self, shard_ids: Iterable[int], hold: Callable[[int], Coroutine[Any, Any, None]]
    ) -> None:
        """Run ``hold`` for every shard until all ended (cancelled ones included); the
        first error raised by one is raised here. The others go on until :meth:`cancel`."""
        self._tasks = [asyncio.create_task(hold(i)) for i in shard_ids]
        done, _ = await asyncio.wait(self._tasks, return_when=asyncio.FIRST_EXCEPTION)
        for task in done:
            error = None if task.cancelled() else task.exception()
            if error is not None:
                raise error

    async def cancel(self) -> None:
        """Cancel every task and wait for all of them to end (each one's cleanup, such as
        its lease release, done); then the first error a task ended with is raised.
        Idempotent."""
        tasks, self._tasks = self._tasks, []
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.wait(tasks)
        for task in tasks:
            error = None if task.cancelled() else task.exception()
            if error is not None:
                raise error
