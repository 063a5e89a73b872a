"""Reading Fluxer's rate-limit headers in both server styles ([S] and [N], PROTOCOL §3.4).

[S] servers send ``X-RateLimit-Limit/-Remaining/-Reset`` (``Reset`` in whole Unix seconds)
and, on a 429, ``X-RateLimit-Global`` and ``Retry-After``. [N] servers add
``X-RateLimit-Reset-After`` (fractional seconds), ``X-RateLimit-Bucket`` (a hash naming the
route family) and, on a 429, ``X-RateLimit-Scope`` (``user``, ``shared`` or ``global``).
Malformed values are ignored rather than trusted: a header that does not parse counts as
absent.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

__all__ = [
    "BucketInfo",
    "RateLimited",
    "parse_bucket_info",
    "parse_rate_limited",
    "parse_retry_after",
]


@dataclass(frozen=True, slots=True)
class BucketInfo:
    """What a response says about its route bucket.

    ``reset_after`` is seconds from the moment the response was read until the bucket's
    window ends: ``X-RateLimit-Reset-After`` when sent (``exact``), else
    ``X-RateLimit-Reset`` minus the wall clock (never negative; whole seconds on [S]
    servers, so up to a second late). ``bucket`` is ``X-RateLimit-Bucket`` or ``None``.
    """

    limit: int
    remaining: int
    reset_after: float | None
    bucket: str | None
    exact: bool = False


@dataclass(frozen=True, slots=True)
class RateLimited:
    """A 429: how long to wait, and whether the limit was the global one.

    ``retry_after`` prefers the body's fractional ``retry_after``, then ``Retry-After``,
    then ``X-RateLimit-Reset-After``, then 1 s. ``scope`` is ``X-RateLimit-Scope`` when
    sent. ``has_bucket`` tells whether the 429 names a route bucket (scope ``user`` or
    ``shared``, or bucket headers present) rather than a handler-level limit.
    """

    retry_after: float
    is_global: bool
    scope: str | None
    has_bucket: bool


def _header(headers: Mapping[str, str], name: str) -> str | None:
    value = headers.get(name)
    return value.strip() if isinstance(value, str) else None


def _float(value: str | None) -> float | None:
    if value is None:
        return None
    try:
        number = float(value)
    except ValueError:
        return None
    return number if math.isfinite(number) and number >= 0 else None


def _int(value: str | None) -> int | None:
    number = _float(value)
    return int(number) if number is not None and number == int(number) else None


def parse_bucket_info(headers: Mapping[str, str], wall_now: float) -> BucketInfo | None:
    """The bucket state a response reports, or ``None`` without Limit and Remaining.

    ``headers`` must look names up case-insensitively (aiohttp's ``CIMultiDict`` does).
    """
    limit = _int(_header(headers, "X-RateLimit-Limit"))
    remaining = _int(_header(headers, "X-RateLimit-Remaining"))
    if limit is None or remaining is None or limit < 1:
        return None
    reset_after = _float(_header(headers, "X-RateLimit-Reset-After"))
    exact = reset_after is not None
    if reset_after is None:
        reset = _float(_header(headers, "X-RateLimit-Reset"))
        if reset is not None:
            reset_after = max(0.0, reset - wall_now)
    bucket = _header(headers, "X-RateLimit-Bucket") or None
    return BucketInfo(limit, min(remaining, limit), reset_after, bucket, exact)


def parse_rate_limited(headers: Mapping[str, str], body: Any) -> RateLimited:
    """Interpret a 429 response from its headers and its decoded JSON ``body`` (any value)."""
    scope = (_header(headers, "X-RateLimit-Scope") or "").lower() or None
    body_map: Mapping[str, Any] = body if isinstance(body, Mapping) else {}
    is_global = (
        scope == "global"
        or (_header(headers, "X-RateLimit-Global") or "").lower() == "true"
        or body_map.get("global") is True
    )
    retry_after: float | None = None
    raw = body_map.get("retry_after")
    if isinstance(raw, (int, float)) and not isinstance(raw, bool):
        retry_after = _float(str(raw))
    if retry_after is None:
        retry_after = _float(_header(headers, "Retry-After"))
    if retry_after is None:
        retry_after = _float(_header(headers, "X-RateLimit-Reset-After"))
    if retry_after is None:
        retry_after = 1.0
    has_bucket = not is_global and (
        scope in ("user", "shared") or _header(headers, "X-RateLimit-Limit") is not None
    )
    return RateLimited(retry_after, is_global, scope, has_bucket)


def parse_retry_after(headers: Mapping[str, str]) -> float | None:
    """``Retry-After`` in seconds (the delta-seconds form only), or ``None``."""
    return _float(_header(headers, "Retry-After"))
