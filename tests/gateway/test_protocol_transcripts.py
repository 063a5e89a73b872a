"""The protocol machine against the real-gateway transcripts (tests/data/real-gateway).

Server frames and closes of each recording are fed to the machine; what it sends back and
how it classifies each close are checked against what the recorded exchange requires.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from typing import Any

import pytest

from fluxer_rx.errors import GatewayError, InvalidToken
from fluxer_rx.gateway.actions import (
    Action,
    ConnectionState,
    EmitDispatch,
    Fatal,
    FrameLike,
    GapDetected,
    Reconnect,
    SendFrame,
    SessionLost,
)
from fluxer_rx.gateway.protocol import GatewayProtocol
from fluxer_rx.models import decode_frame

from .protocol_harness import TRANSCRIPTS, FakeFrame, load_transcript

FrameFactory = Callable[[dict[str, Any]], FrameLike]


def real_frame(obj: dict[str, Any]) -> FrameLike:
    """The frame exactly as the driver will build it: the server's bytes through decode_frame."""
    return decode_frame(json.dumps(obj, separators=(",", ":")).encode())


FRAME_FACTORIES = pytest.mark.parametrize(
    "make_frame", [FakeFrame.of, real_frame], ids=["fake_frame", "decode_frame"]
)

PROBE_PROPERTIES = {"os": "linux", "browser": "transcript-probe", "device": "transcript-probe"}


def _token_of(events: list[dict[str, Any]]) -> str:
    for ev in events:
        frame = ev.get("frame")
        if ev["dir"] == "c2s" and isinstance(frame, dict) and frame.get("op") in (2, 6):
            d = frame.get("d")
            if isinstance(d, dict) and isinstance(d.get("token"), str):
                return str(d["token"])
    return "1000000000000000001.fake-secret-not-real"


class Replay:
    """Feeds a transcript's server side to a machine, without ticking timers."""

    def __init__(self, name: str, make_frame: FrameFactory = FakeFrame.of, seed: int = 1) -> None:
        self.make_frame = make_frame
        self.events = load_transcript(name)
        self.proto = GatewayProtocol(
            _token_of(self.events), properties=PROBE_PROPERTIES, rng=random.Random(seed)
        )
        self.actions: list[Action] = []
        self.sent: list[tuple[int, dict[str, Any]]] = []  # (conn, payload)
        self.conn = 0
        self.close_actions: list[Action] = []
        self.session_before_close: str | None = None

    def _keep(self, actions: list[Action]) -> list[Action]:
        self.actions += actions
        for a in actions:
            if isinstance(a, SendFrame):
                self.sent.append((self.conn, json.loads(a.payload)))
        return actions

    def run(self, until_first_server_close: bool = False) -> Replay:
        for ev in self.events:
            now = ev["t_ms"] / 1000.0
            if ev["dir"] == "meta" and ev["event"] == "connect":
                self.conn = ev["conn"]
                self._keep(self.proto.connection_opened(now))
            elif ev["dir"] == "s2c" and "frame" in ev:
                self._keep(self.proto.receive_frame(self.make_frame(ev["frame"]), now))
            elif ev["dir"] == "s2c" and "close" in ev:
                code, reason = ev["close"]["code"], ev["close"]["reason"]
                if ev.get("echo_of_client_close"):
                    # The probe closed on its own; to us that is a plain drop.
                    self._keep(self.proto.connection_closed(1006, "", now))
                    continue
                self.session_before_close = self.proto.session_id
                self.close_actions = self._keep(self.proto.connection_closed(code, reason, now))
                if until_first_server_close:
                    break
        return self

    def sent_ops(self, conn: int) -> list[dict[str, Any]]:
        return [p for c, p in self.sent if c == conn and p["op"] != 1]

    def recorded_ops(self, conn: int) -> list[dict[str, Any]]:
        return [
            ev["frame"]
            for ev in self.events
            if ev["dir"] == "c2s" and ev.get("conn") == conn and ev["frame"]["op"] in (2, 6)
        ]


