"""Recording lines decoded many at a time (the array pass) and the reader's blocks.

A run of dispatch lines decodes in one msgspec call
(:func:`~fluxer_rx.models.recorded_lines.decode_recorded_dispatches`); whatever that pass
does not take is read alone. Either way the reader must give the frames, the errors and
the line numbers the general path (one line at a time, ``decode_frame_line``) gives, also
across its ~64 KiB reads.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any, Literal

import msgspec
import pytest

from fluxer_rx import Client
from fluxer_rx.models import MessageCreate
from fluxer_rx.models.recorded_lines import decode_recorded_dispatches
from fluxer_rx.replay import (
    ClockStep,
    MalformedRecording,
    RecordedFrame,
    VirtualClock,
    open_recording,
)
from fluxer_rx.replay.format import decode_frame_line
from tests.synthetic_recordings import Sent, header, message_line
from tests.test_recording_batches import HELLO, summary, write

DELETE = {"at": 0.3, "shard": 1, "op": 0, "s": 5, "t": "MESSAGE_DELETE"}
TYPING = {"at": 0.3, "shard": 0, "op": 0, "s": 6, "t": "TYPING_START"}


def delete_line() -> bytes:
    return msgspec.json.encode({**DELETE, "d": {"id": "3", "channel_id": "4"}})


def typing_line() -> bytes:
    return msgspec.json.encode({**TYPING, "d": {"channel_id": "4", "user_id": "8"}})


def general(line: bytes, number: int = 2) -> tuple[Any, ...]:
    """What the general path makes of ``line``: its ``at`` and the frame's summary."""
    at, frame = decode_frame_line(line, "x.jsonl", number, 0.0)
    return (at, *summary(frame))


def run(count: int, start: float = 0.1) -> list[bytes]:
    return [message_line(Sent(start + i / 100, start + i / 100), i + 1) for i in range(count)]


def test_a_run_of_dispatch_lines_decodes_to_what_the_general_path_gives() -> None:
    lines = [*run(3), delete_line(), typing_line(), *run(2, start=0.5)]
    frames = decode_recorded_dispatches(lines)
    assert [(f.at, *summary(f)) for f in frames] == [general(line) for line in lines]
    assert [f.shard_id for f in frames] == [0, 0, 0, 1, 0, 0, 0]
    assert [f.data for f in frames] == [msgspec.json.decode(line)["d"] for line in lines]


@pytest.mark.parametrize(
    "other",
    [
        msgspec.json.encode(HELLO),  # another op
        b"",  # blank
        b"   ",
        b'{"at":0.3,"shard":0,"op":0,"s":4,"t":"READY","d":{}}',  # decoded in two stages
        b'{"at":0.3,"shard":0,"op":0,"s":4,"t":"SOMETHING_NEW","d":{}}',  # no class
        run(4)[3][:-9],  # truncated
        run(4)[3].replace(b'"shard":0', b'"shard":-1'),
        run(4)[3].replace(b'"at":0.13', b'"at":1e400'),
        run(4)[3].replace(b'"content":"', b'"content":7,"x":"'),  # mistyped d
        run(4)[3].replace(b'"t":"MESSAGE_CREATE"', b'"t":"MESSAGE_CREATE","t":"TYPING_START"'),
        run(4)[3].replace(b',"t":"MESSAGE_CREATE"', b""),  # no t
        run(4)[3].replace(b'"op":0', b'"op":"0"'),
    ],
)
def test_the_run_ends_before_a_line_the_array_pass_does_not_take(other: bytes) -> None:
    lines = run(3)
    after = [*lines, other, *run(2, start=0.5)]
    assert [summary(f) for f in decode_recorded_dispatches(after)] == [
        general(line)[1:] for line in lines
    ]
    assert decode_recorded_dispatches([other, *lines]) == []


