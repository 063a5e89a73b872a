"""When a client is ready: every shard live with a handled READY, and, with
``wait_for_guilds``, the guild burst over (a quiet period) and guild member lists in.

Readiness also holds each new session's READY event until its burst is over (live only:
a replay has no wall-clock burst to wait for) and moves the client's lifecycle between
``connecting`` / ``reconnecting`` and ``ready``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Collection
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from fluxer_rx.cache import GuildChunker
from fluxer_rx.lifecycle import ClientState, Lifecycle
from fluxer_rx.models import Ready
from fluxer_rx.models.frame import Frame

if TYPE_CHECKING:
    from fluxer_rx.gateway.actions import ConnectionState

__all__ = ["Readiness"]


class Readiness:
    """Tracks the readiness of one run (see the module).

    ``emit`` is called with a held READY once its burst is over.
    """

    def __init__(
        self,
        *,
        lifecycle: Lifecycle,
        emit: Callable[[Frame, Ready], None],
        wait_for_guilds: bool,
        guild_ready_timeout: float,
        chunker: GuildChunker | None,
    ) -> None:
        self._lifecycle = lifecycle
        self._emit = emit
        self._wait_for_guilds = wait_for_guilds
        self._guild_ready_timeout = guild_ready_timeout
        self.chunker = chunker
        self.event = asyncio.Event()
        self.running = False
        self.ready_at: datetime | None = None
        self._shard_ids: Collection[int] = ()
        self._live = False
        self._ready_shards: set[int] = set()  # shards whose session's READY was handled
        self._live_shards: set[int] = set()  # shards whose connection is READY (live)
        self._held: list[tuple[Frame, Ready]] = []  # READY events waiting for the burst
        self._quiet: asyncio.TimerHandle | None = None
        self._burst_over = False

    def begin(self, shard_ids: Collection[int], *, live: bool) -> None:
        """A run starts with these shards (none for a replay: one READY makes it ready)."""
        self.running = True
        self._shard_ids = shard_ids
        self._live = live
        self.event.clear()
        self._ready_shards.clear()
        self._live_shards.clear()

    def end(self) -> None:
        """The run is over: not ready, the quiet timer and held READYs dropped."""
        self.running = False
        self.event.clear()
        self._live_shards.clear()
        self._held.clear()
        if self._quiet is not None:
            self._quiet.cancel()
            self._quiet = None

    def on_ready(self, shard_id: int, ready: Ready, frame: Frame) -> bool:
        """Note a READY (folded already); True when its emission is held for the burst."""
        self._ready_shards.add(shard_id)
        held = False
        if self._wait_for_guilds:
            self._burst_over = False
            self._arm_quiet()
            if self._live:
                self._held.append((frame, ready))
                held = True
        self.update()
        return held

    def session_known(self, shard_id: int) -> None:
        """A shard's session's READY was handled elsewhere (a scale-out worker that loaded
        a cache snapshot, or folded the READY while catching up): count it as seen. Its
        guild burst was handled there too, so with ``wait_for_guilds`` it waits only for a
        burst still under way on another shard."""
        self._ready_shards.add(shard_id)
        if self._quiet is None:
            self._burst_over = True
        self.update()

    def on_guild_create(self) -> None:
        """A GUILD_CREATE arrived: the burst goes on."""
        if self._quiet is not None:
            self._arm_quiet()

    def session_lost(self, shard_id: int) -> None:
        """A shard's session ended for good: it is not ready until its next READY, and
        the member lists requested on it will not come (the other shards' still will)."""
        self._ready_shards.discard(shard_id)
        if self.chunker is not None:
            self.chunker.reset(shard_id)
        self.update()

    def state_changed(self, shard_id: int, new: ConnectionState) -> None:
        """A shard's connection state changed."""
        # imported here (a few calls per connection): a client imports the gateway's
        # actions with login(), not with the client
        from fluxer_rx.gateway.actions import ConnectionState

        if new is ConnectionState.READY:
            self._live_shards.add(shard_id)
        else:
            self._live_shards.discard(shard_id)
        self.update()

    def _arm_quiet(self) -> None:
        if self._quiet is not None:
            self._quiet.cancel()
        loop = asyncio.get_running_loop()
        self._quiet = loop.call_later(self._guild_ready_timeout, self._burst_ended)

    def _burst_ended(self) -> None:
        self._quiet = None
        self._burst_over = True
        self.update()
        held, self._held = self._held, []
        for frame, ready in held:
            self._emit(frame, ready)

    def _is_ready(self) -> bool:
        if not self.running:
            return False
        if self._shard_ids:
            for shard_id in self._shard_ids:
                if shard_id not in self._live_shards or shard_id not in self._ready_shards:
                    return False
        elif self._live or not self._ready_shards:
            return False  # live with no shard (a worker that holds none) is never ready
        if self._wait_for_guilds:
            if not self._burst_over:
                return False
            if self.chunker is not None and not self.chunker.idle:
                return False
        return True

    def update(self) -> None:
        """Recompute readiness; on a change set or clear :attr:`event` and move the
        lifecycle (``connecting``/``reconnecting`` -> ``ready`` -> ``reconnecting``)."""
        ready = self._is_ready()
        if ready == self.event.is_set():
            return
        lifecycle = self._lifecycle
        if ready:
            self.ready_at = datetime.now(UTC)
            self.event.set()
            if lifecycle.state in (ClientState.CONNECTING, ClientState.RECONNECTING):
                lifecycle.move(ClientState.READY)
        else:
            self.event.clear()
            if lifecycle.state is ClientState.READY:
                lifecycle.move(ClientState.RECONNECTING)
