"""No frame ends a run: every decode path reports a ``DecodeError`` on ``diagnostics``
(``decode_error``, with the frame) and skips what it could not decode, live and in replay.

The hard case is a value JSON rejects only when it is read (the number ``1e400``, a string
that is not UTF-8) inside a key the typed model does not know: the typed event decodes
(the decoder skips that key), the plain JSON of ``d`` that ``client.on`` handlers get does
not.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import msgspec
import pytest

from fluxer_rx import Client, ClientOptions, GatewayOptions, RestOptions
from fluxer_rx.diagnostics import Diagnostic, Kind
from fluxer_rx.errors import DecodeError
from fluxer_rx.models import MessageCreate, decode_event, decode_frame
from fluxer_rx.models.frame import Frame
from fluxer_rx.options import Transport
from fluxer_rx.sandbox import Sandbox
from tests.util import wait_until

BAD_VALUES = {"number_out_of_range": b"1e400", "invalid_utf8": b'"\xff\xfe"'}
MESSAGE = {
    "author": {"id": "8", "username": "someone"},
    "channel_id": "5",
    "content": "hi",
    "guild_id": "1",
    "id": "101",
    "timestamp": "2026-01-01T00:00:00Z",
}


def with_extra(d: dict[str, Any], bad: bytes) -> bytes:
    """The JSON of ``d`` plus an unknown key holding ``bad``."""
    return msgspec.json.encode(d)[:-1] + b',"zz_unknown":' + bad + b"}"


def message_frame(d_json: bytes, s: int = 1, t: str = "MESSAGE_CREATE") -> bytes:
    return b'{"d":%b,"op":0,"s":%d,"t":"%b"}' % (d_json, s, t.encode())


# --- every decode path ------------------------------------------------------------------


@pytest.mark.parametrize("bad", BAD_VALUES.values(), ids=BAD_VALUES.keys())
@pytest.mark.parametrize("lazy", [False, True], ids=["one-pass", "lazy"])
def test_a_value_json_rejects_lazily_fails_data_with_a_decode_error(bad: bytes, lazy: bool) -> None:
    frame = decode_frame(message_frame(with_extra(MESSAGE, bad)), lazy=lazy)
    assert isinstance(frame.event, MessageCreate)  # the typed pass skips the unknown key
    assert bad in frame.raw_d
    for _ in range(2):  # a failed decode is not cached: it fails the same way again
        with pytest.raises(DecodeError) as info:
            frame.data  # noqa: B018  # the property access is the decode under test
        assert info.value.event == "MESSAGE_CREATE"


@pytest.mark.parametrize("bad", BAD_VALUES.values(), ids=BAD_VALUES.keys())
@pytest.mark.parametrize("name", ["MESSAGE_CREATE", "READY", "GUILD_CREATE", "NOT_A_KNOWN_EVENT"])
def test_every_decode_path_raises_only_decode_error(bad: bytes, name: str) -> None:
    d = with_extra(MESSAGE, bad)
    decoded: list[object] = []
    for lazy in (False, True):
        frame = decode_frame(message_frame(d, t=name), lazy=lazy)
        for read in (lambda f: f.event, lambda f: f.data, lambda f: f.raw_d):
            try:
                decoded.append(read(frame))
            except DecodeError as exc:
                assert exc.event == name
    try:
        decoded.append(decode_event(name, d))
    except DecodeError as exc:
        assert exc.event == name


@pytest.mark.parametrize("lazy", [False, True], ids=["one-pass", "lazy"])
@pytest.mark.parametrize("name", ["MESSAGE_CREATE", "NOT_A_KNOWN_EVENT"])
def test_a_str_message_that_is_not_unicode_text_is_a_decode_error(lazy: bool, name: str) -> None:
    text = message_frame(msgspec.json.encode(MESSAGE), t=name).decode()
    lone_surrogate = text.replace('"hi"', '"\udc80"')
    with pytest.raises(DecodeError):
        decode_frame(lone_surrogate, lazy=lazy)


# --- live, against the sandbox ----------------------------------------------------------


@pytest.mark.parametrize("transport", ["picows", "aiohttp", "websockets"])
async def test_a_frame_whose_d_fails_only_as_json_skips_the_on_handlers_and_the_run_goes_on(
    transport: Transport,
) -> None:
    async with Sandbox(heartbeat_interval=1.0) as sb:
        client = Client(
            ClientOptions(
                rest=RestOptions(api_url=sb.api_url), gateway=GatewayOptions(transport=transport)
            )
        )
        contents: list[str] = []
        typed: list[str] = []
        events: list[str] = []
        diagnostics: list[Diagnostic] = []
        client.on("MESSAGE_CREATE", lambda d: contents.append(d["content"]))
        client.on_typed(lambda e: typed.append(e.content) if isinstance(e, MessageCreate) else None)
        client.events.subscribe(lambda e: events.append(getattr(e, "content", "")))
        client.diagnostics.subscribe(diagnostics.append)
        login = asyncio.create_task(client.login(sb.token))
        try:
            await client.wait_until_ready(timeout=10)
            for kind in BAD_VALUES:
                assert sb.send_malformed(kind) == 1  # type: ignore[arg-type]
            await sb.post_message(sb.channel_ids[0], "after")
            await wait_until(lambda: "after" in contents or login.done(), within=10)
            assert not login.done(), login
            kinds = [*BAD_VALUES, "after"]
            assert typed == kinds  # the typed events decoded, were folded and emitted
            assert [e for e in events if e in kinds] == kinds
            assert contents == ["after"]  # the on() handlers skipped the undecodable two
            errors = [d for d in diagnostics if d.kind == Kind.DECODE_ERROR]
            assert len(errors) == 2
            for report in errors:
                assert isinstance(report.data, DecodeError)
                assert report.data.event == "MESSAGE_CREATE"
                assert isinstance(report.frame, Frame) and report.frame.t == "MESSAGE_CREATE"
            assert Kind.CLOSED not in [d.kind for d in diagnostics]  # no reconnect either
        finally:
            await client.destroy()
            await asyncio.wait_for(login, 10)


# --- replay -----------------------------------------------------------------------------

HEADER = b'{"format":"fluxer_rx.recording","version":1,"gateway_version":"1"}\n'


def line(s: int, t: str, d_json: bytes) -> bytes:
    return b'{"at":0.0,"shard":0,"op":0,"s":%d,"t":"%b","d":%b}\n' % (s, t.encode(), d_json)


def message(s: int, content: str, bad: bytes | None = None) -> bytes:
    d = {**MESSAGE, "id": str(100 + s), "content": content}
    return line(s, "MESSAGE_CREATE", msgspec.json.encode(d) if bad is None else with_extra(d, bad))


async def test_replay_reports_undecodable_frames_and_goes_on(tmp_path: Path) -> None:
    user = {"id": "7", "username": "bot", "bot": True}
    path = tmp_path / "bad.jsonl"
    path.write_bytes(
        HEADER
        + line(1, "READY", msgspec.json.encode({"session_id": "one", "user": user}))
        + message(2, "number_out_of_range", BAD_VALUES["number_out_of_range"])
        + message(3, "invalid_utf8", BAD_VALUES["invalid_utf8"])
        + message(4, "good")
        # a READY the player cannot read a session from: reported, not delivered
        + line(5, "READY", with_extra({"session_id": "two", "user": user}, b"1e400"))
        + message(6, "last")
    )
    client = Client()
    contents: list[str] = []
    typed: list[str] = []
    readies: list[str] = []
    diagnostics: list[Diagnostic] = []
    client.on("MESSAGE_CREATE", lambda d: contents.append(d["content"]))
    client.on("READY", lambda d: readies.append(d["session_id"]))
    client.on_typed(lambda e: typed.append(e.content) if isinstance(e, MessageCreate) else None)
    client.diagnostics.subscribe(diagnostics.append)
    summary = await client.replay(path)
    assert summary.completed and summary.frames == 6
    assert typed == ["number_out_of_range", "invalid_utf8", "good", "last"]
    assert contents == ["good", "last"]
    assert readies == ["one"]
    errors = [d for d in diagnostics if d.kind == Kind.DECODE_ERROR]
    assert [(type(d.data), getattr(d.frame, "s", None)) for d in errors] == [
        (DecodeError, 2),
        (DecodeError, 3),
        (DecodeError, 5),
    ]
