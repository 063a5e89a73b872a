"""A TCP fault proxy for tests: real network faults between a client and a local server.

::

    async with FaultProxy("127.0.0.1", sandbox.port) as proxy:
        options = ClientOptions(gateway_url=proxy.url(), ...)
        ...
        await proxy.cut()        # live connections reset, new ones refused
        await proxy.restore()

The proxy listens on 127.0.0.1 (loopback only) and forwards every accepted connection to
the upstream address, bytes unchanged, in both directions. Faults:

* :meth:`cut` resets every live connection (both sides get an RST) and stops listening,
  so a new connection is refused by the kernel (``ConnectionRefusedError``), until
  :meth:`restore` or for ``duration`` seconds. The port stays reserved meanwhile.
* :meth:`blackhole` keeps every connection open but drops every byte both ways (and
  closes: a FIN is not passed on either); new connections are accepted and get nothing.
  This is the "zombie" network: nothing fails, nothing arrives.
* :meth:`delay` adds latency to every chunk, both ways, keeping the order.
* :meth:`reset` resets (RST, ``SO_LINGER`` 0) every live connection, both sides, and
  keeps accepting new ones.
* :meth:`restore` undoes all of them: listening, forwarding, no delay. A connection that
  lost bytes in a blackhole is reset then, since a TCP stream never resumes with a hole
  in it; a connection that lost nothing goes on.

Every fault method returns once the fault is in force: after ``await proxy.cut()`` no
byte is forwarded and a connect is refused; after ``await proxy.blackhole()`` no byte
read from either side is forwarded; after ``await proxy.reset()`` the sockets of the
reset connections are closed. Memory is bounded: at most ``_QUEUE_CHUNKS`` chunks of
``chunk_size`` bytes are held per direction of a connection, and a full queue stops the
proxy reading from that side (TCP backpressure does the rest).
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import socket
import struct
from types import TracebackType
from typing import Final, Self

__all__ = ["FaultProxy", "Mode"]

_QUEUE_CHUNKS: Final = 16
_LINGER_RST: Final = struct.pack("ii", 1, 0)


class Mode(enum.Enum):
    """What the proxy does with connections now."""

    FORWARD = "forward"
    CUT = "cut"
    BLACKHOLE = "blackhole"


def _rst(writer: asyncio.StreamWriter) -> None:
    """Close ``writer``'s socket with an RST rather than a FIN."""
    sock = writer.get_extra_info("socket")
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, _LINGER_RST)
    writer.transport.abort()


class _Link:
    """One proxied connection: the accepted client side and, once open, the upstream."""

    def __init__(self, client_r: asyncio.StreamReader, client_w: asyncio.StreamWriter) -> None:
        self.client_r = client_r
        self.client_w = client_w
        self.upstream_r: asyncio.StreamReader | None = None
        self.upstream_w: asyncio.StreamWriter | None = None
        self.lost_bytes = False  # a blackhole dropped something: the stream has a hole
        self.dead = False
        self.task: asyncio.Task[None] | None = None

    def writers(self) -> list[asyncio.StreamWriter]:
        return [w for w in (self.client_w, self.upstream_w) if w is not None]

    async def kill(self) -> None:
        """RST both sides and return once both sockets are closed and the link's tasks
        have ended."""
        self.dead = True
        for writer in self.writers():
            _rst(writer)
        if self.task is not None:
            self.task.cancel()
            await asyncio.wait([self.task])
        # nothing else awaits these (a cancelled waiter would cancel them too)
        for writer in self.writers():
            with contextlib.suppress(OSError):
                await writer.wait_closed()


