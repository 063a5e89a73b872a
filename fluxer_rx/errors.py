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
    "Other",
    "PayloadTooLarge",
    "RateLimitError",
    "RequestMayHaveBeenApplied",
    "RestError",
    "RestTimeout",
    "WebSocketError",
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
    """Still rate limited after the allowed retries, or told to wait longer than allowed.

    The REST client raises it at once, without waiting, when a rate-limit wait (a 429's
    ``retry_after``, a bucket's reset, a global pause) is longer than
    ``RestOptions.max_rate_limit_wait`` or than the time left of ``RestOptions.timeout``.

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


class RestTimeout(RestError, TimeoutError):
    """A REST call did not finish within ``RestOptions.timeout``, waits and retries included.

    Raised only when the request is known not to have been applied twice and is safe to
    send again: idempotent requests (GET, PUT, DELETE, ...), and any request whose time ran
    out before it was sent. A non-idempotent request that was sent and then timed out
    raises :class:`RequestMayHaveBeenApplied` instead, never this. ``method`` and
    ``route`` (the template with ids, never a token) say which call it was; ``timeout`` is
    the budget in seconds. Also a builtin ``TimeoutError``.
    """

    def __init__(self, method: str, route: str, timeout: float, detail: str = ""):
        self.method = method
        self.route = route
        self.timeout = timeout
        extra = f" ({detail})" if detail else ""
        super().__init__(f"{method} {route} did not finish within {timeout:g}s{extra}")


class RequestMayHaveBeenApplied(RestError):
    """A non-idempotent request (POST, PATCH) failed in a way that does not tell whether
    the server applied it, so it was not retried.

    Raised after a timeout once the request was sent, a connection lost after sending,
    or a 5xx answer without ``Retry-After``. Check before sending it again: for a
    message create, look for a message with ``nonce`` in the channel (the nonce sent
    with the request, generated when none was given). ``method`` and ``route`` say which
    call it was (never a token), ``reason`` what happened, ``status`` the HTTP status of
    a 5xx answer (else ``None``). A 5xx's :class:`ApiError`/:class:`HttpError` is chained
    as ``__cause__``.
    """

    def __init__(
        self,
        method: str,
        route: str,
        reason: str,
        *,
        nonce: str | None = None,
        status: int | None = None,
    ):
        self.method = method
        self.route = route
        self.reason = reason
        self.nonce = nonce
        self.status = status
        check = f"; look for nonce {nonce!r} before resending" if nonce is not None else ""
        super().__init__(
            f"{method} {route} may have been applied ({reason}); not retried{check}"
        )

    def with_nonce(self, nonce: str) -> RequestMayHaveBeenApplied:
        """The same error, naming the ``nonce`` the request carried (same ``__cause__``)."""
        named = RequestMayHaveBeenApplied(
            self.method, self.route, self.reason, nonce=nonce, status=self.status
        )
        named.__cause__ = self.__cause__
        return named


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


class WebSocketError(FluxerError):
    """A gateway connection could not be made or kept: raised from ``login()`` after
    ``max_connect_failures`` consecutive failed connection attempts with no live session
    (the seed's ``Error::WebSocket``). ``failures`` is that count; ``__cause__`` is the
    last attempt's error."""

    def __init__(self, shard_id: int, failures: int, last: str = ""):
        self.shard_id = shard_id
        self.failures = failures
        super().__init__(
            f"shard {shard_id}: no gateway connection after {failures} consecutive attempts"
            + (f" (last: {last})" if last else "")
        )


class Other(FluxerError):
    """An error that fits no other variant (the seed's ``Error::Other``): the library's
    own invariants broken, or a failure of user-supplied code where it is not a handler
    (for example a ``setup`` callback). The message says what happened."""
