"""Unit tests of the sans-I/O gateway protocol: one test (or more) per rule, fake clock."""

from __future__ import annotations

import json
import random
from collections.abc import Callable

import pytest

from fluxer_rx.errors import GatewayError, InvalidToken, PayloadTooLarge
from fluxer_rx.gateway.actions import (
    Close,
    ConnectionState,
    Diagnostic,
    EmitDispatch,
    EmitFrame,
    Fatal,
    GapDetected,
    HeartbeatLatency,
    Reconnect,
    SendFrame,
    SessionLost,
    StateChanged,
)
from fluxer_rx.gateway.protocol import MAX_PAYLOAD_SIZE, GatewayProtocol, ProtocolMisuse

from .protocol_harness import (
    INTERVAL,
    TOKEN,
    FakeFrame,
    Harness,
    dispatch,
    emitted_seqs,
    hello,
    of_type,
    only,
    ready,
    resumed,
    sent,
)

SID = "4F9FB3B39F87FDCACACE7A21053DF3B4"


# ---------------------------------------------------------------- HELLO -> IDENTIFY / RESUME


def test_hello_sends_identify_without_bot_prefix_and_with_string_properties() -> None:
    proto = GatewayProtocol("Bot " + TOKEN, rng=random.Random(1))
    proto.connection_opened(0.0)
    actions = proto.receive_frame(hello(), 0.0)
    (identify,) = [json.loads(a.payload) for a in actions if isinstance(a, SendFrame)]
    assert identify["op"] == 2
    d = identify["d"]
    assert d["token"] == TOKEN
    assert all(isinstance(d["properties"][k], str) for k in ("os", "browser", "device"))
    assert "intents" not in d and "shard" not in d
    assert proto.state is ConnectionState.IDENTIFYING


def test_identify_carries_presence_ignored_events_and_shard() -> None:
    h = Harness.make(
        presence={"status": "dnd"},
        ignored_events=["TYPING_START"],
        shard=(1, 4),
        properties={"os": "linux", "browser": "b", "device": "d"},
    )
    h.open()
    (identify,) = sent(h.recv(hello()))
    assert identify["d"] == {
        "token": TOKEN,
        "properties": {"os": "linux", "browser": "b", "device": "d"},
        "presence": {"status": "dnd"},
        "ignored_events": ["TYPING_START"],
        "shard": [1, 4],
    }


