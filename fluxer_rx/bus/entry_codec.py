"""How a :class:`~fluxer_rx.bus.port.FrameRecord` is stored in one stream entry field.

Format 1 (field ``e``): a fixed 15-byte little-endian header, then the session id (UTF-8),
then the raw frame exactly as the server sent it::

    version u8 (= 1) | session length u16 | shard u32 | seq + 1 u64 (0: no seq)
    | session bytes | frame bytes

One field instead of four: an ``XREAD`` reply carries 2 bulk strings per entry instead
of 8, and the header is read by one ``struct`` call. Streams written before this format
(fields ``h``, ``s``, ``q``, ``f``) are still read, so a deployment can upgrade its
workers before or after its gateway processes, with entries of both in one stream.

An entry this version cannot read (another version, a truncated header, a foreign
writer's fields) is never skipped silently and never stops the stream: it is read as an
:class:`UnreadableEntry` (no seq, so de-duplication passes it on), which a worker reports
on diagnostics as an :class:`EntryFormatError` and then commits past.
"""

from __future__ import annotations

import struct
from typing import Final

from fluxer_rx.bus.port import FrameRecord, StreamEntry
from fluxer_rx.errors import DecodeError

__all__ = [
    "FIELD",
    "VERSION",
    "EntryFormatError",
    "UnreadableEntry",
    "pack",
    "session_text",
    "unpack",
    "unreadable",
]

VERSION: Final = 1
FIELD: Final = b"e"
"""The one field name of a format-1 entry."""

_HEAD: Final = struct.Struct("<BHIQ")
_HEAD_SIZE: Final = _HEAD.size
_MAX_SESSION: Final = 0xFFFF


class EntryFormatError(DecodeError):
    """A stream entry is not in a format this version reads (another version, cut short,
    or written by something else); the entry's position says which one."""


class UnreadableEntry(StreamEntry, frozen=True, gc=False):
    """An entry that could not be read: ``reason`` says why. It has no seq and an empty
    frame, so it passes de-duplication and fails decoding; a worker reports
    :meth:`error` instead of the decode error."""

    reason: str = ""

    def error(self) -> EntryFormatError:
        return EntryFormatError(f"unreadable stream entry {self.position}: {self.reason}")


def unreadable(position: str, shard: int, reason: str) -> UnreadableEntry:
    """The entry at ``position`` of ``shard``'s stream, which could not be read."""
    return UnreadableEntry(position, shard, "", None, b"", reason)


def pack(shard: int, record: FrameRecord) -> bytes:
    """``record`` as the value of field :data:`FIELD` (format :data:`VERSION`) in
    ``shard``'s stream (the header's shard is the stream's, as the older layout's was).

    Raises ``ValueError`` for a session id longer than 65,535 bytes, a shard outside
    0..2**32-1 or a negative seq (no gateway sends one).
    """
    session = record.session.encode()
    if len(session) > _MAX_SESSION:
        raise ValueError(f"session id too long for a stream entry: {len(session)} bytes")
    seq = record.seq
    if seq is not None and seq < 0:
        raise ValueError(f"seq must be >= 0, got {seq}")
    try:
        head = _HEAD.pack(VERSION, len(session), shard, 0 if seq is None else seq + 1)
    except struct.error as exc:
        raise ValueError(f"record not storable: {exc}") from None
    return b"".join((head, session, record.frame))


_SESSIONS: dict[bytes, str] = {}


def session_text(session: bytes) -> str:
    """``session`` decoded; the few session ids of a run are decoded once each.

    Raises ``UnicodeDecodeError`` for bytes that are not UTF-8.
    """
    text = _SESSIONS.get(session)
    if text is None:
        if len(_SESSIONS) >= 1024:
            _SESSIONS.clear()
        text = _SESSIONS[session] = session.decode()
    return text


def unpack(position: str, shard: int, value: bytes) -> StreamEntry:
    """The entry at ``position`` of ``shard``'s stream from its field :data:`FIELD`; an
    :class:`UnreadableEntry` when ``value`` is not format 1 (never raises)."""
    try:
        version, length, stored_shard, seq = _HEAD.unpack_from(value)
    except struct.error:
        version = value[0] if value else VERSION
        if version == VERSION:
            return unreadable(position, shard, f"{len(value)} bytes, shorter than a header")
    if version != VERSION:
        return unreadable(position, shard, f"format {version}, this version reads {VERSION}")
    end = _HEAD_SIZE + length
    if len(value) < end:
        return unreadable(position, shard, "cut short inside its session id")
    try:
        session = session_text(value[_HEAD_SIZE:end])
    except UnicodeDecodeError:
        return unreadable(position, shard, "session id is not UTF-8")
    return StreamEntry(position, stored_shard, session, seq - 1 if seq else None, value[end:])
