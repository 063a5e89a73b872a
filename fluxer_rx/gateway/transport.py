"""WebSocket transports for a shard: ``websockets`` and ``aiohttp`` behind one small interface.

A transport only moves messages. It knows nothing of opcodes, heartbeats or sessions;
the shard feeds what it receives to the sans-I/O protocol and sends what the protocol
says. Guarantees of every :class:`GatewayConnection`:

* ``messages()`` yields each received data message (text as ``str``, binary as
  ``bytes``) in arrival order and ends when the connection is closed, for any reason.
* After ``messages()`` has ended, ``close_code`` is set: the server's close code, or
  1006 when the connection ended without a close frame.
* ``send`` never raises for a closed connection; the closure is reported by
  ``messages()`` ending.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Literal, Protocol

import aiohttp
from websockets.asyncio.client import ClientConnection
from websockets.asyncio.client import connect as ws_connect
from websockets.exceptions import ConnectionClosed

__all__ = [
    "ABNORMAL_CLOSURE",
    "AiohttpConnection",
    "GatewayConnection",
    "TransportName",
    "WebsocketsConnection",
    "open_connection",
]

TransportName = Literal["websockets", "aiohttp"]

ABNORMAL_CLOSURE = 1006
"""The close code reported when the peer vanished without a close frame."""

_MAX_MESSAGE = 64 * 1024 * 1024


class GatewayConnection(Protocol):
    """One open WebSocket to the gateway."""

    close_code: int | None
    close_reason: str

    def messages(self) -> AsyncIterator[str | bytes]:
        """Received data messages, in order, until the connection closes."""
        ...

    async def send(self, data: str) -> None:
        """Send one text message (dropped silently if the socket is already closed)."""
        ...

    async def close(self, code: int, reason: str = "") -> None:
        """Close with ``code``; returns once the socket is closed."""
        ...


class WebsocketsConnection:
    """A :class:`GatewayConnection` on the ``websockets`` asyncio client."""

    def __init__(self, ws: ClientConnection) -> None:
        self._ws = ws
        self.close_code: int | None = None
        self.close_reason = ""

    async def messages(self) -> AsyncIterator[str | bytes]:
        """Yield messages until the connection closes, then record the close code."""
        try:
            async for message in self._ws:
                yield message
        except ConnectionClosed:
            pass
        finally:
            self._record_close()

    def _record_close(self) -> None:
        # websockets reports 1006 itself when no close frame arrived
        self.close_code = self._ws.close_code or ABNORMAL_CLOSURE
        self.close_reason = self._ws.close_reason or ""

    async def send(self, data: str) -> None:
        """Send ``data`` as a text message."""
        with contextlib.suppress(ConnectionClosed):
            await self._ws.send(data)

    async def close(self, code: int, reason: str = "") -> None:
        """Close the connection with ``code``."""
        await self._ws.close(code, reason)


class AiohttpConnection:
    """A :class:`GatewayConnection` on ``aiohttp``'s WebSocket client."""

    def __init__(self, session: aiohttp.ClientSession, ws: aiohttp.ClientWebSocketResponse):
        self._session = session
        self._ws = ws
        self.close_code: int | None = None
        self.close_reason = ""

    async def messages(self) -> AsyncIterator[str | bytes]:
        """Yield messages until the connection closes, then record the close code."""
        ws = self._ws
        text, binary = aiohttp.WSMsgType.TEXT, aiohttp.WSMsgType.BINARY
        try:
            while True:
                msg = await ws.receive()
                if msg.type is text or msg.type is binary:
                    yield msg.data
                elif msg.type is aiohttp.WSMsgType.CLOSE:
                    self.close_code = int(msg.data)
                    self.close_reason = msg.extra or ""
                    await ws.close()
                    break
                else:  # CLOSING, CLOSED, ERROR: ended without a close frame we saw
                    break
        finally:
            if self.close_code is None:
                self.close_code = ws.close_code or ABNORMAL_CLOSURE
            await self._session.close()

    async def send(self, data: str) -> None:
        """Send ``data`` as a text message."""
        if self._ws.closed:
            return
        with contextlib.suppress(ConnectionError, RuntimeError):
            await self._ws.send_str(data)

    async def close(self, code: int, reason: str = "") -> None:
        """Close the connection with ``code``."""
        await self._ws.close(code=code, message=reason.encode())
        await self._session.close()


async def open_connection(
    url: str, transport: TransportName, open_timeout: float
) -> GatewayConnection:
    """Open a WebSocket to ``url`` with the named transport.

    Raises ``OSError`` (or a subclass) or ``asyncio.TimeoutError`` when the connection
    cannot be established; the caller decides whether to retry.
    """
    if transport == "websockets":
        ws = await ws_connect(
            url,
            max_size=_MAX_MESSAGE,
            compression=None,
            open_timeout=open_timeout,
            ping_interval=None,
            close_timeout=open_timeout,
        )
        return WebsocketsConnection(ws)
    session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=None, connect=open_timeout))
    try:
        aws = await session.ws_connect(url, max_msg_size=_MAX_MESSAGE, autoping=True)
    except BaseException:
        await session.close()
        raise
    return AiohttpConnection(session, aws)
