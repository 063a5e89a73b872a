"""How a :class:`~fluxer_rx.bus.port.FrameRecord` is stored as one stream entry field.

Format 1: one field per entry; its *name* is the packed header, its *value* the raw frame
exactly as the server sent it. The header is 14 little-endian bytes, then the session
id (UTF-8, to the end of the name)::

    tag u8 (0xF5) | version u8 (1) | shard u32 | seq + 1 u64 (0: no seq) | session bytes

One field instead of four: an ``XREAD`` reply carries 2 bulk strings per entry instead
of 8, the header is read by one ``struct`` call, and the frame is never copied (neither
into the entry when publishing nor out of it when reading). The tag byte 0xF5 never
occurs in UTF-8, so no text field name is taken for a header. Streams written before this
format (fields ``h``, ``s``, ``q``, ``f``) are still read, so a deployment's workers can
be upgraded while its streams hold older entries (upgrade workers before gateway
processes: an older worker cannot read format 1).

An entry this version cannot read (another version, a cut header, a foreign writer's
fields) is never skipped silently and never stops the stream: it is read as an
:class:`UnreadableEntry` (no seq, so de-duplication passes it on), which a worker reports
on diagnostics as an :class:`EntryFormatError` and then commits past.
"""

from __future__ import annotations

import struct
from collections.abc import Callable, Iterable
from typing import Any, Final

from fluxer_rx.bus.port import FrameRecord, StreamEntry
from fluxer_rx.errors import EntryFormatError

__all__ = [
    "TAG",
    "VERSION",
    "EntryFormatError",
    "UnreadableEntry",
    "is_header",
    "pack_header",
    "session_text",
    "unpack",
    "unpack_rows",
    "unreadable",
]

TAG: Final = 0xF5
"""The first byte of every header (of any version): never a byte of UTF-8 text."""
VERSION: Final = 1

_HEAD: Final = struct.Struct("<BBIQ")
_HEAD_SIZE: Final = _HEAD.size
_FORMAT_1: Final = (TAG << 8 | VERSION).to_bytes(2, "big")


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


def pack_header(shard: int, record: FrameRecord) -> bytes:
    """The field name that stores ``record`` (its value: ``record.frame``) in ``shard``'s
    stream, format :data:`VERSION` (the header's shard is the stream's, as the older
    layout's was).

    Raises ``ValueError`` for a shard outside 0..2**32-1 or a negative seq (no gateway
    sends one).
    """
    seq = record.seq
    if seq is not None and seq < 0:
        raise ValueError(f"seq must be >= 0, got {seq}")
    try:
        head = _HEAD.pack(TAG, VERSION, shard, 0 if seq is None else seq + 1)
    except struct.error as exc:
        raise ValueError(f"record not storable: {exc}") from None
    return head + record.session.encode()


def is_header(name: bytes) -> bool:
    """Whether the field ``name`` claims to be a header (of any version)."""
    return name[:1] == _FORMAT_1[:1]


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


def unpack(position: str, shard: int, head: bytes, frame: bytes) -> StreamEntry:
    """The entry at ``position`` of ``shard``'s stream from its one field (``head``: its
    name, ``frame``: its value); an :class:`UnreadableEntry` when ``head`` is not a
    format-1 header (never raises)."""
    if head[:2] != _FORMAT_1:
        if is_header(head) and len(head) >= 2:
            return unreadable(position, shard, f"format {head[1]}, this version reads {VERSION}")
        return unreadable(position, shard, "its field is not a header")
    if len(head) < _HEAD_SIZE:
        return unreadable(position, shard, f"header of {len(head)} bytes, cut short")
    _, _, stored_shard, seq = _HEAD.unpack_from(head)
    try:
        session = session_text(head[_HEAD_SIZE:])
    except UnicodeDecodeError:
        return unreadable(position, shard, "session id is not UTF-8")
    return StreamEntry(position, stored_shard, session, seq - 1 if seq else None, frame)


def unpack_rows(
    shard: int,
    rows: Iterable[tuple[bytes, Any]],
    other: Callable[[int, bytes, Any], StreamEntry],
) -> list[StreamEntry]:
    """The entries of raw ``XREAD`` rows (``(position, [name, value, ...])``) of
    ``shard``'s stream; a row that is not a format-1 entry of a session already seen is
    read by ``other(shard, position, fields)``.

    The worker's read path: :func:`unpack` and :func:`session_text` are inlined here, as a
    call per entry for each costs about as much as what it does.
    """
    entries: list[StreamEntry] = []
    append = entries.append
    head_of = _HEAD.unpack_from
    sessions = _SESSIONS
    for position, fields in rows:
        if type(fields) is list and len(fields) == 2:
            head, frame = fields
            try:
                tag, version, stored_shard, seq = head_of(head)
            except struct.error:
                tag = 0
            if tag == TAG and version == VERSION:
                session = sessions.get(head[_HEAD_SIZE:])
                if session is not None:
                    append(
                        StreamEntry(
                            position.decode(),
                            stored_shard,
                            session,
                            seq - 1 if seq else None,
                            frame,
                        )
                    )
                    continue
        append(other(shard, position, fields))
    return entries
