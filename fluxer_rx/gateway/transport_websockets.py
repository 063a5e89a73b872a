"""The ``websockets`` transport: the asyncio client, one ``recv()`` await per message.

Imported only when the transport is used (:func:`~fluxer_rx.gateway.transport.open_connection`
with ``transport="websockets"``), so ``from fluxer_rx import Client`` does not import
``websockets`` (``benchmarks/bench_import.py``).

:class:`WebsocketsConnection` keeps the contract of
:class:`~fluxer_rx.gateway.transport.GatewayConnection`. websockets logs every frame at
DEBUG, and an IDENTIFY or RESUME carries the token, so the connection logs through
:data:`REDACTING_WS_LOGGER`, which replaces the content of every frame it sends by its
length.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, MutableMapping
from typing import Any, Final

from websockets.asyncio.client import ClientConnection
from websockets.asyncio.client import connect as ws_connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake
from websockets.frames import DATA_OPCODES, Frame

from fluxer_rx.errors import HandshakeFailed

__all__ = ["REDACTING_WS_LOGGER", "WebsocketsConnection", "open_websockets"]

_MAX_MESSAGE: Final = 64 * 1024 * 1024
_ABNORMAL_CLOSURE: Final = 1006


class _RedactingAdapter(logging.LoggerAdapter[logging.Logger]):
    """Logs to ``websockets.client`` as websockets would, minus what the client sends.

    websockets logs each frame as ``"> %s"`` (sent) or ``"< %s"`` (received) with the
    ``Frame`` as the argument, and its ``str`` shows the start of the payload. A data
    frame's content is replaced by its opcode and length unless the line is a received
    one, so an IDENTIFY's token never reaches a log. Only called when websockets logs,
    which it does per frame only at DEBUG: nothing is added per message otherwise.
    """

    def process(
        self, msg: Any, kwargs: MutableMapping[str, Any]
    ) -> tuple[Any, MutableMapping[str, Any]]:
        return msg, kwargs  # keep the per-connection ``extra`` websockets passes

    def log(self, level: int, msg: object, *args: object, **kwargs: Any) -> None:
        if args and not (isinstance(msg, str) and msg.startswith("<")):
            args = tuple(_without_content(arg) for arg in args)
        self.logger.log(level, msg, *args, **kwargs)


def _without_content(arg: object) -> object:
    if isinstance(arg, Frame) and arg.opcode in DATA_OPCODES:
        more = "" if arg.fin else ", continued"
        return f"{arg.opcode.name} [{len(arg.data)} bytes{more}, content not logged]"
    return arg


REDACTING_WS_LOGGER: Final = _RedactingAdapter(logging.getLogger("websockets.client"))
"""The logger every ``websockets`` gateway connection uses (see :class:`_RedactingAdapter`).
Configure ``websockets.client`` as usual; this only filters what reaches it."""


class WebsocketsConnection:
    """A :class:`GatewayConnection` on the ``websockets`` asyncio client."""

    def __init__(self, ws: ClientConnection) -> None:
        self._ws = ws
        self.close_code: int | None = None
        self.close_reason = ""

    async def pump(self, on_message: Callable[[bytes], None]) -> None:
        """Deliver messages (text frames as UTF-8 bytes) until the connection closes."""
        recv = self._ws.recv
        try:
            while True:
                on_message(await recv(decode=False))
        except ConnectionClosed:
            self._record_close()

    async def release(self) -> None:
        """Drop the socket if it is still open (no closing handshake)."""
        if self.close_code is None:
            self._ws.transport.abort()

    def _record_close(self) -> None:
        # websockets reports 1006 itself when no close frame arrived
        self.close_code = self._ws.close_code or _ABNORMAL_CLOSURE
        self.close_reason = self._ws.close_reason or ""

    async def send(self, data: str) -> None:
        """Send ``data`` as a text message."""
        with contextlib.suppress(ConnectionClosed):
            await self._ws.send(data)

    async def send_binary(self, data: bytes) -> None:
        """Send ``data`` as a binary message."""
        with contextlib.suppress(ConnectionClosed):
            await self._ws.send(data)

    async def close(self, code: int, reason: str = "") -> None:
        """Close the connection with ``code``."""
        await self._ws.close(code, reason)


async def open_websockets(url: str, open_timeout: float) -> WebsocketsConnection:
    """Open ``url`` with websockets (the caller bounds the whole open; ``open_timeout``
    bounds the closing handshake). A refused upgrade is a :class:`HandshakeFailed`."""
    # websockets aborts the socket itself when the handshake fails or is cancelled
    try:
        ws = await ws_connect(
            url,
            max_size=_MAX_MESSAGE,
            compression=None,
            open_timeout=None,  # the caller's deadline covers the whole open
            ping_interval=None,
            close_timeout=open_timeout,
            logger=REDACTING_WS_LOGGER,
        )
    except InvalidHandshake as exc:
        if isinstance(exc, OSError | ValueError):
            raise  # already an OSError, or a bad URL: not a handshake problem
        raise HandshakeFailed(f"WebSocket upgrade failed: {exc}") from exc
    return WebsocketsConnection(ws)
