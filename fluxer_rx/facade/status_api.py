"""Where a client stands: its lifecycle state, readiness, its own user, its pipeline."""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import TYPE_CHECKING

from fluxer_rx.lifecycle import ClientState
from fluxer_rx.models import PrivateUser

if TYPE_CHECKING:
    from fluxer_rx.pipeline import EventPipeline

__all__ = ["RunStatus"]


class RunStatus:
    """The state of the client's run, read from its event pipeline."""

    _pipeline: EventPipeline

    @property
    def state(self) -> ClientState:
        """Where the client stands in its lifecycle (see :mod:`fluxer_rx.lifecycle`); each
        change is also reported on :attr:`diagnostics` (kind ``client_state``)."""
        return self._pipeline.lifecycle.state

    @property
    def is_ready(self) -> bool:
        """True only while every shard is connected with a live session (READY handled) and,
        with ``wait_for_guilds``, the guild burst is over. It goes False on a disconnect or a
        lost session and True again once resumed (or identified anew)."""
        return self._pipeline.readiness.event.is_set()

    @property
    def pipeline(self) -> EventPipeline:
        """The event pipeline behind :attr:`raw`, :attr:`events`, the cache and the handlers
        (a :class:`~fluxer_rx.gateway.shard.ShardSink`): a custom frame source may drive it
        between runs, as a replay does."""
        return self._pipeline

    @property
    def user(self) -> PrivateUser | None:
        """The bot's own user, from the last READY (``None`` before it)."""
        return self._pipeline.user

    @property
    def ready_at(self) -> datetime | None:
        """When the client last became ready (UTC), ``None`` before that."""
        return self._pipeline.readiness.ready_at

    async def wait_until_ready(self, timeout: float | None = None) -> None:
        """Return once :attr:`is_ready`; ``TimeoutError`` after ``timeout`` seconds.

        With ``wait_for_guilds=True`` readiness waits, after every shard's READY, until no
        GUILD_CREATE has arrived for ``options.guild_ready_timeout`` seconds: bots get READY
        with an empty guild list, so the end of the burst can only be told by a quiet period.
        It may be called before :meth:`login` starts (it waits for it), and while the client
        is reconnecting (it waits until the session is live again).
        """
        async with asyncio.timeout(timeout):
            await self._pipeline.readiness.event.wait()
