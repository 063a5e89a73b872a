"""WebSocket transports for a shard: ``picows``, ``aiohttp`` and ``websockets`` behind one
small interface.

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
``picows`` (:mod:`fluxer_rx.gateway.transport_picows`) hands frames to a callback by
design; on ``aiohttp`` the connection installs a message queue that calls ``on_message``
from the parser while ``pump`` runs, so no coroutine runs per message there either
(:class:`AiohttpConnection`).

Which transport: :func:`default_transport` (what ``GatewayOptions().transport`` is) picks
``picows`` when it is installed (``pip install fluxer_rx[fast]``) and ``aiohttp`` when it
is not; every transport stays selectable by name. ``compress="zstd-stream"`` wraps any of
them in :class:`~fluxer_rx.gateway.compression.ZstdStreamConnection`.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib.util
import logging
from collections.abc import Callable, MutableMapping
from typing import Any, Final, Literal, Protocol

import aiohttp
from aiohttp._websocket.reader import WebSocketDataQueue, WebSocketReader
from aiohttp.http import WS_CLOSING_MESSAGE
from websockets.asyncio.client import ClientConnection
from websockets.asyncio.client import connect as ws_connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake
from websockets.frames import DATA_OPCODES, Frame

from fluxer_rx.errors import HandshakeFailed

__all__ = [
    "ABNORMAL_CLOSURE",
    "REDACTING_WS_LOGGER",
    "TRANSPORT_NAMES",
    "AiohttpConnection",
    "Compression",
    "GatewayConnection",
    "HandshakeFailed",
    "TransportName",
    "WebsocketsConnection",
    "default_transport",
    "open_connection",
]

TransportName = Literal["picows", "aiohttp", "websockets"]
TRANSPORT_NAMES: Final[tuple[TransportName, ...]] = ("picows", "aiohttp", "websockets")
"""Every transport, fastest first (``benchmarks/bench_gateway.py``)."""

Compression = Literal["zstd-stream"]
"""The transport compressions the client speaks (PROTOCOL §1.2)."""


def default_transport() -> TransportName:
    """The best installed transport: ``picows`` if it can be imported (the ``fast`` extra),
    else ``aiohttp`` (always installed). Checked without importing either."""
    return "picows" if importlib.util.find_spec("picows") is not None else "aiohttp"

ABNORMAL_CLOSURE = 1006
"""The close code reported when the peer vanished without a close frame."""

_MAX_MESSAGE = 64 * 1024 * 1024
_TEXT: Final = aiohttp.WSMsgType.TEXT
_BINARY: Final = aiohttp.WSMsgType.BINARY
_CLOSE: Final = aiohttp.WSMsgType.CLOSE


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


class BinaryConnection(GatewayConnection, Protocol):
    """A connection that can also send binary messages (every transport of this package)."""

    async def send_binary(self, data: bytes) -> None:
        """Send one binary message (dropped silently if the socket is already closed)."""
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

    async def send_binary(self, data: bytes) -> None:
        """Send ``data`` as a binary message."""
        with contextlib.suppress(ConnectionClosed):
            await self._ws.send(data)

    async def close(self, code: int, reason: str = "") -> None:
        """Close the connection with ``code``."""
        await self._ws.close(code, reason)


class _DeliveringQueue(WebSocketDataQueue):
    """aiohttp's message queue, except that while :attr:`deliver` is set a data message
    is handed to it straight from the frame parser instead of being queued for a
    ``receive()`` coroutine. Control messages (close, ping) and anything arriving while a
    message is still queued take the ordinary path, so the order is kept.

    An exception from ``deliver`` is kept in :attr:`failure`, delivery stops, and a
    CLOSING message wakes the pump, which raises it (the parser never sees it)."""

    deliver: Callable[[bytes], None] | None = None
    failure: BaseException | None = None

    def feed_data(self, data: Any, size: int) -> None:
        deliver = self.deliver
        if deliver is not None and not self._buffer:
            kind = data.type
            if kind is _TEXT or kind is _BINARY:
                try:
                    deliver(data.data)
                except BaseException as exc:  # handed to the pump, which raises it
                    self.deliver = None
                    self.failure = exc
                    super().feed_data(WS_CLOSING_MESSAGE, 0)
                return
        super().feed_data(data, size)


class _CallbackWebSocketResponse(aiohttp.ClientWebSocketResponse[Literal[False]]):
    """Keeps the bytes that followed the 101 answer away from aiohttp's own frame parser,
    so that :meth:`AiohttpConnection.install_delivery` can give them, and every later
    byte, to a parser feeding a :class:`_DeliveringQueue`.

    aiohttp builds this object after the upgrade and before it installs its parser, with
    nothing awaited in between (aiohttp 3.14: ``ClientSession._ws_connect``); until a
    parser is installed the connection's protocol holds received bytes in ``_tail``."""

    def __init__(self, reader: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(reader, *args, **kwargs)
        self.held_tail: bytes | None = None
        protocol = getattr(reader, "_protocol", None)
        tail = getattr(protocol, "_tail", None)
        if isinstance(tail, bytes):
            self.held_tail, protocol._tail = tail, b""  # type: ignore[union-attr]


class AiohttpConnection:
    """A :class:`GatewayConnection` on ``aiohttp``'s WebSocket client.

    With the connection opened by :func:`open_connection`, data messages reach
    ``on_message`` from the parser (no coroutine per message, see :class:`_DeliveringQueue`);
    the pump awaits only control messages. Built on a plain ``ClientWebSocketResponse``
    it reads with ``receive()``, one await per message, as it does when
    :attr:`deliver_from_parser` is false (the path before #16, kept for the benchmark's
    before/after).
    """

    deliver_from_parser: bool = True

    def __init__(
        self, session: aiohttp.ClientSession, ws: aiohttp.ClientWebSocketResponse[Literal[False]]
    ) -> None:
        self._session = session
        self._ws = ws
        self._queue: _DeliveringQueue | None = None
        self.close_code: int | None = None
        self.close_reason = ""

    def install_delivery(self, max_msg_size: int) -> None:
        """Parse every byte after the upgrade into a :class:`_DeliveringQueue` (called
        by the opener, before anything is awaited after the upgrade)."""
        ws = self._ws
        tail = getattr(ws, "held_tail", None)
        old = ws._reader
        protocol: Any = old._protocol
        if tail is None or protocol is None:
            return  # not our response class, or another aiohttp: receive() it is
        protocol._tail = tail
        if not self.deliver_from_parser:
            protocol.set_parser(ws._parser, old)  # aiohttp's own parser gets the bytes
            return
        queue = _DeliveringQueue(protocol, old._limit // 2, loop=asyncio.get_running_loop())
        parser = WebSocketReader(queue, max_msg_size, compress=False, decode_text=False)
        for message, size in old._buffer:  # none in practice: it never saw a byte
            queue.feed_data(message, size)
        ws._reader = queue
        ws._parser = parser
        protocol.set_parser(parser, queue)  # parses the held bytes into ``queue`` now
        self._queue = queue

    async def pump(self, on_message: Callable[[bytes], None]) -> None:
        """Deliver messages (text frames as UTF-8 bytes) until the connection closes."""
        ws = self._ws
        receive = ws.receive
        queue = self._queue
        try:
            while True:
                if queue is not None and not queue._buffer:
                    queue.deliver = on_message  # from now on, straight from the parser
                msg = await receive()
                kind = msg.type
                if kind is _TEXT or kind is _BINARY:
                    on_message(msg.data)  # bytes: decode_text=False
                    continue
                if queue is not None and queue.failure is not None:
                    raise queue.failure
                if kind is _CLOSE:
                    self.close_code = int(msg.data)
                    self.close_reason = msg.extra or ""
                    await ws.close()
                else:  # CLOSING, CLOSED, ERROR: ended without a close frame we saw
                    self.close_code = ws.close_code or ABNORMAL_CLOSURE
                await self._session.close()
                return
        finally:
            if queue is not None:
                queue.deliver = None

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

    async def send_binary(self, data: bytes) -> None:
        """Send ``data`` as a binary message."""
        if self._ws.closed:
            return
        with contextlib.suppress(ConnectionError, RuntimeError):
            await self._ws.send_bytes(data)

    async def close(self, code: int, reason: str = "") -> None:
        """Close the connection with ``code``."""
        await self._ws.close(code=code, message=reason.encode())
        await self._session.close()


async def open_connection(
    url: str,
    transport: TransportName,
    open_timeout: float,
    compress: Compression | None = None,
) -> GatewayConnection:
    """Open a WebSocket to ``url`` with the named transport, within ``open_timeout`` s.

    The deadline covers everything up to a usable connection: TCP connect, TLS and the
    HTTP upgrade. Raises ``TimeoutError`` past it, :class:`HandshakeFailed` when the
    server answers the upgrade with anything but a WebSocket (or closes during it), and
    another ``OSError`` when the connection fails (refused, reset, unreachable); the
    caller decides whether to retry. Whether it raises or is cancelled, every socket and
    HTTP session it opened is closed before the exception propagates.

    ``compress="zstd-stream"`` adds ``compress=zstd-stream&stream=1`` to the query (unless
    there) and returns a :class:`~fluxer_rx.gateway.compression.ZstdStreamConnection`:
    ``pump`` still delivers plain JSON. It needs ``zstandard`` (``fluxer_rx[zstd]``);
    without it ``ImportError`` is raised before any connection is made.
    """
    if compress is not None:
        from fluxer_rx.gateway.compression import ZstdStreamConnection, zstd_stream_url

        url = zstd_stream_url(url)
        return ZstdStreamConnection(await _open(url, transport, open_timeout))
    return await _open(url, transport, open_timeout)


async def _open(url: str, transport: TransportName, open_timeout: float) -> BinaryConnection:
    try:
        async with asyncio.timeout(open_timeout):
            if transport == "picows":
                from fluxer_rx.gateway.transport_picows import open_picows

                return await open_picows(url, open_timeout)
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
    session = aiohttp.ClientSession(
        timeout=aiohttp.ClientTimeout(total=None),
        ws_response_class=_CallbackWebSocketResponse,  # type: ignore[arg-type]  # decode_text=False
    )
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
    conn = AiohttpConnection(session, aws)
    conn.install_delivery(_MAX_MESSAGE)
    return conn
