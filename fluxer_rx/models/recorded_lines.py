"""One-pass decoding of recording lines that hold a dispatch.

A recording line (:mod:`fluxer_rx.replay.format`) is the frame's envelope with two more
keys, ``at`` and ``shard``: ``{"at":1.5,"shard":0,"op":0,"s":7,"t":"NAME","d":{...}}``.
For a dispatch of a one-pass type (:func:`fluxer_rx.models.frame.decode_frame`) the line
decodes in one pass too, into a subclass of that type's frame with ``at`` and ``shard`` as
fields. Lines this pass does not take are read the general way by the caller.

Many lines at once (:func:`decode_recorded_dispatches`): a run of such lines decodes as one
JSON array in a single msgspec call, each element typed by its ``t`` (a tagged union of the
line classes of the event types seen so far), with ``at >= 0`` and ``shard >= 0`` checked
by msgspec while it decodes. A line the array pass does not take ends the run; the caller
reads it alone, so every error is still reported for its own line. Each line is one
element exactly: a line that is not one JSON value (two values, or half of one that the
next line completes) fails the run instead of shifting the frames onto the wrong lines.
"""

from __future__ import annotations

import secrets
from bisect import bisect_right
from collections.abc import Sequence
from itertools import accumulate
from types import GenericAlias
from typing import Annotated, Any, Final, Literal, Union

import msgspec

from fluxer_rx.models.frame import (
    _DECODE_FAILURES,
    _SPECIAL_DECODERS,
    DISPATCH,
    EVENT_TYPES,
    Frame,
    _dispatch_frame_type,
    _Entry,
)

__all__ = ["decode_recorded_dispatch", "decode_recorded_dispatches"]

_LINE_T_KEY: Final = b',"t":"'
_LINE_HEAD: Final = 120  # ``at``, ``shard``, ``op`` and ``s`` come before ``t``
_LINE_DECODERS: Final[dict[bytes, _Entry]] = {}


def _line_decoder(name: bytes) -> _Entry | None:
    entry = _LINE_DECODERS.get(name)
    if entry is None:
        text = name.decode(errors="replace")
        cls = EVENT_TYPES.get(text)
        if cls is None or text in _SPECIAL_DECODERS:
            return None
        line_type = msgspec.defstruct(
            f"_{cls.__name__}Line",
            [("at", float), ("shard", int)],
            bases=(_dispatch_frame_type(cls),),
            kw_only=True,
            gc=False,
        )
        entry = _LINE_DECODERS[name] = (msgspec.json.Decoder(line_type).decode, text)
    return entry


def decode_recorded_dispatch(line: bytes) -> tuple[float, int, Frame] | None:
    """``(at, shard, frame)`` of a recording line holding a dispatch, in one pass, or
    ``None`` when the line is not one this pass takes (another op, an event type decoded
    in two stages, a key missing or mistyped, bad JSON, ...): the caller then reads it the
    general way, which reports what is wrong. ``frame`` is what :func:`decode_frame`
    returns for the recorded message (``shard_id`` still 0: the caller checks ``shard``
    and sets it); ``at`` and ``shard`` are not checked here."""
    start = line.find(_LINE_T_KEY, 0, _LINE_HEAD)
    if start < 0:
        return None
    start += len(_LINE_T_KEY)
    end = line.find(b'"', start, start + 64)
    entry = _line_decoder(line[start:end]) if end > 0 else None
    if entry is None:
        return None
    try:
        frame: Any = entry[0](line)
    except _DECODE_FAILURES:
        return None
    if frame.op != DISPATCH or frame.t != entry[1] or frame.shard_id != 0:
        return None
    frame._message = line
    return frame.at, frame.shard, frame


# --- many lines in one call --------------------------------------------------------------
#
# A line class of the array pass differs from the one above in three ways, all so that
# msgspec does the per-line checks in C: ``t`` is the union's tag (msgspec refuses a tag
# that is also a field's JSON name, so the field reads a name no line has and defaults to
# the event name, which the tag guarantees); ``shard`` is read straight into ``shard_id``;
# ``at`` and ``shard`` are checked to be >= 0 (JSON has no infinity: a number too large
# for a float is an error, not ``inf``).
_Seconds = Annotated[float, msgspec.Meta(ge=0)]
_ShardId = Annotated[int, msgspec.Meta(ge=0)]
_TAGGED: Final[dict[str, type[msgspec.Struct]]] = {}
_ARRAY_DECODER: list[Any] = [None, 0]  # the union decoder, and how many classes it knows
_EMPTY_ARRAY: Final = msgspec.json.Decoder(tuple[()]).decode
# Each line goes into the array as ``[MARK,line]``, MARK a number drawn per process. A
# line that holds two values can only make two elements if it holds ``],[MARK,``, which
# no file can know; a line that ends a value the line before began makes one element of
# two lines. So the array has as many elements as lines only when each line is one.
_MARK: Final = secrets.randbits(62)
_OPEN: Final = b"[[%d," % _MARK
_BETWEEN: Final = b"],[%d," % _MARK
_CLOSE: Final = b"]]"


