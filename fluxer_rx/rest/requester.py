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
   :class:`~fluxer_rx.errors.InvalidToken` or :class:`~fluxer_rx.errors.RestError`.

The token lives in one private attribute. It is never part of a repr, a log line or an
exception message, and aiohttp exceptions (whose request info carries the headers) are
never chained into the errors raised here.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Self, TypeVar
from urllib.parse import quote, urlsplit

import aiohttp
import msgspec
from multidict import CIMultiDictProxy

from fluxer_rx.credentials import split_token
from fluxer_rx.errors import RateLimitError, RestError
from fluxer_rx.options import RestOptions
from fluxer_rx.rest.buckets import BucketLimiter
from fluxer_rx.rest.clock import Clock, LoopClock
from fluxer_rx.rest.error_mapping import decode_json_or_none, error_from_response
from fluxer_rx.rest.files import File, multipart_body
from fluxer_rx.rest.global_limiter import GlobalLimiter
from fluxer_rx.rest.headers import parse_bucket_info, parse_rate_limited, parse_retry_after
from fluxer_rx.rest.retry import RetryPolicy
from fluxer_rx.rest.routes import Route

__all__ = ["QueryValue", "Requester", "RestStats"]

T = TypeVar("T")
QueryValue = str | int | bool | None

_log = logging.getLogger("fluxer_rx.rest")


class _NoBody:
    """The default of ``json=``: send no body at all (``None`` sends JSON ``null``)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "NO_BODY"


_NO_BODY: Any = _NoBody()
_RETRYABLE_ERRORS = (aiohttp.ClientError, OSError)


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
    (sent as ``Bot <token>``, or ``Bearer <token>`` when given so; never doubled). ``options`` gives the
    base URL, per-request timeout, retry budget, user agent and proactive global limit.
    ``clock`` and ``retry_policy`` are injectable for tests. Concurrent calls from many
    tasks share the session, the buckets and the global limiter.
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
            self._session = aiohttp.ClientSession(
                headers={"User-Agent": self.options.user_agent},
                connector=aiohttp.TCPConnector(limit=0),
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
        json: Any = _NO_BODY,
        params: Mapping[str, QueryValue] | None = None,
        files: Sequence[File] = (),
        reason: str | None = None,
        base_url: str | None = None,
        authenticate: bool = True,
    ) -> Any:
        """Send ``route`` and return the decoded JSON body (``None`` when empty).

        ``json`` is encoded with msgspec (mappings, lists, Structs...); with ``files`` it
        becomes ``payload_json`` of a multipart body. ``params`` with value ``None`` are
        left out. ``reason`` is sent as ``X-Audit-Log-Reason``. ``base_url`` replaces the
        API URL (used for ``/.well-known`` at the origin).
        """
        body = await self.request_raw(
            route,
            json=json,
            params=params,
            files=files,
            reason=reason,
            base_url=base_url,
            authenticate=authenticate,
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
        json: Any = _NO_BODY,
        params: Mapping[str, QueryValue] | None = None,
        files: Sequence[File] = (),
        reason: str | None = None,
    ) -> T:
        """Like :meth:`request`, decoding the body straight into ``type_`` (a type or a
        ready msgspec decoder).

        A body that is empty or does not match ``type_`` raises :class:`RestError`.
        """
        body = await self.request_raw(route, json=json, params=params, files=files, reason=reason)
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
        json: Any = _NO_BODY,
        params: Mapping[str, QueryValue] | None = None,
        files: Sequence[File] = (),
        reason: str | None = None,
        base_url: str | None = None,
        authenticate: bool = True,
    ) -> bytes:
        """Send ``route`` with limits and retries; return the raw body of a 2xx/3xx answer."""
        url = (base_url.rstrip("/") if base_url is not None else self._base) + route.path
        query = _query(params)
        payload = None if json is _NO_BODY else msgspec.json.encode(json)
        headers: dict[str, str] = {}
        if authenticate:
            headers["Authorization"] = self.__authorization.reveal()
        if reason is not None:
            headers["X-Audit-Log-Reason"] = quote(reason, safe=" ")
        if payload is not None and not files:
            headers["Content-Type"] = "application/json"
        json_body = None if json is _NO_BODY else json
        policy = self.retry_policy
        retries = 0
        while True:
            session = self._get_session()
            bucket = self.buckets.bucket_for(route)
            permit = await bucket.acquire()
            try:
                slot = await self.global_limiter.acquire()
            except BaseException:
                permit.release()
                raise
            self.stats.requests += 1
            try:
                data: Any = multipart_body(json_body, files) if files else payload
                outcome = await self._send_once(session, route.method, url, query, data, headers)
            except BaseException:  # cancelled, or a body that cannot be built
                permit.release()
                raise
            finally:
                slot.release()
            if isinstance(outcome, str):
                # Raised outside any ``except`` block: no aiohttp exception (whose request
                # info holds the Authorization header) is chained as context.
                permit.release()
                self.stats.connection_errors += 1
                detail = f"{route.method} {route.display} {outcome}"
                if self._closed:
                    raise RestError(f"{detail} (client closed)")
                if not policy.can_retry(retries):
                    raise RestError(f"{detail} after {retries} retries")
                _log.debug("%s; retrying", detail)
                await self._clock.sleep(policy.backoff_delay(retries))
                retries += 1
                self.stats.retries += 1
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
                if not policy.can_retry(retries):
                    raise RateLimitError(
                        limited.retry_after, is_global=limited.is_global, bucket=bucket.key
                    )
                if not limited.is_global and not limited.has_bucket:
                    await self._clock.sleep(limited.retry_after)
                retries += 1
                self.stats.retries += 1
                continue

            permit.settle(info, success=status < 500)
            if status >= 500:
                self.stats.server_errors += 1
                if policy.can_retry(retries):
                    # A 503 may say when to come back (Retry-After); never sooner than that.
                    told = parse_retry_after(resp_headers)
                    await self._clock.sleep(policy.backoff_delay(retries, told))
                    retries += 1
                    self.stats.retries += 1
                    continue
            if status >= 400:
                raise error_from_response(status, body, method=route.method, route=route.display)
            return body

    async def _send_once(
        self,
        session: aiohttp.ClientSession,
        method: str,
        url: str,
        query: dict[str, str] | None,
        data: Any,
        headers: Mapping[str, str],
    ) -> tuple[int, CIMultiDictProxy[str], bytes] | str:
        """One HTTP exchange: ``(status, headers, body)``, or why it failed below HTTP."""
        try:
            async with session.request(
                method,
                url,
                params=query,
                data=data,
                headers=headers,
                timeout=aiohttp.ClientTimeout(total=self.options.timeout),
                allow_redirects=False,
            ) as response:
                return response.status, response.headers, await response.read()
        except TimeoutError:
            return f"timed out after {self.options.timeout}s"
        except _RETRYABLE_ERRORS as exc:
            return f"failed: {type(exc).__name__}"


def _query(params: Mapping[str, QueryValue] | None) -> dict[str, str] | None:
    if not params:
        return None
    out: dict[str, str] = {}
    for key, value in params.items():
        if value is None:
            continue
        out[key] = ("true" if value else "false") if isinstance(value, bool) else str(value)
    return out or None
