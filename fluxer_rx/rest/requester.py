"""The HTTP core of the REST client: one aiohttp session, limits, retries and error mapping.

:meth:`Requester.request` is the single path every REST call takes:

1. wait for a permit of the route's bucket (:mod:`fluxer_rx.rest.buckets`), then for a
   global slot (:mod:`fluxer_rx.rest.global_limiter`) — in that order, so a request that
   waits for its bucket never holds global capacity other buckets could use;
2. send with ``Authorization: Bot <token>`` and read the whole response;
3. teach the limiters what the headers say; on 429 wait as told (route bucket, global
   pause, or this request alone) and retry; on 5xx, timeouts and connection errors back
   off with jitter and retry; every retry counts against ``max_retries``;
4. return the decoded body, or raise :class:`~fluxer_rx.errors.RateLimitError`,
   :class:`~fluxer_rx.errors.ApiError` / :class:`~fluxer_rx.errors.HttpError`,
   :class:`~fluxer_rx.errors.InvalidToken`, :class:`~fluxer_rx.errors.RestTimeout`,
   :class:`~fluxer_rx.errors.RequestMayHaveBeenApplied` or
   :class:`~fluxer_rx.errors.RestError`.

Guarantees:

* **Bounded.** A call ends within ``RestOptions.timeout`` seconds of the clock, every
  wait and retry included (:class:`~fluxer_rx.errors.RestTimeout` past it). No single
  rate-limit wait (a 429's ``retry_after``, a bucket's reset, a global pause, a queue)
  lasts longer than ``RestOptions.max_rate_limit_wait``; a wait known to be longer than
  that, or than the time left, raises :class:`~fluxer_rx.errors.RateLimitError` at once.
* **At most once for non-idempotent requests** (POST, PATCH; see
  :func:`~fluxer_rx.rest.retry.is_idempotent`). They are sent again only when the server
  demonstrably did not apply them: a 429, a 503 with ``Retry-After``, or a failure before
  a connection to the server was held (refused, DNS, TLS). Any other failure (a timeout
  or a lost connection after that point, a 5xx without ``Retry-After``) raises
  :class:`~fluxer_rx.errors.RequestMayHaveBeenApplied`. Idempotent requests are retried
  after all of these, within ``max_retries`` and the time budget.

The token lives in one private attribute. It is never part of a repr, a log line or an
exception message, and aiohttp exceptions (whose request info carries the headers) are
never chained into the errors raised here.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol, Self, TypeVar
from urllib.parse import quote, urlsplit

import msgspec

from fluxer_rx.credentials import split_token
from fluxer_rx.errors import RateLimitError, RequestMayHaveBeenApplied, RestError, RestTimeout
from fluxer_rx.rest.buckets import BucketLimiter
from fluxer_rx.rest.clock import Clock, ClockTimeout, LoopClock
from fluxer_rx.rest.error_mapping import decode_json_or_none, error_from_response
from fluxer_rx.rest.fifo_gate import FifoGate, GateTimeout, Grant
from fluxer_rx.rest.files import File, multipart_body
from fluxer_rx.rest.global_limiter import GlobalLimiter
from fluxer_rx.rest.headers import (
    BucketInfo,
    RateLimited,
    parse_bucket_info,
    parse_rate_limited,
    parse_retry_after,
)
from fluxer_rx.rest.options import RestOptions
from fluxer_rx.rest.retry import RetryPolicy, is_idempotent
from fluxer_rx.rest.routes import Route

if TYPE_CHECKING:
    # aiohttp (about 150 ms to import) is imported with the first session, not with
    # the package: ``from fluxer_rx import Client`` stays light (benchmarks/bench_import.py)
    import aiohttp
    from multidict import CIMultiDictProxy

__all__ = ["NO_BODY", "QueryValue", "Requester", "RestStats", "SharedLimits"]

T = TypeVar("T")
QueryValue = str | int | bool | None

_log = logging.getLogger("fluxer_rx.rest")


class SharedLimits(Protocol):
    """Rate limits kept outside this process (:class:`fluxer_rx.bus.SharedRestLimits`):
    a permit per request, settled exactly once."""

    async def acquire(
        self, route_key: str, major: str = "", *, max_wait: float | None = None
    ) -> Any:
        """A permit; ``RateLimitError`` when one wait would exceed ``max_wait``."""
        ...

    async def settle(self, permit: Any, info: BucketInfo | None, *, success: bool = True) -> None:
        """A non-429 answer arrived; learn its headers."""
        ...

    async def rate_limited(
        self, permit: Any, limited: RateLimited, info: BucketInfo | None
    ) -> None:
        """A 429 arrived."""
        ...

    async def release(self, permit: Any) -> None:
        """No answer was read."""
        ...


class _NoBody:
    """The default of ``json=``: send no body at all (``None`` sends JSON ``null``)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "NO_BODY"


