"""The recording format (version 1): received gateway frames as JSON Lines.

A recording is a UTF-8 file of JSON objects, one per line (``\\n``-terminated).

Line 1 is the header::

    {"format":"fluxer_rx.recording","version":1,"gateway_version":"1",
     "started_at":"2026-11-27T21:30:00.123456+00:00","library":"fluxer_rx 0.1.0"}

``format`` and ``version`` identify the file (a reader refuses any other ``version``);
``gateway_version`` is the gateway API version the frames were received with;
``started_at`` (ISO 8601, UTC) and ``library`` are informative and may be absent.

Every further line is one frame the client received, in the order it received them::

    {"at":0.012345,"shard":0,"op":0,"s":1,"t":"READY","d":{...}}

* ``at``: seconds since the recording started (monotonic clock, microsecond precision),
  never negative and never smaller than on the line before.
* ``shard``: the id of the shard that received the frame.
* ``op``, ``s``, ``t``: the frame's envelope as received (``s`` and ``t`` may be null).
* ``d``: the frame's ``d`` exactly as received (its raw JSON, made single-line if the
  server spread it over several); the key is absent when the frame had no ``d`` (op 11).

Readers ignore keys they do not know, so version 1 may gain informative keys. Blank lines
are skipped. Only received frames that decoded are recorded (a message that is not a
frame at all is only reported on ``client.diagnostics``), nothing the client sent. A
frame that carries a ``token`` in its ``d`` (IDENTIFY, op 2, and RESUME, op 6, which
servers never send) has it replaced by :data:`REDACTED`, and a
:class:`~fluxer_rx.replay.Recorder` also replaces any secret it is given, so a recording
never holds a token.
"""

from __future__ import annotations

import math
from typing import Any, Final

import msgspec

from fluxer_rx.errors import (
    DecodeError,
    MalformedRecording,
    RecordingError,
    RecordingFileError,
    UnsupportedRecordingVersion,
)
from fluxer_rx.models.frame import Frame, decode_frame

__all__ = [
    "FORMAT_NAME",
    "FORMAT_VERSION",
    "REDACTED",
    "MalformedRecording",
    "RecordingError",
    "RecordingFileError",
    "RecordingHeader",
    "UnsupportedRecordingVersion",
    "decode_frame_line",
    "decode_header",
    "encode_frame_line",
    "encode_header",
]

FORMAT_NAME: Final = "fluxer_rx.recording"
FORMAT_VERSION: Final = 1
REDACTED: Final = "[redacted]"

_TOKEN_OPS: Final = frozenset({2, 6})  # IDENTIFY and RESUME carry the token in d.token


class RecordingHeader(msgspec.Struct, frozen=True, kw_only=True):
    """The first line of a recording."""

    format: str = FORMAT_NAME
    version: int = FORMAT_VERSION
    gateway_version: str
    started_at: str | None = None
    library: str | None = None


class _HeaderProbe(msgspec.Struct):
    """Just enough of a header to tell what the file is before validating the rest."""

    format: Any = None
    version: Any = None


class _FrameLineIn(msgspec.Struct):
    at: float
    shard: int
    op: int
    s: int | None = None
    t: str | None = None
    d: msgspec.Raw | msgspec.UnsetType = msgspec.UNSET


class _Wire(msgspec.Struct, kw_only=True, omit_defaults=True):
    """A frame as a gateway writes it (sorted keys), for :func:`decode_frame`."""

    d: msgspec.Raw | msgspec.UnsetType = msgspec.UNSET
    op: int
    s: int | None = None
    t: str | None = None


_encoder: Final = msgspec.json.Encoder()
_probe_decoder: Final = msgspec.json.Decoder(_HeaderProbe)
_header_decoder: Final = msgspec.json.Decoder(RecordingHeader)
_line_decoder: Final = msgspec.json.Decoder(_FrameLineIn)
_any_decoder: Final = msgspec.json.Decoder()


def encode_header(header: RecordingHeader) -> bytes:
    """The header line, newline included."""
    return _encoder.encode(header) + b"\n"


def _redact_token(raw: bytes) -> bytes:
    try:
        value = _any_decoder.decode(raw)
    except msgspec.DecodeError:
        return _encoder.encode(REDACTED)  # cannot tell where a token would be: drop all
    if isinstance(value, dict) and "token" in value:
        value["token"] = REDACTED
        return _encoder.encode(value)
    return raw


