"""The sandbox gateway's ``compress=zstd-stream`` (PROTOCOL §1.2), in both framings.

:func:`server_compression` reads the connection's query: ``compress=zstd-stream`` with
``stream=1`` (or ``true``) gives :class:`StreamCompression`, as newer servers speak it;
``compress=zstd-stream`` alone gives :class:`PerMessageCompression`, as the d4c392c server
speaks it (transcript ``08-zstd-stream``); anything else, or ``zstandard`` not installed,
gives ``None`` (uncompressed text frames, as an unknown ``compress`` value does on the
real server).

Both write every server message as one binary websocket frame. They differ in what they
accept from the client (:meth:`client_message`): the stream wants binary messages on one
continuous zstd stream; per message wants plain text (a binary message is not
decompressed, so it fails to decode: 4002, transcript ``08b``).
"""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator, Mapping
from typing import Any

__all__ = [
    "PerMessageCompression",
    "ServerCompression",
    "StreamCompression",
    "encode_frame",
    "server_compression",
    "split_frames",
]

_TEXT_OPCODE = 0x1
_BINARY_OPCODE = 0x2


def encode_frame(payload: bytes, opcode: int) -> bytes:
    """One unmasked, final websocket frame with ``opcode`` (RFC 6455 §5.2)."""
    n = len(payload)
    first = 0x80 | opcode
    if n < 126:
        header = bytes((first, n))
    elif n < 65536:
        header = bytes((first, 126)) + n.to_bytes(2, "big")
    else:
        header = bytes((first, 127)) + n.to_bytes(8, "big")
    return header + payload


def split_frames(data: bytes) -> Iterator[bytes]:
    """The payloads of consecutive unmasked websocket frames written by :func:`encode_frame`."""
    view = memoryview(data)
    at = 0
    while at < len(view):
        length = view[at + 1] & 0x7F
        at += 2
        if length == 126:
            length = int.from_bytes(view[at : at + 2], "big")
            at += 2
        elif length == 127:
            length = int.from_bytes(view[at : at + 8], "big")
            at += 8
        yield bytes(view[at : at + length])
        at += length


class ServerCompression:
    """What a compressed connection does to each message, both ways."""

    def __init__(self) -> None:
        import zstandard

        self._zstd: Any = zstandard

    def compress(self, payload: bytes) -> bytes:
        """The compressed bytes of one server message."""
        raise NotImplementedError

    def frame(self, payload: bytes) -> bytes:
        """One server message as a binary websocket frame."""
        return encode_frame(self.compress(payload), _BINARY_OPCODE)

    def reframe(self, frames: bytes) -> bytes:
        """Pre-built uncompressed frames (a replay, a firehose batch) as compressed ones."""
        return b"".join(self.frame(payload) for payload in split_frames(frames))

    def client_message(self, binary: bool, data: bytes) -> bytes | None:
        """The JSON of a client message, or ``None`` when it cannot be decoded (4002)."""
        raise NotImplementedError


class StreamCompression(ServerCompression):
    """One continuous zstd stream each way, flushed at every message (``stream=1``)."""

    def __init__(self) -> None:
        super().__init__()
        self._out = self._zstd.ZstdCompressor(level=3).compressobj()
        self._in = self._zstd.ZstdDecompressor().decompressobj()
        self._flush = self._zstd.COMPRESSOBJ_FLUSH_BLOCK

    def compress(self, payload: bytes) -> bytes:
        out = self._out
        compressed: bytes = out.compress(payload) + out.flush(self._flush)
        return compressed

    def client_message(self, binary: bool, data: bytes) -> bytes | None:
        if not binary:
            return None  # the stream wants every client message compressed
        try:
            message: bytes = self._in.decompress(data)
        except self._zstd.ZstdError:
            return None
        return message


class PerMessageCompression(ServerCompression):
    """Each server message one complete zstd frame; client messages plain (d4c392c)."""

    def __init__(self) -> None:
        super().__init__()
        self._compressor = self._zstd.ZstdCompressor(level=3)

    def compress(self, payload: bytes) -> bytes:
        compressed: bytes = self._compressor.compress(payload)
        return compressed

    def client_message(self, binary: bool, data: bytes) -> bytes | None:
        return data  # never decompressed: a compressed one fails as JSON


def server_compression(query: Mapping[str, str]) -> ServerCompression | None:
    """The compression a connection with this query asks for (see the module docstring)."""
    if query.get("compress", "").lower() != "zstd-stream":
        return None
    if importlib.util.find_spec("zstandard") is None:
        return None
    if query.get("stream", "").lower() in ("1", "true"):
        return StreamCompression()
    return PerMessageCompression()
