"""Every server frame recorded from the real Fluxer gateway decodes, dispatches included."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from fluxer_rx.models import EVENT_TYPES, RawEvent, Ready, decode_frame

TRANSCRIPTS = Path(__file__).resolve().parents[1] / "data" / "real-gateway"


def _server_frames() -> list[tuple[str, dict[str, Any]]]:
    frames = []
    for path in sorted(TRANSCRIPTS.glob("*.jsonl")):
        lines = path.read_text(encoding="utf-8").splitlines()
        for number, line in enumerate(lines[1:], start=2):
            entry = json.loads(line)
            frame = entry.get("frame")
            # zstd frames whose payload could not be decoded to JSON carry no dict frame
            if entry.get("dir") == "s2c" and isinstance(frame, dict):
                frames.append((f"{path.name}:{number}", frame))
    return frames


SERVER_FRAMES = _server_frames()
DISPATCHES = [(where, frame) for where, frame in SERVER_FRAMES if frame.get("op") == 0]


def test_transcripts_hold_dispatches() -> None:
    names = {frame["t"] for _, frame in DISPATCHES}
    assert {"READY", "RESUMED", "USER_UPDATE", "SESSIONS_REPLACE"} <= names
    assert len(DISPATCHES) >= 20


@pytest.mark.parametrize(("where", "frame"), SERVER_FRAMES, ids=[w for w, _ in SERVER_FRAMES])
def test_server_frame_envelope_decodes(where: str, frame: dict[str, Any]) -> None:
    # the recorder verified that compact re-encoding reproduces the exact wire bytes
    wire = json.dumps(frame, separators=(",", ":")).encode()
    decoded = decode_frame(wire)
    assert decoded.op == frame["op"]
    assert decoded.s == frame.get("s")
    assert decoded.t == frame.get("t")
    assert decoded.has_d == ("d" in frame)
    assert decoded.data == frame.get("d")


@pytest.mark.parametrize(("where", "frame"), DISPATCHES, ids=[w for w, _ in DISPATCHES])
def test_dispatch_decodes_to_its_type(where: str, frame: dict[str, Any]) -> None:
    event = decode_frame(json.dumps(frame, separators=(",", ":"))).event
    name = frame["t"]
    expected = EVENT_TYPES.get(name, RawEvent)
    assert type(event) is expected
    if isinstance(event, RawEvent):
        assert event.name == name
        assert event.data == frame["d"]
    if isinstance(event, Ready):
        d = frame["d"]
        assert event.session_id == d["session_id"]
        assert event.user.id == d["user"]["id"]
        assert event.user.bot == d["user"].get("bot")
        assert [s.session_id for s in event.sessions] == [s["session_id"] for s in d["sessions"]]
    if name == "USER_UPDATE":
        assert event.id == frame["d"]["id"]
        assert event.username == frame["d"]["username"]
    if name == "SESSIONS_REPLACE":
        assert [s.status for s in event.sessions] == [s["status"] for s in frame["d"]]
