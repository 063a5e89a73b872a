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

Each transport lives in its own module (``transport_picows``, ``transport_aiohttp``,
``transport_websockets``), imported with its library only when that transport is opened
(or one of its names is read here): importing the client imports none of the three
(``benchmarks/bench_import.py``).
"""

from __future__ import annotations

import asyncio
import importlib.util
from collections.abc import Callable
from typing import TYPE_CHECKING, Final, Literal, Protocol

from fluxer_rx.errors import HandshakeFailed
from fluxer_rx.lazy_names import lazy_attributes

if TYPE_CHECKING:
    from fluxer_rx.gateway.transport_aiohttp import AiohttpConnection
    from fluxer_rx.gateway.transport_websockets import (
        REDACTING_WS_LOGGER,
        WebsocketsConnection,
    )

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
                from fluxer_rx.gateway.transport_websockets import open_websockets

                return await open_websockets(url, open_timeout)
            from fluxer_rx.gateway.transport_aiohttp import open_aiohttp

            return await open_aiohttp(url)
    except TimeoutError as exc:
        raise TimeoutError(f"no WebSocket connection within {open_timeout:g} s") from exc


__getattr__ = lazy_attributes(
    __name__,
    {
        "AiohttpConnection": "fluxer_rx.gateway.transport_aiohttp",
        "REDACTING_WS_LOGGER": "fluxer_rx.gateway.transport_websockets",
        "WebsocketsConnection": "fluxer_rx.gateway.transport_websockets",
    },
    globals(),
)
"""The transport classes, imported from their modules on first read: importing this
module imports neither aiohttp nor websockets (``benchmarks/bench_import.py``)."""
