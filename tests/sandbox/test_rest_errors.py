"""Sandbox REST error answers: authentication, unknown objects, bad bodies, bad routes."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest

from fluxer_rx.sandbox import rest_bodies
from tests.sandbox.digest_validate import digest
from tests.sandbox.rest_harness import RestHarness, running_rest

UNKNOWN = "1234567890123456789"


@pytest.fixture
async def h() -> AsyncIterator[RestHarness]:
    async with running_rest() as harness:
        yield harness


def assert_error(
    status: int, body: object, expected_status: int, code: str, *, field: str | None = None
) -> None:
    assert status == expected_status, body
    assert isinstance(body, dict)
    assert body["code"] == code
    assert isinstance(body["message"], str) and body["message"]
    assert code in digest()["error_codes"]
    if field is not None:
        assert [e["path"] for e in body["errors"]] == [field]
        assert all(isinstance(e["message"], str) for e in body["errors"])
    else:
        assert "errors" not in body


@pytest.mark.parametrize(
    ("headers", "code"),
    [
        ({}, "MISSING_AUTHORIZATION"),
        ({"Authorization": "Bot 123.wrong"}, "UNAUTHORIZED"),
        ({"Authorization": "bot TOKEN"}, "UNAUTHORIZED"),
        ({"Authorization": "TOKEN"}, "UNAUTHORIZED"),
        ({"Authorization": "Bearer TOKEN"}, "UNAUTHORIZED"),
    ],
)
async def test_authenticated_routes_need_the_bot_token(
    h: RestHarness, headers: dict[str, str], code: str
) -> None:
    real = {k: v.replace("TOKEN", h.world.token) for k, v in headers.items()}
    status, body, response_headers = await h.call("GET", "/users/@me", headers=real, auth=False)
    assert_error(status, body, 401, code)
    assert h.world.token not in str(body)
    assert "X-RateLimit-Limit" not in response_headers


@pytest.mark.parametrize(
    "authorization",
    ["Bot 42.not-a-real-secret", "bot 42.x", "BEARER 42.x", "42.x", "Bot TOKEN"],
)
async def test_gateway_bot_checks_only_the_token_shape(h: RestHarness, authorization: str) -> None:
    real = {"Authorization": authorization.replace("TOKEN", h.world.token)}
    status, body, _ = await h.call("GET", "/gateway/bot", headers=real, auth=False)
    assert status == 200
    assert body["url"].startswith("ws://127.0.0.1:")


@pytest.mark.parametrize(
    ("authorization", "code"),
    [
        (None, "MISSING_AUTHORIZATION"),
        ("Bot flx_123.abc", "INVALID_AUTH_TOKEN"),
        ("flx_123.abc", "INVALID_AUTH_TOKEN"),
        ("Bot abc.def", "INVALID_AUTH_TOKEN"),
        ("Bot 123", "INVALID_AUTH_TOKEN"),
    ],
)
async def test_gateway_bot_rejects_malformed_tokens(
    h: RestHarness, authorization: str | None, code: str
) -> None:
    headers = {"Authorization": authorization} if authorization else {}
    status, body, _ = await h.call("GET", "/gateway/bot", headers=headers, auth=False)
    assert_error(status, body, 401, code)


async def test_discovery_needs_no_authorization(h: RestHarness) -> None:
    for path in ("/instance", "/.well-known/fluxer"):
        status, _, _ = await h.call("GET", path, auth=False)
        assert status == 200


@pytest.mark.parametrize(
    ("method", "path", "status", "code"),
    [
        ("GET", "/users/{unknown}", 404, "UNKNOWN_USER"),
        ("GET", "/users/{unknown}/profile", 404, "UNKNOWN_USER"),
        ("GET", "/guilds/{unknown}", 404, "UNKNOWN_GUILD"),
        ("GET", "/guilds/{guild}/members/{unknown}", 404, "UNKNOWN_MEMBER"),
        ("DELETE", "/guilds/{guild}/bans/{unknown}", 404, "NOT_FOUND"),
        ("GET", "/channels/{unknown}", 404, "UNKNOWN_CHANNEL"),
        ("GET", "/channels/{unknown}/messages", 404, "UNKNOWN_CHANNEL"),
        ("GET", "/channels/{channel}/messages/{unknown}", 404, "UNKNOWN_MESSAGE"),
        ("DELETE", "/channels/{channel}/messages/{unknown}", 404, "UNKNOWN_MESSAGE"),
        ("PUT", "/channels/{channel}/messages/{unknown}/reactions/x/@me", 404, "UNKNOWN_MESSAGE"),
        ("PUT", "/channels/{channel}/pins/{unknown}", 404, "UNKNOWN_MESSAGE"),
        ("PUT", "/channels/{channel}/messages/{message}/reactions/x:{unknown}/@me", 404,
         "UNKNOWN_EMOJI"),
        ("DELETE", "/channels/{channel}/messages/{message}/reactions/x/{unknown}", 404,
         "UNKNOWN_USER"),
        ("POST", "/channels/{unknown}/typing", 404, "UNKNOWN_CHANNEL"),
    ],
)  # fmt: skip
async def test_unknown_objects(
    h: RestHarness, method: str, path: str, status: int, code: str
) -> None:
    w = h.world
    cid = w.channel_ids[0]
    mid = next(iter(w.channels[cid].messages))
    real = path.format(unknown=UNKNOWN, guild=w.guild_ids[0], channel=cid, message=mid)
    got, body, headers = await h.call(method, real)
    assert_error(got, body, status, code)
    assert "X-RateLimit-Limit" in headers
    assert h.dispatches == []


async def test_message_body_validation(h: RestHarness) -> None:
    w = h.world
    cid = w.channel_ids[0]
    path = f"/channels/{cid}/messages"
    cases: list[tuple[object, str]] = [
        ({"content": 5}, "content"),
        ({"content": "x" * 4001}, "content"),
        ({"content": "x", "nonce": "n" * 33}, "nonce"),
        ({"content": "x", "nonce": True}, "nonce"),
        ({"content": "x", "tts": "yes"}, "tts"),
        ({"content": "x", "flags": -1}, "flags"),
        ({"content": "x", "embeds": [1]}, "embeds.0"),
        ({"content": "x", "embeds": [{}] * 11}, "embeds"),
        ({"content": "x", "message_reference": {"channel_id": cid}}, "message_reference"),
        ([1, 2], ""),
    ]
    for body, field in cases:
        status, answer, _ = await h.call("POST", path, json=body)
        assert_error(status, answer, 400, "INVALID_FORM_BODY", field=field)
    status, answer, _ = await h.call(
        "POST", path, data=b"{not json", headers={"Content-Type": "application/json"}
    )
    assert_error(status, answer, 400, "INVALID_FORM_BODY", field="")
    status, answer, _ = await h.call("POST", path, json={"content": ""})
    assert_error(status, answer, 400, "CANNOT_SEND_EMPTY_MESSAGE")
    status, answer, _ = await h.call(
        "POST", path, json={"content": "r", "message_reference": {"message_id": UNKNOWN}}
    )
    assert_error(status, answer, 404, "UNKNOWN_MESSAGE")
    assert h.dispatches == []


async def test_multipart_validation(h: RestHarness) -> None:
    path = f"/channels/{h.world.channel_ids[0]}/messages"
    stray = aiohttp.FormData(default_to_multipart=True)
    stray.add_field("content", "not how multipart works")
    status, body, _ = await h.call("POST", path, data=stray)
    assert_error(status, body, 400, "INVALID_FORM_BODY", field="content")
    too_many = aiohttp.FormData()
    for i in range(11):
        too_many.add_field(f"files[{i}]", b"x", filename=f"{i}.txt")
    status, body, _ = await h.call("POST", path, data=too_many)
    assert_error(status, body, 400, "INVALID_FORM_BODY", field="files")
    bad_payload = aiohttp.FormData()
    bad_payload.add_field("payload_json", "[]", content_type="application/json")
    status, body, _ = await h.call("POST", path, data=bad_payload)
    assert_error(status, body, 400, "INVALID_FORM_BODY", field="payload_json")
    assert h.dispatches == []


async def test_editing_another_users_message_is_refused(h: RestHarness) -> None:
    w = h.world
    cid = w.channel_ids[0]
    foreign = next(m for m in w.channels[cid].messages.values() if m.author_id != w.bot.id)
    status, body, _ = await h.call(
        "PATCH", f"/channels/{cid}/messages/{foreign.id}", json={"content": "mine now"}
    )
    assert_error(status, body, 403, "CANNOT_EDIT_OTHER_USER_MESSAGE")
    assert w.get_message(cid, foreign.id).content != "mine now"


@pytest.mark.parametrize(
    ("path", "params", "field"),
    [
        ("/channels/{c}/messages", {"limit": "0"}, "limit"),
        ("/channels/{c}/messages", {"limit": "101"}, "limit"),
        ("/channels/{c}/messages", {"limit": "ten"}, "limit"),
        ("/channels/{c}/messages", {"before": "abc"}, "before"),
        ("/channels/{c}/messages", {"before": "1", "after": "2"}, "before"),
        ("/guilds/{g}/members", {"limit": "1001"}, "limit"),
        ("/channels/{c}/messages/pins", {"before": "yesterday"}, "before"),
        ("/users/{u}/profile", {"guild_id": "x"}, "guild_id"),
    ],
)
async def test_query_validation(
    h: RestHarness, path: str, params: dict[str, str], field: str
) -> None:
    w = h.world
    real = path.format(c=w.channel_ids[0], g=w.guild_ids[0], u=w.bot.id)
    status, body, _ = await h.call("GET", real, params=params)
    assert_error(status, body, 400, "INVALID_FORM_BODY", field=field)


@pytest.mark.parametrize("bad", ["\uff11\uff12\uff13", "\u0661\u0662\u0663", "123\n", " 123"])
async def test_ids_must_be_ascii_digits(h: RestHarness, bad: str) -> None:
    # ``\\d`` and ``str.isdigit`` accept any Unicode digit; a snowflake is ASCII digits.
    w = h.world
    status, body, _ = await h.call("GET", f"/users/{w.bot.id}/profile", params={"guild_id": bad})
    assert_error(status, body, 400, "INVALID_FORM_BODY", field="guild_id")
    bulk = f"/channels/{w.channel_ids[0]}/messages/bulk-delete"
    status, body, _ = await h.call("POST", bulk, json={"messages": ["1", bad]})
    assert_error(status, body, 400, "INVALID_FORM_BODY", field="messages.1")


async def test_bulk_delete_and_channel_edit_validation(h: RestHarness) -> None:
    cid = h.world.channel_ids[0]
    bulk = f"/channels/{cid}/messages/bulk-delete"
    for body, field in (
        ({"messages": ["1"]}, "messages"),
        ({"messages": ["1"] * 101}, "messages"),
        ({"messages": ["1", "x"]}, "messages.1"),
        ({}, "message_ids"),
    ):
        status, answer, _ = await h.call("POST", bulk, json=body)
        assert_error(status, answer, 400, "INVALID_FORM_BODY", field=field)
    for body, field in (
        ({"name": 3}, "name"),
        ({"nsfw": "yes"}, "nsfw"),
        ({"rate_limit_per_user": 99999}, "rate_limit_per_user"),
        ({"position": True}, "position"),
    ):
        status, answer, _ = await h.call("PATCH", f"/channels/{cid}", json=body)
        assert_error(status, answer, 400, "INVALID_FORM_BODY", field=field)
    status, answer, _ = await h.call("PATCH", f"/channels/{cid}", json={"name": ""})
    assert_error(status, answer, 400, "INVALID_FORM_BODY")
    assert h.dispatches == []


async def test_unknown_routes_and_methods(h: RestHarness) -> None:
    status, body, _ = await h.call("GET", "/no/such/route")
    assert_error(status, body, 404, "NOT_FOUND")
    status, body, _ = await h.call("POST", "/users/@me")
    assert_error(status, body, 405, "METHOD_NOT_ALLOWED")
    async with running_rest(rate_limit_headers="S") as s_style:
        status, body, _ = await s_style.call("GET", "/no/such/route")
        assert_error(status, body, 404, "GENERAL_ERROR")


async def test_oversized_upload_and_edit_uploads_are_refused(
    h: RestHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(rest_bodies, "MAX_FILE_SIZE", 8)
    cid = h.world.channel_ids[0]
    big = aiohttp.FormData()
    big.add_field("files[0]", b"123456789", filename="big.bin")
    status, body, _ = await h.call("POST", f"/channels/{cid}/messages", data=big)
    assert_error(status, body, 413, "FILE_SIZE_TOO_LARGE")
    mid = h.world.create_message(cid, h.world.bot.id, "mine")["id"]
    h.dispatches.clear()
    edit = aiohttp.FormData()
    edit.add_field("payload_json", '{"content": "new"}', content_type="application/json")
    edit.add_field("files[0]", b"1", filename="a.bin")
    status, body, _ = await h.call("PATCH", f"/channels/{cid}/messages/{mid}", data=edit)
    assert_error(status, body, 400, "INVALID_FORM_BODY", field="files")
    assert h.dispatches == []
    payload_only = aiohttp.FormData(default_to_multipart=True)
    payload_only.add_field("payload_json", '{"content": "new"}', content_type="application/json")
    status, body, _ = await h.call("PATCH", f"/channels/{cid}/messages/{mid}", data=payload_only)
    assert status == 200 and body["content"] == "new"
