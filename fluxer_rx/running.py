"""``Client.run``: the blocking entry point of a bot script (``python bot.py``).

Guarantees of :func:`run_client`:

* It creates a fresh event loop (``asyncio.run``), awaits ``setup(client)`` on it when
  given (where streams are subscribed, so their timers run on that loop), then logs in and
  returns once the run has ended.
* SIGINT (Ctrl-C) and SIGTERM end the run cleanly: the first one calls
  ``client.close()`` (the run ends within about a second), later ones are logged and
  ignored. The function then returns normally, without a traceback, so the script exits
  with code 0. A signal that arrives during ``setup`` ends the run as soon as ``setup``
  returns, before any login. Where the loop cannot install signal handlers (Windows),
  Ctrl-C cancels the run and the ``KeyboardInterrupt`` is swallowed all the same.
* Errors of ``setup`` and of ``login`` (``InvalidToken``, ...) are raised to the caller.
* Unless ``log_level`` is ``None`` or the root logger already has a handler, logging is
  set up as ``logging.basicConfig`` would, at ``log_level``, with one readable line per
  record: time, level, logger, message.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    from fluxer_rx.client import Client

__all__ = ["LOG_FORMAT", "configure_logging", "run_client"]

C = TypeVar("C", bound="Client")

LOG_FORMAT = "%(asctime)s %(levelname)-7s %(name)s: %(message)s"
"""The line format :func:`configure_logging` sets up."""

log = logging.getLogger("fluxer_rx.client")

_SIGNALS = (signal.SIGINT, signal.SIGTERM)


def configure_logging(level: int) -> bool:
    """Send log records of ``level`` and above to stderr, one :data:`LOG_FORMAT` line each,
    unless the root logger already has a handler (the user's own setup is kept). True when
    it set logging up."""
    root = logging.getLogger()
    if root.handlers:
        return False
    logging.basicConfig(level=level, format=LOG_FORMAT)
    return True


async def _run(client: C, token: str, setup: Callable[[C], Awaitable[None]] | None) -> None:
    loop = asyncio.get_running_loop()
    stopping: list[asyncio.Task[None]] = []
    installed: list[signal.Signals] = []

    def stop(sig: signal.Signals) -> None:
        if stopping:
            log.info("%s received again: the client is already closing", sig.name)
            return
        log.info("%s received: closing the client", sig.name)
        stopping.append(loop.create_task(client.close()))

    for sig in _SIGNALS:
        try:
            loop.add_signal_handler(sig, stop, sig)
        except (NotImplementedError, RuntimeError):  # no signal support here (Windows)
            continue
        installed.append(sig)
    try:
        if setup is not None:
            await setup(client)
        if not stopping:
            await client.login(token)
        for task in stopping:
            await task
    finally:
        for sig in installed:
            loop.remove_signal_handler(sig)


def run_client(
    client: C,
    token: str,
    *,
    setup: Callable[[C], Awaitable[None]] | None = None,
    log_level: int | None = logging.INFO,
) -> None:
    """Run ``client`` until SIGINT / SIGTERM or ``client.close()`` (see the module)."""
    if log_level is not None:
        configure_logging(log_level)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_run(client, token, setup))
