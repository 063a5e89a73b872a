"""The recording format: reading back, refusing bad files with their line number, keeping
tokens out, bad paths."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import msgspec
import pytest
import reactivex
from reactivex import operators as ops

from fluxer_rx import Client
from fluxer_rx.models.frame import decode_frame
from fluxer_rx.replay import (
    REDACTED,
    MalformedRecording,
    RecordedFrame,
    Recorder,
    RecordingError,
    RecordingFileError,
    UnsupportedRecordingVersion,
    open_recording,
    recording_frames,
)
from tests.util import wait_until

HEADER = b'{"format":"fluxer_rx.recording","version":1,"gateway_version":"1"}\n'
TOKEN = "1456074443989319682.s3cr3t-T0KEN-value"


def write(path: Path, *lines: bytes | dict[str, Any], header: bytes = HEADER) -> Path:
    body = b"".join(
        (line if isinstance(line, bytes) else msgspec.json.encode(line)) + b"\n" for line in lines
    )
    path.write_bytes(header + body)
    return path


def read_all(path: Path) -> list[RecordedFrame]:
    with open_recording(path) as reader:
        return list(reader)


def test_frames_read_back_with_envelope_d_shard_and_time(tmp_path: Path) -> None:
    path = write(
        tmp_path / "ok.jsonl",
        {"at": 0, "shard": 0, "op": 10, "s": None, "t": None, "d": {"heartbeat_interval": 41250}},
        b'{"at":0.5,"shard":1,"op":0,"s":3,"t":"SOMETHING_NEW","d":{"x":[1,2.50]}}',
        b"",  # blank lines are skipped
        {"at": 0.5, "shard": 0, "op": 11},
        {"at": 1.25, "shard": 0, "op": 0, "s": 4, "t": "TYPING_START", "d": {}, "extra": 1},
    )
    with open_recording(path) as reader:
        assert reader.header.version == 1 and reader.header.gateway_version == "1"
        frames = list(reader)
    assert [f.at for f in frames] == [0, 0.5, 0.5, 1.25]
    hello, new, ack, typing = (f.frame for f in frames)
    assert (hello.op, hello.has_d, hello.data) == (10, True, {"heartbeat_interval": 41250})
    assert (new.shard_id, new.s, new.t, new.raw_d) == (1, 3, "SOMETHING_NEW", b'{"x":[1,2.50]}')
    assert new.event.name == "SOMETHING_NEW"  # unknown names pass through as RawEvent
    assert (ack.op, ack.has_d, ack.s, ack.t) == (11, False, None, None)
    assert typing.has_d and typing.t == "TYPING_START"


def test_recorder_lines_round_trip_through_the_reader(tmp_path: Path) -> None:
    path = tmp_path / "rt.jsonl"
    client = Client()
    messages = [
        b'{"op":10,"d":{"heartbeat_interval":41250}}',
        b'{"d":{"id":"1","channel_id":"2"},"op":0,"s":1,"t":"MESSAGE_DELETE"}',
        b'{"op":0,"s":2,"t":"X","d":{\n  "multi": "line",\n  "n": 1.0}}',  # pretty-printed d
        b'{"op":11}',
        b'{"op":7,"d":null}',
    ]
    with Recorder(client, path):
        for i, message in enumerate(messages):
            frame = decode_frame(message)
            frame.shard_id = i % 2
            client.pipeline.frame(frame)
    lines = path.read_bytes().splitlines()
    assert len(lines) == 1 + len(messages)  # one line per frame, even a multi-line d
    got = [entry.frame for entry in read_all(path)]
    for message, (i, frame) in zip(messages, enumerate(got), strict=True):
        original = decode_frame(message)
        assert (frame.op, frame.s, frame.t, frame.has_d) == (
            original.op,
            original.s,
            original.t,
            original.has_d,
        )
        assert frame.data == original.data
        assert frame.shard_id == i % 2
    assert got[1].raw_d == b'{"id":"1","channel_id":"2"}'


@pytest.mark.parametrize(
    ("body", "line", "fragment"),
    [
        (b"", 1, "empty file"),
        (b"not json\n", 1, "not a JSON object"),
        (b'{"format":"other","version":1}\n', 1, "not a fluxer_rx recording"),
        (b'{"format":"fluxer_rx.recording","version":"1"}\n', 1, "integer"),
        (b'{"format":"fluxer_rx.recording","version":1}\n', 1, "gateway_version"),
        (HEADER + b'{"at":0,"shard":0,"op":11}\n{"at":0,"shard":0,', 3, "truncated"),
        (HEADER + b'{"at":0,"shard":0}\n', 2, "op"),
        (HEADER + b'{"at":0,"shard":0,"op":"0"}\n', 2, "$.op"),
        (HEADER + b'{"at":-1,"shard":0,"op":11}\n', 2, ">= 0"),
        (HEADER + b'{"at":2,"shard":0,"op":11}\n{"at":1,"shard":0,"op":11}\n', 3, "backwards"),
        (HEADER + b'{"at":0,"shard":-1,"op":11}\n', 2, "shard"),
        (HEADER + b'{"at":0,"shard":0,"op":0,"s":1,"t":"X","d":{"a":}}\n', 2, "malformed"),
        (HEADER + b"[1,2]\n", 2, "object"),
    ],
)
def test_malformed_recordings_name_the_line(
    tmp_path: Path, body: bytes, line: int, fragment: str
) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_bytes(body)
    with pytest.raises(MalformedRecording) as info:
        read_all(path)
    error = info.value
    assert error.line == line
    assert error.path == str(path)
    assert fragment in error.reason
    assert str(error).startswith(f"{path}:{line}: ")
    assert isinstance(error, RecordingError)


def test_frames_before_a_bad_line_are_read_first(tmp_path: Path) -> None:
    path = write(tmp_path / "half.jsonl", {"at": 0, "shard": 0, "op": 11}, b"{oops")
    seen: list[RecordedFrame] = []
    with open_recording(path) as reader, pytest.raises(MalformedRecording) as info:
        for entry in reader:
            seen.append(entry)
    assert len(seen) == 1 and info.value.line == 3


def test_unknown_format_version_is_refused(tmp_path: Path) -> None:
    path = write(
        tmp_path / "v2.jsonl",
        {"at": 0, "shard": 0, "op": 11},
        header=b'{"format":"fluxer_rx.recording","version":2,"gateway_version":"1"}\n',
    )
    with pytest.raises(UnsupportedRecordingVersion) as info:
        open_recording(path)
    assert info.value.version == 2
    assert "version 2" in str(info.value) and "version 1" in str(info.value)


def test_missing_file_is_a_file_error(tmp_path: Path) -> None:
    missing = tmp_path / "nope.jsonl"
    with pytest.raises(RecordingFileError) as info:
        open_recording(missing)
    assert info.value.path == str(missing)
    assert str(missing) in str(info.value)


@pytest.mark.parametrize("where", ["missing-dir/out.jsonl", "."])
def test_recorder_refuses_a_bad_path_clearly(tmp_path: Path, where: str) -> None:
    target = tmp_path / where
    client = Client()
    recorder = Recorder(client, target)
    with pytest.raises(RecordingFileError) as info:
        recorder.start()
    assert str(target) in str(info.value)
    assert not recorder.recording
    assert not client.raw.has_observers
    with pytest.raises(RecordingFileError):
        client.record(target)


def test_recorder_starts_once(tmp_path: Path) -> None:
    recorder = Client().record(tmp_path / "once.jsonl")
    with pytest.raises(RuntimeError):
        recorder.start()
    recorder.stop()
    recorder.stop()  # idempotent
    with pytest.raises(RuntimeError):
        recorder.start()


def test_tokens_never_reach_a_recording(tmp_path: Path) -> None:
    path = tmp_path / "secret.jsonl"
    client = Client()
    identify = {"op": 2, "d": {"token": TOKEN, "properties": {"os": "linux"}}}
    resume = {"op": 6, "d": {"token": f"Bot {TOKEN}", "session_id": "s", "seq": 3}}
    echoed = {"op": 0, "s": 1, "t": "ECHO", "d": {"content": f"my token is {TOKEN}!"}}
    with client.record(path, redact=[TOKEN]):
        for message in (identify, resume, echoed):
            client.pipeline.frame(decode_frame(msgspec.json.encode(message)))
    text = path.read_text()
    assert TOKEN not in text
    assert "s3cr3t" not in text
    identify_back, resume_back, echoed_back = (e.frame for e in read_all(path))
    assert identify_back.data == {"token": REDACTED, "properties": {"os": "linux"}}
    assert resume_back.data == {"token": REDACTED, "session_id": "s", "seq": 3}
    assert echoed_back.data == {"content": f"my token is {REDACTED}!"}


def test_recording_frames_is_a_cold_observable(tmp_path: Path) -> None:
    path = write(
        tmp_path / "obs.jsonl",
        {"at": 0, "shard": 0, "op": 11},
        {"at": 1, "shard": 0, "op": 0, "s": 1, "t": "A", "d": {}},
        {"at": 2, "shard": 0, "op": 0, "s": 2, "t": "B", "d": {}},
    )
    source = recording_frames(path)
    for _ in range(2):  # each subscription reads the file again
        got: list[str | None] = []
        source.pipe(ops.map(lambda e: e.frame.t), ops.concat(reactivex.of("done"))).subscribe(
            got.append
        )
        assert got == [None, "A", "B", "done"]
    firsts: list[float] = []
    source.pipe(ops.take(1)).subscribe(lambda e: firsts.append(e.at))
    assert firsts == [0]
    errors: list[Exception] = []
    recording_frames(tmp_path / "missing.jsonl").subscribe(on_error=errors.append)
    assert len(errors) == 1 and isinstance(errors[0], RecordingFileError)


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full (Linux)")
def test_a_failed_write_stops_recording_and_is_raised() -> None:
    client = Client()
    recorder = client.record("/dev/full")  # every write fails: no space left
    client.pipeline.frame(decode_frame(b'{"op":11}'))  # buffered
    with pytest.raises(RecordingFileError) as flushed:
        recorder.flush()
    assert "/dev/full" in str(flushed.value)
    assert not recorder.recording and not client.raw.has_observers
    client.pipeline.frame(decode_frame(b'{"op":11}'))  # no longer recorded, nothing raised
    with pytest.raises(RecordingFileError):
        recorder.stop()
    assert recorder.error is flushed.value


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full (Linux)")
async def test_a_write_failing_while_frames_arrive_is_reported_on_diagnostics() -> None:
    client = Client()
    reported: list[str] = []
    client.diagnostics.subscribe(lambda d: reported.append(d.detail))
    recorder = Recorder(client, "/dev/full")
    recorder.start()
    big = b'{"op":0,"t":"BIG","d":"' + b"x" * (2 << 20) + b'"}'  # larger than the buffer
    client.pipeline.frame(decode_frame(big))
    assert not recorder.recording
    assert any("cannot write the recording /dev/full" in detail for detail in reported)
    with pytest.raises(RecordingFileError):
        recorder.stop()


async def test_a_running_recording_is_flushed_periodically(tmp_path: Path) -> None:
    path = tmp_path / "live.jsonl"
    client = Client()
    recorder = Recorder(client, path, flush_interval=0.01).start()
    try:
        client.pipeline.frame(decode_frame(b'{"op":11}'))
        await wait_until(lambda: path.read_bytes().count(b"\n") == 2)  # header + frame
        assert [e.frame.op for e in read_all(path)] == [11]  # readable while recording
        assert recorder.recording and "recording" in repr(recorder)
    finally:
        recorder.stop()
