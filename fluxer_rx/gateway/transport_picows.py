"""The ``picows`` transport: frames arrive by callback from a Cython parser.

``picows`` (the ``fluxer_rx[fast]`` extra) calls :meth:`_Listener.on_ws_frame` from the
socket's ``data_received`` for every frame: no coroutine and no queue per message, which
is why it is the default transport when installed (``benchmarks/bench_gateway.py``).
This module is imported only when the transport is used.

:class:`PicowsConnection` keeps the contract of
:class:`~fluxer_rx.gateway.transport.GatewayConnection`:

* frames that arrive before ``pump`` starts (HELLO) are held and delivered first, in
  order; a fragmented message is reassembled before it is delivered;
* a close frame from the server is answered with the same code and the socket closed;
  ``close_code``/``close_reason`` are the server's, or 1006 when the socket ended
  without one;
* :func:`open_picows` opens its own socket and hands it to picows, so a timed-out or
  cancelled open shuts that socket down even while picows waits for the upgrade answer
  (picows alone would keep it until its own handshake timer fired).

picows logs no frame content (only connection events, at INFO, on ``picows.client``), so
nothing here needs redacting.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import Callable
from typing import Final

from picows import (
    WSCloseCode,
    WSError,
    WSFrame,
    WSListener,
    WSMsgType,
    WSParsedURL,
    WSTransport,
    ws_connect,
)

from fluxer_rx.errors import HandshakeFailed

__all__ = ["PicowsConnection", "open_picows"]

_MAX_FRAME: Final = 64 * 1024 * 1024
_TEXT: Final = WSMsgType.TEXT
_BINARY: Final = WSMsgType.BINARY
_CONTINUATION: Final = WSMsgType.CONTINUATION
_CLOSE: Final = WSMsgType.CLOSE
_ABNORMAL_CLOSURE: Final = 1006


class _Listener(WSListener):
    """Turns picows callbacks into deliveries and the connection's end."""

    def __init__(self) -> None:
        super().__init__()
        self.deliver: Callable[[bytes], None] | None = None
        self.held: list[bytes] = []
        self.failure: BaseException | None = None
        self.disconnected = asyncio.get_running_loop().create_future()
        self._fragments: bytearray | None = None

    def on_ws_frame(self, transport: WSTransport, frame: WSFrame) -> None:
        kind = frame.msg_type
        if (kind is _TEXT or kind is _BINARY) and frame.fin:
            payload = frame.get_payload_as_bytes()
        elif kind is _CLOSE:
            transport.send_close(frame.get_close_code(), frame.get_close_message())
            transport.disconnect()
            return
        elif kind is _TEXT or kind is _BINARY or kind is _CONTINUATION:
            payload = self._reassembled(frame)
            if not payload:
                return
        else:
            return  # PING (answered by picows) and PONG
        deliver = self.deliver
        if deliver is None:
            self.held.append(payload)
            return
        try:
            deliver(payload)
        except BaseException as exc:  # handed to the pump, which raises it
            self.deliver = None
            self.failure = exc
            transport.disconnect(graceful=False)

    def _reassembled(self, frame: WSFrame) -> bytes:
        """The whole message once its last fragment came, else ``b""`` (kept for later)."""
        if frame.msg_type is not _CONTINUATION or self._fragments is None:
            self._fragments = bytearray()
        self._fragments += frame.get_payload_as_memoryview()
        if not frame.fin:
            return b""
        message, self._fragments = bytes(self._fragments), None
        return message

    def on_ws_disconnected(self, transport: WSTransport) -> None:
        if not self.disconnected.done():
            self.disconnected.set_result(None)


class PicowsConnection:
    """A :class:`~fluxer_rx.gateway.transport.GatewayConnection` on a picows client."""

    def __init__(self, transport: WSTransport, listener: _Listener) -> None:
        self._transport = transport
        self._listener = listener
        self.close_code: int | None = None
        self.close_reason = ""

    async def pump(self, on_message: Callable[[bytes], None]) -> None:
        """Deliver messages (text frames as UTF-8 bytes) until the connection closes."""
        listener = self._listener
        while listener.held:  # what came before the pump, in order
            on_message(listener.held.pop(0))
        listener.deliver = on_message
        try:
            await asyncio.shield(listener.disconnected)
        finally:
            listener.deliver = None
            self._record_close()
        if listener.failure is not None:
            raise listener.failure

    def _record_close(self) -> None:
        if self.close_code is not None or not self._listener.disconnected.done():
            return
        handshake = self._transport.close_handshake
        received = None if handshake is None else handshake.recv
        if received is None:
            self.close_code = _ABNORMAL_CLOSURE
        else:
            self.close_code = int(received.code.value)
            self.close_reason = received.reason or ""

    async def release(self) -> None:
        """Drop the socket if it is still open (no closing handshake)."""
        self._transport.disconnect(graceful=False)
        if self.close_code is None:
            self._record_close()
        if self.close_code is None:
            self.close_code = _ABNORMAL_CLOSURE

    async def send(self, data: str) -> None:
        """Send ``data`` as a text message (nothing once the socket is closing)."""
        self._transport.send(_TEXT, data.encode())

    async def send_binary(self, data: bytes) -> None:
        """Send ``data`` as a binary message (nothing once the socket is closing)."""
        self._transport.send(_BINARY, data)

    async def close(self, code: int, reason: str = "") -> None:
        """Send a close frame with ``code``; returns once the peer has closed the socket."""
        self._transport.send_close(WSCloseCode(code), reason.encode())
        await asyncio.shield(self._listener.disconnected)


async def open_picows(url: str, handshake_timeout: float) -> PicowsConnection:
    """Open ``url`` with picows (the caller bounds the whole open; ``handshake_timeout`` is
    picows's own bound, a backstop). picows's errors are translated as
    :func:`~fluxer_rx.gateway.transport.open_connection` documents."""
    opened: list[socket.socket] = []

    async def connected_socket(parsed: WSParsedURL) -> socket.socket:
        sock = await _connect(parsed.host, parsed.port)
        opened.append(sock)
        return sock

    try:
        transport, listener = await ws_connect(
            _Listener,
            url,
            socket_factory=connected_socket,
            websocket_handshake_timeout=handshake_timeout,
            max_frame_size=_MAX_FRAME,
            enable_auto_pong=True,
            max_redirects=0,
            use_aiofastnet=False,
        )
    except BaseException as exc:
        for sock in opened:  # the transport sees EOF and closes the file descriptor
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
        if isinstance(exc, WSError):
            raise HandshakeFailed(f"WebSocket upgrade failed: {exc}") from exc
        if isinstance(exc, asyncio.TimeoutError | asyncio.CancelledError | OSError):
            raise
        if isinstance(exc, Exception):
            raise HandshakeFailed(f"WebSocket upgrade failed: {exc!r}") from exc
        raise
    if not isinstance(listener, _Listener):  # the peer closed before answering the upgrade
        raise HandshakeFailed("WebSocket upgrade failed: the server closed the connection")
    return PicowsConnection(transport, listener)


async def _connect(host: str, port: int) -> socket.socket:
    """A connected non-blocking TCP socket to ``host:port`` (the first address that
    answers; the last error if none does)."""
    loop = asyncio.get_running_loop()
    infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    error: OSError = OSError(f"no address for {host}")
    for family, kind, proto, _, address in infos:
        sock = socket.socket(family, kind, proto)
        try:
            sock.setblocking(False)
            await loop.sock_connect(sock, address)
        except BaseException as exc:
            sock.close()
            if not isinstance(exc, OSError):
                raise
            error = exc
            continue
        return sock
    raise error
