"""The exception hierarchy of fluxer_rx.

Every error the library raises on purpose is a :class:`FluxerError`. Messages never contain
a token: callers pass ids, codes and server messages, never credentials.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = [
    "AlreadyLoggedIn",
    "ApiError",
    "ClientNotReady",
    "DecodeError",
    "FluxerError",
    "GatewayError",
    "HttpError",
    "InvalidToken",
    "PayloadTooLarge",
    "RateLimitError",
    "RestError",
]


class FluxerError(Exception):
    """Root of every error fluxer_rx raises on purpose."""


class ClientNotReady(FluxerError):
    """A method that needs a live gateway connection was called before ``login``."""


class InvalidToken(FluxerError):
    """The token was refused (gateway close 4004 or HTTP 401). The token is never shown."""


class AlreadyLoggedIn(FluxerError):
    """``login`` was called on a client that is already logged in."""


class DecodeError(FluxerError):
    """A frame or payload could not be decoded.

    ``event`` is the dispatch name (or ``None`` outside a dispatch) and ``path`` the
    location of the offending value as msgspec reports it (e.g. ``$.author.id``).
    """

    def __init__(self, message: str, *, event: str | None = None, path: str | None = None):
        self.event = event
        self.path = path
        where = f" in {event}" if event else ""
        super().__init__(f"{message}{where}")


class HttpError(FluxerError):
    """An HTTP response with an error status and a body that is not a Fluxer error body."""

    def __init__(self, status: int, body: str, *, method: str = "", route: str = ""):
        self.status = status
        self.body = body
        self.method = method
        self.route = route
        shown = body if len(body) <= 200 else body[:200] + "..."
        super().__init__(f"HTTP {status} on {method} {route}: {shown}".replace("  ", " "))


class ApiError(HttpError):
    """Fluxer's error body ``{code, message, errors?}``.

    ``code`` is Fluxer's string code (e.g. ``UNKNOWN_CHANNEL``), ``errors`` the field
    errors as sent (``[{path, code, message}]`` or a nested mapping), ``status`` the HTTP
    status.
    """

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        errors: Any = None,
        *,
        method: str = "",
        route: str = "",
    ):
        self.code = code
        self.message = message
        self.errors = errors
        FluxerError.__init__(self, f"{status} {code}: {message} ({method} {route})")
        self.status = status
        self.body = message
        self.method = method
        self.route = route

    @property
    def field_errors(self) -> Mapping[str, str]:
        """Field path -> message, flattened from ``errors`` in either shape."""
        out: dict[str, str] = {}
        errs = self.errors
        if isinstance(errs, list):
            for item in errs:
                if isinstance(item, Mapping):
                    out[str(item.get("path", ""))] = str(item.get("message", item.get("code", "")))
        elif isinstance(errs, Mapping):
            _flatten_errors(errs, "", out)
        return out


def _flatten_errors(node: Mapping[str, Any], prefix: str, out: dict[str, str]) -> None:
    for key, value in node.items():
        if key == "_errors" and isinstance(value, list):
            out[prefix] = "; ".join(
                str(v.get("message", v)) if isinstance(v, Mapping) else str(v) for v in value
            )
        elif isinstance(value, Mapping):
            _flatten_errors(value, f"{prefix}.{key}" if prefix else str(key), out)


class RateLimitError(FluxerError):
    """Still rate limited after the allowed retries.

    ``retry_after`` is in seconds (fractional), ``is_global`` tells a global limit from a
    per-route one, ``bucket`` is the bucket key the limit applied to.
    """

    def __init__(self, retry_after: float, *, is_global: bool = False, bucket: str = ""):
        self.retry_after = retry_after
        self.is_global = is_global
        self.bucket = bucket
        scope = "global" if is_global else f"bucket {bucket or '?'}"
        super().__init__(f"rate limited ({scope}); retry after {retry_after:.3f}s")


class RestError(FluxerError):
    """A request failed below HTTP: connection error, timeout, or an undecodable body."""


class GatewayError(FluxerError):
    """The gateway closed the connection with a fatal close code."""

    def __init__(self, code: int, reason: str = ""):
        self.code = code
        self.reason = reason
        super().__init__(f"gateway closed with {code}" + (f": {reason}" if reason else ""))


class PayloadTooLarge(FluxerError, ValueError):
    """A client frame would exceed the gateway's 4096-byte limit; nothing was sent."""

    def __init__(self, size: int, limit: int = 4096):
        self.size = size
        self.limit = limit
        super().__init__(f"gateway payload of {size} bytes exceeds the {limit}-byte limit")