class FaultProxy:
    """A TCP proxy from ``127.0.0.1:<port>`` to ``upstream_host:upstream_port``.

    Use as ``async with FaultProxy(host, port) as proxy`` (or :meth:`start` and
    :meth:`close`). ``port`` is chosen free unless given. Counters: :attr:`accepted`
    (connections accepted so far), :attr:`live` (connections open now) and
    :attr:`dropped_bytes` (bytes a blackhole swallowed).
    """

    def __init__(
        self,
        upstream_host: str,
        upstream_port: int,
        *,
        port: int = 0,
        chunk_size: int = 64 * 1024,
    ) -> None:
        self.upstream_host = upstream_host
        self.upstream_port = upstream_port
        self.chunk_size = chunk_size
        self.accepted = 0
        self.dropped_bytes = 0
        self._want_port = port
        self._port: int | None = None
        self._placeholder: socket.socket | None = None
        self._server: asyncio.Server | None = None
        self._links: set[_Link] = set()
        self._mode = Mode.FORWARD
        self._delay = 0.0
        self._restore_timer: asyncio.TimerHandle | None = None
        self._background: set[asyncio.Task[None]] = set()

    def __repr__(self) -> str:
        return (
            f"<FaultProxy :{self._port} -> {self.upstream_host}:{self.upstream_port}"
            f" {self._mode.value} delay={self._delay} live={self.live}>"
        )

    # -- attributes ----------------------------------------------------------------------

    @property
    def port(self) -> int:
        """The port the proxy listens on (reserved for its whole life, even when cut)."""
        if self._port is None:
            raise RuntimeError("the proxy is not started")
        return self._port

    def url(self, path: str = "", scheme: str = "ws") -> str:
        """``<scheme>://127.0.0.1:<port><path>``, e.g. ``proxy.url()`` as a gateway URL."""
        return f"{scheme}://127.0.0.1:{self.port}{path}"

    @property
    def live(self) -> int:
        """Connections accepted and not yet closed."""
        return len(self._links)

    @property
    def mode(self) -> Mode:
        """The fault in force (:attr:`Mode.FORWARD` when none)."""
        return self._mode

    @property
    def delay_seconds(self) -> float:
        """The latency added to each chunk now."""
        return self._delay

    # -- lifecycle -----------------------------------------------------------------------

    async def start(self) -> None:
        """Reserve the port and start listening."""
        if self._placeholder is not None:
            raise RuntimeError("the proxy is already started")
        # A bound socket that never listens keeps the port ours while the listener is
        # closed (cut): nothing else can bind it, and connects to it are refused.
        # SO_REUSEADDR on both lets the listener share the port with the placeholder.
        placeholder = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        placeholder.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        placeholder.bind(("127.0.0.1", self._want_port))
        self._placeholder = placeholder
        self._port = placeholder.getsockname()[1]
        await self._listen()

    async def close(self) -> None:
        """Stop listening and reset every connection; idempotent."""
        self._cancel_restore_timer()
        self._stop_listening()
        await self._kill(list(self._links))
        for task in list(self._background):
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if self._placeholder is not None:
            self._placeholder.close()
            self._placeholder = None

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    # -- faults --------------------------------------------------------------------------

    async def cut(self, duration: float | None = None) -> int:
        """Reset every live connection and refuse new ones; return how many were reset.

        With ``duration``, :meth:`restore` runs by itself that many seconds later.
        """
        self._cancel_restore_timer()
        self._mode = Mode.CUT
        self._stop_listening()
        links = list(self._links)
        await self._kill(links)
        if duration is not None:
            loop = asyncio.get_running_loop()
            self._restore_timer = loop.call_later(duration, self._restore_later)
        return len(links)

    async def blackhole(self) -> None:
        """Drop every byte both ways from now on; connections stay open, new ones are
        accepted and get nothing."""
        self._cancel_restore_timer()
        if self._mode is Mode.CUT:
            await self._listen()
        self._mode = Mode.BLACKHOLE

    async def delay(self, seconds: float) -> None:
        """Hold each chunk ``seconds`` before passing it on (0 for none); order is kept.

        Applies to chunks read from now on, on live and new connections.
        """
        if seconds < 0:
            raise ValueError("delay must be >= 0")
        self._delay = seconds

    async def reset(self) -> int:
        """RST every live connection, both sides; return how many were reset."""
        links = list(self._links)
        await self._kill(links)
        return len(links)

    async def restore(self) -> None:
        """Forward normally again: listening, no blackhole, no delay.

        Connections that lost bytes in a blackhole (or were accepted during it) are
        reset: their streams cannot be made whole.
        """
        self._cancel_restore_timer()
        self._delay = 0.0
        broken = [link for link in self._links if link.lost_bytes]
        was = self._mode
        self._mode = Mode.FORWARD
        if was is Mode.BLACKHOLE:
            await self._kill(broken)
        if self._server is None:
            await self._listen()

    # -- internals -----------------------------------------------------------------------

    def _cancel_restore_timer(self) -> None:
        if self._restore_timer is not None:
            self._restore_timer.cancel()
            self._restore_timer = None

    def _restore_later(self) -> None:
        self._restore_timer = None
        task = asyncio.get_running_loop().create_task(self.restore())
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def _listen(self) -> None:
        if self._server is not None:
            return
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            listener.bind(("127.0.0.1", self.port))
            listener.listen(64)
            listener.setblocking(False)
            self._server = await asyncio.start_server(
                self._accept, sock=listener, limit=self.chunk_size
            )
        except BaseException:
            listener.close()
            raise

    def _stop_listening(self) -> None:
        # Server.close() closes the listening socket synchronously; connections still
        # in the kernel's backlog are reset by the kernel.
        if self._server is not None:
            self._server.close()
            self._server = None

    async def _kill(self, links: list[_Link]) -> None:
        for link in links:
            self._links.discard(link)
        await asyncio.gather(*(link.kill() for link in links))

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.accepted += 1
        link = _Link(reader, writer)
        if self._mode is Mode.CUT:  # accepted by asyncio just before the listener closed
            await link.kill()
            return
        self._links.add(link)
        link.task = asyncio.create_task(self._run(link))
        # the work runs in its own task, so a kill cancels that and never this handler
        # (asyncio 3.11 logs an error for a cancelled stream handler)
        await asyncio.wait([link.task])

    async def _run(self, link: _Link) -> None:
        try:
            await self._serve(link)
        except* OSError:
            pass  # one side went away or refused: the other side is reset below
        finally:
            self._links.discard(link)
            link.dead = True
            for w in link.writers():
                if not w.is_closing():
                    _rst(w)

    async def _serve(self, link: _Link) -> None:
        if self._mode is Mode.BLACKHOLE:
            link.lost_bytes = True  # reset on restore: it never reached the upstream
            await self._drain_forever(link.client_r)
            return
        up_r, up_w = await asyncio.open_connection(
            self.upstream_host, self.upstream_port, limit=self.chunk_size
        )
        link.upstream_r, link.upstream_w = up_r, up_w
        to_upstream: asyncio.Queue[tuple[float, bytes]] = asyncio.Queue(_QUEUE_CHUNKS)
        to_client: asyncio.Queue[tuple[float, bytes]] = asyncio.Queue(_QUEUE_CHUNKS)
        # an error on either side ends the group, and _accept resets both sides
        async with asyncio.TaskGroup() as group:
            group.create_task(self._read_side(link, link.client_r, to_upstream))
            group.create_task(self._write_side(link, up_w, to_upstream))
            group.create_task(self._read_side(link, up_r, to_client))
            group.create_task(self._write_side(link, link.client_w, to_client))
        self._links.discard(link)
        link.dead = True
        for w in link.writers():
            w.close()

    async def _drain_forever(self, reader: asyncio.StreamReader) -> None:
        """Read and drop until the peer goes away; then hold the socket."""
        while data := await reader.read(self.chunk_size):
            self.dropped_bytes += len(data)
        await asyncio.Event().wait()

    async def _drop(self, link: _Link, data: bytes) -> None:
        """Swallow ``data`` in the blackhole; an end of stream (``b""``) is swallowed too,
        by never returning: a blackhole passes nothing on, not even a close."""
        link.lost_bytes = True
        self.dropped_bytes += len(data)
        if not data:
            await asyncio.Event().wait()

    async def _read_side(
        self,
        link: _Link,
        src: asyncio.StreamReader,
        queue: asyncio.Queue[tuple[float, bytes]],
    ) -> None:
        loop = asyncio.get_running_loop()
        while True:
            data = await src.read(self.chunk_size)
            if self._mode is Mode.BLACKHOLE:
                await self._drop(link, data)
                continue
            await queue.put((loop.time() + self._delay, data))
            if not data:
                return

    async def _write_side(
        self,
        link: _Link,
        dst: asyncio.StreamWriter,
        queue: asyncio.Queue[tuple[float, bytes]],
    ) -> None:
        loop = asyncio.get_running_loop()
        while True:
            due, data = await queue.get()
            wait = due - loop.time()
            if wait > 0:
                await asyncio.sleep(wait)  # the latency being simulated
            if self._mode is Mode.BLACKHOLE:
                await self._drop(link, data)
                continue
            if not data:
                if dst.can_write_eof():
                    dst.write_eof()
                return
            dst.write(data)
            await dst.drain()
