"""Transcript player: replay the real gateway's recorded client frames against the sandbox.

For every scenario in ``tests/data/real-gateway`` that the sandbox can reproduce, the
recorded client frames (and the API's pushes to the gateway) are replayed in order and
each recorded server frame and close is compared with what the sandbox sends: op, t, s,
the key structure of ``d`` and every value except ids, session ids and stub-invented user
data; close codes and reasons exactly.

Time is the recording's: the sandbox gateway runs on a manual clock that the player moves
to each event's recorded ``t_ms``, so the heartbeat scenarios run with the real 41.25 s
interval and the resume-window scenarios with the real 10 s window, in no wall time and
with every timer firing exactly where the recording says. Gaps under ``MIN_STEP`` are
the recording's network and processing time and are not played: the server's timers
step by interval/3 (13.75 s), and a connection's timers start when it opens.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import zstandard

from fluxer_rx.sandbox import Sandbox
from fluxer_rx.sandbox.gateway_clock import ManualGatewayClock
from tests.sandbox.gateway_client import wait_until

DATA = Path(__file__).resolve().parents[1] / "data" / "real-gateway"
MIN_STEP = 1.0
"""Seconds: shorter gaps between recorded events do not move the manual clock."""

# Values that differ between runs or were invented by the recording's stub API.
IGNORED_VALUES = frozenset({"id", "session_id", "username", "discriminator"})
# Objects where the sandbox may send more keys than the recording (stub-made READY user).
EXTRA_KEYS_OK = (".d.user",)


@dataclass
class Setup:
    """How to run one scenario."""

    identify_failure: str | None = None
    wait_detached_before_conn: int | None = None
    ignore_wire_type: bool = False
    notes: list[str] = field(default_factory=list)


SCENARIOS: dict[str, Setup] = {
    "01-hello": Setup(),
    "02-heartbeat-ack": Setup(),
    # timers at the recorded times: request at 41.25 s, 4009 at 55 s (manual clock)
    "03-heartbeat-timeout": Setup(),
    "03b-heartbeat-request-answered": Setup(),
    "03c-heartbeat-timeout-then-resume": Setup(),
    "04-identify-ready": Setup(),
    "05a-invalid-json": Setup(),
    "05b-payload-too-large": Setup(),
    "05c-unknown-opcode": Setup(),
    "05c2-server-only-opcode": Setup(),
    "05c3-missing-d": Setup(),
    "05c4-not-an-object": Setup(),
    "05c5-object-without-op": Setup(),
    "05d-presence-before-identify": Setup(),
    "05d2-request-members-before-identify": Setup(),
    "05e-second-identify": Setup(),
    "05f-identify-missing-properties": Setup(),
    "05f2-identify-properties-not-strings": Setup(),
    "05f3-identify-d-null": Setup(),
    "05g-bad-token": Setup(),
    "05g2-api-429": Setup(identify_failure="rate_limited"),
    "05g3-api-500": Setup(identify_failure="server_error"),
    "05h-api-version-2": Setup(),
    "05h2-api-version-missing": Setup(),
    "05i-heartbeat-non-integer-after-identify": Setup(),
    "05i2-heartbeat-seq-semantics": Setup(),
    "05j-binary-frame-json": Setup(),
    "05j2-binary-frame-garbage": Setup(),
    "05j3-text-frame-invalid-utf8": Setup(),
    "05k-presence-update-missing-status": Setup(),
    "05l-resume-missing-fields": Setup(),
    "05m-query-variants": Setup(),
    "06-client-rate-limit": Setup(),
    "07-dispatch-and-resume": Setup(),
    "07b-resume-unknown-session": Setup(),
    "07c-resume-seq-too-high": Setup(),
    "07d-resume-wrong-token": Setup(),
    # the RESUME is recorded 12 s after the close: past the 10 s window once detached
    "07e-resume-after-window": Setup(wait_detached_before_conn=2),
    "07f-resume-just-inside-window": Setup(),
    "07h-resume-while-old-socket-open": Setup(),
    "07i-unknown-event-name": Setup(),
    "07j-ignored-events": Setup(),
    "07k-resume-below-acked-seq": Setup(),
    # compress=zstd-stream without stream=1: each server frame one complete zstd frame
    "08-zstd-stream": Setup(),
    "08b-zstd-client-sends-compressed": Setup(),
}
NOT_REPRODUCIBLE = {
    "04b-identify-ready-user": "the sandbox issues bot tokens only (no flx_ user sessions)",
    "07g-rpc-auth": "no websocket: it probes the gateway's internal /_rpc endpoint",
}

BOT_TOKEN_RE = re.compile(r"^\d+\.fake-secret-not-real$")


def load(name: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    lines = (DATA / f"{name}.jsonl").read_text(encoding="utf-8").splitlines()
    return json.loads(lines[0]), [json.loads(line) for line in lines[1:] if line.strip()]


def test_every_transcript_is_classified() -> None:
    names = {p.stem for p in DATA.glob("*.jsonl")}
    assert names == set(SCENARIOS) | set(NOT_REPRODUCIBLE)
    assert not set(SCENARIOS) & set(NOT_REPRODUCIBLE)


def compare(expected: Any, actual: Any, path: str, interval_ms: int) -> list[str]:
    """Differences between a recorded value and the sandbox's, ignoring ids and timing."""
    key = path.rsplit(".", 1)[-1]
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            return [f"{path}: expected an object, got {actual!r}"]
        problems = []
        missing = expected.keys() - actual.keys()
        extra = actual.keys() - expected.keys()
        if missing:
            problems.append(f"{path}: missing keys {sorted(missing)}")
        if extra and not path.endswith(EXTRA_KEYS_OK):
            problems.append(f"{path}: unexpected keys {sorted(extra)}")
        for k in expected.keys() & actual.keys():
            problems += compare(expected[k], actual[k], f"{path}.{k}", interval_ms)
        return problems
    if isinstance(expected, list):
        if not isinstance(actual, list) or len(actual) != len(expected):
            return [f"{path}: expected {expected!r}, got {actual!r}"]
        problems = []
        for i, (e, a) in enumerate(zip(expected, actual, strict=True)):
            problems += compare(e, a, f"{path}[{i}]", interval_ms)
        return problems
    if type(expected) is not type(actual):
        return [f"{path}: expected {type(expected).__name__}, got {actual!r}"]
    if key == "heartbeat_interval":
        return [] if actual == interval_ms else [f"{path}: {actual} != {interval_ms}"]
    if key in IGNORED_VALUES:
        if isinstance(expected, str) and key == "session_id" and expected.isupper():
            return (
                []
                if actual == "all" or re.fullmatch(r"[0-9A-F]{32}", actual)
                else [f"{path}: {actual!r} is not 32 upper-case hex digits"]
            )
        return []
    return [] if expected == actual else [f"{path}: expected {expected!r}, got {actual!r}"]


