"""Reading recordings a batch at a time, and dispatch lines decoded in one pass.

``RecordingReader.batches`` (what a replay as fast as possible reads) must give exactly
the frames iteration gives, with the same errors at the same lines; a dispatch line the
one-pass decoder takes must give the frame the general path gives.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import msgspec
import pytest

from fluxer_rx import Client
from fluxer_rx.errors import DecodeError
from fluxer_rx.models import MessageCreate
from fluxer_rx.models.frame import Frame, decode_frame
from fluxer_rx.models.recorded_lines import decode_recorded_dispatch
from fluxer_rx.replay import MalformedRecording, open_recording
from tests.synthetic_recordings import Sent, header, message_line

HELLO = {"at": 0, "shard": 0, "op": 10, "d": {"heartbeat_interval": 41250}}


def write(path: Path, *lines: bytes | dict[str, Any]) -> Path:
    body = b"".join(
        (line if isinstance(line, bytes) else msgspec.json.encode(line)) + b"\n" for line in lines
    )
    path.write_bytes(header() + b"\n" + body)
    return path


def summary(frame: Frame) -> tuple[Any, ...]:
    """What a reader's frame holds, the typed event's failure included."""
    try:
        event: Any = frame.event
    except DecodeError as exc:
        event = ("DecodeError", exc.path)
    return (frame.op, frame.s, frame.t, frame.shard_id, frame.has_d, frame.raw_d, event)


def mixed(tmp_path: Path) -> Path:
    second_shard = message_line(Sent(1.5, 1.5), 3).replace(b'"shard":0', b'"shard":2')
    mistyped = message_line(Sent(2.0, 2.0), 4).replace(b'"content":"', b'"content":7,"x":"')
    return write(
        tmp_path / "mixed.jsonl",
        HELLO,
        message_line(Sent(0.5, 0.5), 1),
        b"",  # blank lines are skipped
        {"at": 1, "shard": 0, "op": 0, "s": 2, "t": "SOMETHING_NEW", "d": {"x": [1, 2.50]}},
        second_shard,
        {"at": 1.5, "shard": 0, "op": 11},
        mistyped,  # fails as a MessageCreate: the frame comes, its event raises
        message_line(Sent(3.0, 3.0), 5),
    )


@pytest.mark.parametrize("size", [1, 2, 3, 256])
def test_batches_give_the_frames_iteration_gives(tmp_path: Path, size: int) -> None:
    path = mixed(tmp_path)
    with open_recording(path) as reader:
        expected = [(entry.at, summary(entry.frame)) for entry in reader]
    with open_recording(path) as reader:
        batches = list(reader.batches(size))
    assert all(0 < len(batch) <= size for batch in batches)
    got = [(at, summary(frame)) for batch in batches for at, frame in batch]
    assert got == expected
    assert [at for at, _ in got] == [0, 0.5, 1, 1.5, 1.5, 2.0, 3.0]
    assert [s[3] for _, s in got] == [0, 0, 0, 2, 0, 0, 0]  # shard ids
    assert got[5][1][-1] == ("DecodeError", "$.content")
    assert isinstance(got[6][1][-1], MessageCreate)


@pytest.mark.parametrize(
    ("bad", "fragment"),
    [
        (message_line(Sent(0.1, 0.1), 9), "backwards"),  # earlier than the line before
        (message_line(Sent(2.0, 2.0), 9).replace(b'"shard":0', b'"shard":-1'), "shard"),
        (b'{"at":2,"shard":0,"op":0,"s":9,"t":"MESSAGE_CREATE","d":{"id":', "truncated"),
    ],
)
def test_a_bad_line_ends_the_batches_after_the_frames_before_it(
    tmp_path: Path, bad: bytes, fragment: str
) -> None:
    path = write(
        tmp_path / "bad.jsonl",
        message_line(Sent(0.5, 0.5), 1),
        message_line(Sent(1.0, 1.0), 2),
        bad,
        message_line(Sent(3.0, 3.0), 3),
    )
    seen: list[float] = []
    with open_recording(path) as reader, pytest.raises(MalformedRecording) as info:
        for batch in reader.batches(10):
            seen += [at for at, _ in batch]
    assert seen == [0.5, 1.0]
    assert info.value.line == 4  # the header is line 1
    assert fragment in info.value.reason


def test_one_pass_dispatch_lines_equal_the_general_path() -> None:
    line = message_line(Sent(0.25, 0.25, channel="77", user="9"), 12)
    decoded = decode_recorded_dispatch(line)
    assert decoded is not None
    at, shard, frame = decoded
    entry = msgspec.json.decode(line)
    general = decode_frame(
        msgspec.json.encode({"op": 0, "s": entry["s"], "t": entry["t"], "d": entry["d"]})
    )
    assert (at, shard) == (0.25, 0)
    assert (frame.op, frame.s, frame.t, frame.shard_id) == (0, 12, "MESSAGE_CREATE", 0)
    assert frame.event == general.event
    assert frame.data == general.data == entry["d"]
    assert msgspec.json.decode(frame.raw_d) == entry["d"]
    # not for this pass: the general path reads (and reports) these
    assert decode_recorded_dispatch(msgspec.json.encode(HELLO)) is None
    assert decode_recorded_dispatch(b'{"at":0,"shard":0,"op":0,"s":1,"t":"READY","d":{}}') is None
    assert decode_recorded_dispatch(line.replace(b'"op":0', b'"op":"0"')) is None
    assert decode_recorded_dispatch(line[:-5]) is None


async def test_a_replay_as_fast_as_possible_delivers_each_event_once_in_order(
    tmp_path: Path,
) -> None:
    """Through the batch path: duplicates (a resumed replay of seen ``s``) go to ``raw``
    only, every other dispatch once, in order, and the summary counts them."""
    lines = [message_line(Sent(0.1 * s, 0.1 * s), s) for s in range(1, 601)]
    # five dispatches seen again after a resume, received (again) at 30 s
    lines[300:300] = [message_line(Sent(30.0, 0.1 * s), s) for s in range(296, 301)]
    path = write(tmp_path / "many.jsonl", *lines)
    client = Client()
    events: list[int] = []
    raw: list[int | None] = []
    client.events.stream(MessageCreate).subscribe(
        lambda e: events.append(int(e.content.split()[1]))
    )
    client.raw.subscribe(lambda f: raw.append(f.s))
    summary_ = await client.replay(path)
    assert events == list(range(1, 601))
    assert len(raw) == 605
    assert (summary_.frames, summary_.dispatches, summary_.duplicates) == (605, 600, 5)
    assert summary_.completed and summary_.recorded_seconds == pytest.approx(60.0)