EXPECTED_CLOSE_KIND = {
    "03-heartbeat-timeout": "resume",
    "03c-heartbeat-timeout-then-resume": "resume",
    "05a-invalid-json": "resume",
    "05b-payload-too-large": "resume",
    "05c-unknown-opcode": "resume",
    "05c2-server-only-opcode": "resume",
    "05c3-missing-d": "resume",
    "05c4-not-an-object": "resume",
    "05c5-object-without-op": "resume",
    "05d-presence-before-identify": "identify",
    "05d2-request-members-before-identify": "identify",
    "05e-second-identify": "resume",
    "05f-identify-missing-properties": "resume",
    "05f2-identify-properties-not-strings": "resume",
    "05f3-identify-d-null": "resume",
    "05g-bad-token": "invalid_token",
    "05g2-api-429": "backoff",
    "05g3-api-500": "resume",
    "05h-api-version-2": "fatal",
    "05h2-api-version-missing": "fatal",
    "05i-heartbeat-non-integer-after-identify": "identify",
    "05i2-heartbeat-seq-semantics": "identify",
    "05j2-binary-frame-garbage": "resume",
    "05j3-text-frame-invalid-utf8": "resume",
    "05k-presence-update-missing-status": "resume",
    "05l-resume-missing-fields": "resume",
    "06-client-rate-limit": "backoff",
    "07c-resume-seq-too-high": "identify",
    "07d-resume-wrong-token": "invalid_token",
    "08b-zstd-client-sends-compressed": "resume",
}


def test_every_transcript_with_a_server_close_is_classified() -> None:
    with_close = {
        path.stem
        for path in TRANSCRIPTS.glob("*.jsonl")
        if any(
            "close" in ev and not ev.get("echo_of_client_close")
            for ev in load_transcript(path.stem)
        )
    }
    assert with_close == set(EXPECTED_CLOSE_KIND)


@pytest.mark.parametrize("name", sorted(EXPECTED_CLOSE_KIND))
def test_transcript_close_code_classification(name: str) -> None:
    replay = Replay(name, real_frame).run(until_first_server_close=True)
    kind = EXPECTED_CLOSE_KIND[name]
    actions = replay.close_actions
    fatal = [a for a in actions if isinstance(a, Fatal)]
    reconnects = [a for a in actions if isinstance(a, Reconnect)]
    had_session = replay.session_before_close is not None
    if kind == "invalid_token":
        assert len(fatal) == 1 and isinstance(fatal[0].error, InvalidToken)
        assert not reconnects and replay.proto.state is ConnectionState.STOPPED
        assert "fake-secret" not in str(fatal[0].error)
        return
    if kind == "fatal":
        assert len(fatal) == 1 and isinstance(fatal[0].error, GatewayError)
        assert fatal[0].error.code == 4012
        assert not reconnects
        return
    assert not fatal and len(reconnects) == 1
    lost = [a for a in actions if isinstance(a, SessionLost)]
    if kind == "identify":
        assert reconnects[0].resume is False
        assert bool(lost) == had_session
    else:
        assert not lost
        assert reconnects[0].resume is had_session
        if kind == "backoff":
            assert reconnects[0].delay >= 5.0


@FRAME_FACTORIES
def test_07_dispatch_and_resume_replays_once_and_reports_the_unbuffered_seq(
    make_frame: FrameFactory,
) -> None:
    replay = Replay("07-dispatch-and-resume", make_frame).run()
    # conn 1: the same IDENTIFY as recorded; conn 2: the same RESUME (seq 3)
    assert replay.sent_ops(1) == replay.recorded_ops(1)
    assert replay.sent_ops(2) == replay.recorded_ops(2)
    seqs = [(a.frame.t, a.frame.s) for a in replay.actions if isinstance(a, EmitDispatch)]
    assert seqs == [
        ("READY", 1),
        ("USER_UPDATE", 2),
        ("USER_NOTE_UPDATE", 3),
        ("USER_UPDATE", 4),
        ("USER_NOTE_UPDATE", 6),
        ("RESUMED", 3),
        ("USER_UPDATE", 7),
    ]
    gaps = [a for a in replay.actions if isinstance(a, GapDetected)]
    assert [(g.first_missing, g.last_missing) for g in gaps] == [(5, 5)]