NO_BODY: Any = _NoBody()
G = TypeVar("G", bound=Grant)


@dataclass(slots=True)
class RestStats:
    """Counters since the client was made: attempts sent, 429s seen, retries made."""

    requests: int = 0
    rate_limited: int = 0
    global_rate_limited: int = 0
    retries: int = 0
    server_errors: int = 0
    connection_errors: int = 0


class _Secret:
    """A credential that never shows itself in a repr or str."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "<secret>"

    __str__ = __repr__

    def __reduce__(self) -> Any:
        raise TypeError("credentials cannot be pickled")


def _authorization(token: str) -> str:
    """The ``Authorization`` value for ``token``: ``Bearer <bare>`` for a token given as
    ``Bearer ...`` (any case), else ``Bot <bare>``; a ``Bot`` prefix in any case is
    never doubled."""
    if not isinstance(token, str):
        raise TypeError(f"token must be a str, got {type(token).__name__}")
    if any(c in token.strip() for c in "\r\n\0"):
        raise ValueError("token must be a non-empty single-line string")
    scheme, bare = split_token(token)
    return f"{scheme or 'Bot'} {bare}"


class Requester:
    """Rate-limit-aware HTTP on one lazily created aiohttp session; safe to share.

    ``token`` is the bot token, bare or with a ``Bot ``/``Bearer `` prefix in any case
    (sent as ``Bot <token>``, or ``Bearer <token>`` when given so; never doubled).
    ``options`` gives the base URL, the time budget of a whole call, the retry budget, the
    longest rate-limit wait, the user agent and the proactive global limit. ``clock``
    (which also measures the time budget) and ``retry_policy`` are injectable for tests.
    Concurrent calls from many tasks share the session, the buckets and the global limiter.
    """

    def __init__(
        self,
        token: str,
        options: RestOptions | None = None,
        *,
        clock: Clock | None = None,
        retry_policy: RetryPolicy | None = None,
    ) -> None:
        self.__authorization = _Secret(_authorization(token))
        self.options = options if options is not None else RestOptions()
        if not self.options.timeout > 0:
            raise ValueError(f"timeout must be > 0, got {self.options.timeout}")
        if not self.options.max_rate_limit_wait >= 0:
            raise ValueError(
                f"max_rate_limit_wait must be >= 0, got {self.options.max_rate_limit_wait}"
            )
        self._base = self.options.api_url.rstrip("/")
        parts = urlsplit(self._base)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError(f"api_url must be an http(s) URL, got {self.options.api_url!r}")
        self._origin = f"{parts.scheme}://{parts.netloc}"
        self._clock: Clock = clock if clock is not None else LoopClock()
        self.retry_policy = retry_policy or RetryPolicy(
            max_retries=self.options.max_retries,
            backoff=self.options.retry_backoff,
            backoff_max=self.options.retry_backoff_max,
        )
        self.buckets = BucketLimiter(self._clock)
        self.global_limiter = GlobalLimiter(self.options.global_rate_limit, self._clock)
        self.stats = RestStats()
        self.shared_limits: SharedLimits | None = None
        """Rate limits shared with other processes (a scale-out); when set they replace
        the buckets and the global limiter of this process (retries and errors unchanged)."""
        self._session: aiohttp.ClientSession | None = None
        self._closed = False
        self._decoders: dict[Any, msgspec.json.Decoder[Any]] = {}

    def __repr__(self) -> str:
        return f"<{type(self).__name__} api_url={self._base!r}>"

    @property
    def api_url(self) -> str:
        """The base URL, version prefix included, without a trailing slash."""
        return self._base

    @property
    def origin(self) -> str:
        """``scheme://host[:port]`` of the API URL (where ``/.well-known`` lives)."""
        return self._origin

    @property
    def closed(self) -> bool:
        return self._closed

    async def close(self) -> None:
        """Close the session. Later requests raise :class:`RestError`. Idempotent."""
        self._closed = True
        session, self._session = self._session, None
        if session is not None:
            await session.close()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    def _get_session(self) -> aiohttp.ClientSession:
        if self._closed:
            raise RestError("the REST client is closed")
        if self._session is None or self._session.closed:
            import aiohttp

            self._session = aiohttp.ClientSession(
                headers={"User-Agent": self.options.user_agent},
                connector=aiohttp.TCPConnector(limit=0),
                trace_configs=[_trace_config()],
            )
        return self._session

    def decoder(self, type_: type[T]) -> msgspec.json.Decoder[T]:
        """A cached msgspec JSON decoder for ``type_``."""
        dec = self._decoders.get(type_)
        if dec is None:
            dec = self._decoders[type_] = msgspec.json.Decoder(type_)
        return dec

    async def request(
        self,
        route: Route,
        *,
        json: Any = NO_BODY,
        params: Mapping[str, QueryValue] | None = None,
        files: Sequence[File] = (),
        reason: str | None = None,
        base_url: str | None = None,
        authenticate: bool = True,
        idempotent: bool | None = None,
    ) -> Any:
        """Send ``route`` and return the decoded JSON body (``None`` when empty).

        ``json`` is encoded with msgspec (mappings, lists, Structs...); with ``files`` it
        becomes ``payload_json`` of a multipart body. ``params`` with value ``None`` are
        left out. ``reason`` is sent as ``X-Audit-Log-Reason``. ``base_url`` replaces the
        API URL (used for ``/.well-known`` at the origin). ``idempotent=True`` declares a
        POST/PATCH safe to apply twice (retried like a GET); ``None`` goes by the method.
        """
        body = await self.request_raw(
            route,
            json=json,
            params=params,
            files=files,
            reason=reason,
            base_url=base_url,
            authenticate=authenticate,
            idempotent=idempotent,
        )
        if not body:
            return None
        try:
            return msgspec.json.decode(body)
        except msgspec.DecodeError as exc:
            raise RestError(
                f"undecodable JSON from {route.method} {route.display}: {exc}"
            ) from None

    async def request_as(
        self,
        type_: type[T] | msgspec.json.Decoder[T],
        route: Route,
        *,
        json: Any = NO_BODY,
        params: Mapping[str, QueryValue] | None = None,
        files: Sequence[File] = (),
        reason: str | None = None,
        idempotent: bool | None = None,
    ) -> T:
        """Like :meth:`request`, decoding the body straight into ``type_`` (a type or a
        ready msgspec decoder).

        A body that is empty or does not match ``type_`` raises :class:`RestError`.
        """
        body = await self.request_raw(
            route, json=json, params=params, files=files, reason=reason, idempotent=idempotent
        )
        try:
            decoder = type_ if isinstance(type_, msgspec.json.Decoder) else self.decoder(type_)
            return decoder.decode(body)
        except (msgspec.DecodeError, msgspec.ValidationError) as exc:
            raise RestError(
                f"unexpected response body from {route.method} {route.display}: {exc}"
            ) from None

    async def request_raw(
        self,
        route: Route,
        *,
        json: Any = NO_BODY,
        params: Mapping[str, QueryValue] | None = None,
        files: Sequence[File] = (),
        reason: str | None = None,
        base_url: str | None = None,
        authenticate: bool = True,
        idempotent: bool | None = None,
    ) -> bytes:
        """Send ``route`` with limits and retries; return the raw body of a 2xx/3xx answer.

        The whole call, rate-limit waits and retries included, ends within
        ``options.timeout`` seconds. ``idempotent`` overrides what the method says
        (:func:`~fluxer_rx.rest.retry.is_idempotent`); a non-idempotent request is sent
        again only when the server demonstrably did not apply it.
        """
        url = (base_url.rstrip("/") if base_url is not None else self._base) + route.path
        query = _query(params)
        payload = None if json is NO_BODY else msgspec.json.encode(json)
        headers: dict[str, str] = {}
        if authenticate:
            headers["Authorization"] = self.__authorization.reveal()
        if reason is not None:
            headers["X-Audit-Log-Reason"] = quote(reason, safe=" ")
        if payload is not None and not files:
            headers["Content-Type"] = "application/json"
        json_body = None if json is NO_BODY else json
        call = _Call(
            route,
            self._clock.monotonic() + self.options.timeout,
            is_idempotent(route.method) if idempotent is None else idempotent,
        )
        while True:
            session = self._get_session()
            if self.shared_limits is not None:
                shared_data = multipart_body(json_body, files) if files else payload
                body = await self._send_shared(
                    self.shared_limits, session, url, query, shared_data, headers, call
                )
                if body is None:
                    continue
                return body
            bucket = self.buckets.bucket_for(route)
            permit = await self._wait_gate(bucket, call, bucket_key=bucket.key)
            try:
                slot = await self._wait_gate(self.global_limiter, call, bucket_key="")
            except BaseException:
                permit.release()
                raise
            self.stats.requests += 1
            try:
                data: Any = multipart_body(json_body, files) if files else payload
                outcome = await self._send_once(
                    session, route.method, url, query, data, headers, call
                )
            except BaseException:  # cancelled, or a body that cannot be built
                permit.release()
                raise
            finally:
                slot.release()
            if isinstance(outcome, _Failure):
                # Raised outside any ``except`` block: no aiohttp exception (whose request
                # info holds the Authorization header) is chained as context.
                permit.release()
                self.stats.connection_errors += 1
                await self._after_failure(call, outcome)
                continue
            status, resp_headers, body = outcome
            info = parse_bucket_info(resp_headers, self._clock.wall())
            if info is not None and info.bucket:
                self.buckets.learn(route, info.bucket)
            _log.debug("%s %s -> %d", route.method, route.display, status)

            if status == 429:
                limited = parse_rate_limited(resp_headers, decode_json_or_none(body))
                self.stats.rate_limited += 1
                if limited.is_global:
                    self.stats.global_rate_limited += 1
                    permit.release()
                    self.global_limiter.pause(limited.retry_after)
                elif limited.has_bucket:
                    permit.rate_limited(limited.retry_after, info)
                else:
                    permit.release()
                await self._after_429(call, limited, bucket.key)
                continue

            permit.settle(info, success=status < 500)
            if status >= 500:
                await self._after_5xx(call, status, resp_headers, body)
                continue
            if status >= 400:
                raise error_from_response(status, body, method=route.method, route=route.display)
            return body

    async def _send_shared(
        self,
        limits: SharedLimits,
        session: aiohttp.ClientSession,
        url: str,
        query: dict[str, str] | None,
        data: Any,
        headers: dict[str, str],
        call: _Call,
    ) -> bytes | None:
        """One attempt under ``limits`` shared with other processes: the body of a 2xx/3xx
        answer, ``None`` to try again (after the wait a 429 or failure asked for), or the
        error raised as :meth:`request_raw` raises it."""
        route = call.route
        cap = min(self.options.max_rate_limit_wait, call.deadline - self._clock.monotonic())
        if cap <= 0:
            raise RestTimeout(route.method, route.display, self.options.timeout)
        permit = await limits.acquire(route.key, route.major, max_wait=cap)
        self.stats.requests += 1
        try:
            outcome = await self._send_once(session, route.method, url, query, data, headers, call)
        except BaseException:
            await limits.release(permit)
            raise
        if isinstance(outcome, _Failure):
            await limits.release(permit)
            self.stats.connection_errors += 1
            await self._after_failure(call, outcome)
            return None
        status, resp_headers, body = outcome
        info = parse_bucket_info(resp_headers, self._clock.wall())
        if status == 429:
            limited = parse_rate_limited(resp_headers, decode_json_or_none(body))
            self.stats.rate_limited += 1
            self.stats.global_rate_limited += limited.is_global
            await limits.rate_limited(permit, limited, info)
            await self._after_429(call, limited, f"{route.key} [{route.major}]")
            return None
        await limits.settle(permit, info, success=status < 500)
        if status >= 500:
            await self._after_5xx(call, status, resp_headers, body)
            return None
        if status >= 400:
            raise error_from_response(status, body, method=route.method, route=route.display)
        return body

    async def _after_5xx(
        self, call: _Call, status: int, resp_headers: CIMultiDictProxy[str], body: bytes
    ) -> None:
        """Back off before sending again after a 5xx, or raise the typed error."""
        route = call.route
        self.stats.server_errors += 1
        error = error_from_response(status, body, method=route.method, route=route.display)
        # A 503 with Retry-After is the server refusing the request unapplied.
        told = parse_retry_after(resp_headers)
        if not call.idempotent and not (status == 503 and told is not None):
            raise RequestMayHaveBeenApplied(
                route.method, route.display, f"HTTP {status}", status=status
            ) from error
        delay = self.retry_policy.backoff_delay(call.retries, told)
        if not (self.retry_policy.can_retry(call.retries) and self._fits(call, delay)):
            raise error
        await self._retry_after(call, delay)

    def _fits(self, call: _Call, delay: float) -> bool:
        """Whether waiting ``delay`` seconds still leaves time to send before the deadline."""
        return self._clock.monotonic() + delay < call.deadline

    async def _retry_after(self, call: _Call, delay: float) -> None:
        if delay > 0:
            await self._clock.sleep(delay)
        call.retries += 1
        self.stats.retries += 1

    async def _wait_gate(self, gate: FifoGate[G], call: _Call, *, bucket_key: str) -> G:
        """A grant of ``gate`` within both the rate-limit cap and the call's deadline."""
        cap = self.options.max_rate_limit_wait
        left = call.deadline - self._clock.monotonic()
        if left <= 0:
            raise RestTimeout(call.route.method, call.route.display, self.options.timeout)
        try:
            return await gate.acquire(max_wait=min(cap, left))
        except GateTimeout as exc:
            if exc.known_wait is None and cap >= left:
                raise RestTimeout(
                    call.route.method, call.route.display, self.options.timeout, "rate limits"
                ) from None
            raise RateLimitError(
                exc.known_wait if exc.known_wait is not None else cap,
                is_global=not bucket_key,
                bucket=bucket_key,
            ) from None

    async def _after_429(self, call: _Call, limited: RateLimited, bucket_key: str) -> None:
        """Wait as a 429 tells, or raise :class:`RateLimitError` when that is not allowed:
        past ``max_rate_limit_wait`` or the deadline (at once), or out of retries."""
        wait = limited.retry_after
        if (
            wait > self.options.max_rate_limit_wait
            or not self.retry_policy.can_retry(call.retries)
            or not self._fits(call, wait)
        ):
            raise RateLimitError(wait, is_global=limited.is_global, bucket=bucket_key)
        # A route or global 429 was taught to the limiters: the next acquire waits.
        # A handler-level one (no bucket named) delays only this request.
        handler_level = not limited.is_global and not limited.has_bucket
        await self._retry_after(call, wait if handler_level else 0.0)

    async def _after_failure(self, call: _Call, failure: _Failure) -> None:
        """Back off before sending again after ``failure``, or raise the typed error."""
        route = call.route
        detail = f"{route.method} {route.display} {failure.detail}"
        if self._closed:
            raise RestError(f"{detail} (client closed)")
        if failure.sent and not call.idempotent:
            raise RequestMayHaveBeenApplied(route.method, route.display, failure.detail)
        if failure.timed_out:
            raise RestTimeout(route.method, route.display, self.options.timeout)
        delay = self.retry_policy.backoff_delay(call.retries)
        if not self.retry_policy.can_retry(call.retries):
            raise RestError(f"{detail} after {call.retries} retries")
        if not self._fits(call, delay):
            raise RestTimeout(route.method, route.display, self.options.timeout, failure.detail)
        _log.debug("%s; retrying", detail)
        await self._retry_after(call, delay)

    async def _send_once(
        self,
        session: aiohttp.ClientSession,
        method: str,
        url: str,
        query: dict[str, str] | None,
        data: Any,
        headers: Mapping[str, str],
        call: _Call,
    ) -> tuple[int, CIMultiDictProxy[str], bytes] | _Failure:
        """One HTTP exchange bounded by the call's deadline: ``(status, headers, body)``,
        or why it failed below HTTP and whether any of it may have reached the server."""
        import aiohttp  # already loaded with the session: a lookup in sys.modules

        progress = _Progress()
        try:
            async with ClockTimeout(self._clock, call.deadline), session.request(
                method,
                url,
                params=query,
                data=data,
                headers=headers,
                timeout=_no_aiohttp_timeout(),
                allow_redirects=False,
                trace_request_ctx=progress,
            ) as response:
                return response.status, response.headers, await response.read()
        except TimeoutError:
            return _Failure(
                f"timed out after {self.options.timeout:g}s", progress.connected, timed_out=True
            )
        except (aiohttp.ClientError, OSError) as exc:
            return _Failure(f"failed: {type(exc).__name__}", progress.connected)


