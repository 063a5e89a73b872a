"""The client's lifecycle: one explicit state machine, :class:`ClientState` and its table.

A :class:`~fluxer_rx.Client` is always in exactly one :class:`ClientState`. Every change
goes through :class:`Lifecycle`, which checks it against :data:`CLIENT_TRANSITIONS` (an
illegal move is a bug and raises :class:`~fluxer_rx.errors.Other`), reports it to a
callback (the client publishes it on ``diagnostics`` as kind ``client_state``) and wakes
whoever waits for a state.

The states, in the order a run goes through them::

    idle -> discovering -> connecting -> ready <-> reconnecting -> closing -> closed
                                                                              |
                     (login() again) discovering <--------------------------- +

* ``discovering``: ``login()`` is finding the gateway URL (REST), or replay is starting.
* ``connecting``: shards are opening their first sessions; not every shard is live yet.
* ``ready``: every shard is connected with a live session (and, with
  ``wait_for_guilds``, the guild burst is over).
* ``reconnecting``: the client was ready, and some shard has lost its connection or its
  session; events resume once it is back.
* ``closing``: ``close()`` was called, or a fatal error is ending the run.
* ``closed``: the run is over; ``login()`` may be called again.
"""

from __future__ import annotations

import asyncio
import enum
from collections.abc import Awaitable, Callable, Mapping

from fluxer_rx.errors import Other

__all__ = ["CLIENT_TRANSITIONS", "ClientState", "Lifecycle", "run_until_stopped"]


class ClientState(enum.Enum):
    """Where a client stands; see the module docstring."""

    IDLE = "idle"
    DISCOVERING = "discovering"
    CONNECTING = "connecting"
    READY = "ready"
    RECONNECTING = "reconnecting"
    CLOSING = "closing"
    CLOSED = "closed"


_C = ClientState
CLIENT_TRANSITIONS: Mapping[ClientState, frozenset[ClientState]] = {
    _C.IDLE: frozenset({_C.DISCOVERING, _C.CLOSING}),
    _C.DISCOVERING: frozenset({_C.CONNECTING, _C.CLOSING}),
    _C.CONNECTING: frozenset({_C.READY, _C.CLOSING}),
    _C.READY: frozenset({_C.RECONNECTING, _C.CLOSING}),
    _C.RECONNECTING: frozenset({_C.READY, _C.CLOSING}),
    _C.CLOSING: frozenset({_C.CLOSED}),
    _C.CLOSED: frozenset({_C.DISCOVERING, _C.CLOSING}),
}
"""State -> the states it may move to."""


class Lifecycle:
    """Holds the current :class:`ClientState`; see the module docstring.

    ``on_change(old, new)`` is called after every change, on the caller's stack.
    """

    def __init__(self, on_change: Callable[[ClientState, ClientState], None]) -> None:
        self._state = ClientState.IDLE
        self._on_change = on_change
        self._changed = asyncio.Event()

    @property
    def state(self) -> ClientState:
        """The current state."""
        return self._state

    def move(self, new: ClientState) -> None:
        """Move to ``new``; a move to the current state does nothing."""
        old = self._state
        if new is old:
            return
        if new not in CLIENT_TRANSITIONS[old]:
            raise Other(f"illegal client state change {old.value} -> {new.value}")
        self._state = new
        changed, self._changed = self._changed, asyncio.Event()
        changed.set()
        self._on_change(old, new)

    async def wait_for(self, *states: ClientState) -> ClientState:
        """Return the current state as soon as it is one of ``states``."""
        while self._state not in states:
            await self._changed.wait()
        return self._state


async def run_until_stopped(
    work: Awaitable[None],
    stop: asyncio.Event,
    *,
    on_stop: Callable[[], Awaitable[None]],
    grace: float,
) -> None:
    """Run ``work`` until it ends (its error is raised) or ``stop`` is set.

    When ``stop`` comes first, ``await on_stop()`` asks the work to end politely (close the
    shards), ``work`` gets ``grace`` seconds to end by itself and is then cancelled, and
    this returns normally: whatever ``work`` raised after ``stop`` is moot. Cancelling the
    caller cancels ``work`` too.
    """
    run = asyncio.ensure_future(work)
    stopped = asyncio.ensure_future(stop.wait())
    try:
        await asyncio.wait((run, stopped), return_when=asyncio.FIRST_COMPLETED)
        if not run.done():
            await on_stop()
            await asyncio.wait((run,), timeout=grace)
        if run.done() and not stop.is_set():
            run.result()  # the work ended by itself: its error is raised to the caller
    finally:
        stopped.cancel()
        if not run.done():
            run.cancel()
            await asyncio.wait((run,))
        if not run.cancelled():
            run.exception()  # retrieved: raised above, or moot because stop came first
