"""The error hierarchy: every variant is a FluxerError and carries its fields."""

from __future__ import annotations

from fluxer_rx.errors import (
    AlreadyLoggedIn,
    ApiError,
    ClientNotReady,
    DecodeError,
    FluxerError,
    GatewayError,
    HttpError,
    InvalidToken,
    RateLimitError,
    RestError,
)


def test_all_variants_are_fluxer_errors() -> None:
    for cls in (
        ClientNotReady,
        InvalidToken,
        AlreadyLoggedIn,
        ApiError,
        HttpError,
        RateLimitError,
        RestError,
        GatewayError,
        DecodeError,
    ):
        assert issubclass(cls, FluxerError)


def test_api_error_fields_and_flattening() -> None:
    err = ApiError(
        400,
        "INVALID_FORM_BODY",
        "Input Form Body",
        {"content": {"_errors": [{"code": "X", "message": "too long"}]}},
        method="POST",
        route="/channels/{channel_id}/messages",
    )
    assert err.status == 400 and err.code == "INVALID_FORM_BODY"
    assert err.field_errors == {"content": "too long"}
    listed = ApiError(400, "INVALID_FORM_BODY", "bad", [{"path": "name", "message": "short"}])
    assert listed.field_errors == {"name": "short"}
    assert isinstance(err, HttpError)


def test_rate_limit_and_gateway_error_messages() -> None:
    rl = RateLimitError(0.25, is_global=True)
    assert rl.retry_after == 0.25 and rl.is_global and "global" in str(rl)
    ge = GatewayError(4010, "Invalid shard")
    assert ge.code == 4010 and "4010" in str(ge)
    de = DecodeError("Expected `str`, got `int` - at `$.id`", event="MESSAGE_CREATE", path="$.id")
    assert de.event == "MESSAGE_CREATE" and "MESSAGE_CREATE" in str(de)
