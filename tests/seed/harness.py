"""A logged-in client against a sandbox, for the seed conformance tests.

:func:`logged_in` starts ``login`` in a task, waits until the client is ready and has
seen every GUILD_CREATE the sandbox sent it, and on exit destroys the client and checks
that ``login`` returned normally.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from fluxer_rx import Client, ClientOptions, RestOptions
from fluxer_rx.diagnostics import Diagnostic
from fluxer_rx.models import GuildCreate
from fluxer_rx.sandbox import Sandbox
from tests.util import client_options, wait_until


@dataclass
class Run:
    """A running client and what it emitted so far."""

    sb: Sandbox
    client: Client
    login: asyncio.Task[None]
    events: list[Any] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)

    def of(self, kind: type[Any]) -> list[Any]:
        """The events of one type, in the order they were emitted."""
        return [e for e in self.events if isinstance(e, kind)]


def options_for(
    sb: Sandbox, rest: RestOptions | None = None, *, max_retries: int = 0, **options: Any
) -> ClientOptions:
    """Client options pointing at ``sb`` (``max_retries`` REST retries unless ``rest`` is
    given)."""
    rest = rest or RestOptions(api_url=sb.api_url, max_retries=max_retries)
    return client_options(rest=rest, **options)


@asynccontextmanager
async def logged_in(
    sb: Sandbox, *, guilds: int | None = None, rest: RestOptions | None = None, **options: Any
) -> AsyncIterator[Run]:
    """A client logged in to ``sb``, ready, having seen ``guilds`` GUILD_CREATEs (default:
    every guild of the sandbox)."""
    client = Client(options_for(sb, rest, **options))
    run = Run(sb, client, asyncio.ensure_future(asyncio.sleep(0)))
    client.events.subscribe(run.events.append)
    client.diagnostics.subscribe(run.diagnostics.append)
    run.login = asyncio.create_task(client.login(sb.token))
    expected = len(sb.guild_ids) if guilds is None else guilds
    try:
        await client.wait_until_ready(timeout=10)
        await wait_until(lambda: len(run.of(GuildCreate)) >= expected)
        yield run
    finally:
        await client.destroy()
        await asyncio.wait_for(run.login, 10)


@asynccontextmanager
async def sandboxed(sandbox: Mapping[str, Any] | None = None, **options: Any) -> AsyncIterator[Run]:
    """A fresh ``Sandbox(**sandbox)`` and a client :func:`logged_in` to it."""
    async with Sandbox(**(sandbox or {})) as sb, logged_in(sb, **options) as run:
        yield run


def authors(sb: Sandbox, guild_index: int = 0) -> list[str]:
    """The ids of a guild's members other than the bot, in a stable order."""
    members = sb.world.guilds[sb.guild_ids[guild_index]].members
    return [user_id for user_id in members if user_id != sb.bot_id]
