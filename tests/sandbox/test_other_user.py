"""Another user to drive a bot from a shell: seeded ``sandbox-user``, user tokens accepted by
REST (bare, as Fluxer takes ``flx_`` tokens, or after ``Bot ``), each post logged without
the token."""

from __future__ import annotations

import asyncio
import io
import json
import logging

import aiohttp
import pytest

from fluxer_rx.options import RestOptions
from fluxer_rx.rest import Rest
from fluxer_rx.sandbox import Sandbox, TrafficGenerator, World, WorldError
from fluxer_rx.sandbox.snowflakes import snowflake_ms
from fluxer_rx.sandbox.standalone import serve
from tests.sandbox.clocks import ManualClock
from tests.sandbox.gateway_client import PROPERTIES, RawGateway
from tests.sandbox.rest_harness import running_rest


def test_the_other_user_is_a_human_member_of_every_seeded_guild() -> None:
    w = World(seed=2, guilds=3, other_user=True)
    other = w.other_user
    assert other is not None and other.username == "sandbox-user" and not other.bot
    assert other.status == "online"
    assert all(other.id in w.guilds[g].members for g in w.guild_ids)
    assert all(len(w.guilds[g].members) == 10 + 2 for g in w.guild_ids)
    assert World(seed=2, guilds=3).other_user is None


def test_traffic_never_acts_as_or_removes_the_other_user() -> None:
    w = World(seed=4, guilds=1, members_per_guild=2, other_user=True)
    assert w.other_user is not None
    actors: set[str] = set()
    w.add_listener(
        lambda t, d, g, u: actors.update(
            str(x) for x in (d.get("user_id"), (d.get("author") or {}).get("id")) if x
        )
    )
    traffic = TrafficGenerator(w, seed=4)
    for _ in range(600):
        traffic.step()
    assert traffic.counts["member_leave"] > 0 and traffic.counts["message"] > 0
    assert w.other_user.id not in actors and w.other_user.id in w.guilds[w.guild_ids[0]].members


def test_user_tokens_have_fluxers_shape_and_map_back_to_their_user() -> None:
    w = World(guilds=1, other_user=True)
    assert w.other_user is not None
    token = w.user_token(w.other_user.id)
    assert token.startswith("flx_") and len(token) == 40
    assert w.user_token(w.other_user.id) == token
    assert w.user_id_for_token(token) == w.other_user.id and w.is_user_token(token)
    assert not w.is_user_token(w.token)
    member = next(u for u in w.guilds[w.guild_ids[0]].members if u != w.bot.id)
    assert w.user_token(member) not in (token, w.token)
    with pytest.raises(WorldError) as bot:
        w.user_token(w.bot.id)
    assert bot.value.code == "INVALID_FORM_BODY"
    with pytest.raises(WorldError):
        w.user_token("1")


@pytest.mark.parametrize("scheme", ["", "Bot "])
async def test_a_post_with_a_user_token_is_made_by_that_user_and_logged(
    scheme: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="fluxer_rx.sandbox")
    async with running_rest(other_user=True) as h:
        other = h.world.other_user
        assert other is not None
        token = h.world.user_token(other.id)
        channel = h.world.channel_ids[0]
        status, body, headers = await h.call(
            "POST",
            f"/channels/{channel}/messages",
            json={"content": "hi bot"},
            headers={"Authorization": scheme + token},
            auth=False,
        )
        assert status == 200, body
        assert body["author"]["id"] == other.id and "bot" not in body["author"]
        assert "X-RateLimit-Limit" not in headers  # style N: success headers go to bots only
        (d,) = h.events("MESSAGE_CREATE")
        assert (d["id"], d["author"]["id"], d["content"]) == (body["id"], other.id, "hi bot")
    posts = [r for r in caplog.records if r.name == "fluxer_rx.sandbox.rest"]
    assert [r.levelno for r in posts] == [logging.INFO]
    line = posts[0].getMessage()
    assert body["id"] in line and other.id in line and "sandbox-user" in line
    assert all(token not in r.getMessage() for r in caplog.records)


