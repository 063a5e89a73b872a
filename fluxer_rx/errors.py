"""The exception hierarchy of fluxer_rx: every public exception is defined here (the
modules that raise them re-export theirs).

Every error the library raises on purpose is a :class:`FluxerError`: the seed's variants
(:class:`ClientNotReady`, :class:`InvalidToken`, :class:`AlreadyLoggedIn`,
:class:`ApiError`, :class:`HttpError`, :class:`RateLimitError`, :class:`RestError`,
:class:`WebSocketError`, :class:`Other`) and :class:`GatewayError`, then the errors of
streams, recordings, permissions and commands. Messages never contain
a token: callers pass ids, codes and server messages, never credentials.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from fluxer_rx.permissions import Permissions

__all__ = [
    "AlreadyLoggedIn",
    "ApiError",
    "ArgumentError",
    "BadArgument",
    "BrokerUnavailable",
    "BufferOverflow",
    "CheckFailure",
    "ClientNotReady",
    "CommandError",
    "CommandRaised",
    "DecodeError",
    "EntryFormatError",
    "FluxerError",
    "GatewayError",
    "GuildOnly",
    "HandshakeFailed",
    "HttpError",
    "InvalidToken",
    "MalformedRecording",
    "MissingArgument",
    "MissingPermissions",
    "NotOwner",
    "OnCooldown",
    "Other",
    "PayloadTooLarge",
    "PermissionsUnknown",
    "ProtocolMisuse",
    "RateLimitError",
    "RecordingError",
    "RecordingFileError",
    "RequestMayHaveBeenApplied",
    "RestError",
    "RestTimeout",
    "StreamClosed",
    "TooManyArguments",
    "UnsupportedRecordingVersion",
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


# ------------------------------------------------------------------ gateway and broker


class ProtocolMisuse(FluxerError, RuntimeError):
    """The driver called the gateway protocol machine in a way its state does not allow
    (a driver bug). The machine is then in its ``ERROR`` state: every later call raises
    this too (except a ``send`` refused after STOPPED, which leaves the machine STOPPED)."""


class HandshakeFailed(FluxerError, ConnectionError):
    """The peer accepted the TCP connection but did not complete a WebSocket upgrade: it
    answered something else, or closed. The transport library's own error is the
    ``__cause__``. A shard retries it like any failed connect."""


class BrokerUnavailable(FluxerError):
    """The broker of a scale-out could not be reached or did not answer; the operation
    may be retried. A publish that raised this may have stored part of its batch
    (readers drop duplicates by (shard, session, seq))."""


class EntryFormatError(DecodeError):
    """A scale-out stream entry is not in a format this version reads (another version,
    cut short, or written by something else); the message names the entry's position.
    A worker reports it on diagnostics (``Kind.DECODE_ERROR``) and goes on after it."""


# ------------------------------------------------------------------ streams


class StreamClosed(FluxerError):
    """The observable completed before the awaited event arrived (the client shut down)."""


class BufferOverflow(FluxerError):
    """An :class:`EventIterator` with ``overflow="error"`` received more events than its
    buffer holds while the consumer was behind. The events buffered before the overflow
    were all yielded first; ``limit`` is the buffer size."""

    def __init__(self, limit: int) -> None:
        super().__init__(
            f"event buffer overflow: more than {limit} events were waiting; the consumer is "
            "too slow (raise buffer=, or use overflow='drop_oldest')"
        )
        self.limit = limit


# ------------------------------------------------------------------ recordings


class RecordingError(FluxerError):
    """A recording could not be written or read (base class)."""


class RecordingFileError(RecordingError):
    """The file itself could not be opened, read or written; ``path`` says which."""

    def __init__(self, message: str, *, path: str) -> None:
        super().__init__(message)
        self.path = path


class MalformedRecording(RecordingError):
    """A line of a recording is not valid: ``path``, ``line`` (1-based) and ``reason``."""

    def __init__(self, path: str, line: int, reason: str) -> None:
        super().__init__(f"{path}:{line}: {reason}")
        self.path = path
        self.line = line
        self.reason = reason


class UnsupportedRecordingVersion(RecordingError):
    """The recording's header names a format ``version`` this library cannot read."""

    def __init__(self, path: str, version: int, supported: int = 1) -> None:
        super().__init__(
            f"{path}: recording format version {version} is not supported"
            f" (this fluxer_rx reads version {supported})"
        )
        self.path = path
        self.version = version


# ------------------------------------------------------------------ permissions


class PermissionsUnknown(FluxerError, LookupError):
    """The cache does not hold what the computation needs (the guild, its roles, the
    channel, or the member's roles); ``str()`` says which."""


# ------------------------------------------------------------------ commands


class CommandError(FluxerError):
    """A command could not be run, or failed; ``str()`` is meant for the invoker."""


class ArgumentError(CommandError):
    """The arguments do not fit the command's signature."""


class MissingArgument(ArgumentError):
    """A required parameter got no argument; ``param`` names it."""

    def __init__(self, param: str) -> None:
        super().__init__(f"missing argument `{param}`")
        self.param = param


class BadArgument(ArgumentError):
    """An argument could not be converted: ``param``, the ``value`` given, and why."""

    def __init__(self, param: str, value: str, reason: str) -> None:
        super().__init__(f"bad argument `{param}`: {reason}")
        self.param = param
        self.value = value
        self.reason = reason


class TooManyArguments(ArgumentError):
    """More arguments than parameters; ``extra`` is the text left over."""

    def __init__(self, extra: str) -> None:
        super().__init__(f"too many arguments (unexpected `{extra}`)")
        self.extra = extra


class CheckFailure(CommandError):
    """A check refused the invocation."""


class GuildOnly(CheckFailure):
    """The command works only in a guild channel."""

    def __init__(self) -> None:
        super().__init__("this command works only in a server channel")


class NotOwner(CheckFailure):
    """The command is for the bot's owners only."""

    def __init__(self) -> None:
        super().__init__("this command is for the bot's owners only")


class MissingPermissions(CheckFailure):
    """The invoker lacks ``missing`` in the channel (``None``: it could not be computed
    from the cache, and the check fails closed)."""

    def __init__(self, missing: Permissions | None) -> None:
        if missing is None:
            text = "your permissions could not be checked; try again in a moment"
        else:
            text = "you need the permission(s) " + ", ".join(missing.names or [str(missing)])
        super().__init__(text)
        self.missing = missing


class OnCooldown(CommandError):
    """The invocation came too soon: ``retry_after`` seconds to wait. ``first`` is true
    for the first refusal in a cooldown window (only that one is answered by default)."""

    def __init__(self, retry_after: float, *, first: bool) -> None:
        super().__init__(f"slow down: try again in {max(retry_after, 0.1):.1f} s")
        self.retry_after = retry_after
        self.first = first


class CommandRaised(CommandError):
    """The command's function raised ``original`` (also the ``__cause__``)."""

    def __init__(self, original: BaseException) -> None:
        super().__init__("the command failed")
        self.original = original
        self.__cause__ = original