def big_mixed_recording(path: Path) -> tuple[Path, list[tuple[Any, ...]]]:
    """Over 64 KiB of lines, other lines among them; with what the general path gives
    for each frame (its line number first)."""
    lines: list[bytes] = []
    for i in range(400):  # ~200 bytes a line, ~80 KiB
        lines.append(message_line(Sent(i / 10, i / 10), i + 1))
        if i % 97 == 5:
            lines.append(b"")
        if i % 61 == 7:
            lines.append(msgspec.json.encode({"at": i / 10, "shard": 0, "op": 11}))
        if i % 131 == 9:
            lines.append(b'{"at":%.1f,"shard":2,"op":0,"s":null,"t":"NEW","d":[1]}' % (i / 10))
    path.write_bytes(header() + b"\n" + b"\n".join(lines) + b"\n")
    expected = [
        (number, *general(line, number)) for number, line in enumerate(lines, 2) if line.strip()
    ]
    return path, expected


def test_a_big_mixed_recording_reads_as_the_general_path_reads_it(tmp_path: Path) -> None:
    path, expected = big_mixed_recording(tmp_path / "big.jsonl")
    assert path.stat().st_size > 65536
    with open_recording(path) as reader:
        blocks = list(reader._blocks)
    assert len(blocks) >= 2
    got = [
        (number, at, *summary(frame))
        for block in blocks
        for number, at, frame in zip(block.lines, block.ats, block.frames, strict=True)
    ]
    assert got == expected
    with open_recording(path) as reader:
        assert [(e.at, *summary(e.frame)) for e in reader] == [e[1:] for e in expected]


@pytest.mark.parametrize("bad_at", [7, 250, 399])  # in the first read, a later one, the last
@pytest.mark.parametrize("kind", ["backwards", "truncated"])
def test_a_bad_line_deep_in_a_read_is_reported_at_its_line_after_the_frames_before_it(
    tmp_path: Path, bad_at: int, kind: str
) -> None:
    lines = run(400)
    if kind == "backwards":
        lines[bad_at] = message_line(Sent(0.0, 0.0), bad_at + 1)
    else:
        lines[bad_at] = lines[bad_at][:40]
    path = write(tmp_path / "bad.jsonl", *lines)
    seen: list[int | None] = []
    with open_recording(path) as reader, pytest.raises(MalformedRecording) as info:
        for at_frame in reader:
            seen.append(at_frame.frame.s)
    assert seen == list(range(1, bad_at + 1))
    assert info.value.line == bad_at + 2  # the header is line 1
    with pytest.raises(MalformedRecording) as alone:  # what the line alone is told
        previous = round(0.1 + (bad_at - 1) / 100, 6)
        decode_frame_line(lines[bad_at] + b"\n", str(path), bad_at + 2, previous)
    assert info.value.reason == alone.value.reason
    assert ("backwards" in info.value.reason) == (kind == "backwards")


def test_iterating_again_continues_where_the_last_iteration_stopped(tmp_path: Path) -> None:
    path = write(tmp_path / "r.jsonl", *run(10))
    with open_recording(path) as reader:
        first = []
        for entry in reader:
            first.append(entry.frame.s)
            if len(first) == 4:
                break
        rest = [entry.frame.s for entry in reader]
    assert (first, rest) == ([1, 2, 3, 4], list(range(5, 11)))


async def test_a_clock_step_deep_in_a_big_recording_names_its_line(tmp_path: Path) -> None:
    path, expected = big_mixed_recording(tmp_path / "big.jsonl")
    lines = path.read_bytes().split(b"\n")
    jump = next(n for n, *_ in expected if n > 300 and lines[n - 1].startswith(b'{"at"'))
    # every line from ``jump`` on an hour later: one clock step, at that line
    shifted = [
        line.replace(b'"at":', b'"at":3600+', 1) if n >= jump and line else line
        for n, line in enumerate(lines, 1)
    ]
    shifted = [_evaluated_at(line) for line in shifted]
    path.write_bytes(b"\n".join(shifted))
    client = Client()
    steps: list[ClockStep] = []
    client.diagnostics.subscribe(
        lambda r: steps.append(r.data) if isinstance(r.data, ClockStep) else None
    )
    clock = VirtualClock(max_gap=60, on_bad_time="clamp")
    result = await client.replay(path, clock=clock)
    assert [step.line for step in steps] == [jump]
    assert result.clock_steps == 1 and result.frames == len(expected)