# Event names as JSON strings, so a line is one ``%`` format instead of an encoder call
# (about half the cost per frame). Bounded: a server inventing names cannot grow it.
_NAMES: dict[str | None, bytes] = {None: b"null"}
_MAX_NAMES: Final = 512


def _json_name(t: str | None) -> bytes:
    name = _NAMES.get(t)
    if name is None:
        name = _encoder.encode(t)
        if len(_NAMES) < _MAX_NAMES:
            _NAMES[t] = name
    return name


def encode_frame_line(frame: Frame, at: float) -> bytes:
    """One frame line for ``frame`` received ``at`` seconds after the start, newline
    included. A ``token`` inside the ``d`` of op 2 or op 6 is replaced by :data:`REDACTED`.
    """
    s = frame.s
    head = b'{"at":%.6f,"shard":%d,"op":%d,"s":%s,"t":%s' % (
        at,
        frame.shard_id,
        frame.op,
        b"null" if s is None else b"%d" % s,
        _json_name(frame.t),
    )
    if not frame.has_d:
        return head + b"}\n"
    raw = frame.raw_d
    if b"\n" in raw:
        raw = msgspec.json.format(raw, indent=-1)
    if frame.op in _TOKEN_OPS:
        raw = _redact_token(raw)
    return b'%s,"d":%s}\n' % (head, raw)


def _reason(exc: Exception) -> str:
    return str(exc) or type(exc).__name__


def decode_header(line: bytes, path: str) -> RecordingHeader:
    """Read line 1. Raises :class:`MalformedRecording` when it is not a fluxer_rx header,
    :class:`UnsupportedRecordingVersion` for a version other than :data:`FORMAT_VERSION`."""
    try:
        probe = _probe_decoder.decode(line)
    except (msgspec.DecodeError, UnicodeDecodeError, RecursionError) as exc:
        raise MalformedRecording(
            path, 1, f"the header is not a JSON object ({_reason(exc)})"
        ) from None
    if probe.format != FORMAT_NAME:
        raise MalformedRecording(
            path, 1, f'not a fluxer_rx recording: the header needs "format": "{FORMAT_NAME}"'
        )
    version = probe.version
    if type(version) is not int:
        raise MalformedRecording(path, 1, 'the header needs an integer "version"')
    if version != FORMAT_VERSION:
        raise UnsupportedRecordingVersion(path, version, FORMAT_VERSION)
    try:
        return _header_decoder.decode(line)
    except msgspec.DecodeError as exc:
        raise MalformedRecording(path, 1, f"bad header: {_reason(exc)}") from None


def decode_frame_line(
    line: bytes, path: str, number: int, previous_at: float
) -> tuple[float, Frame]:
    """Read frame line ``number``: its ``at`` and the frame (``shard_id`` set).

    The frame is built by :func:`~fluxer_rx.models.frame.decode_frame` from the recorded
    envelope and ``d``, exactly as a shard builds one from a received message. Raises
    :class:`MalformedRecording` for bad JSON, a missing or mistyped key, ``at`` negative,
    not finite or smaller than ``previous_at``, or a negative ``shard``.
    """
    try:
        entry = _line_decoder.decode(line)
    except (msgspec.DecodeError, UnicodeDecodeError, RecursionError) as exc:
        raise MalformedRecording(path, number, _reason(exc)) from None
    at = entry.at
    if not math.isfinite(at) or at < 0:
        raise MalformedRecording(path, number, f"`at` must be a finite number >= 0, not {at}")
    if at < previous_at:
        raise MalformedRecording(path, number, f"`at` went backwards ({at} after {previous_at})")
    if entry.shard < 0:
        raise MalformedRecording(path, number, f"`shard` must be >= 0, not {entry.shard}")
    message = _encoder.encode(_Wire(d=entry.d, op=entry.op, s=entry.s, t=entry.t))
    try:
        frame = decode_frame(message)
    except DecodeError as exc:  # not expected: the envelope was validated above
        raise MalformedRecording(path, number, str(exc)) from None
    frame.shard_id = entry.shard
    return at, frame
