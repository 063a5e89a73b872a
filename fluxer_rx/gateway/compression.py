"""``zstd-stream`` transport compression (PROTOCOL §1.2), on any transport.

Fluxer's gateway compresses what it sends when the URL asks for
``compress=zstd-stream``, in one of two framings, and :class:`ZstdStreamConnection` reads
both with one decompressor per connection:

* **stream** (newer servers, with ``stream=1``): one continuous zstd stream, flushed after
  every message; the client must send its own messages compressed, as binary messages,
  on one continuous stream too;
* **per message** (the d4c392c server, which ignores ``stream``): every message is one
  complete zstd frame; client messages must stay plain JSON text (a compressed one is
  closed with 4002).

Which one the server speaks is read from HELLO, the first message: a complete zstd
frame means per message. Until then the client sends nothing (the protocol waits for
HELLO), so the first send already uses the right form.

Guarantees: ``pump`` delivers each message decompressed, in order, exactly as the
uncompressed connection would. A message that does not decompress is delivered as
received (so the shard reports it as undecodable) and the connection is dropped (1006,
reason ``"zstd stream corrupt"``): a broken stream cannot recover, and the next
connection starts a fresh one. Needs ``zstandard`` (``pip install fluxer_rx[zstd]``).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import zstandard

if TYPE_CHECKING:
    from fluxer_rx.gateway.transport import BinaryConnection

__all__ = ["CORRUPT_REASON", "ZstdStreamConnection", "ZstdStreamDecoder", "zstd_stream_url"]

CORRUPT_REASON = "zstd stream corrupt"


def zstd_stream_url(url: str) -> str:
    """``url`` with ``compress=zstd-stream`` and ``stream=1`` in its query (each added only
    if its key is absent; other keys kept)."""
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    keys = {key for key, _ in query}
    if "compress" not in keys:
        query.append(("compress", "zstd-stream"))
    if "stream" not in keys:
        query.append(("stream", "1"))
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), parts.fragment))


class ZstdStreamDecoder:
    """Decompresses the messages of one connection, in order, in either framing.

    ``per_message`` is ``None`` before the first message, then whether the server sent
    it as a complete zstd frame. Raises ``zstandard.ZstdError`` for corrupt input.
    """

    def __init__(self) -> None:
        self._dctx = zstandard.ZstdDecompressor()
        self._stream = self._dctx.decompressobj()
        self.per_message: bool | None = None

    def decode(self, data: bytes) -> bytes:
        """The uncompressed bytes of one message."""
        stream = self._stream
        out = stream.decompress(data)
        if not stream.eof:
            if self.per_message is None:
                self.per_message = False
            return out
        # a complete frame: the next message starts a new one
        if self.per_message is None:
            self.per_message = True
        rest = stream.unused_data
        self._stream = self._dctx.decompressobj()
        return out + self.decode(rest) if rest else out


class ZstdStreamConnection:
    """A :class:`~fluxer_rx.gateway.transport.GatewayConnection` that speaks
    ``zstd-stream`` over another connection (see the module docstring)."""

    def __init__(self, inner: BinaryConnection) -> None:
        self._inner = inner
        self.decoder = ZstdStreamDecoder()
        self._compressor: Any = None
        self.close_code: int | None = None
        self.close_reason = ""
        self._corrupt = False
        self._dropping: asyncio.Task[None] | None = None

    async def pump(self, on_message: Callable[[bytes], None]) -> None:
        """Deliver decompressed messages until the connection closes."""
        decode = self.decoder.decode

        def decompressed(data: bytes) -> None:
            if self._corrupt:
                return
            try:
                message = decode(data)
            except zstandard.ZstdError:
                self._corrupt = True
                self._dropping = asyncio.get_running_loop().create_task(self._inner.release())
                on_message(data)  # reported as undecodable by the reader
                return
            on_message(message)

        try:
            await self._inner.pump(decompressed)
        finally:
            self._record_close()

    def _record_close(self) -> None:
        self.close_code = self._inner.close_code
        self.close_reason = CORRUPT_REASON if self._corrupt else self._inner.close_reason

    async def release(self) -> None:
        """Release the underlying connection."""
        await self._inner.release()
        self._record_close()

    async def send(self, data: str) -> None:
        """Send ``data``: compressed on the stream as a binary message, or as plain text to
        a per-message server."""
        if self.decoder.per_message is not False:
            await self._inner.send(data)
            return
        if self._compressor is None:
            self._compressor = zstandard.ZstdCompressor().compressobj()
        compressor = self._compressor
        payload = compressor.compress(data.encode()) + compressor.flush(
            zstandard.COMPRESSOBJ_FLUSH_BLOCK
        )
        await self._inner.send_binary(payload)

    async def close(self, code: int, reason: str = "") -> None:
        """Close the underlying connection with ``code``."""
        await self._inner.close(code, reason)