def _evaluated_at(line: bytes) -> bytes:
    """``"at":3600+x`` written as the number it means."""
    head, sep, tail = line.partition(b'"at":3600+')
    if not sep:
        return line
    number, comma, rest = tail.partition(b",")
    return b'%s"at":%.6f%s%s' % (head, 3600 + float(number), comma, rest)


async def test_recorded_time_pulls_frames_of_an_iterator_one_at_a_time() -> None:
    """A source that is not a sequence may make each frame when asked: it is asked for
    the next only once the one before was delivered."""
    client = Client()
    events: list[int | None] = []
    client.events.stream(MessageCreate).subscribe(lambda e: events.append(e.id and len(events)))
    delivered_when_asked: list[int] = []

    def frames() -> Iterator[RecordedFrame]:
        for i, line in enumerate(run(600)):
            delivered_when_asked.append(len(events))
            at, frame = decode_frame_line(line, "<frames>", i + 2, 0.0)
            yield RecordedFrame(at, frame)

    result = await client.replay(frames(), clock="recorded")
    assert delivered_when_asked == list(range(600))
    assert result.dispatches == 600


@pytest.mark.parametrize("clock", [None, "recorded"])
async def test_a_replay_of_a_big_mixed_recording_delivers_each_frame_once_in_order(
    tmp_path: Path, clock: Literal["recorded"] | None
) -> None:
    path, expected = big_mixed_recording(tmp_path / "big.jsonl")
    client = Client()
    seen: list[tuple[str, int | None]] = []
    client.raw.subscribe(lambda f: seen.append((f.t or "", f.s)))
    result = await client.replay(path, clock=clock)
    assert seen == [(e[4] or "", e[3]) for e in expected]
    assert result.frames == len(expected) and result.duplicates == 0
    assert result.dispatches == sum(1 for e in expected if e[2] == 0)


def _not_one_value_each() -> list[list[bytes]]:
    first, second = run(2)
    nested = first.replace(b'"d":{', b'"d":{"x":[[')
    cut = nested.index(b'"x":[[') + len(b'"x":[[')
    return [
        [first + b"," + second],  # two values on one line
        [first + b"],[" + second],
        [nested[:cut], b"1]]," + nested[cut:]],  # one value over two lines
        [nested[:cut], b"]]," + nested[cut:]],
    ]


@pytest.mark.parametrize("odd", _not_one_value_each())
def test_lines_that_are_not_one_value_each_are_not_taken(odd: list[bytes], tmp_path: Path) -> None:
    """The array pass never reads a line as two frames, or two lines as one: the run ends
    before such a line, and the reader reports it at its line as the general path does."""
    before, after = run(2), run(2, start=0.5)
    lines = [*before, *odd, *after]
    assert [summary(f) for f in decode_recorded_dispatches(lines)] == [
        general(line)[1:] for line in before
    ]
    path = write(tmp_path / "odd.jsonl", *lines)
    seen: list[int | None] = []
    with open_recording(path) as reader, pytest.raises(MalformedRecording) as info:
        for entry in reader:
            seen.append(entry.frame.s)
    assert seen == [1, 2] and info.value.line == 4
    with pytest.raises(MalformedRecording) as alone:
        decode_frame_line(odd[0] + b"\n", str(path), 4, 0.11)
    assert info.value.reason == alone.value.reason


def test_while_iterating_line_is_the_line_of_the_frame_just_yielded(tmp_path: Path) -> None:
    lines = [*run(3), b"", *run(2, start=0.5), run(6)[5][:30]]
    path = write(tmp_path / "lines.jsonl", *lines)
    numbers: list[int] = []
    with open_recording(path) as reader, pytest.raises(MalformedRecording) as info:
        assert reader.line == 1
        for _ in reader:
            numbers.append(reader.line)
    assert numbers == [2, 3, 4, 6, 7]  # line 5 is blank
    assert info.value.line == reader.line == 8
