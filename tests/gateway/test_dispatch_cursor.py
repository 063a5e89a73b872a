"""The dispatch cursor: ``take_next_dispatch`` (the check the shard inlines) takes only
frames ``accept_next_dispatch`` takes, and the frames it leaves to the machine are delivered
the same, so both drivers deliver the same dispatches in the same order."""

from __future__ import annotations

import json

import pytest

from fluxer_rx.errors import ProtocolMisuse
from fluxer_rx.gateway.dispatch_cursor import take_next_dispatch
from fluxer_rx.gateway.protocol import ConnectionState
from fluxer_rx.models import Frame, decode_frame

from .protocol_harness import Harness, emitted_seqs, hello

SID = "4F9FB3B39F87FDCACACE7A21053DF3B4"


def wire(op: int, d: object, s: int | None, t: str | None) -> Frame:
    return decode_frame(json.dumps({"d": d, "op": op, "s": s, "t": t}, separators=(",", ":")))


def message(s: int | None, op: int = 0) -> Frame:
    d = {"author": {"id": "3"}, "channel_id": "2", "content": f"m{s}", "id": str(100 + (s or 0))}
    return wire(op, d, s, "MESSAGE_CREATE")


READY = {"session_id": SID, "user": {"id": "7", "username": "probe"}, "guilds": []}


def frames() -> list[Frame]:
    """A session's worth of frames, every kind the fast path must refuse among them."""
    return [
        wire(0, READY, 1, "READY"),
        message(2),
        message(3),
        message(3),  # a duplicate
        message(5),  # a gap
        message(6),
        message(7, op=1),  # a MESSAGE_CREATE tail on another op
        wire(0, {"x": 1}, 7, "NOT_A_KNOWN_EVENT"),  # unknown name: a lazy frame
        message(None),  # a dispatch without s
        wire(0, None, 6, "RESUMED"),
        message(8),
        wire(11, None, None, None),
        message(9),
    ]


def test_ordinary_dispatch_marks_only_one_pass_dispatches() -> None:
    assert message(2).ordinary_dispatch
    assert not wire(0, READY, 1, "READY").ordinary_dispatch
    assert not wire(0, None, 6, "RESUMED").ordinary_dispatch
    assert not message(7, op=1).ordinary_dispatch
    assert not wire(0, {"x": 1}, 7, "NOT_A_KNOWN_EVENT").ordinary_dispatch
    assert not decode_frame(
        message(2).raw_d.join([b'{"d":', b',"op":0,"s":2,"t":"MESSAGE_CREATE"}']), lazy=True
    ).ordinary_dispatch
    assert not Frame(op=0, s=2, t="MESSAGE_CREATE").ordinary_dispatch


def test_the_inline_check_delivers_what_accept_next_dispatch_delivers() -> None:
    inline, method = Harness.make(), Harness.make()
    for h in (inline, method):
        h.open()
        h.recv(hello())
    delivered: dict[str, list[int | None]] = {"inline": [], "method": []}
    taken: list[int | None] = []
    for frame in frames():
        took = take_next_dispatch(inline.proto.dispatch_cursor, frame)
        accepted = method.proto.accept_next_dispatch(frame)
        assert accepted or not took  # never a frame the machine's fast path refuses
        for name, h, fast in (("inline", inline, took), ("method", method, accepted)):
            if fast:
                delivered[name].append(frame.s)
            else:
                actions = h.recv(frame)  # type: ignore[arg-type]  # a Frame is FrameLike
                delivered[name] += emitted_seqs(actions)
        if took:
            taken.append(frame.s)
        assert inline.proto.seq == method.proto.seq
        assert inline.proto.state is method.proto.state
    assert (
        delivered["inline"] == delivered["method"] == [1, 2, 3, 5, 6, 7, None, 6, 8, 9]
    )  # 6: RESUMED
    # only ordinary dispatches with the next s skip the machine (not the unknown event's 7)
    assert taken == [2, 3, 6, 8, 9]
    assert inline.proto.seq == 9


def test_a_poisoned_machine_closes_the_cursor() -> None:
    h = Harness.make()
    h.open()
    h.recv(hello())
    h.recv(wire(0, READY, 1, "READY"))  # type: ignore[arg-type]
    cursor = h.proto.dispatch_cursor
    assert cursor.open and cursor.seq == 1
    with pytest.raises(ProtocolMisuse):
        h.proto.connection_opened(h.now)  # a socket is already open: misuse
    assert h.proto.state is ConnectionState.ERROR
    assert not cursor.open
    assert not take_next_dispatch(cursor, message(2))
    assert cursor.seq == h.proto.seq == 1
