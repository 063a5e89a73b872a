"""The bot token's secret never leaves the client: a whole session with every logger at
DEBUG, on both transports, with network faults (a RESUME), REST calls, a recording and the
command line, and the secret is in no log record, file, diagnostic, output or error."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from fluxer_rx import Client, ClientOptions, GatewayOptions, RestOptions
from fluxer_rx.cli import main
from fluxer_rx.diagnostics import Diagnostic, Kind
from fluxer_rx.errors import FluxerError, InvalidToken
from fluxer_rx.options import Transport
from fluxer_rx.sandbox import Sandbox
from tests.faultproxy import FaultProxy
from tests.util import wait_until

TRANSPORTS: tuple[Transport, ...] = ("picows", "websockets", "aiohttp")


def fixed_world_clock() -> float:
    """A stopped world clock: every sandbox here mints the same bot id, so the same token."""
    return 1_780_000_000.0


# a LogRecord's own attributes; anything else on a record came in as ``extra``
_RECORD_FIELDS = frozenset(vars(logging.makeLogRecord({}))) | {"message", "asctime"}


@dataclass
class Evidence:
    """Every piece of text that could carry the secret, with where it came from."""

    texts: list[tuple[str, str]] = field(default_factory=list)

    def add(self, where: str, text: object) -> None:
        self.texts.append((where, text if isinstance(text, str) else repr(text)))

    def add_file(self, where: str, path: Path) -> None:
        self.add(where, path.read_text())

    def add_error(self, where: str, error: BaseException) -> None:
        for e in _chain(error):
            self.add(where, str(e))
            self.add(where, repr(e))
            self.add(where, repr(e.args))

    def add_diagnostic(self, d: Diagnostic) -> None:
        self.add(f"diagnostic {d.kind}", d.detail)
        self.add(f"diagnostic {d.kind}", repr(d))
        if isinstance(d.data, BaseException):
            self.add_error(f"diagnostic {d.kind} data", d.data)


def _chain(error: BaseException) -> list[BaseException]:
    seen: list[BaseException] = []
    todo: list[BaseException | None] = [error]
    while todo:
        e = todo.pop()
        if e is None or any(e is s for s in seen):
            continue
        seen.append(e)
        todo += [e.__cause__, e.__context__]
        if isinstance(e, BaseExceptionGroup):
            todo += list(e.exceptions)
    return seen


def _leaks(text: str, token: str) -> list[str]:
    """The forms of the secret found in ``text``: the token, its secret, the token cut
    anywhere after the first character of the secret (a log that elides a long payload
    shows such a prefix), the secret's last 6 characters ending a JSON string (one that
    elides the start), or any 10 consecutive characters of it."""
    app_id, secret = token.split(".", 1)
    found = []
    if f"{app_id}.{secret[:1]}" in text:
        found.append("the token's start")
    if f'{secret[-6:]}"' in text or f"{secret[-6:]}'" in text:
        found.append("the secret's end")
    if any(secret[i : i + 10] in text for i in range(len(secret) - 9)):
        found.append("part of the secret")
    return found


def _log_texts(record: logging.LogRecord) -> list[str]:
    texts = [record.getMessage(), repr(record.msg), repr(record.args)]
    if record.exc_info and record.exc_info[1] is not None:
        texts += [str(e) for e in _chain(record.exc_info[1])]
        texts += [repr(e) for e in _chain(record.exc_info[1])]
        texts.append(logging.Formatter().formatException(record.exc_info))
    if record.stack_info:
        texts.append(record.stack_info)
    texts += [repr(v) for k, v in vars(record).items() if k not in _RECORD_FIELDS]
    return texts


async def _session(transport: Transport, out: Path, evidence: Evidence) -> str:
    """Log in through a fault proxy, record, drop the connection twice (RESUME), call
    REST, fail a login; return the token."""
    async with (
        Sandbox(heartbeat_interval=1.0, resume_window=30.0, world_clock=fixed_world_clock) as sb,
        FaultProxy("127.0.0.1", sb.port) as proxy,
    ):
        options = ClientOptions(
            rest=RestOptions(api_url=sb.api_url),
            gateway=GatewayOptions(url=proxy.url(), transport=transport, connect_timeout=2.0),
        )
        client = Client(options)
        events: list[object] = []
        diagnostics: list[Diagnostic] = []
        client.events.subscribe(events.append)
        client.diagnostics.subscribe(diagnostics.append)
        recorder = client.record(out)
        login = asyncio.create_task(client.login(sb.token))
        await client.wait_until_ready(timeout=10)

        def resumed() -> int:
            return sum(type(e).__name__ == "Resumed" for e in events)

        assert await proxy.reset() == 1  # RST: the session is resumed
        await wait_until(lambda: resumed() == 1, within=10)
        await proxy.cut()  # refused connects, reported with their errors
        await wait_until(lambda: Kind.CONNECT_FAILED in [d.kind for d in diagnostics])
        await proxy.restore()
        await wait_until(lambda: resumed() == 2, within=10)

        sent = await client.rest.create_message(sb.channel_ids[0], "through REST")
        assert sent.content == "through REST"
        with pytest.raises(FluxerError) as missing:
            await client.rest.create_message("1", "to no channel")
        evidence.add_error("REST error", missing.value)

        recorder.stop()
        await client.destroy()
        await asyncio.wait_for(login, 10)

        wrong = Client(options)
        with pytest.raises(InvalidToken) as refused:
            await asyncio.wait_for(wrong.login(sb.token + "0"), 10)
        evidence.add_error("login with a wrong token", refused.value)

        for d in diagnostics:
            evidence.add_diagnostic(d)
        evidence.add_file(f"recording ({transport})", out)
        evidence.add("repr of the client and its recorder", f"{client!r} {recorder!r}")
        return sb.token


async def _cli(
    tmp_path: Path, evidence: Evidence, monkeypatch: pytest.MonkeyPatch
) -> tuple[str, list[int]]:
    """``fluxer-rx record`` and ``tail`` against a live sandbox through a proxy, the token
    from the environment, in a thread (each runs its own loop); return the token and the
    exit codes."""
    out = tmp_path / "cli.jsonl"
    async with (
        Sandbox(world_clock=fixed_world_clock) as sb,
        FaultProxy("127.0.0.1", sb.port) as proxy,
    ):
        live = ["--api", sb.api_url, "--gateway", proxy.url()]
        monkeypatch.setenv("FLUXER_TOKEN", sb.token)
        codes = [
            await asyncio.to_thread(main, ["record", str(out), "--duration", "0.3", *live]),
            await asyncio.to_thread(main, ["tail", "--duration", "0.3", *live]),
        ]
        monkeypatch.setenv("FLUXER_TOKEN", sb.token + "0")
        codes.append(
            await asyncio.to_thread(main, ["record", str(out), "--duration", "0.3", *live])
        )
        evidence.add_file("CLI recording", out)
        return sb.token, codes


async def test_no_part_of_the_secret_is_ever_logged_recorded_reported_or_raised(
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    caplog.set_level(logging.DEBUG)
    for name in ("picows", "websockets", "aiohttp", "asyncio", "fluxer_rx"):
        caplog.set_level(logging.DEBUG, logger=name)
    loop = asyncio.get_running_loop()
    evidence = Evidence()

    def on_loop_error(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        evidence.add("loop exception handler", context)
        if isinstance(context.get("exception"), BaseException):
            evidence.add_error("loop exception handler", context["exception"])

    loop.set_exception_handler(on_loop_error)
    try:
        tokens = {await _session(t, tmp_path / f"{t}.jsonl", evidence) for t in TRANSPORTS}
        token, codes = await _cli(tmp_path, evidence, monkeypatch)
    finally:
        loop.set_exception_handler(None)
    tokens.add(token)
    assert len(tokens) == 1  # every sandbox issued the same token: one secret to look for
    assert codes == [0, 0, 1]  # the wrong token fails the run (and must not be shown)
    output = capsys.readouterr()
    evidence.add("CLI stdout", output.out)
    evidence.add("CLI stderr", output.err)
    assert "] Ready by=" in output.out  # tail did print events

    for record in caplog.records:
        for text in _log_texts(record):
            evidence.add(f"log record {record.name}:{record.levelname}", text)
    # the test can only fail if DEBUG really reached the libraries that log frames
    names = {r.name for r in caplog.records if r.levelno == logging.DEBUG}
    assert "websockets.client" in names, sorted(names)
    assert any(r.getMessage().startswith("> TEXT") for r in caplog.records)

    leaks = [
        f"{where}: {found}: {text[:300]!r}"
        for where, text in evidence.texts
        if (found := _leaks(text, token))
    ]
    assert not leaks, "\n".join(leaks)
    assert len(evidence.texts) > 100  # something was looked at: logs, files, errors
