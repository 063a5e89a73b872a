"""GatewayProtocol's ``heartbeat_seq`` knob: heartbeats acknowledge only what is stored.

PROTOCOL §1.5: the server trims its replay buffer up to a heartbeat's seq, so a driver
that stores frames elsewhere (a scale-out gateway process) must not acknowledge a seq it
has not stored yet. Fake clock, no network.
"""

from __future__ import annotations

from fluxer_rx.gateway.protocol import GatewayProtocol
from fluxer_rx.gateway.session import Session
from tests.gateway.protocol_harness import (
    INTERVAL,
    TOKEN,
    FakeFrame,
    Harness,
    dispatch,
    hello,
    resumed,
    sent,
)

SID = "4F9FB3B39F87FDCACACE7A21053DF3B4"


class Stored:
    """What the driver reports as durably stored (None: nothing yet)."""

    def __init__(self) -> None:
        self.seq: int | None = None

    def __call__(self) -> int | None:
        return self.seq


def beat(h: Harness) -> list[object]:
    """Advance one heartbeat interval (acking each beat) and return the beats' ``d``."""
    out = [p["d"] for p in sent(h.advance(INTERVAL)) if p["op"] == 1]
    h.recv(FakeFrame(11))
    return out


def test_heartbeat_carries_the_stored_seq_not_the_received_one() -> None:
    stored = Stored()
    h = Harness.make(heartbeat_seq=stored)
    h.connect_ready(SID)
    for s in range(2, 8):
        h.recv(dispatch(s))
    assert h.proto.seq == 7
    assert beat(h) == [None]  # nothing stored yet: acknowledge nothing
    stored.seq = 4
    assert beat(h) == [4]
    assert h.proto.session is not None and h.proto.session.seq == 4
    stored.seq = 7
    assert beat(h) == [7]


def test_heartbeat_never_goes_beyond_the_received_seq() -> None:
    stored = Stored()
    stored.seq = 50  # a driver reporting ahead of the machine is capped
    h = Harness.make(heartbeat_seq=stored)
    h.connect_ready(SID)
    h.recv(dispatch(2))
    assert beat(h) == [2]


def test_server_heartbeat_request_is_answered_with_the_stored_seq() -> None:
    stored = Stored()
    h = Harness.make(heartbeat_seq=stored)
    h.connect_ready(SID)
    h.recv(dispatch(2))
    h.recv(dispatch(3))
    stored.seq = 2
    assert sent(h.recv(FakeFrame(1, None))) == [{"op": 1, "d": 2}]


def test_without_the_knob_heartbeats_carry_the_received_seq() -> None:
    h = Harness.make()
    h.connect_ready(SID)
    h.recv(dispatch(2))
    h.recv(dispatch(3))
    assert beat(h) == [3]
    assert h.proto.session is not None and h.proto.session.seq == 3


def test_a_taken_over_session_resumes_and_beats_from_the_stored_seq() -> None:
    stored = Stored()
    stored.seq = 5
    proto = GatewayProtocol(TOKEN, session=Session(session_id=SID, seq=5), heartbeat_seq=stored)
    h = Harness(proto)
    h.open()
    h.recv(hello())
    resume = [p for p in sent(h.log) if p["op"] == 6]
    assert resume == [{"op": 6, "d": {"token": TOKEN, "session_id": SID, "seq": 5}}]
    h.recv(dispatch(6))
    h.recv(dispatch(7))
    h.recv(resumed(5))
    assert h.proto.seq == 7
    assert beat(h) == [5]
    stored.seq = 7
    assert beat(h) == [7]


def test_a_new_session_acknowledges_nothing_until_the_driver_stores_it() -> None:
    stored = Stored()
    stored.seq = None
    h = Harness.make(heartbeat_seq=stored)
    h.open()
    h.recv(hello())
    assert beat(h) == [None]  # no session yet
    h.recv(FakeFrame(0, {"session_id": SID, "user": {}, "guilds": []}, 1, "READY"))
    assert beat(h) == [None]
    assert h.proto.session is not None and h.proto.session.seq == 0
    stored.seq = 1
    assert beat(h) == [1]
