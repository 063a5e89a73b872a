"""Every sandbox REST route over a real socket: answers, digest shapes, world dispatches."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from urllib.parse import quote

import aiohttp
import pytest

from tests.sandbox.clocks import ManualClock
from tests.sandbox.digest_validate import assert_valid, response_type
from tests.sandbox.rest_harness import RestHarness, running_rest

THUMBS = "👍"


@pytest.fixture
async def h() -> AsyncIterator[RestHarness]:
    async with running_rest() as harness:
        yield harness


def other_member(h: RestHarness, guild_id: str) -> str:
    return next(uid for uid in h.world.guilds[guild_id].members if uid != h.world.bot.id)


async def check(
    h: RestHarness, method: str, template: str, path: str, status: int = 200, **kw: object
) -> object:
    """Call ``path``, expect ``status`` and validate the body against the digest."""
    got, body, _ = await h.call(method, path, **kw)  # type: ignore[arg-type]
    assert got == status, body
    expected = response_type(method, template)
    if status == 204 or expected is None:
        assert body is None
    else:
        assert_valid(body, expected)
    return body


async def test_discovery_routes(h: RestHarness) -> None:
    body = await check(h, "GET", "/gateway/bot", "/gateway/bot")
    assert body == {
        "url": h.base_url.replace("http://", "ws://"),
        "shards": 1,
        "session_start_limit": {
            "total": 1000,
            "remaining": 999,
            "reset_after": 14_400_000,
            "max_concurrency": 1,
        },
    }
    known = await check(h, "GET", "/.well-known/fluxer", "/.well-known/fluxer", auth=False)
    assert isinstance(known, dict)
    assert known["endpoints"]["api"] == h.api_url
    assert known["endpoints"]["gateway"] == h.base_url.replace("http://", "ws://")
    async with h.http.get(h.base_url + "/.well-known/fluxer") as root:
        assert root.status == 200
        assert await root.json() == known
    status, instance, _ = await h.call("GET", "/instance", auth=False)
    assert status == 200
    assert instance["api_code_version"] == 1
    assert set(instance["endpoints"]) == {
        "api", "api_client", "api_public", "gateway", "media", "cdn", "marketing", "admin",
        "invite", "gift", "webapp",
    }  # fmt: skip
    assert set(instance["features"]) == {
        "sms_mfa_enabled", "voice_enabled", "stripe_enabled", "self_hosted",
    }  # fmt: skip
    assert set(instance) == {"api_code_version", "endpoints", "captcha", "features", "push"}


async def test_routes_are_also_served_without_the_version_prefix(h: RestHarness) -> None:
    async with h.http.get(h.base_url + "/users/@me", headers=h.auth) as response:
        assert response.status == 200
        assert (await response.json())["id"] == h.world.bot.id


async def test_user_routes(h: RestHarness) -> None:
    w = h.world
    me = await check(h, "GET", "/users/@me", "/users/@me")
    assert isinstance(me, dict) and me["id"] == w.bot.id and me["bot"] is True
    gid = w.guild_ids[0]
    uid = other_member(h, gid)
    user = await check(h, "GET", "/users/{user_id}", f"/users/{uid}")
    assert user == w.user_wire(uid)
    profile = await check(h, "GET", "/users/{target_id}/profile", f"/users/{uid}/profile")
    assert isinstance(profile, dict) and "guild_member" not in profile
    with_member = await check(
        h,
        "GET",
        "/users/{target_id}/profile",
        f"/users/{uid}/profile",
        params={"guild_id": gid},
    )
    assert isinstance(with_member, dict)
    assert with_member["guild_member"]["user"]["id"] == uid


async def test_guild_read_routes(h: RestHarness) -> None:
    w = h.world
    gid = w.guild_ids[0]
    guild = await check(h, "GET", "/guilds/{guild_id}", f"/guilds/{gid}")
    assert isinstance(guild, dict) and guild["id"] == gid
    channels = await check(h, "GET", "/guilds/{guild_id}/channels", f"/guilds/{gid}/channels")
    assert [c["id"] for c in channels] == w.guilds[gid].channel_ids  # type: ignore[attr-defined]
    roles = await check(h, "GET", "/guilds/{guild_id}/roles", f"/guilds/{gid}/roles")
    assert gid in [r["id"] for r in roles]  # type: ignore[attr-defined]
    members = await check(h, "GET", "/guilds/{guild_id}/members", f"/guilds/{gid}/members")
    ids = [m["user"]["id"] for m in members]  # type: ignore[attr-defined]
    assert sorted(ids, key=int) == ids and set(ids) == set(w.guilds[gid].members)
    page1 = await check(
        h, "GET", "/guilds/{guild_id}/members", f"/guilds/{gid}/members", params={"limit": "4"}
    )
    page1_ids = [m["user"]["id"] for m in page1]  # type: ignore[attr-defined]
    page2 = await check(
        h,
        "GET",
        "/guilds/{guild_id}/members",
        f"/guilds/{gid}/members",
        params={"limit": "4", "after": page1_ids[-1]},
    )
    assert page1_ids + [m["user"]["id"] for m in page2] == ids[:8]  # type: ignore[attr-defined]
    uid = other_member(h, gid)
    member = await check(
        h, "GET", "/guilds/{guild_id}/members/{user_id}", f"/guilds/{gid}/members/{uid}"
    )
    assert isinstance(member, dict) and member["user"]["id"] == uid
    own = await check(
        h, "GET", "/guilds/{guild_id}/members/{user_id}", f"/guilds/{gid}/members/@me"
    )
    assert isinstance(own, dict) and own["user"]["id"] == w.bot.id


async def test_bans_and_leave(h: RestHarness) -> None:
    w = h.world
    gid = w.guild_ids[0]
    uid = other_member(h, gid)
    await check(
        h,
        "PUT",
        "/guilds/{guild_id}/bans/{user_id}",
        f"/guilds/{gid}/bans/{uid}",
        204,
        json={"reason": "spam"},
    )
    bans = await check(h, "GET", "/guilds/{guild_id}/bans", f"/guilds/{gid}/bans")
    assert [(b["user"]["id"], b["reason"]) for b in bans] == [(uid, "spam")]  # type: ignore[attr-defined]
    assert uid not in w.guilds[gid].members
    assert h.events("GUILD_BAN_ADD") == [{"guild_id": gid, "user": {"id": uid}}]
    await check(h, "DELETE", "/guilds/{guild_id}/bans/{user_id}", f"/guilds/{gid}/bans/{uid}", 204)
    assert h.events("GUILD_BAN_REMOVE") == [{"guild_id": gid, "user": {"id": uid}}]
    await check(h, "DELETE", "/users/@me/guilds/{guild_id}", f"/users/@me/guilds/{gid}", 204)
    assert w.bot.id not in w.guilds[gid].members
    assert h.events("GUILD_DELETE") == [{"id": gid}]
    status, body, _ = await h.call("GET", f"/guilds/{gid}")
    assert (status, body["code"]) == (403, "MISSING_ACCESS")


async def test_channel_routes(h: RestHarness) -> None:
    w = h.world
    cid = w.channel_ids[0]
    channel = await check(h, "GET", "/channels/{channel_id}", f"/channels/{cid}")
    assert channel == w.channel_wire(cid)
    edited = await check(
        h,
        "PATCH",
        "/channels/{channel_id}",
        f"/channels/{cid}",
        json={"name": "renamed", "topic": None, "nsfw": True, "rate_limit_per_user": 5},
    )
    assert isinstance(edited, dict)
    assert (edited["name"], edited["topic"], edited["nsfw"], edited["rate_limit_per_user"]) == (
        "renamed",
        None,
        True,
        5,
    )
    assert h.events("CHANNEL_UPDATE") == [edited]
    await check(h, "POST", "/channels/{channel_id}/typing", f"/channels/{cid}/typing", 204)
    (typing,) = h.events("TYPING_START")
    assert typing["user_id"] == w.bot.id and typing["channel_id"] == cid
    await check(h, "DELETE", "/channels/{channel_id}", f"/channels/{cid}", 204)
    assert [d["id"] for d in h.events("CHANNEL_DELETE")] == [cid]
    status, body, _ = await h.call("GET", f"/channels/{cid}")
    assert (status, body["code"]) == (404, "UNKNOWN_CHANNEL")


async def test_message_history_paging(h: RestHarness) -> None:
    w = h.world
    cid = w.channel_ids[1]
    for i in range(6):
        w.create_message(cid, w.bot.id, f"m{i}")
    all_ids = [m.id for m in w.list_messages(cid, limit=100)]
    tpl = "/channels/{channel_id}/messages"
    path = f"/channels/{cid}/messages"
    newest = await check(h, "GET", tpl, path, params={"limit": "3"})
    assert [m["id"] for m in newest] == all_ids[:3]  # type: ignore[attr-defined]
    before = await check(h, "GET", tpl, path, params={"limit": "2", "before": all_ids[2]})
    assert [m["id"] for m in before] == all_ids[3:5]  # type: ignore[attr-defined]
    after = await check(h, "GET", tpl, path, params={"limit": "2", "after": all_ids[5]})
    assert [m["id"] for m in after] == all_ids[3:5]  # type: ignore[attr-defined]
    around = await check(h, "GET", tpl, path, params={"limit": "3", "around": all_ids[4]})
    assert [m["id"] for m in around] == all_ids[3:6]  # type: ignore[attr-defined]
    default = await check(h, "GET", tpl, path)
    assert len(default) == len(all_ids)  # type: ignore[arg-type]


async def test_message_lifecycle_emits_dispatches(h: RestHarness) -> None:
    w = h.world
    cid = w.channel_ids[0]
    gid = w.channels[cid].guild_id
    uid = other_member(h, gid)
    created = await check(
        h,
        "POST",
        "/channels/{channel_id}/messages",
        f"/channels/{cid}/messages",
        json={"content": f"hello <@{uid}>", "nonce": "n-1", "tts": False},
    )
    assert isinstance(created, dict)
    mid = created["id"]
    assert created["author"]["id"] == w.bot.id
    assert created["nonce"] == "n-1"
    assert [u["id"] for u in created["mentions"]] == [uid]
    (dispatch,) = h.events("MESSAGE_CREATE")
    assert dispatch["id"] == mid and dispatch["guild_id"] == gid and dispatch["channel_type"] == 0
    got = await check(
        h, "GET", "/channels/{channel_id}/messages/{message_id}", f"/channels/{cid}/messages/{mid}"
    )
    assert got == created
    reply = await check(
        h,
        "POST",
        "/channels/{channel_id}/messages",
        f"/channels/{cid}/messages",
        json={"content": "reply", "message_reference": {"message_id": mid}},
    )
    assert isinstance(reply, dict) and reply["type"] == 19
    assert reply["message_reference"]["message_id"] == mid
    edited = await check(
        h,
        "PATCH",
        "/channels/{channel_id}/messages/{message_id}",
        f"/channels/{cid}/messages/{mid}",
        json={"content": "edited"},
    )
    assert isinstance(edited, dict)
    assert edited["content"] == "edited" and edited["edited_timestamp"] is not None
    assert h.events("MESSAGE_UPDATE")[-1]["content"] == "edited"
    await check(
        h,
        "DELETE",
        "/channels/{channel_id}/messages/{message_id}",
        f"/channels/{cid}/messages/{mid}",
        204,
    )
    assert h.events("MESSAGE_DELETE")[-1]["id"] == mid
    ids = [w.create_message(cid, w.bot.id, f"bulk {i}")["id"] for i in range(3)]
    await check(
        h,
        "POST",
        "/channels/{channel_id}/messages/bulk-delete",
        f"/channels/{cid}/messages/bulk-delete",
        204,
        json={"messages": ids},
    )
    assert h.events("MESSAGE_DELETE_BULK") == [{"ids": ids, "channel_id": cid, "guild_id": gid}]


async def test_multipart_message_with_attachments(h: RestHarness) -> None:
    cid = h.world.channel_ids[0]
    form = aiohttp.FormData()
    form.add_field(
        "payload_json",
        json.dumps({"content": "files", "attachments": [{"id": 1, "description": "second"}]}),
        content_type="application/json",
    )
    form.add_field("files[0]", b"first file", filename="a.txt", content_type="text/plain")
    form.add_field("files[1]", b"\x89PNG....", filename="SPOILER_b.png", content_type="image/png")
    created = await check(
        h, "POST", "/channels/{channel_id}/messages", f"/channels/{cid}/messages", data=form
    )
    assert isinstance(created, dict)
    first, second = created["attachments"]
    assert (first["filename"], first["size"], first["content_type"], first["flags"]) == (
        "a.txt",
        10,
        "text/plain",
        0,
    )
    assert (second["filename"], second["flags"], second["description"]) == (
        "SPOILER_b.png",
        8,
        "second",
    )
    assert h.events("MESSAGE_CREATE")[0]["attachments"] == created["attachments"]
    async with h.http.get(first["url"]) as response:
        assert response.status == 200
        assert await response.read() == b"first file"
    only_file = aiohttp.FormData()
    only_file.add_field("files[0]", b"x", filename="x.bin")
    body = await check(
        h, "POST", "/channels/{channel_id}/messages", f"/channels/{cid}/messages", data=only_file
    )
    assert isinstance(body, dict) and body["content"] == "" and len(body["attachments"]) == 1


async def test_reaction_routes(h: RestHarness) -> None:
    w = h.world
    cid = w.channel_ids[0]
    gid = w.channels[cid].guild_id
    mid = w.create_message(cid, w.bot.id, "react here")["id"]
    uid = other_member(h, gid)
    emoji = next(iter(w.guilds[gid].emojis.values()))
    custom = f"{emoji.name}:{emoji.id}"
    base = f"/channels/{cid}/messages/{mid}/reactions"
    tpl = "/channels/{channel_id}/messages/{message_id}/reactions/{emoji}"
    await check(h, "PUT", tpl + "/@me", f"{base}/{quote(THUMBS)}/@me", 204)
    await check(h, "PUT", tpl + "/@me", f"{base}/{quote(custom)}/@me", 204)
    w.add_reaction(cid, mid, THUMBS, uid)
    added = h.events("MESSAGE_REACTION_ADD")
    assert [(d["user_id"], d["emoji"]) for d in added] == [
        (w.bot.id, {"name": THUMBS}),
        (w.bot.id, {"name": emoji.name, "id": emoji.id, "animated": emoji.animated}),
        (uid, {"name": THUMBS}),
    ]
    users = await check(h, "GET", tpl, f"{base}/{quote(THUMBS)}")
    assert sorted(u["id"] for u in users) == sorted([w.bot.id, uid])  # type: ignore[attr-defined]
    page = await check(
        h, "GET", tpl + "/users", f"{base}/{quote(THUMBS)}/users", params={"limit": "1"}
    )
    assert isinstance(page, dict) and page["has_more"] is True
    assert page["next_after"] == page["items"][0]["id"]
    rest = await check(
        h,
        "GET",
        tpl + "/users",
        f"{base}/{quote(THUMBS)}/users",
        params={"after": page["next_after"]},
    )
    assert isinstance(rest, dict) and rest["has_more"] is False and rest["next_after"] is None
    message = await check(
        h, "GET", "/channels/{channel_id}/messages/{message_id}", f"/channels/{cid}/messages/{mid}"
    )
    assert isinstance(message, dict)
    assert [(r["emoji"]["name"], r["count"], r["me"]) for r in message["reactions"]] == [
        (THUMBS, 2, True),
        (emoji.name, 1, True),
    ]
    await check(h, "DELETE", tpl + "/@me", f"{base}/{quote(THUMBS)}/@me", 204)
    await check(h, "DELETE", tpl + "/{target_id}", f"{base}/{quote(THUMBS)}/{uid}", 204)
    removed = h.events("MESSAGE_REACTION_REMOVE")
    assert [d["user_id"] for d in removed] == [w.bot.id, uid]
    await check(h, "DELETE", tpl, f"{base}/{quote(custom)}", 204)
    assert h.events("MESSAGE_REACTION_REMOVE_EMOJI")[0]["emoji"]["id"] == emoji.id
    await check(h, "PUT", tpl + "/@me", f"{base}/{quote(THUMBS)}/@me", 204)
    await check(h, "DELETE", "/channels/{channel_id}/messages/{message_id}/reactions", base, 204)
    assert h.events("MESSAGE_REACTION_REMOVE_ALL") == [
        {"channel_id": cid, "message_id": mid, "guild_id": gid}
    ]
    assert "reactions" not in w.message_wire(w.get_message(cid, mid))


async def test_pin_routes() -> None:
    clock = ManualClock()
    async with running_rest(clock=clock) as h:
        await check_pin_routes(h, clock)


async def check_pin_routes(h: RestHarness, clock: ManualClock) -> None:
    w = h.world
    cid = w.channel_ids[1]
    mids = [w.create_message(cid, w.bot.id, f"pin {i}")["id"] for i in range(3)]
    for mid in mids:
        clock.advance(0.001)  # pins page by pin time: one millisecond apart
        await check(
            h, "PUT", "/channels/{channel_id}/pins/{message_id}", f"/channels/{cid}/pins/{mid}", 204
        )
    assert len(h.events("CHANNEL_PINS_UPDATE")) == 3
    tpl = "/channels/{channel_id}/messages/pins"
    pins = await check(h, "GET", tpl, f"/channels/{cid}/messages/pins")
    assert isinstance(pins, dict) and pins["has_more"] is False
    assert [p["message"]["id"] for p in pins["items"]] == mids[::-1]
    assert all(p["message"]["pinned"] for p in pins["items"])
    first = await check(h, "GET", tpl, f"/channels/{cid}/messages/pins", params={"limit": "2"})
    assert isinstance(first, dict) and first["has_more"] is True
    older = await check(
        h,
        "GET",
        tpl,
        f"/channels/{cid}/messages/pins",
        params={"before": first["items"][-1]["pinned_at"]},
    )
    assert isinstance(older, dict)
    assert [p["message"]["id"] for p in older["items"]] == [mids[0]]
    await check(
        h,
        "DELETE",
        "/channels/{channel_id}/pins/{message_id}",
        f"/channels/{cid}/pins/{mids[0]}",
        204,
    )
    assert not w.get_message(cid, mids[0]).pinned
    assert len(h.events("CHANNEL_PINS_UPDATE")) == 4