def _tagged_line_type(name: str) -> type[msgspec.Struct] | None:
    """The array pass's line class of event ``name`` (built once), or ``None`` when that
    type is not decoded in one pass."""
    line_type = _TAGGED.get(name)
    if line_type is None:
        cls = EVENT_TYPES.get(name)
        if cls is None or name in _SPECIAL_DECODERS:
            return None
        line_type = _TAGGED[name] = msgspec.defstruct(
            f"_{cls.__name__}Lines",
            [
                ("at", _Seconds),
                ("shard_id", _ShardId, msgspec.field(name="shard")),
                ("t", Literal.__getitem__(name), msgspec.field(default=name, name="#t")),
            ],
            bases=(_dispatch_frame_type(cls),),
            kw_only=True,
            gc=False,
            tag_field="t",
            tag=name,
        )
    return line_type


def _array_decoder() -> Any:
    """The decoder of a JSON array of lines of every event type the array pass has met
    (before the first one: of an empty array)."""
    decoder, known = _ARRAY_DECODER
    if not _TAGGED:
        return _EMPTY_ARRAY
    if known != len(_TAGGED):
        types = tuple(_TAGGED.values())
        union = types[0] if len(types) == 1 else Union.__getitem__(types)
        element = GenericAlias(tuple, (Literal.__getitem__(_MARK), union))
        decoder = msgspec.json.Decoder(list[element]).decode  # type: ignore[valid-type]
        _ARRAY_DECODER[:] = [decoder, len(types)]
    return decoder


def _failed_element(exc: Exception, lines: Sequence[bytes]) -> int:
    """Which line of an array of ``lines`` a failed decode stopped at, or -1 when it does
    not tell. Never a line before the first one the array pass cannot take: the elements
    before that one are the lines before it, each whole, so they fail nowhere."""
    if not _TAGGED:
        return 0  # the first line's type is the first to learn
    index = _failed_position(exc, lines)
    return index if 0 <= index < len(lines) else -1


def _failed_position(exc: Exception, lines: Sequence[bytes]) -> int:
    message = str(exc)
    if isinstance(exc, msgspec.ValidationError):
        _, sep, where = message.rpartition(" - at `$[")
        index = where.partition("]")[0]
        return int(index) if sep and index.isdigit() else -1
    _, sep, where = message.rpartition("(byte ")
    offset = where.partition(")")[0]
    if not (sep and offset.isdigit()):
        return len(lines) - 1 if "truncated" in message else -1  # the array ended early
    # line i starts at byte starts[i] of the array: _OPEN, then each line and _BETWEEN
    lengths = (len(line) + len(_BETWEEN) for line in lines)
    starts = list(accumulate(lengths, initial=len(_OPEN)))
    return bisect_right(starts, int(offset)) - 1


def decode_recorded_dispatches(lines: Sequence[bytes]) -> list[Any]:
    """The frames of the longest first run of ``lines`` that the array pass takes, in
    order: ``lines[:n]`` for the ``n`` frames returned (possibly none, possibly all).

    Each frame is what :func:`decode_recorded_dispatch` gives for its line, with
    ``shard_id`` set from ``shard`` and ``at`` as an attribute; ``at`` and ``shard`` are
    checked to be >= 0, not that ``at`` never decreases. ``lines[n]``, if any, is for the
    caller to read alone: blank, another op, a type decoded in two stages, a key missing
    or mistyped, bad JSON, not one JSON value. A dispatch type the array pass has not met
    yet joins it here."""
    while lines:
        decoded = _decode_array(lines)
        if isinstance(decoded, list):
            return decoded
        if decoded < 0:
            return _longest_run(lines)
        if not _learns_type(lines[decoded]):  # else: again, with a union that knows it
            lines = lines[:decoded]  # a run of its own, or none
    return []


def _decode_array(lines: Sequence[bytes]) -> list[Any] | int:
    """The frames of ``lines`` in one call, or else which line it failed at (-1: not
    known, or some line is not one JSON value; the lines before it may decode)."""
    try:
        pairs: list[Any] = _array_decoder()(_OPEN + _BETWEEN.join(lines) + _CLOSE)
    except _DECODE_FAILURES as exc:
        return _failed_element(exc, lines)
    if len(pairs) != len(lines):
        return -1
    frames = []
    for (_, frame), line in zip(pairs, lines, strict=True):
        frame._message = line
        frames.append(frame)
    return frames


def _longest_run(lines: Sequence[bytes]) -> list[Any]:
    """The frames of the longest first run of ``lines`` that decodes, found by halving
    (when a run decodes, each of its first runs does)."""
    frames: list[Any] = []
    good, bad = 0, len(lines)
    while bad - good > 1:
        middle = (good + bad) // 2
        decoded = _decode_array(lines[:middle])
        if isinstance(decoded, list):
            good, frames = middle, decoded
        else:
            bad = middle
    return frames


def _learns_type(line: bytes) -> bool:
    """Whether ``line``'s event type is new to the array pass and now added to it."""
    start = line.find(_LINE_T_KEY, 0, _LINE_HEAD)
    if start < 0:
        return False
    start += len(_LINE_T_KEY)
    end = line.find(b'"', start, start + 64)
    if end < 0:
        return False
    name = line[start:end].decode(errors="replace")
    return name not in _TAGGED and _tagged_line_type(name) is not None