async def test_unknown_and_misplaced_tokens_are_refused() -> None:
    async with running_rest(other_user=True) as h:
        assert h.world.other_user is not None
        token = h.world.user_token(h.world.other_user.id)
        channel = h.world.channel_ids[0]
        for header in (
            "flx_" + "0" * 36,  # the shape of a user token, not one the sandbox issued
            h.world.token,  # the bot token needs its "Bot " scheme
            f"Bearer {token}",
            f"Bot {token}x",
        ):
            status, body, _ = await h.call(
                "POST",
                f"/channels/{channel}/messages",
                json={"content": "x"},
                headers={"Authorization": header},
                auth=False,
            )
            assert (status, body["code"]) == (401, "UNAUTHORIZED"), header
        assert h.events("MESSAGE_CREATE") == []


async def test_a_bot_sees_the_other_users_post_made_with_its_token() -> None:
    clock = ManualClock()
    async with (
        Sandbox(guilds=2, other_user=True, world_clock=clock) as sb,
        aiohttp.ClientSession() as http,
    ):
        assert sb.other_user_token == sb.user_token(sb.other_user_id)
        assert sb.other_user_token not in repr(sb)
        bot = RawGateway(sb, http)
        await bot.connect()
        await bot.identify()
        channel = sb.channel_ids[-1]
        clock.advance(42.0)
        async with http.post(
            f"{sb.api_url}/channels/{channel}/messages",
            json={"content": "!ping"},
            headers={"Authorization": sb.other_user_token},
        ) as response:
            assert response.status == 200
            posted = await response.json()
        event = await bot.dispatch("MESSAGE_CREATE")
        assert event["d"]["id"] == posted["id"]
        assert event["d"]["author"]["id"] == sb.other_user_id != sb.bot_id
        assert snowflake_ms(posted["id"]) == round(clock.now * 1000)  # the world's clock
        async with Rest(sb.other_user_token, RestOptions(api_url=sb.api_url)) as rest:
            sent = await rest.create_message(channel, "from the library")
        assert sent.author.id == sb.other_user_id
        event = await bot.dispatch("MESSAGE_CREATE")
        assert event["d"]["content"] == "from the library"
        await bot.close()


async def test_the_other_user_can_open_a_gateway_session_too() -> None:
    async with Sandbox(guilds=1, other_user=True) as sb, aiohttp.ClientSession() as http:
        ws = await http.ws_connect(f"{sb.gateway_url}/?v=1&encoding=json")
        assert json.loads(await ws.receive_str(timeout=5))["op"] == 10
        identify = {"token": sb.other_user_token, "properties": PROPERTIES}
        await ws.send_str(json.dumps({"op": 2, "d": identify}))
        ready = json.loads(await ws.receive_str(timeout=5))
        assert ready["t"] == "READY" and ready["d"]["user"]["id"] == sb.other_user_id
        await ws.close()


def test_without_other_user_there_is_no_other_token() -> None:
    sb = Sandbox(guilds=1)
    with pytest.raises(RuntimeError, match="other_user=True"):
        _ = sb.other_user_token


async def test_serve_prints_the_other_users_token() -> None:
    out = io.StringIO()
    stop = asyncio.Event()
    sandbox = Sandbox(guilds=1, other_user=True)
    task = asyncio.create_task(serve(sandbox, out=out, stop=stop))
    async with asyncio.timeout(5):
        while "user token:" not in out.getvalue():  # noqa: ASYNC110 - printing has no event
            await asyncio.sleep(0.01)
    lines = out.getvalue().splitlines()
    assert f"user:    sandbox-user {sandbox.other_user_id}" in lines
    assert f"user token: {sandbox.other_user_token}" in lines
    stop.set()
    async with asyncio.timeout(5):
        await task
