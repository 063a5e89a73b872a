"""REST through a running :class:`Sandbox`: writes reach connected gateway sessions."""

from __future__ import annotations

import asyncio
from typing import Any
from urllib.parse import quote

import aiohttp

from fluxer_rx.sandbox.server import Sandbox
from tests.sandbox.digest_validate import assert_valid

IDENTIFY_PROPERTIES = {"os": "linux", "browser": "rest-test", "device": "rest-test"}


async def next_dispatch(ws: aiohttp.ClientWebSocketResponse, name: str) -> dict[str, Any]:
    """The ``d`` of the next dispatch called ``name`` (earlier frames are skipped)."""
    async with asyncio.timeout(5):
        while True:
            frame = await ws.receive_json()
            if frame.get("op") == 0 and frame.get("t") == name:
                d: dict[str, Any] = frame["d"]
                return d


async def test_rest_writes_are_dispatched_to_the_bot_session() -> None:
    async with (
        Sandbox(seed=3, rate_limit_headers="S") as sb,
        aiohttp.ClientSession(headers={"Authorization": f"Bot {sb.token}"}) as http,
    ):
        async with http.get(f"{sb.api_url}/gateway/bot") as response:
            gateway = (await response.json())["url"]
        assert gateway == sb.gateway_url
        async with http.ws_connect(f"{gateway}/?v=1&encoding=json") as ws:
            hello = await ws.receive_json()
            assert hello["op"] == 10
            await ws.send_json(
                {"op": 2, "d": {"token": sb.token, "properties": IDENTIFY_PROPERTIES}}
            )
            await next_dispatch(ws, "READY")
            cid = sb.channel_ids[0]
            async with http.post(
                f"{sb.api_url}/channels/{cid}/messages", json={"content": "over REST"}
            ) as response:
                assert response.status == 200
                assert set(response.headers) >= {"X-RateLimit-Limit", "X-RateLimit-Reset"}
                created = await response.json()
            dispatched = await next_dispatch(ws, "MESSAGE_CREATE")
            assert dispatched["id"] == created["id"]
            assert dispatched["content"] == "over REST"
            assert dispatched["channel_type"] == 0
            assert_valid(dispatched, "MessageResponseSchema")
            emoji = quote("🎉")
            async with http.put(
                f"{sb.api_url}/channels/{cid}/messages/{created['id']}/reactions/{emoji}/@me"
            ) as response:
                assert response.status == 204
            reaction = await next_dispatch(ws, "MESSAGE_REACTION_ADD")
            assert (reaction["message_id"], reaction["user_id"], reaction["emoji"]) == (
                created["id"],
                sb.bot_id,
                {"name": "🎉"},
            )
            async with http.patch(
                f"{sb.api_url}/channels/{cid}", json={"topic": "changed"}
            ) as response:
                assert response.status == 200
            update = await next_dispatch(ws, "CHANNEL_UPDATE")
            assert update["topic"] == "changed"
            assert_valid(update, "ChannelResponse")
        assert sb.rest is not None and sb.faults.rest is sb.rest.faults


async def test_a_well_formed_unknown_token_gets_the_gateway_url_over_rest() -> None:
    async with Sandbox() as sb, aiohttp.ClientSession() as http:
        headers = {"Authorization": "Bot 123456789.not-this-sandboxes-secret"}
        async with http.get(f"{sb.api_url}/gateway/bot", headers=headers) as response:
            assert response.status == 200
            assert (await response.json())["url"] == sb.gateway_url
        async with http.get(f"{sb.api_url}/users/@me", headers=headers) as response:
            assert response.status == 401
            assert (await response.json())["code"] == "UNAUTHORIZED"
