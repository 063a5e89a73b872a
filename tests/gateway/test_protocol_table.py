"""The protocol's transition table, its knobs, and sessions as values (fake clock, no I/O)."""

from __future__ import annotations

import random

import pytest

from fluxer_rx.gateway.actions import (
    ConnectionState,
    Reconnect,
    SessionEndReason,
    SessionLost,
    StateChanged,
)
from fluxer_rx.gateway.protocol import TABLE, TRANSITIONS, GatewayProtocol, Input
from fluxer_rx.gateway.session import Session

from .protocol_harness import (
    TOKEN,
    FakeFrame,
    Harness,
    dispatch,
    hello,
    of_type,
    only,
    ready,
    resumed,
    sent,
)

SID = "4F9FB3B39F87FDCACACE7A21053DF3B4"


def test_the_table_has_a_row_for_every_state_and_uses_every_input() -> None:
    assert set(TABLE) == set(ConnectionState)
    used = {event for row in TABLE.values() for event in row}
    assert used == set(Input)
    assert TABLE[ConnectionState.ERROR] == {}  # poisoned: nothing is allowed
    assert TRANSITIONS[ConnectionState.STOPPED] == frozenset()


def test_the_table_decides_where_op9_leads() -> None:
    """One input, two outcomes, both read from TABLE: an op 9 before HELLO keeps the
    machine waiting for HELLO; after HELLO it moves to INVALID_SESSION."""
    early = Harness.make()
    early.open()
    early.recv(FakeFrame(9, False))
    assert early.proto.state is TABLE[ConnectionState.AWAITING_HELLO][Input.INVALID_SESSION]
    assert early.proto.state is ConnectionState.AWAITING_HELLO
    late = Harness.make()
    late.connect_ready()
    late.recv(FakeFrame(9, False))
    assert late.proto.state is TABLE[ConnectionState.READY][Input.INVALID_SESSION]
    assert late.proto.state is ConnectionState.INVALID_SESSION


def test_every_state_change_of_a_long_run_is_a_table_row() -> None:
    h = Harness.make()
    h.auto_ack = True
    h.connect_ready(SID)
    h.recv(dispatch(2))
    h.recv(FakeFrame(7))  # op 7: close and resume
    h.closed(4000, by_server=False)
    h.open()
    h.recv(hello())
    h.recv(resumed(2))
    h.recv(FakeFrame(9, False))
    h.advance(6.0)
    h.recv(ready("OTHER"))
    h.log.extend(h.proto.close(h.now))
    h.closed(1000, by_server=False)
    changes = of_type(h.log, StateChanged)
    assert len(changes) >= 10
    assert [c.new for c in changes][-2:] == [ConnectionState.CLOSING, ConnectionState.STOPPED]
    for change in changes:
        assert change.new in TABLE[change.old].values(), change


# ------------------------------------------------------------------ knobs


def test_invalid_session_delay_is_a_knob() -> None:
    h = Harness.make(invalid_session_delay=(0.5, 0.5))
    h.connect_ready()
    h.recv(FakeFrame(9, False))
    assert h.proto.next_deadline() is not None
    assert not [p for p in sent(h.advance(0.49)) if p["op"] == 2]
    assert [p["op"] for p in sent(h.advance(0.02)) if p["op"] == 2] == [2]


def test_hello_timeout_is_a_knob() -> None:
    h = Harness.make(hello_timeout=2.0)
    h.open()
    assert h.proto.next_deadline() == pytest.approx(h.now + 2.0)


def test_identify_backoff_base_and_cap_are_knobs() -> None:
    """Without a session, reconnect delays are uniform(0, min(cap, base * 2**n))."""
    h = Harness.make(backoff_base=0.01, backoff_cap=0.02)
    delays = []
    for _ in range(8):
        delays.append(only(h.proto.connection_failed(h.now), Reconnect).delay)
    assert all(0 <= d <= 0.02 for d in delays)
    assert max(delays) > 0.01  # the cap, not the base, bounds later attempts


def test_the_random_source_drives_every_jitter() -> None:
    def run(rng: random.Random) -> list[float]:
        proto = GatewayProtocol(TOKEN, rng=rng)
        return [only(proto.connection_failed(0.0), Reconnect).delay for _ in range(5)]

    assert run(random.Random(7)) == run(random.Random(7))
    assert run(random.Random(7)) != run(random.Random(8))


def test_knob_values_are_checked() -> None:
    with pytest.raises(ValueError, match="invalid_session_delay"):
        GatewayProtocol(TOKEN, invalid_session_delay=(5.0, 1.0))
    with pytest.raises(ValueError, match="hello_timeout"):
        GatewayProtocol(TOKEN, hello_timeout=0)
    with pytest.raises(ValueError):
        GatewayProtocol(TOKEN, backoff_base=2.0, backoff_cap=1.0)


# ------------------------------------------------------------------ sessions


