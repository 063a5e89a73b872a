"""Test helpers shared across the suite."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import time
from collections.abc import AsyncIterator, Callable
from typing import Any

from fluxer_rx import Client, ClientOptions, GatewayOptions, RestOptions
from fluxer_rx.sandbox import Sandbox


async def wait_until(
    condition: Callable[[], bool],
    *,
    within: float = 5.0,
    interval: float = 0.002,
    what: str = "condition met",
) -> None:
    """Return once ``condition()`` is true; raise ``TimeoutError`` after ``within`` s (its
    message says ``what`` was awaited).

    Synchronises on a condition, not on elapsed time: the poll interval only bounds how
    often the condition is checked.
    """
    deadline = time.monotonic() + within
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(f"no {what} within {within:g} s")
        await asyncio.sleep(interval)


_GATEWAY_FIELDS = frozenset(GatewayOptions.__dataclass_fields__) - {"presence", "version"}


def client_options(*, gateway: GatewayOptions | None = None, **options: Any) -> ClientOptions:
    """``ClientOptions`` from one flat set of keywords: the fields of ``GatewayOptions``
    (``url``, ``transport``, ``shard_count``...) go to ``gateway`` (merged into the
    ``gateway`` given), the others to the client."""
    flat = {k: options.pop(k) for k in list(options) if k in _GATEWAY_FIELDS}
    if "gateway_url" in options:
        flat["url"] = options.pop("gateway_url")
    base = gateway if gateway is not None else GatewayOptions()
    return ClientOptions(gateway=dataclasses.replace(base, **flat), **options)


@contextlib.asynccontextmanager
async def logged_in_client(sb: Sandbox, **options: Any) -> AsyncIterator[Client]:
    """A client logged in to ``sb`` and ready (REST without retries, so a test sees every
    failure); on exit it is destroyed and its ``login()`` awaited."""
    rest = RestOptions(api_url=sb.api_url, max_retries=0)
    client = Client(client_options(rest=rest, **options))
    login = asyncio.create_task(client.login(sb.token))
    try:
        await client.wait_until_ready(timeout=10)
        yield client
    finally:
        await client.destroy()
        await login
