"""Test helpers shared across the suite."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable


async def wait_until(
    condition: Callable[[], bool], *, within: float = 5.0, interval: float = 0.002
) -> None:
    """Return once ``condition()`` is true; raise ``TimeoutError`` after ``within`` s.

    Synchronises on a condition, not on elapsed time: the poll interval only bounds how
    often the condition is checked.
    """
    deadline = time.monotonic() + within
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(f"condition not met within {within}s")
        await asyncio.sleep(interval)
