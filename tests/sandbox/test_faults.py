"""Gateway faults of the sandbox: INVALID_SESSION, expiry, RECONNECT, malformed frames."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import aiohttp
import pytest

from fluxer_rx.sandbox import Sandbox
from tests.sandbox.gateway_client import RawGateway, wait_until


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


async def test_invalidate_sessions_sends_op9_and_allows_identify(
    http: aiohttp.ClientSession,
) -> None:
    async with Sandbox(guilds=0) as sb:
        gw = RawGateway(sb, http)
        await gw.connect()
        await gw.identify()
        old = gw.session_id
        assert sb.invalidate_sessions() == 1
        assert await gw.recv() == {"d": False, "op": 9}
        assert sb.gateway.sessions == {}
        frames = await gw.identify()  # same socket
        assert frames[0]["s"] == 1 and frames[0]["d"]["session_id"] != old
        await gw.close()


async def test_expire_sessions_makes_resume_fail(http: aiohttp.ClientSession) -> None:
    async with Sandbox(guilds=0) as sb:
        gw = RawGateway(sb, http)
        await gw.connect()
        await gw.identify()
        await gw.close()
        await wait_until(lambda: not sb.gateway.attached_sessions)
        assert sb.expire_sessions() == 1
        again = RawGateway(sb, http)
        await again.connect()
        await again.send(6, {"token": sb.token, "session_id": gw.session_id, "seq": 1})
        assert await again.recv() == {"d": False, "op": 9}
        await again.close()


async def test_reconnect_sends_op7_then_4000_and_the_session_resumes(
    http: aiohttp.ClientSession,
) -> None:
    async with Sandbox(guilds=1, channels_per_guild=1) as sb:
        gw = RawGateway(sb, http)
        await gw.connect()
        await gw.identify()
        assert await sb.request_reconnect() == 1
        assert await gw.recv() == {"op": 7}
        assert await gw.recv_close() == (4000, "Session drain requested; reconnect to continue")
        await wait_until(lambda: not sb.gateway.attached_sessions)
        again = RawGateway(sb, http)
        await again.connect()
        await again.send(6, {"token": sb.token, "session_id": gw.session_id, "seq": gw.seq})
        assert (await again.recv())["t"] == "RESUMED"
        await again.close()


async def test_malformed_frames(http: aiohttp.ClientSession) -> None:
    async with Sandbox(guilds=0) as sb:
        gw = RawGateway(sb, http)
        await gw.connect()
        await gw.identify()
        assert gw.ws is not None
        assert sb.send_malformed("bad_json") == 1
        raw = await gw.ws.receive(timeout=5)
        with pytest.raises(json.JSONDecodeError):
            json.loads(raw.data)
        sb.send_malformed("unknown_op")
        assert await gw.recv() == {"d": None, "op": 42}
        sb.send_malformed("unknown_event")
        frame = await gw.recv()
        assert (frame["t"], frame["s"]) == ("SANDBOX_UNKNOWN_EVENT", 2)
        sb.send_malformed("wrong_types")
        frame = await gw.recv()
        assert frame["t"] == "MESSAGE_CREATE" and isinstance(frame["d"]["id"], int)
        assert isinstance(frame["d"]["content"], int)
        sb.send_malformed("missing_fields")
        frame = await gw.recv()
        assert frame["t"] == "MESSAGE_CREATE" and set(frame["d"]) == {"id"}
        assert [r.seq for r in sb.dispatch_log] == [1, 2, 3, 4]
        with pytest.raises(ValueError, match="unknown malformed kind"):
            sb.send_malformed("nope")  # type: ignore[arg-type]
        await gw.close()


async def test_identify_failures_mirror_the_api_errors(http: aiohttp.ClientSession) -> None:
    async with Sandbox(guilds=0) as sb:
        for failure, expected in (
            ("rate_limited", (4008, "Rate limited")),
            ("server_error", (4000, "Failed to start session")),
        ):
            sb.faults.identify_failure = failure
            gw = RawGateway(sb, http)
            await gw.connect()
            await gw.send(
                2, {"token": sb.token, "properties": {"os": "a", "browser": "b", "device": "c"}}
            )
            assert await gw.recv_close() == expected
        sb.faults.reset()
        gw = RawGateway(sb, http)
        await gw.connect()
        await gw.identify()
        await gw.close()
