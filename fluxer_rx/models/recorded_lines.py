"""One-pass decoding of recording lines that hold a dispatch.

A recording line (:mod:`fluxer_rx.replay.format`) is the frame's envelope with two more
keys, ``at`` and ``shard``: ``{"at":1.5,"shard":0,"op":0,"s":7,"t":"NAME","d":{...}}``.
For a dispatch of a one-pass type (:func:`fluxer_rx.models.frame.decode_frame`) the line
decodes in one pass too, into a subclass of that type's frame with ``at`` and ``shard`` as
fields. Lines this pass does not take are read the general way by the caller.
"""

from __future__ import annotations

from typing import Any, Final

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

__all__ = ["decode_recorded_dispatch"]

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