class Player:
    """Drives one scenario against a running sandbox."""

    def __init__(
        self, sb: Sandbox, http: aiohttp.ClientSession, setup: Setup, clock: ManualGatewayClock
    ) -> None:
        self.sb = sb
        self.http = http
        self.setup = setup
        self.clock = clock
        self.origin = clock.monotonic()
        self.conns: dict[int, aiohttp.ClientWebSocketResponse] = {}
        self.tokens: dict[str, str] = {}
        self.session_ids: dict[str, str] = {}
        self.problems: list[str] = []
        self.interval_ms = sb.config.heartbeat_interval_ms

    def map_token(self, token: str) -> str:
        if not BOT_TOKEN_RE.match(token):
            return token
        if not self.tokens:
            self.tokens[token] = self.sb.token
        return self.tokens.get(token, token)

    def outgoing(self, frame: Any) -> Any:
        if isinstance(frame, dict) and isinstance(frame.get("d"), dict):
            d = dict(frame["d"])
            if isinstance(d.get("token"), str):
                d["token"] = self.map_token(d["token"])
            if isinstance(d.get("session_id"), str):
                d["session_id"] = self.session_ids.get(d["session_id"], d["session_id"])
            frame = {**frame, "d": d}
        return frame

    def play_time_until(self, t_ms: int) -> None:
        """Move the manual clock to the recorded time ``t_ms`` (gaps under MIN_STEP aside)."""
        target = self.origin + t_ms / 1000
        if target - self.clock.monotonic() >= MIN_STEP:
            self.clock.advance(target - self.clock.monotonic())

    async def run(self, events: list[dict[str, Any]]) -> None:
        for ev in events:
            conn = ev.get("conn")
            if ev.get("event") == "connect" and ev["conn"] == self.setup.wait_detached_before_conn:
                # the detach starts the window: it must happen before time moves on
                await wait_until(lambda: not self.sb.gateway.attached_sessions)
            self.play_time_until(ev["t_ms"])
            if ev["dir"] == "meta":
                await self.meta(ev)
            elif ev["dir"] == "c2s":
                await self.send(self.conns[conn], ev)
            elif "close" in ev:
                await self.expect_close(conn, ev)
            else:
                await self.expect_frame(conn, ev)

    async def meta(self, ev: dict[str, Any]) -> None:
        event = ev["event"]
        if event == "connect":
            if ev["conn"] == self.setup.wait_detached_before_conn:
                assert not self.sb.gateway.sessions, "the window has passed: nothing to resume"
            url = self.sb.gateway_url + ev["path"]
            self.conns[ev["conn"]] = await self.http.ws_connect(url, autoclose=False)
        elif event == "client_close":
            ws = self.conns[ev["conn"]]
            await ws.close(code=ev["code"], message=ev["reason"].encode())
        elif event == "rpc_to_gateway" and ev["method"] == "presence.dispatch":
            params = ev["params"]
            self.sb.world.emit(params["event"], params["data"], user_ids=[self.sb.bot_id])

    async def send(self, ws: aiohttp.ClientWebSocketResponse, ev: dict[str, Any]) -> None:
        if "frame" in ev:
            text = json.dumps(self.outgoing(ev["frame"]), separators=(",", ":"))
            await ws.send_str(text)
        elif "raw_text" in ev:
            await ws.send_str(ev["raw_text"])
        elif "raw_binary_hex" in ev:
            await ws.send_bytes(bytes.fromhex(ev["raw_binary_hex"]))
        else:
            # Invalid UTF-8 in a text frame: aiohttp's public API refuses to build one.
            await ws._writer.send_frame(bytes.fromhex(ev["raw_text_hex"]), aiohttp.WSMsgType.TEXT)

    async def receive(self, conn: int) -> aiohttp.WSMessage:
        return await self.conns[conn].receive(timeout=5)

    async def expect_frame(self, conn: int, ev: dict[str, Any]) -> None:
        msg = await self.receive(conn)
        wire = ev.get("wire", "text")
        if msg.type not in (aiohttp.WSMsgType.TEXT, aiohttp.WSMsgType.BINARY):
            self.problems.append(f"conn {conn}: expected {ev['frame']}, got {msg.type} {msg.data}")
            return
        if msg.type == aiohttp.WSMsgType.TEXT:
            if wire != "text" and not self.setup.ignore_wire_type:
                self.problems.append(f"conn {conn}: expected a {wire} frame, got text")
            text = msg.data
        elif wire == "binary":  # zstd-stream: one complete frame that decodes alone
            text = zstandard.ZstdDecompressor().decompress(msg.data).decode()
        else:
            self.problems.append(f"conn {conn}: server sent a binary frame")
            return
        actual = json.loads(text)
        canonical = json.dumps(actual, separators=(",", ":"), sort_keys=True, ensure_ascii=False)
        if text != canonical:
            self.problems.append(f"conn {conn}: frame is not compact sorted-key JSON: {text}")
        expected = ev["frame"]
        if expected.get("t") == "READY":
            self.session_ids[expected["d"]["session_id"]] = actual["d"]["session_id"]
        self.problems += compare(expected, actual, f"conn{conn}", self.interval_ms)

    async def expect_close(self, conn: int, ev: dict[str, Any]) -> None:
        code, reason = ev["close"]["code"], ev["close"]["reason"]
        ws = self.conns[conn]
        if ev.get("echo_of_client_close"):
            if ws.close_code != code:
                self.problems.append(f"conn {conn}: close echo {ws.close_code} != {code}")
            return
        msg = await self.receive(conn)
        if msg.type != aiohttp.WSMsgType.CLOSE:
            self.problems.append(f"conn {conn}: expected close {code}, got {msg.type} {msg.data}")
            return
        if (msg.data, msg.extra or "") != (code, reason):
            self.problems.append(f"conn {conn}: close ({msg.data}, {msg.extra!r}) != {ev['close']}")
        await ws.close()


@pytest.mark.parametrize("name", sorted(SCENARIOS))
async def test_transcript(name: str) -> None:
    setup = SCENARIOS[name]
    _, events = load(name)
    clock = ManualGatewayClock()
    async with Sandbox(
        guilds=0,  # the recording's stub API gave the bot no guilds
        gateway_clock=clock,
    ) as sb:
        sb.faults.identify_failure = setup.identify_failure
        async with aiohttp.ClientSession() as http:
            player = Player(sb, http, setup, clock)
            try:
                await player.run(events)
            finally:
                for ws in player.conns.values():
                    await ws.close()
    assert not player.problems, "\n".join(player.problems)
