"""WebSocket transports for a shard: ``websockets`` and ``aiohttp`` behind one small interface.

A transport only moves messages. It knows nothing of opcodes, heartbeats or sessions;
the shard feeds what it receives to the sans-I/O protocol and sends what the protocol
says. Guarantees of every :class:`GatewayConnection`:

* ``pump(on_message)`` calls ``on_message`` with each received data message as
  ``bytes`` (text frames are not decoded to ``str``), synchronously and in arrival
  order, and returns once the connection has closed, for any reason. An exception from
  ``on_message`` ends the pump and propagates.
* When ``pump`` has returned, ``close_code`` is set: the server's close code, or 1006
  when the connection ended without a close frame.
* ``send`` never raises for a closed connection; the closure is reported by ``pump``
  returning.
* ``release()`` frees the connection's resources whatever state it is in (idempotent);
  the shard calls it when it stops reading, including on cancellation.

:func:`open_connection` bounds the whole opening (TCP connect, TLS, the HTTP upgrade) by
its ``open_timeout``, raises only ``TimeoutError`` or ``OSError`` (a refused upgrade or a
garbled answer is a :class:`HandshakeFailed`), and leaves nothing open when it raises or
is cancelled.

No secret reaches a dependency's log: ``websockets`` logs every frame at DEBUG, and an
IDENTIFY or RESUME carries the token, so the ``websockets`` connection logs through
:data:`REDACTING_WS_LOGGER`, which replaces the content of every frame it sends by its
length. ``aiohttp`` logs no frame content.

The receive loop lives here, calling back into the shard, rather than in the shard
awaiting one message at a time: an await per message through a wrapper coroutine (or
worse, an async generator) costs measurably more than a plain call at gateway rates.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, MutableMapping
from typing import Any, Final, Literal, Protocol

import aiohttp
from websockets.asyncio.client import ClientConnection
from websockets.asyncio.client import connect as ws_connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake
from websockets.frames import DATA_OPCODES, Frame

__all__ = [
    "ABNORMAL_CLOSURE",
    "REDACTING_WS_LOGGER",
    "AiohttpConnection",
    "GatewayConnection",
    "HandshakeFailed",
    "TransportName",
    "WebsocketsConnection",
    "open_connection",
]

TransportName = Literal["websockets", "aiohttp"]

ABNORMAL_CLOSURE = 1006
"""The close code reported when the peer vanished without a close frame."""

_MAX_MESSAGE = 64 * 1024 * 1024
_TEXT: Final = aiohttp.WSMsgType.TEXT
_BINARY: Final = aiohttp.WSMsgType.BINARY
_CLOSE: Final = aiohttp.WSMsgType.CLOSE


class HandshakeFailed(ConnectionError):
    """The peer accepted the TCP connection but did not complete a WebSocket upgrade:
    it answered something else, or closed. The library's own error is the ``__cause__``."""


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


class GatewayConnection(Protocol):
    """One open WebSocket to the gateway."""

    close_code: int | None
    close_reason: str

    async def pump(self, on_message: Callable[[bytes], None]) -> None:
        """Call ``on_message`` with each data message until the connection closes."""
        ...

    async def release(self) -> None:
        """Free the connection's resources (the socket is dropped if still open)."""
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

    def __init__(
        self, session: aiohttp.ClientSession, ws: aiohttp.ClientWebSocketResponse[Literal[False]]
    ) -> None:
        self._session = session
        self._ws = ws
        self.close_code: int | None = None
        self.close_reason = ""

    async def pump(self, on_message: Callable[[bytes], None]) -> None:
        """Deliver messages (text frames as UTF-8 bytes) until the connection closes."""
        ws = self._ws
        receive = ws.receive
        while True:
            msg = await receive()
            kind = msg.type
            if kind is _TEXT or kind is _BINARY:
                on_message(msg.data)  # bytes: decode_text=False
                continue
            if kind is _CLOSE:
                self.close_code = int(msg.data)
                self.close_reason = msg.extra or ""
                await ws.close()
            else:  # CLOSING, CLOSED, ERROR: ended without a close frame we saw
                self.close_code = ws.close_code or ABNORMAL_CLOSURE
            await self._session.close()
            return

    async def release(self) -> None:
        """Close the HTTP session, and with it the socket if still open."""
        if self.close_code is None:
            self.close_code = self._ws.close_code or ABNORMAL_CLOSURE
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
    """Open a WebSocket to ``url`` with the named transport, within ``open_timeout`` s.

    The deadline covers everything up to a usable connection: TCP connect, TLS and the
    HTTP upgrade. Raises ``TimeoutError`` past it, :class:`HandshakeFailed` when the
    server answers the upgrade with anything but a WebSocket (or closes during it), and
    another ``OSError`` when the connection fails (refused, reset, unreachable); the
    caller decides whether to retry. Whether it raises or is cancelled, every socket and
    HTTP session it opened is closed before the exception propagates.
    """
    try:
        async with asyncio.timeout(open_timeout):
            if transport == "websockets":
                return await _open_websockets(url, open_timeout)
            return await _open_aiohttp(url)
    except TimeoutError as exc:
        raise TimeoutError(f"no WebSocket connection within {open_timeout:g} s") from exc
    except (InvalidHandshake, aiohttp.ClientError) as exc:
        if isinstance(exc, OSError | ValueError):
            raise  # already an OSError, or a bad URL: not a handshake problem
        raise HandshakeFailed(f"WebSocket upgrade failed: {exc}") from exc


async def _open_websockets(url: str, open_timeout: float) -> WebsocketsConnection:
    # websockets aborts the socket itself when the handshake fails or is cancelled
    ws = await ws_connect(
        url,
        max_size=_MAX_MESSAGE,
        compression=None,
        open_timeout=None,  # the caller's deadline covers the whole open
        ping_interval=None,
        close_timeout=open_timeout,
        logger=REDACTING_WS_LOGGER,
    )
    return WebsocketsConnection(ws)


async def _open_aiohttp(url: str) -> AiohttpConnection:
    # no aiohttp timeout: the caller's deadline covers connect and upgrade together,
    # and an open connection has no read deadline (the protocol's heartbeat is it)
    session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=None))
    try:
        # decode_text=False: text frames arrive as UTF-8 bytes, which the JSON decoder
        # reads directly (no str is built per message)
        aws = await session.ws_connect(
            url, max_msg_size=_MAX_MESSAGE, autoping=True, decode_text=False
        )
    except BaseException:
        # the connector closes its sockets synchronously here, so even a second
        # cancellation that interrupts the await leaves nothing open
        await session.close()
        raise
    return AiohttpConnection(session, aws)