@FRAME_FACTORIES
def test_07b_op9_then_identify_on_the_same_socket(make_frame: FrameFactory) -> None:
    events = load_transcript("07b-resume-unknown-session")
    token = _token_of(events)
    proto = GatewayProtocol(token, properties=PROBE_PROPERTIES, rng=random.Random(4))
    # Give the machine a session to resume (the recording resumed a made-up one).
    proto.connection_opened(-10.0)
    proto.receive_frame(FakeFrame(10, {"heartbeat_interval": 41250}), -10.0)
    proto.receive_frame(
        FakeFrame(0, {"session_id": "00000000000000000000000000000000"}, 1, "READY"), -10.0
    )
    proto.connection_closed(1006, "", -1.0)
    sends: list[dict[str, Any]] = []
    actions: list[Action] = []
    for ev in events:
        now = ev["t_ms"] / 1000.0
        if ev["dir"] == "meta" and ev["event"] == "connect":
            actions += proto.connection_opened(now)
        elif ev["dir"] == "s2c" and "frame" in ev:
            actions += proto.receive_frame(make_frame(ev["frame"]), now)
            if ev["frame"]["op"] == 9:
                deadline = proto.next_deadline()
                assert deadline is not None
                # ticks until the op 9 wait is over (heartbeats may go out meanwhile)
                while proto.state is ConnectionState.INVALID_SESSION:
                    deadline = proto.next_deadline()
                    assert deadline is not None and deadline - now <= 5.0
                    actions += proto.tick(deadline)
        elif ev["dir"] == "meta" and ev["event"] == "client_close":
            break
    sends = [json.loads(a.payload) for a in actions if isinstance(a, SendFrame)]
    non_beats = [p for p in sends if p["op"] != 1]
    recorded = [ev["frame"] for ev in events if ev["dir"] == "c2s"]
    assert [p["op"] for p in non_beats] == [6, 2]
    assert non_beats[0]["d"]["session_id"] == recorded[0]["d"]["session_id"]
    assert non_beats[1] == recorded[1]
    assert not any(isinstance(a, Reconnect) for a in actions)
    assert proto.state is ConnectionState.READY
    assert proto.session_id == "F0DEA7D0D36B6900A6A65300EF0AC19B"


@FRAME_FACTORIES
def test_03b_server_heartbeat_request_is_answered_at_once(make_frame: FrameFactory) -> None:
    replay = Replay("03b-heartbeat-request-answered", make_frame).run()
    beats = [(c, p) for c, p in replay.sent if p["op"] == 1]
    assert beats == [(1, {"op": 1, "d": None})]


@FRAME_FACTORIES
def test_03c_heartbeat_timeout_then_immediate_resume(make_frame: FrameFactory) -> None:
    replay = Replay("03c-heartbeat-timeout-then-resume", make_frame).run(
        until_first_server_close=True
    )
    (reconnect,) = [a for a in replay.close_actions if isinstance(a, Reconnect)]
    assert reconnect.delay == 0.0 and reconnect.resume
    replay = Replay("03c-heartbeat-timeout-then-resume", make_frame).run()
    assert replay.sent_ops(2) == replay.recorded_ops(2)
    assert replay.proto.state is not ConnectionState.STOPPED


@FRAME_FACTORIES
def test_07k_resume_sends_the_last_delivered_seq(make_frame: FrameFactory) -> None:
    replay = Replay("07k-resume-below-acked-seq", make_frame).run()
    (resume,) = replay.sent_ops(2)
    # the probe deliberately resumed from 1; the machine resumes from what it delivered
    assert resume["d"]["seq"] == 4
    seqs = [a.frame.s for a in replay.actions if isinstance(a, EmitDispatch)]
    assert seqs == [1, 2, 3, 4, 5, 1]  # RESUMED s1 is passed on, no event twice


@FRAME_FACTORIES
def test_04_ready_gives_the_upper_case_session_id_and_user(make_frame: FrameFactory) -> None:
    replay = Replay("04-identify-ready", make_frame).run()
    assert replay.sent_ops(1) == replay.recorded_ops(1)
    ready = next(ev["frame"] for ev in replay.events if ev.get("frame", {}).get("t") == "READY")
    assert replay.proto.session_id == ready["d"]["session_id"]
    assert replay.proto.user == ready["d"]["user"]
