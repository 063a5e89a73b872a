"""Routes (major ids, masking) and rate-limit header parsing in both styles."""

from __future__ import annotations

import pytest
from multidict import CIMultiDict

from fluxer_rx.errors import ApiError, HttpError, InvalidToken
from fluxer_rx.rest.error_mapping import error_from_response
from fluxer_rx.rest.files import File, multipart_body
from fluxer_rx.rest.headers import parse_bucket_info, parse_rate_limited
from fluxer_rx.rest.routes import Route


def test_route_paths_keys_and_majors() -> None:
    r = Route("get", "/channels/{channel_id}/messages/{message_id}", channel_id=1, message_id=2)
    assert (r.method, r.path, r.key) == (
        "GET",
        "/channels/1/messages/2",
        "GET /channels/{channel_id}/messages/{message_id}",
    )
    assert r.major == "channel_id=1"
    assert Route("GET", "/users/{user_id}", user_id=5).major == ""
    emoji = Route("PUT", "/r/{emoji}", emoji="blob:123")
    assert emoji.path == "/r/blob:123"
    assert Route("PUT", "/r/{emoji}", emoji="👍").path == "/r/%F0%9F%91%8D"
    assert Route("GET", "/x/{user_id}", user_id="a/b").path == "/x/a%2Fb"


def test_webhook_tokens_are_masked_but_split_buckets() -> None:
    a = Route("POST", "/webhooks/{webhook_id}/{webhook_token}", webhook_id=1, webhook_token="tokA")
    b = Route("POST", "/webhooks/{webhook_id}/{webhook_token}", webhook_id=1, webhook_token="tokB")
    assert a.path == "/webhooks/1/tokA"
    assert a.display == "/webhooks/1/{webhook_token}"
    assert "tokA" not in repr(a) and "tokA" not in a.major
    assert a.major != b.major


def test_route_parameters_are_checked() -> None:
    with pytest.raises(ValueError, match="missing"):
        Route("GET", "/channels/{channel_id}")
    with pytest.raises(ValueError, match="unexpected"):
        Route("GET", "/gateway/bot", channel_id=1)
    with pytest.raises(ValueError, match="empty"):
        Route("GET", "/channels/{channel_id}", channel_id="")


def test_bucket_info_in_both_styles() -> None:
    n = CIMultiDict(
        {
            "x-ratelimit-limit": "10",
            "X-RateLimit-Remaining": "3",
            "X-RateLimit-Reset": "1800000005.500",
            "X-RateLimit-Reset-After": "0.250",
            "X-RateLimit-Bucket": "abcdef0123456789",
        }
    )
    info = parse_bucket_info(n, wall_now=1_800_000_000.0)
    assert info is not None
    assert (info.limit, info.remaining, info.reset_after, info.bucket, info.exact) == (
        10,
        3,
        0.25,
        "abcdef0123456789",
        True,
    )
    s = CIMultiDict(
        {"X-RateLimit-Limit": "10", "X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "1800000002"}
    )
    info = parse_bucket_info(s, wall_now=1_800_000_000.5)
    assert info is not None
    assert (info.reset_after, info.bucket, info.exact) == (1.5, None, False)
    past = CIMultiDict({**s, "X-RateLimit-Reset": "1700000000"})
    assert parse_bucket_info(past, wall_now=1_800_000_000.0).reset_after == 0.0  # type: ignore[union-attr]


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"X-RateLimit-Limit": "10"},
        {"X-RateLimit-Limit": "ten", "X-RateLimit-Remaining": "1"},
        {"X-RateLimit-Limit": "0", "X-RateLimit-Remaining": "0"},
        {"X-RateLimit-Limit": "5", "X-RateLimit-Remaining": "-1"},
        {"X-RateLimit-Limit": "5", "X-RateLimit-Remaining": "1.5"},
        {"X-RateLimit-Limit": "nan", "X-RateLimit-Remaining": "1"},
    ],
)
def test_malformed_bucket_headers_count_as_absent(headers: dict[str, str]) -> None:
    assert parse_bucket_info(CIMultiDict(headers), 0.0) is None


def test_rate_limited_scope_global_and_retry_after_sources() -> None:
    n_global = CIMultiDict({"Retry-After": "1", "X-RateLimit-Scope": "global"})
    rl = parse_rate_limited(n_global, {"retry_after": 0.123, "global": True})
    assert (rl.retry_after, rl.is_global, rl.scope, rl.has_bucket) == (0.123, True, "global", False)
    s_route = CIMultiDict(
        {"X-RateLimit-Global": "false", "X-RateLimit-Limit": "5", "Retry-After": "2"}
    )
    rl = parse_rate_limited(s_route, None)
    assert (rl.retry_after, rl.is_global, rl.has_bucket) == (2.0, False, True)
    s_global = CIMultiDict({"X-RateLimit-Global": "true"})
    assert parse_rate_limited(s_global, {"retry_after": "soon"}).retry_after == 1.0
    assert parse_rate_limited(s_global, {}).is_global
    shared = parse_rate_limited(CIMultiDict({"X-RateLimit-Scope": "shared"}), {"retry_after": 0.5})
    assert shared.has_bucket and not shared.is_global
    bare = parse_rate_limited(CIMultiDict(), {"code": "RESOURCE_LOCKED"})
    assert not bare.has_bucket and not bare.is_global and bare.retry_after == 1.0


def test_error_mapping() -> None:
    body = (
        b'{"code":"INVALID_FORM_BODY","message":"Invalid","errors":'
        b'[{"path":"content","message":"too long","code":"BASE_TYPE_MAX_LENGTH"}]}'
    )
    err = error_from_response(400, body, method="POST", route="/channels/1/messages")
    assert isinstance(err, ApiError)
    assert (err.status, err.code, err.field_errors) == (
        400,
        "INVALID_FORM_BODY",
        {"content": "too long"},
    )
    assert isinstance(error_from_response(401, b"", method="GET", route="/x"), InvalidToken)
    plain = error_from_response(502, b"Bad gateway", method="GET", route="/x")
    assert type(plain) is HttpError and plain.body == "Bad gateway"
    no_code = error_from_response(400, b'{"message": "x"}', method="GET", route="/x")
    assert type(no_code) is HttpError


def test_multipart_body_adds_attachment_entries() -> None:
    form = multipart_body(
        {"content": "hi"}, [File("a.txt", b"1"), File("b.bin", b"22", "x/y", "d")]
    )
    parts = form._fields  # aiohttp keeps (options, headers, value)
    names = [opts["name"] for opts, _, _ in parts]
    assert names == ["payload_json", "files[0]", "files[1]"]
    payload = parts[0][2]
    assert (
        '"attachments":[{"id":0,"filename":"a.txt"},{"id":1,"filename":"b.bin","description":"d"}]'
        in payload
    )
    with pytest.raises(ValueError):
        File("", b"x")
    with pytest.raises(TypeError):
        File("a", "text")  # type: ignore[arg-type]
    assert File("a.png", b"").mime_type == "image/png"
    assert "bytes" in repr(File("a", b"123"))