class _Call:
    """One call of :meth:`Requester.request_raw`: its deadline and retries so far."""

    __slots__ = ("deadline", "idempotent", "retries", "route")

    def __init__(self, route: Route, deadline: float, idempotent: bool) -> None:
        self.route = route
        self.deadline = deadline
        self.idempotent = idempotent
        self.retries = 0


class _Progress:
    """How far one attempt got: ``connected`` once a connection to the server is held,
    after which the request may have been (partly) sent."""

    __slots__ = ("connected",)

    def __init__(self) -> None:
        self.connected = False


@dataclass(frozen=True, slots=True)
class _Failure:
    """An attempt that got no HTTP answer; ``sent``: it may have reached the server."""

    detail: str
    sent: bool
    timed_out: bool = False


async def _on_connection(_session: aiohttp.ClientSession, context: Any, _params: object) -> None:
    progress = context.trace_request_ctx
    if isinstance(progress, _Progress):
        progress.connected = True


@functools.cache
def _no_aiohttp_timeout() -> aiohttp.ClientTimeout:
    """No aiohttp timeout: the call's deadline (on the injectable Clock) bounds every attempt."""
    import aiohttp

    return aiohttp.ClientTimeout(total=None, connect=None, sock_connect=None)


def _trace_config() -> aiohttp.TraceConfig:
    """Marks an attempt's :class:`_Progress` once a connection is made or reused: before
    that, nothing of the request can have been written."""
    import aiohttp

    config = aiohttp.TraceConfig()
    config.on_connection_create_end.append(_on_connection)
    config.on_connection_reuseconn.append(_on_connection)
    return config


def _query(params: Mapping[str, QueryValue] | None) -> dict[str, str] | None:
    if not params:
        return None
    out: dict[str, str] = {}
    for key, value in params.items():
        if value is None:
            continue
        out[key] = ("true" if value else "false") if isinstance(value, bool) else str(value)
    return out or None