@pytest.mark.parametrize(
    "kwargs",
    [
        {"properties": {"os": 1, "browser": "b", "device": "d"}},
        {"properties": {"browser": "b", "device": "d"}},
        {"shard": (4, 4)},
        {"resume_window": -1.0},
        {"reconnect_delay_max": 0.0},
        {"hello_timeout": 0.0},
    ],
)
def test_bad_settings_are_refused_at_construction(kwargs: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        GatewayProtocol(TOKEN, **kwargs)  # type: ignore[arg-type]


def test_empty_token_is_refused() -> None:
    with pytest.raises(ValueError):
        GatewayProtocol("Bot  ")


def test_token_never_in_reprs() -> None:
    h = Harness.make()
    h.open()
    h.recv(hello())
    h.recv(ready())
    h.closed(1006)
    h.open()
    h.recv(hello())  # RESUME, which also holds the token
    text = repr(h.proto) + repr(h.log)
    assert "fake-secret" not in text


def test_ready_records_session_user_and_resume_url() -> None:
    h = Harness.make()
    h.open()
    h.recv(hello())
    frame = ready()
    frame.d["resume_gateway_url"] = "wss://resume.example"
    actions = h.recv(frame)
    assert only(actions, StateChanged) == StateChanged(
        ConnectionState.IDENTIFYING, ConnectionState.READY
    )
    assert emitted_seqs(actions) == [1]
    assert h.proto.session_id == SID
    assert h.proto.user["id"] == "1000000000000000007"
    assert h.proto.resume_gateway_url == "wss://resume.example"
    h.closed(1006)
    assert only(h.log[-2:], Reconnect).url == "wss://resume.example"


def test_hello_with_session_sends_resume_with_last_seq() -> None:
    h = Harness.make()
    h.connect_ready()
    h.recv(dispatch(2))
    h.recv(dispatch(3))
    reconnect = only(h.closed(1006), Reconnect)
    assert reconnect == Reconnect(0.0, True, None)
    h.open()
    (resume,) = sent(h.recv(hello()))
    assert resume == {"op": 6, "d": {"token": TOKEN, "session_id": SID, "seq": 3}}
    assert h.proto.state is ConnectionState.RESUMING


# ---------------------------------------------------------------- heartbeats


def test_first_heartbeat_after_random_fraction_then_every_interval_with_live_seq() -> None:
    h = Harness.make(seed=7)
    expected_first = random.Random(7).random() * INTERVAL
    h.open()
    h.recv(hello())
    assert h.proto.next_deadline() == pytest.approx(h.now + expected_first)
    h.recv(ready())
    h.recv(dispatch(2))
    start = h.now
    beats = sent(h.advance(expected_first - 0.01))
    assert beats == []
    beats = sent(h.advance(0.02))
    assert beats == [{"op": 1, "d": 2}]
    h.recv(FakeFrame(11))
    h.recv(dispatch(3))
    assert sent(h.advance(INTERVAL - 0.05)) == []
    assert sent(h.advance(0.1)) == [{"op": 1, "d": 3}]
    assert h.now - start == pytest.approx(expected_first + INTERVAL + 0.06)


def test_heartbeat_before_ready_sends_null() -> None:
    h = Harness.make()
    h.open()
    h.recv(hello())
    assert sent(h.advance(INTERVAL)) == [{"op": 1, "d": None}]


def test_ack_reports_latency() -> None:
    h = Harness.make()
    h.connect_ready()
    first_beat = h.proto.next_deadline()
    assert first_beat is not None
    h.advance(first_beat - h.now)
    h.now += 0.125
    latency = only(h.recv(FakeFrame(11)), HeartbeatLatency)
    assert latency.seconds == pytest.approx(0.125)
    assert h.proto.latency == pytest.approx(0.125)


def test_server_heartbeat_request_answered_at_once_and_counts_as_a_beat() -> None:
    # transcript 03b: {op:1,d:null} from the server is answered by our own op 1
    h = Harness.make(seed=3)
    h.connect_ready()
    h.recv(dispatch(2))
    h.now += 1.0
    assert sent(h.recv(FakeFrame(1, None))) == [{"op": 1, "d": 2}]
    assert h.proto.next_deadline() == pytest.approx(h.now + INTERVAL)
    h.recv(FakeFrame(11))
    assert sent(h.advance(INTERVAL - 0.01)) == []
    assert sent(h.advance(0.02)) == [{"op": 1, "d": 2}]


def test_zombie_connection_is_closed_non_1000_and_resumed_immediately() -> None:
    h = Harness.make()
    h.connect_ready()
    h.advance(INTERVAL)  # first beat sent, no ACK follows
    actions = h.advance(INTERVAL)
    close = only(actions, Close)
    assert close.code != 1000
    assert any(isinstance(a, Diagnostic) and a.kind == "zombie_connection" for a in actions)
    assert h.proto.state is ConnectionState.CLOSING
    assert h.proto.next_deadline() is None
    assert only(h.closed(close.code, close.reason, by_server=False), Reconnect) == Reconnect(
        0.0, True
    )
    h.open()
    assert sent(h.recv(hello()))[0]["op"] == 6


def test_hello_timeout_closes_and_reconnects() -> None:
    h = Harness.make(hello_timeout=10.0)
    h.open()
    actions = h.advance(10.0)
    assert only(actions, Close).code == 4000
    assert only(h.closed(4000, by_server=False), Reconnect).resume is False


# ---------------------------------------------------------------- op 7 and op 9


def test_op7_reconnect_closes_and_resumes() -> None:
    h = Harness.make()
    h.connect_ready()
    close = only(h.recv(FakeFrame(7)), Close)
    assert close.code != 1000
    # [N] follows op 7 with its own 4000 close; our close may cross it on the wire.
    assert only(h.closed(4000, "drain", by_server=True), Reconnect).resume is True


def test_op9_identifies_again_on_the_same_socket_after_1_to_5_s() -> None:
    # transcript 07b: RESUME of an unknown session -> op 9 false; IDENTIFY on the same socket
    h = Harness.make(seed=11)
    h.connect_ready()
    h.recv(dispatch(2))
    h.closed(1006)
    h.open()
    h.recv(hello())
    actions = h.recv(FakeFrame(9, False))
    assert only(actions, SessionLost) == SessionLost(SID, 2, only(actions, SessionLost).reason)
    assert only(actions, GapDetected).first_missing == 3
    assert only(actions, GapDetected).last_missing is None
    assert h.proto.session_id is None
    wait = h.proto.next_deadline()
    assert wait is not None and 1.0 <= wait - h.now <= 5.0
    assert sent(h.advance(0.99)) == []
    identify = [p for p in sent(h.advance(4.1)) if p["op"] == 2]
    assert len(identify) == 1
    assert h.proto.state is ConnectionState.IDENTIFYING
    actions = h.recv(ready("F0DEA7D0D36B6900A6A65300EF0AC19B"))
    assert emitted_seqs(actions) == [1]  # s restarts in the new session, not de-duplicated


def test_op9_then_socket_closed_identifies_on_a_new_socket_after_the_wait() -> None:
    h = Harness.make(seed=5)
    h.connect_ready()
    h.recv(FakeFrame(9, False))
    deadline = h.proto.next_deadline()
    assert deadline is not None
    h.now += 0.5
    reconnect = only(h.closed(1000, by_server=True), Reconnect)
    assert reconnect.resume is False
    assert reconnect.delay == pytest.approx(deadline - h.now)
    h.now += reconnect.delay
    h.open()
    assert sent(h.recv(hello()))[0]["op"] == 2


# ---------------------------------------------------------------- dispatch order, dedup, gaps


def test_resume_replay_is_delivered_exactly_once() -> None:
    h = Harness.make()
    h.connect_ready()
    for s in (2, 3, 4):
        h.recv(dispatch(s))
    h.closed(1006)
    h.open()
    h.recv(hello())
    actions: list[object] = []
    for frame in (dispatch(3), dispatch(4), dispatch(5), resumed(4), dispatch(5), dispatch(6)):
        actions += h.recv(frame)
    assert [a.frame.s for a in actions if isinstance(a, EmitDispatch)] == [5, 4, 6]
    assert [a.frame.t for a in actions if isinstance(a, EmitDispatch)][1] == "RESUMED"
    dupes = [a for a in actions if isinstance(a, Diagnostic) and a.kind == "duplicate_dispatch"]
    assert len(dupes) == 3
    # every received frame is still passed on once as a raw frame
    assert sum(isinstance(a, EmitFrame) for a in actions) == 6


def test_fast_path_takes_only_the_next_ordinary_dispatch() -> None:
    h = Harness.make()
    accept = h.proto.accept_next_dispatch
    h.open()
    assert not accept(hello())  # not a dispatch
    h.recv(hello())
    assert not accept(ready(SID))  # READY always goes through receive_frame
    h.recv(ready(SID))
    assert h.proto.seq == 1
    assert accept(dispatch(2))
    assert h.proto.seq == 2
    assert not accept(dispatch(2))  # a duplicate: receive_frame reports it
    assert not accept(dispatch(4))  # a gap: receive_frame reports it
    assert not accept(resumed(3))
    assert not accept(FakeFrame(0, {}, None, "USER_UPDATE"))  # no sequence number
    assert h.proto.seq == 2  # a refusal changes nothing
    assert emitted_seqs(h.recv(dispatch(3))) == [3]  # and the slow path agrees afterwards
    assert accept(dispatch(4))


def test_gap_in_replayed_sequence_is_reported() -> None:
    # transcript 07: RESUME seq 3 replays s4 and s6 (s5 was never buffered), then RESUMED s3
    h = Harness.make()
    h.connect_ready()
    h.recv(dispatch(2))
    h.recv(dispatch(3))
    h.closed(1000, by_server=False)
    h.open()
    h.recv(hello())
    actions = h.recv(dispatch(4)) + h.recv(dispatch(6)) + h.recv(resumed(3))
    assert of_type(actions, GapDetected) == [
        GapDetected(5, 5, of_type(actions, GapDetected)[0].reason)
    ]
    assert emitted_seqs(actions) == [4, 6, 3]
    assert h.proto.seq == 6
    assert h.proto.state is ConnectionState.READY


def test_resumed_with_a_later_seq_reports_the_unreplayed_range() -> None:
    # [N]: RESUMED carries the server's current seq, which can be past the last replayed event
    h = Harness.make()
    h.connect_ready()
    h.closed(1006)
    h.open()
    h.recv(hello())
    actions = h.recv(dispatch(2)) + h.recv(resumed(5))
    gap = only(actions, GapDetected)
    assert (gap.first_missing, gap.last_missing) == (3, 5)
    assert emitted_seqs(h.recv(dispatch(6))) == [6]


# ---------------------------------------------------------------- close codes


FATAL_TOKEN = [4004]
FATAL_OTHER = [4010, 4011, 4012]
IDENTIFY_CODES = [4003, 4007]
RESUME_CODES = [4000, 4001, 4002, 4005, 4009, 1000, 1001, 1006, 1011]


@pytest.mark.parametrize("code", FATAL_TOKEN)
def test_close_4004_is_fatal_invalid_token(code: int) -> None:
    h = Harness.make()
    h.connect_ready()
    actions = h.closed(code, "Invalid token")
    assert isinstance(only(actions, Fatal).error, InvalidToken)
    assert not of_type(actions, Reconnect)
    assert h.proto.state is ConnectionState.STOPPED
    assert h.proto.next_deadline() is None


@pytest.mark.parametrize("code", FATAL_OTHER)
def test_fatal_close_codes_raise_gateway_error(code: int) -> None:
    h = Harness.make()
    h.open()
    actions = h.closed(code, "Invalid API version")
    error = only(actions, Fatal).error
    assert isinstance(error, GatewayError) and error.code == code
    assert error.reason == "Invalid API version"
    assert h.proto.state is ConnectionState.STOPPED


@pytest.mark.parametrize("code", IDENTIFY_CODES)
def test_closes_that_end_the_session_identify_again(code: int) -> None:
    h = Harness.make()
    h.connect_ready()
    h.recv(dispatch(2))
    actions = h.closed(code)
    assert only(actions, SessionLost).session_id == SID
    assert only(actions, GapDetected).first_missing == 3
    assert only(actions, Reconnect).resume is False
    h.open()
    assert sent(h.recv(hello()))[0]["op"] == 2


@pytest.mark.parametrize("code", RESUME_CODES)
def test_transient_closes_resume_immediately(code: int) -> None:
    h = Harness.make()
    h.connect_ready()
    actions = h.closed(code)
    assert only(actions, Reconnect) == Reconnect(0.0, True)
    assert not of_type(actions, SessionLost)
    h.open()
    assert sent(h.recv(hello()))[0]["op"] == 6


def test_resumable_close_without_a_session_identifies() -> None:
    h = Harness.make()
    h.open()
    h.recv(hello())
    assert only(h.closed(4000, "Failed to start session"), Reconnect).resume is False


def test_close_4008_backs_off_then_resumes() -> None:
    h = Harness.make(rate_limited_delay=5.0)
    h.connect_ready()
    reconnect = only(h.closed(4008, "Rate limited"), Reconnect)
    assert reconnect.resume is True
    assert reconnect.delay >= 5.0


def test_unknown_close_code_resumes_and_is_reported() -> None:
    h = Harness.make()
    h.connect_ready()
    actions = h.closed(4999, "new")
    assert any(isinstance(a, Diagnostic) and a.kind == "unknown_close_code" for a in actions)
    assert only(actions, Reconnect).resume is True


# ---------------------------------------------------------------- backoff and resume fallback


def test_reconnects_inside_the_resume_window_are_fast_and_reset_on_resumed() -> None:
    h = Harness.make(backoff_base=1.0, backoff_cap=8.0, reconnect_delay_max=1.0)
    h.connect_ready()
    delays = []
    for _ in range(12):
        reconnect = only(h.closed(1006), Reconnect)
        assert reconnect.resume is True
        delays.append(reconnect.delay)
        h.advance(reconnect.delay)
        h.open()
    assert delays[0] == 0.0
    assert all(0.0 <= d <= 1.0 for d in delays)
    assert max(delays) > 0.25  # it does back off (seeded rng)
    h.recv(hello())
    h.recv(resumed(1))
    h.closed(1006)
    h.open()
    assert only(h.closed(1006), Reconnect).delay <= 0.25


def test_identify_reconnects_grow_with_full_jitter_up_to_the_cap() -> None:
    h = Harness.make(backoff_base=1.0, backoff_cap=8.0)
    delays = [only(h.proto.connection_failed(h.now), Reconnect) for _ in range(10)]
    assert not any(r.resume for r in delays)
    assert all(0.0 <= r.delay <= 8.0 for r in delays)
    assert delays[0].delay <= 1.0 and delays[1].delay <= 2.0
    assert max(r.delay for r in delays[4:]) > 2.0  # grows (seeded rng)


def test_failed_connects_inside_the_window_never_give_the_session_up() -> None:
    # issue 11 item 1: before, every failed TCP connect counted as a failed RESUME and
    # the third gave the session up although the server still held it.
    h = Harness.make(resume_window=10.0)
    h.connect_ready()
    h.recv(dispatch(2))
    assert only(h.closed(1006), Reconnect).resume is True
    for _ in range(30):  # 30 refused connects, ~0.3 s apart: 9 s < the window
        h.advance(0.3)
        actions = h.proto.connection_failed(h.now)
        assert not of_type(actions, SessionLost)
        assert only(actions, Reconnect).resume is True
    h.open()
    assert sent(h.recv(hello()))[0] == {
        "op": 6,
        "d": {"token": TOKEN, "session_id": h.proto.session_id, "seq": 2},
    }


def test_failed_resume_sockets_inside_the_window_keep_resuming() -> None:
    h = Harness.make(resume_window=10.0)
    h.connect_ready()
    h.recv(dispatch(2))
    h.closed(1006)
    for _ in range(20):
        h.advance(0.2)
        h.open()
        assert sent(h.recv(hello()))[0]["op"] == 6
        actions = h.closed(1006)
        assert only(actions, Reconnect).resume is True
        assert not of_type(actions, SessionLost)


def test_the_session_is_given_up_once_the_resume_window_has_passed() -> None:
    h = Harness.make(resume_window=10.0)
    h.connect_ready()
    h.recv(dispatch(2))
    h.closed(1006)  # the drop: the window starts here
    h.advance(9.9)
    assert only(h.proto.connection_failed(h.now), Reconnect).resume is True
    h.advance(0.2)
    actions = h.proto.connection_failed(h.now)
    lost = only(actions, SessionLost)
    assert lost.last_seq == 2 and lost.reason == "the resume window expired"
    assert any(isinstance(a, Diagnostic) and a.kind == "resume_abandoned" for a in actions)
    assert only(actions, Reconnect).resume is False
    h.open()
    assert sent(h.recv(hello()))[0]["op"] == 2


def test_the_server_ends_the_session_sooner_with_op_9_or_4007() -> None:
    h = Harness.make(resume_window=60.0)
    h.connect_ready()
    h.closed(1006)
    h.open()
    h.recv(hello())  # RESUME
    assert only(h.recv(FakeFrame(9, False)), SessionLost)
    h2 = Harness.make(resume_window=60.0)
    h2.connect_ready()
    actions = h2.closed(4007, "Invalid sequence")
    assert only(actions, SessionLost) and only(actions, Reconnect).resume is False


# ---------------------------------------------------------------- user sends, budget, size


def test_user_send_goes_out_when_ready_and_is_queued_before() -> None:
    h = Harness.make()
    h.open()
    assert h.send(3, {"status": "idle"}) == []
    assert h.proto.pending_sends == 1
    h.recv(hello())
    actions = h.recv(ready())
    assert sent(actions)[-1] == {"op": 3, "d": {"status": "idle"}}
    assert h.proto.pending_sends == 0
    assert sent(h.send(14, {"subscriptions": {}})) == [{"op": 14, "d": {"subscriptions": {}}}]


def test_queued_sends_survive_a_reconnect() -> None:
    h = Harness.make()
    h.connect_ready()
    h.closed(1006)
    h.send(8, {"guild_id": "1"})
    h.open()
    h.recv(hello())
    assert sent(h.recv(resumed(1))) == [{"op": 8, "d": {"guild_id": "1"}}]


def test_payload_size_is_checked_before_anything_is_sent() -> None:
    h = Harness.make()
    h.connect_ready()
    overhead = len(b'{"op":3,"d":""}')
    ok = "x" * (MAX_PAYLOAD_SIZE - overhead)
    assert len(sent(h.send(3, ok))) == 1
    with pytest.raises(PayloadTooLarge) as info:
        h.send(3, ok + "x")
    assert info.value.size == MAX_PAYLOAD_SIZE + 1
    assert h.proto.pending_sends == 0


def test_oversized_identify_is_refused_at_construction() -> None:
    with pytest.raises(PayloadTooLarge):
        GatewayProtocol(TOKEN, ignored_events=["E" * 100] * 50)


def test_machine_owned_opcodes_are_refused() -> None:
    h = Harness.make()
    h.connect_ready()
    for op in (1, 2, 6):
        with pytest.raises(ValueError):
            h.send(op, None)


def test_send_budget_queues_past_the_limit_and_releases_by_ticks() -> None:
    h = Harness.make()
    h.auto_ack = True
    h.connect_ready()
    capacity = 105  # 120 - margin 5 - reserved 10 (one slot already used by IDENTIFY)
    out = []
    for i in range(150):
        out += sent(h.send(3, {"status": "online", "i": i}))
        h.now += 0.01
    assert len(out) == capacity - 1
    assert h.proto.pending_sends == 150 - len(out)
    # heartbeats still go out while user sends are held back
    assert h.proto.next_deadline() is not None
    later = h.advance(70.0)
    released = [p for p in sent(later) if p["op"] == 3]
    beats = [p for p in sent(later) if p["op"] == 1]
    assert beats
    assert [p["d"]["i"] for p in released] == list(range(len(out), 150))
    assert h.proto.pending_sends == 0


def test_budget_never_exceeds_server_limit_over_time() -> None:
    h = Harness.make()
    h.auto_ack = True
    h.connect_ready()
    times: list[float] = []
    for i in range(400):
        for a in h.send(3, {"status": "online", "i": i}):
            if isinstance(a, SendFrame):
                times.append(h.now)
        for a in h.advance(0.5):
            if isinstance(a, SendFrame):
                times.append(h.now)
    times.sort()
    j = 0
    for i, t in enumerate(times):
        while times[j] <= t - 60.0:
            j += 1
        assert i - j + 1 < 120


def test_update_presence_validates_and_is_used_by_later_identify() -> None:
    h = Harness.make()
    h.connect_ready()
    with pytest.raises(ValueError):
        h.proto.update_presence({"afk": True}, h.now)
    assert sent(h.proto.update_presence({"status": "dnd"}, h.now)) == [
        {"op": 3, "d": {"status": "dnd"}}
    ]
    h.closed(4007)
    h.open()
    assert sent(h.recv(hello()))[0]["d"]["presence"] == {"status": "dnd"}


def test_request_guild_members_builds_op8() -> None:
    h = Harness.make()
    h.connect_ready()
    actions = h.proto.request_guild_members(123, h.now, nonce="n1", presences=True)
    assert sent(actions) == [
        {
            "op": 8,
            "d": {"guild_id": "123", "query": "", "limit": 0, "presences": True, "nonce": "n1"},
        }
    ]
    actions = h.proto.request_guild_members("5", h.now, user_ids=[1, "2"])
    assert sent(actions) == [{"op": 8, "d": {"guild_id": "5", "user_ids": ["1", "2"]}}]
    with pytest.raises(ValueError):
        h.proto.request_guild_members("5", h.now, user_ids=list(range(101)))
    with pytest.raises(ValueError):
        h.proto.request_guild_members("5", h.now, nonce="n" * 33)


# ---------------------------------------------------------------- bad input, lifecycle


def test_unknown_opcode_is_reported_and_ignored() -> None:
    h = Harness.make()
    h.connect_ready()
    actions = h.recv(FakeFrame(99, {"x": 1}))
    assert isinstance(actions[0], EmitFrame)
    assert only(actions, Diagnostic).kind == "unknown_opcode"
    assert h.proto.state is ConnectionState.READY


def test_gateway_error_op12_is_reported_not_fatal() -> None:
    h = Harness.make()
    h.connect_ready()
    actions = h.recv(FakeFrame(12, {"code": "VOICE_CHANNEL_FULL", "message": "full"}))
    assert only(actions, Diagnostic).detail == "VOICE_CHANNEL_FULL: full"
    assert h.proto.state is ConnectionState.READY


def test_bad_hello_closes_and_retries() -> None:
    h = Harness.make()
    h.open()
    assert only(h.recv(FakeFrame(10, {})), Close).code == 4000


def test_close_stops_for_good() -> None:
    h = Harness.make()
    h.connect_ready()
    h.send(3, {"status": "idle"})
    close = only(h.proto.close(h.now), Close)
    assert close.code == 1000
    actions = h.closed(1000, by_server=False)
    assert not of_type(actions, Reconnect)
    assert h.proto.state is ConnectionState.STOPPED
    with pytest.raises(ProtocolMisuse):
        h.send(3, {"status": "idle"})
    # a user command racing close() is no driver bug: refused, not poisoned
    assert h.proto.state is ConnectionState.STOPPED
    assert h.proto.close(h.now) == []


def test_driver_misuse_is_a_typed_error() -> None:
    h = Harness.make()
    with pytest.raises(ProtocolMisuse, match="closed in state disconnected"):
        h.closed(1006)
    h = Harness.make()
    h.open()
    with pytest.raises(ProtocolMisuse, match="opened in state awaiting_hello"):
        h.open()


def _poisoned_calls(h: Harness) -> dict[str, Callable[[], object]]:
    proto, now = h.proto, h.now
    return {
        "connection_opened": lambda: proto.connection_opened(now),
        "connection_closed": lambda: proto.connection_closed(1006, "", now),
        "connection_failed": lambda: proto.connection_failed(now),
        "receive_frame": lambda: proto.receive_frame(dispatch(proto.seq + 1), now),
        "tick": lambda: proto.tick(now + 100.0),
        "send": lambda: proto.send(3, {"status": "idle"}, now),
        "update_presence": lambda: proto.update_presence({"status": "idle"}, now),
        "request_guild_members": lambda: proto.request_guild_members("1", now),
        "close": lambda: proto.close(now),
    }


@pytest.mark.parametrize("misuse", ["open_twice", "closed_without_socket", "failed_while_open"])
def test_misuse_poisons_the_machine_and_every_later_call_raises(misuse: str) -> None:
    h = Harness.make()
    h.connect_ready()
    h.send(3, {"status": "idle"})  # queued work and running timers are dropped too
    if misuse == "open_twice":
        wrong: Callable[[], object] = lambda: h.proto.connection_opened(h.now)  # noqa: E731
    elif misuse == "closed_without_socket":
        h.closed(1006)
        wrong = lambda: h.proto.connection_closed(1006, "", h.now)  # noqa: E731
    else:
        wrong = lambda: h.proto.connection_failed(h.now)  # noqa: E731
    with pytest.raises(ProtocolMisuse):
        wrong()
    assert h.proto.state is ConnectionState.ERROR
    assert h.proto.next_deadline() is None
    assert h.proto.pending_sends == 0
    assert not h.proto.accept_next_dispatch(dispatch(h.proto.seq + 1))
    for name, call in _poisoned_calls(h).items():
        with pytest.raises(ProtocolMisuse, match="unusable after an earlier misuse"):
            call()
        assert h.proto.state is ConnectionState.ERROR, name


def test_state_changes_follow_the_transition_table() -> None:
    from fluxer_rx.gateway.protocol import TRANSITIONS

    h = Harness.make()
    h.connect_ready()
    h.recv(FakeFrame(9, False))
    h.advance(6.0)
    h.recv(ready("AB"))
    h.closed(1006)
    h.open()
    h.proto.close(h.now)
    h.closed(1000, by_server=False)
    changes = of_type(h.log, StateChanged)
    assert len(changes) >= 8
    for change in changes:
        assert change.new in TRANSITIONS[change.old]


class _BadDataFrame(FakeFrame):
    @property
    def data(self) -> object:
        raise ValueError("undecodable d")


def test_undecodable_control_frame_data_is_reported_not_raised() -> None:
    h = Harness.make()
    h.open()
    actions = h.recv(_BadDataFrame(10))
    kinds = [a.kind for a in actions if isinstance(a, Diagnostic)]
    assert "undecodable_frame" in kinds
    assert only(actions, Close).code == 4000  # a HELLO without interval: try again
    h2 = Harness.make()
    h2.open()
    h2.recv(hello())
    actions = h2.recv(_BadDataFrame(0, None, 1, "READY"))
    assert not of_type(actions, EmitDispatch) and len(of_type(actions, EmitFrame)) == 1
    assert h2.proto.state is ConnectionState.IDENTIFYING


def test_a_zombie_resume_socket_is_retried_until_the_window_ends() -> None:
    h = Harness.make(resume_window=5.0)
    h.connect_ready()
    h.closed(1006)
    h.open()
    h.recv(hello())  # RESUME sent, nothing answers, not even ACKs
    actions = h.advance(2 * INTERVAL)  # INTERVAL > the window: the zombie outlives it
    close = only(actions, Close)
    actions = h.closed(close.code, close.reason, by_server=False)
    assert only(actions, SessionLost).reason == "the resume window expired"
    assert only(actions, Reconnect).resume is False


def test_dispatches_after_our_close_are_still_deduplicated_and_cause_nothing() -> None:
    h = Harness.make()
    h.connect_ready()
    h.recv(FakeFrame(7))
    actions = h.recv(dispatch(2)) + h.recv(dispatch(2)) + h.recv(FakeFrame(1, None))
    assert emitted_seqs(actions) == [2]
    assert not of_type(actions, SendFrame)


def test_unencodable_payload_is_a_type_error_and_nothing_is_queued() -> None:
    h = Harness.make()
    h.connect_ready()
    with pytest.raises(TypeError, match="op 3"):
        h.send(3, {"status": object()})
    assert h.proto.pending_sends == 0


# ------------------------------------------------ hostile HELLO and op 9 (issue 11 item 5)


def test_op_9_before_hello_ends_the_session_and_identifies_after_hello_and_the_wait() -> None:
    # before: ProtocolMisuse (AWAITING_HELLO -> INVALID_SESSION) ended login()
    h = Harness.make()
    h.connect_ready()
    h.closed(1006)
    h.open()
    actions = h.recv(FakeFrame(9, False))
    assert only(actions, SessionLost).reason == "the server invalidated the session (op 9)"
    assert not of_type(actions, SendFrame)
    assert not sent(h.recv(hello()))  # no IDENTIFY before the 1-5 s wait
    assert h.proto.state is ConnectionState.INVALID_SESSION
    identify = [p for p in sent(h.advance(5.0)) if p["op"] == 2]
    assert len(identify) == 1


def test_op_9_before_hello_then_the_socket_drops_identifies_on_a_new_one() -> None:
    h = Harness.make()
    h.open()
    h.recv(FakeFrame(9, False))
    reconnect = only(h.closed(1006), Reconnect)
    assert reconnect.resume is False and 0.0 <= reconnect.delay <= 5.0


@pytest.mark.parametrize(
    ("interval_ms", "expected"),
    [
        (10**400, 60.0),  # before: OverflowError
        (1e300, 60.0),
        (3_600_000, 60.0),
        (1, 1.0),  # before: a heartbeat per millisecond, then 4008 and a reconnect storm
        (0.001, 1.0),
        (41250, 41.25),
    ],
)
def test_hello_interval_is_clamped_to_a_sane_range_and_reported(
    interval_ms: float, expected: float
) -> None:
    h = Harness.make()
    h.open()
    actions = h.recv(hello(interval_ms))  # type: ignore[arg-type]
    assert h.proto.heartbeat_interval == expected
    clamped = [a for a in actions if isinstance(a, Diagnostic) and a.kind == "protocol_violation"]
    assert bool(clamped) is (interval_ms != 41250)
    assert sent(actions)[0]["op"] == 2
    deadline = h.proto.next_deadline()
    assert deadline is not None and deadline <= h.now + expected


@pytest.mark.parametrize("bad", [0, -5, float("nan"), float("inf") * 0, "41250", None, True])
def test_hello_without_a_usable_interval_closes_and_resumes(bad: object) -> None:
    h = Harness.make()
    h.open()
    actions = h.recv(FakeFrame(10, {"heartbeat_interval": bad}))
    assert only(actions, Close).code == 4000
