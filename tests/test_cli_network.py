"""Network failures of ``fluxer-rx record / tail``: one line naming the URL and the cause,
within seconds, exit 1; and ``record`` never leaves a misleading file behind."""

from __future__ import annotations

import asyncio
import json
import socket
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp import web

from fluxer_rx.cli import main
from fluxer_rx.cli.reach import describe_failure
from tests.cli_util import closed_port

TOKEN = "1.not-a-real-secret"


def files_in(directory: Path) -> list[str]:
    return sorted(path.name for path in directory.iterdir())


@pytest.fixture(autouse=True)
def token(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FLUXER_TOKEN", TOKEN)


async def run_main(*argv: str) -> tuple[int, float]:
    """``main(argv)`` in a thread (it runs its own loop); the exit code and seconds taken."""
    started = time.monotonic()
    code = await asyncio.to_thread(main, list(argv))
    return code, time.monotonic() - started


async def test_an_unreachable_api_is_named_with_its_cause_at_once(
    capsys: pytest.CaptureFixture[str],
) -> None:
    url = f"http://127.0.0.1:{closed_port()}/v1"
    code, seconds = await run_main("tail", "--api", url)
    assert code == 1
    err = capsys.readouterr().err
    assert err.splitlines()[-1] == f"fluxer-rx tail: error: cannot reach {url}: connection refused"
    assert seconds < 4  # the REST retries used to take ~9 s to say less


async def test_an_unreachable_gateway_is_named_and_record_leaves_no_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"ws://127.0.0.1:{closed_port()}"
    out = tmp_path / "session.jsonl"
    code, seconds = await run_main("record", str(out), "--gateway", url)
    assert code == 1
    err = capsys.readouterr().err
    assert err == f"fluxer-rx record: error: cannot reach {url}: connection refused\n"
    assert seconds < 4
    assert files_in(tmp_path) == []


@pytest.fixture
async def hangs_up() -> AsyncIterator[str]:
    """A TCP server that accepts connections and closes them at once (not a gateway)."""

    async def close(_reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.close()

    server = await asyncio.start_server(close, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    async with server:
        yield f"ws://127.0.0.1:{port}"


async def test_a_gateway_that_never_answers_gives_up_after_the_grace(
    hangs_up: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    earlier = tmp_path / "session.jsonl"
    earlier.write_text("an earlier recording\n")
    code, seconds = await run_main("record", str(earlier), "--gateway", hangs_up)
    assert code == 1
    err = capsys.readouterr().err.splitlines()
    host = hangs_up.removeprefix("ws://")
    assert err[0].startswith(f"warning: cannot connect to the gateway at {host}: ")
    assert err[-1].startswith(f"fluxer-rx record: error: cannot connect to the gateway at {host}")
    assert err[-1].endswith("(gave up after 5 s)")
    assert "ConnectionKey" not in "\n".join(err)
    assert seconds < 20  # not the 30 s readiness timeout
    assert earlier.read_text() == "an earlier recording\n"  # a failed run replaces nothing
    assert files_in(tmp_path) == ["session.jsonl"]


async def test_an_api_that_is_not_fluxer_is_named_in_the_discovery_error(
    hangs_up: str, capsys: pytest.CaptureFixture[str]
) -> None:
    url = hangs_up.replace("ws://", "http://") + "/v1"
    code, seconds = await run_main("tail", "--api", url)
    assert code == 1
    err = capsys.readouterr().err.splitlines()[-1]
    assert err.startswith(f"fluxer-rx tail: error: cannot discover the gateway URL from {url}: ")
    assert "/gateway/bot: " in err and "instance discovery: " in err
    assert seconds < 8  # one retry per source, not three


@pytest.fixture
async def fails_after_ready() -> AsyncIterator[str]:
    """A gateway that says HELLO, answers IDENTIFY with READY, then closes 4004
    (authentication failed: fatal for the client)."""

    async def gateway(request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        await ws.send_str(json.dumps({"op": 10, "d": {"heartbeat_interval": 41250}}))
        identify = await ws.receive_json(timeout=10)
        assert identify["op"] == 2
        user = {"id": "1", "username": "fake", "discriminator": "0000", "bot": True}
        ready = {"v": 1, "user": user, "guilds": [], "session_id": "s1"}
        await ws.send_str(json.dumps({"op": 0, "t": "READY", "s": 1, "d": ready}))
        await ws.close(code=4004, message=b"Authentication failed")
        return ws

    app = web.Application()
    app.router.add_get("/", gateway)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    host, port = runner.addresses[0][:2]
    try:
        yield f"ws://{host}:{port}/"
    finally:
        await runner.cleanup()


async def test_a_session_that_fails_midway_is_kept_as_partial_and_said_so(
    fails_after_ready: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "session.jsonl"
    code, _ = await run_main("record", str(out), "--gateway", fails_after_ready, "--duration", "30")
    assert code == 1
    err = capsys.readouterr().err.splitlines()
    partial = Path(f"{out}.partial")
    assert any(f"received before the failure are in {partial}" in line for line in err), err
    assert err[-1].startswith("fluxer-rx record: error: ")
    assert not out.exists()
    code, _ = await run_main("replay", str(partial))
    assert code == 0  # what it holds is a readable recording
    assert "  Ready " in capsys.readouterr().out


def test_failure_causes_are_words_not_reprs() -> None:
    assert describe_failure(TimeoutError(), "h", 5) == "no answer within 5 s (timed out)"
    dns = socket.gaierror(socket.EAI_NONAME, "Name or service not known")
    assert describe_failure(dns, "nowhere.invalid", 5) == (
        "cannot resolve the host name 'nowhere.invalid' (Name or service not known)"
    )
    assert describe_failure(ConnectionRefusedError(111, "x"), "h", 5) == "connection refused"
    assert describe_failure(OSError(113, "No route to host"), "h", 5).startswith("no route")
    assert describe_failure(OSError(13, "Permission denied"), "h", 5) == "permission denied"


async def test_record_with_a_refused_token_leaves_no_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from fluxer_rx.sandbox import Sandbox

    async with Sandbox() as sb:
        out = tmp_path / "refused.jsonl"
        code, _ = await run_main(
            "record", str(out), "--api", sb.api_url, "--gateway", sb.gateway_url
        )
    assert code == 1  # FLUXER_TOKEN is not the sandbox's
    assert "fluxer-rx record: error: " in capsys.readouterr().err
    assert files_in(tmp_path) == []
