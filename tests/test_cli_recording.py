"""``fluxer-rx record / replay / tail`` run in-process through ``main([...])``: output,
files and exit codes (0 done, 1 the run failed, 2 the command line was wrong: argparse's
``SystemExit(2)``)."""

from __future__ import annotations

import asyncio
import re
import threading
from collections.abc import Iterator
from pathlib import Path

import msgspec
import pytest

from fluxer_rx.cli import main
from fluxer_rx.replay import open_recording
from fluxer_rx.sandbox import Sandbox

HEADER = b'{"format":"fluxer_rx.recording","version":1,"gateway_version":"1"}\n'


@pytest.fixture
def threaded_sandbox() -> Iterator[Sandbox]:
    """A sandbox serving from its own thread and loop, as a remote instance would."""
    loop = asyncio.new_event_loop()
    sandbox = Sandbox(seed=4)
    started = threading.Event()

    def serve() -> None:
        asyncio.set_event_loop(loop)
        loop.run_until_complete(sandbox.start())
        started.set()
        loop.run_forever()
        loop.run_until_complete(sandbox.close())
        loop.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    assert started.wait(10)
    try:
        yield sandbox
    finally:
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)


@pytest.mark.parametrize(
    ("command", "options"),
    [
        ("record", ["OUT", "--duration", "--seed", "--rate", "--api", "--gateway", "FLUXER_TOKEN"]),
        ("replay", ["FILE", "--speed"]),
        ("tail", ["--duration", "--seed", "--rate", "--api", "--gateway", "FLUXER_TOKEN"]),
    ],
)
def test_each_command_has_help(
    command: str, options: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as info:
        main([command, "--help"])
    assert info.value.code == 0
    text = " ".join(capsys.readouterr().out.split())
    assert f"usage: fluxer-rx {command}" in text
    for option in options:
        assert option in text


def test_record_then_replay_on_the_sandbox(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "session.jsonl"
    code = main(["record", str(out), "--duration", "0.5", "--rate", "60", "--seed", "3"])
    assert code == 0
    recorded = capsys.readouterr().out
    match = re.search(r"recorded (\d+) frames \((\d+) events\)", recorded)
    assert match is not None, recorded
    frames, events = int(match[1]), int(match[2])
    assert events > 3  # the login burst and some generated traffic
    with open_recording(out) as reader:
        assert reader.header.gateway_version == "1"
        assert sum(1 for _ in reader) == frames

    assert main(["replay", str(out)]) == 0
    replayed = capsys.readouterr().out
    assert f"{frames} frames, {events} events" in replayed
    assert "as fast as possible" in replayed and "events/s" in replayed
    assert re.search(r"^  Ready +1$", replayed, re.M)
    assert re.search(r"^  GuildCreate +2$", replayed, re.M)


def test_replay_paced_by_speed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "short.jsonl"
    lines = [
        {"at": at, "shard": 0, "op": 0, "s": i + 1, "t": "TEST_TICK", "d": {}}
        for i, at in enumerate((0.0, 0.1, 0.2))
    ]
    path.write_bytes(HEADER + b"".join(msgspec.json.encode(x) + b"\n" for x in lines))
    assert main(["replay", str(path), "--speed", "20"]) == 0
    text = capsys.readouterr().out
    assert "at 20x" in text and "3 frames, 3 events" in text
    assert re.search(r"^  TEST_TICK +3$", text, re.M)


def test_replay_errors_and_exit_codes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_bytes(HEADER + b'{"at":0,"shard":0,"op":11}\n{"at":"soon"}\n')
    assert main(["replay", str(bad)]) == 1
    assert f"fluxer-rx replay: error: {bad}:3: " in capsys.readouterr().err

    newer = tmp_path / "v9.jsonl"
    newer.write_bytes(b'{"format":"fluxer_rx.recording","version":9,"gateway_version":"1"}\n')
    assert main(["replay", str(newer)]) == 1
    assert "version 9 is not supported" in capsys.readouterr().err

    missing = tmp_path / "missing.jsonl"
    with pytest.raises(SystemExit) as info:
        main(["replay", str(missing)])
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert err == f"fluxer-rx replay: error: argument FILE: no such file: {missing}\n"

    for argv in (["replay"], ["replay", str(bad), "--speed", "0"], ["replay", "x", "--speed", "a"]):
        with pytest.raises(SystemExit) as info:
            main(argv)
        assert info.value.code == 2


def test_record_usage_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("FLUXER_TOKEN", raising=False)
    assert main(["record", str(tmp_path / "x.jsonl"), "--api", "http://127.0.0.1:9/v1"]) == 2
    assert "FLUXER_TOKEN" in capsys.readouterr().err
    monkeypatch.setenv("FLUXER_TOKEN", "1.abc")
    assert main(["tail", "--gateway", "ws://127.0.0.1:9", "--seed", "1"]) == 2
    assert "--seed and --rate" in capsys.readouterr().err
    nowhere = tmp_path / "no-such-dir" / "x.jsonl"
    with pytest.raises(SystemExit) as info:
        main(["record", str(nowhere), "--duration", "0.1"])
    assert info.value.code == 2
    assert f"argument OUT: cannot create {nowhere}" in capsys.readouterr().err
    with pytest.raises(SystemExit) as info:
        main(["record", str(tmp_path / "x.jsonl"), "--duration", "-1"])
    assert info.value.code == 2


def test_record_a_live_instance_with_the_token_from_the_environment(
    tmp_path: Path,
    threaded_sandbox: Sandbox,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sb = threaded_sandbox
    out = tmp_path / "live.jsonl"
    monkeypatch.setenv("FLUXER_TOKEN", sb.token)
    argv = ["record", str(out), "--duration", "0.2"]
    argv += ["--api", sb.api_url, "--gateway", sb.gateway_url]
    assert main(argv) == 0
    text = capsys.readouterr()
    assert sb.token not in text.out + text.err
    with open_recording(out) as reader:
        ts = [entry.frame.t for entry in reader]
    assert ts.count("READY") == 1 and ts.count("GUILD_CREATE") == 2
    content = out.read_text()
    assert sb.token not in content and sb.token.split(".", 1)[1] not in content

    recorded = out.read_bytes()
    monkeypatch.setenv("FLUXER_TOKEN", sb.token + "wrong")
    assert main(argv) == 1  # the gateway refuses the token
    err = capsys.readouterr().err
    assert "fluxer-rx record: error:" in err and "wrong" not in err
    assert out.read_bytes() == recorded  # the failed run left the earlier recording alone
    assert not Path(f"{out}.partial").exists()


def test_replay_of_an_empty_or_cut_recording_fails(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    empty = tmp_path / "empty.jsonl"
    empty.write_bytes(b"")
    assert main(["replay", str(empty)]) == 1
    assert capsys.readouterr().err == (
        f"fluxer-rx replay: error: {empty}:1: empty file: no header line\n"
    )

    header_only = tmp_path / "header.jsonl"
    header_only.write_bytes(HEADER)
    assert main(["replay", str(header_only)]) == 1
    text = capsys.readouterr()
    assert text.out == ""  # no "0 frames" summary
    assert text.err == (
        f"fluxer-rx replay: error: {header_only}:2: no frames after the header: an empty"
        " recording (cut short before any frame?)\n"
    )

    cut = tmp_path / "cut.jsonl"
    cut.write_bytes(HEADER + b'{"at":0,"shard":0,"op":0,"s":1,"t":"X","d":{}}\n{"at":0.1,"sh')
    assert main(["replay", str(cut)]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"fluxer-rx replay: error: {cut}:3: ") and err.count("\n") == 1


def test_record_replaces_the_file_only_when_done(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "session.jsonl"
    out.write_text("an earlier recording\n")
    assert main(["record", str(out), "--duration", "0.3", "--rate", "50"]) == 0
    assert "recorded " in capsys.readouterr().out
    with open_recording(out) as reader:
        assert reader.header.gateway_version == "1"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["session.jsonl"]  # no .partial


def test_tail_prints_one_line_per_event(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["tail", "--duration", "0.4", "--rate", "50", "--seed", "2"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert "] Ready by=" in lines[0]
    assert sum("] GuildCreate id=" in line for line in lines) == 2
    assert len(lines) > 4  # generated traffic after the login burst
    assert all(re.match(r"^\[ *\d+\.\d{3}s\] \w+", line) for line in lines)
