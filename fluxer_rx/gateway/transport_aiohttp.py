"""The ``aiohttp`` transport: data messages delivered from aiohttp's frame parser.

Imported only when the transport is used (:func:`~fluxer_rx.gateway.transport.open_connection`
with ``transport="aiohttp"``, the default without the ``fast`` extra), so
``from fluxer_rx import Client`` does not import ``aiohttp`` (``benchmarks/bench_import.py``).

:class:`AiohttpConnection` keeps the contract of
:class:`~fluxer_rx.gateway.transport.GatewayConnection`; the connection installs a message
queue that calls ``on_message`` from the parser while ``pump`` runs, so no coroutine runs
per message (:class:`_DeliveringQueue`). aiohttp logs no frame content.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from typing import Any, Final, Literal

import aiohttp
from aiohttp._websocket.reader import WebSocketDataQueue, WebSocketReader
from aiohttp.http import WS_CLOSING_MESSAGE

from fluxer_rx.errors import HandshakeFailed

__all__ = ["AiohttpConnection", "open_aiohttp"]

_MAX_MESSAGE: Final = 64 * 1024 * 1024
_ABNORMAL_CLOSURE: Final = 1006
_TEXT: Final = aiohttp.WSMsgType.TEXT
_BINARY: Final = aiohttp.WSMsgType.BINARY
_CLOSE: Final = aiohttp.WSMsgType.CLOSE


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
                    self.close_code = ws.close_code or _ABNORMAL_CLOSURE
                await self._session.close()
                return
        finally:
            if queue is not None:
                queue.deliver = None

    async def release(self) -> None:
        """Close the HTTP session, and with it the socket if still open."""
        if self.close_code is None:
            self.close_code = self._ws.close_code or _ABNORMAL_CLOSURE
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


async def open_aiohttp(url: str) -> AiohttpConnection:
    """Open ``url`` with aiohttp (the caller bounds the whole open). A refused upgrade is
    a :class:`HandshakeFailed`; the session is closed whenever this raises."""
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
    except BaseException as exc:
        # the connector closes its sockets synchronously here, so even a second
        # cancellation that interrupts the await leaves nothing open
        await session.close()
        if isinstance(exc, aiohttp.ClientError) and not isinstance(exc, OSError | ValueError):
            raise HandshakeFailed(f"WebSocket upgrade failed: {exc}") from exc
        raise  # an OSError, a bad URL (ValueError), a timeout or a cancellation
    conn = AiohttpConnection(session, aws)
    conn.install_delivery(_MAX_MESSAGE)
    return conn
