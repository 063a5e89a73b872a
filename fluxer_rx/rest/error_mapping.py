"""Turning an HTTP error response into the library's typed errors.

* 401 → :class:`~fluxer_rx.errors.InvalidToken` (the token is never shown);
* a Fluxer error body ``{"code": str, "message": str, "errors"?: ...}`` →
  :class:`~fluxer_rx.errors.ApiError` with the code, message and field errors as sent;
* anything else → :class:`~fluxer_rx.errors.HttpError` with the status and the body text.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import msgspec

from fluxer_rx.errors import ApiError, HttpError, InvalidToken

__all__ = ["decode_json_or_none", "error_from_response"]


def decode_json_or_none(body: bytes) -> Any:
    """The decoded JSON value of ``body``, or ``None`` when it is empty or not JSON."""
    if not body:
        return None
    try:
        return msgspec.json.decode(body)
    except msgspec.DecodeError:
        return None


def error_from_response(
    status: int, body: bytes, *, method: str, route: str
) -> ApiError | HttpError | InvalidToken:
    """The error to raise for an error response (``status >= 400``)."""
    data = decode_json_or_none(body)
    if status == 401:
        code = data.get("code") if isinstance(data, Mapping) else None
        detail = f" ({code})" if isinstance(code, str) else ""
        return InvalidToken(f"the API refused the token with 401{detail} on {method} {route}")
    if isinstance(data, Mapping) and isinstance(data.get("code"), str):
        message = data.get("message")
        return ApiError(
            status,
            data["code"],
            message if isinstance(message, str) else "",
            data.get("errors"),
            method=method,
            route=route,
        )
    return HttpError(status, body.decode("utf-8", "replace"), method=method, route=route)