def test_no_session_before_ready_then_a_snapshot_of_the_live_one() -> None:
    h = Harness.make(shard=(1, 4))
    assert h.proto.session is None
    h.open()
    h.recv(hello())
    assert h.proto.session is None
    h.recv(FakeFrame(0, {"session_id": SID, "resume_gateway_url": "wss://r.example"}, 1, "READY"))
    h.recv(dispatch(2))
    assert h.proto.session == Session(
        session_id=SID, seq=2, resume_url="wss://r.example", shard=(1, 4)
    )
    h.recv(FakeFrame(9, False))  # the server ends it
    assert h.proto.session is None


def test_a_session_from_bytes_resumes_in_a_fresh_protocol() -> None:
    first = Harness.make(shard=(0, 2))
    first.open()
    first.recv(hello())
    first.recv(FakeFrame(0, {"session_id": SID, "resume_gateway_url": "wss://r.ex"}, 1, "READY"))
    for s in range(2, 6):
        first.recv(dispatch(s))
    blob = first.proto.session.to_bytes() if first.proto.session else b""
    assert TOKEN.split(".")[1] not in blob.decode()

    # another process: only the bytes and the token
    fresh = Harness(GatewayProtocol(TOKEN, session=Session.from_bytes(blob)))
    assert fresh.proto.shard == (0, 2)
    assert fresh.proto.session == first.proto.session
    start = fresh.proto.first_connection()
    assert (start.delay, start.resume, start.url) == (0.0, True, "wss://r.ex")
    fresh.open()
    [payload] = sent(fresh.recv(hello()))
    assert payload == {"op": 6, "d": {"token": TOKEN, "session_id": SID, "seq": 5}}
    assert fresh.proto.state is ConnectionState.RESUMING
    fresh.recv(dispatch(6))  # replayed
    fresh.recv(resumed(5))
    assert fresh.proto.state is ConnectionState.READY
    assert fresh.proto.seq == 6


def test_a_stale_session_is_invalidated_and_the_protocol_identifies() -> None:
    h = Harness(GatewayProtocol(TOKEN, session=Session(session_id=SID, seq=9)))
    assert h.proto.first_connection() == Reconnect(0.0, True, None)
    h.open()
    h.recv(hello())
    actions = h.recv(FakeFrame(9, False))
    assert only(actions, SessionLost) == SessionLost(SID, 9, SessionEndReason.INVALIDATED)
    payloads = sent(h.advance(5.0))
    assert [p["op"] for p in payloads if p["op"] != 1] == [2]


def test_without_a_session_the_first_connection_identifies() -> None:
    assert GatewayProtocol(TOKEN).first_connection() == Reconnect(0.0, False, None)


def test_a_session_of_another_shard_is_refused() -> None:
    with pytest.raises(ValueError, match="shard"):
        GatewayProtocol(TOKEN, shard=(1, 2), session=Session(session_id=SID, seq=1, shard=(0, 2)))


def test_session_bytes_round_trip_and_are_versioned() -> None:
    session = Session(session_id=SID, seq=42, resume_url=None, shard=None)
    blob = session.to_bytes()
    assert blob.startswith(b'{"version":1,')
    assert Session.from_bytes(blob) == session
    assert Session.from_bytes(blob.decode()) == session
    with pytest.raises(AttributeError):
        session.seq = 1  # type: ignore[misc]


@pytest.mark.parametrize(
    "blob",
    [
        b"not json",
        b"[]",
        b'{"session_id":"A","seq":1}',  # no version
        b'{"version":2,"session_id":"A","seq":1}',  # a newer format
        b'{"version":1,"session_id":"","seq":1}',
        b'{"version":1,"session_id":"A","seq":-1}',
        b'{"version":1,"session_id":"A","seq":"1"}',
        b'{"version":1,"session_id":"A","seq":1,"shard":[2,2]}',
        b'{"version":1,"session_id":"A","seq":1,"token":"x"}',  # never holds a token
    ],
)
def test_bad_session_bytes_are_a_value_error(blob: bytes) -> None:
    with pytest.raises(ValueError):
        Session.from_bytes(blob)


def test_session_lost_reasons_compare_equal_to_their_old_strings() -> None:
    lost = SessionLost(SID, 3, "the resume window expired")
    assert lost.reason is SessionEndReason.RESUME_WINDOW_EXPIRED
    assert lost.reason == "the resume window expired"
    with pytest.raises(ValueError):
        SessionLost(SID, 3, "no such reason")


def test_a_ready_protocol_is_not_resumed_from_an_unrelated_ready_frame() -> None:
    """READY in a state whose row has no READY moves nothing, but records the session."""
    h = Harness.make()
    h.open()
    h.recv(ready(SID))  # before HELLO: an out-of-order server
    assert h.proto.state is ConnectionState.AWAITING_HELLO
    assert h.proto.session is not None and h.proto.session.session_id == SID
