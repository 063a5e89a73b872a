"""The plumbing every typed endpoint shares: id checks, limits, routes and bodies.

:class:`Endpoints` is the base of the endpoint groups that :class:`~fluxer_rx.rest.Rest`
mixes in. A method of a group builds its :class:`Route` with :meth:`Endpoints.route`
(every path parameter checked as an id, ``ValueError`` before any request), its body with
:func:`body_of` (a request Struct without its unset fields, or a plain mapping) and sends
it through the HTTP layer (:attr:`Endpoints.http`, a
:class:`~fluxer_rx.rest.requester.Requester`), so limits, retries (a POST or PATCH only
when the server demonstrably did not apply it) and error mapping are the requester's.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from typing import Any, Protocol, TypeVar

import msgspec

from fluxer_rx.models.snowflake import parse_snowflake
from fluxer_rx.rest.files import File
from fluxer_rx.rest.requester import NO_BODY, QueryValue, Requester
from fluxer_rx.rest.routes import Route

__all__ = [
    "Body",
    "EmojiLike",
    "Endpoints",
    "Snowflake",
    "body_of",
    "checked_limit",
    "emoji_path",
    "pages",
    "snowflake_id",
]

Snowflake = int | str
"""An id as ``int`` or a string of ASCII decimal digits."""

Body = msgspec.Struct | Mapping[str, Any]
"""A request body: one of the request Structs of :mod:`fluxer_rx.rest.request_bodies`, or
the JSON object as a mapping."""

T = TypeVar("T")


class _EmojiObject(Protocol):
    @property
    def name(self) -> str | None: ...

    @property
    def id(self) -> str | None: ...


EmojiLike = str | _EmojiObject
"""A Unicode emoji, ``"name:id"`` for a custom emoji, or an object with ``name``/``id``."""


def emoji_path(emoji: EmojiLike) -> str:
    """The ``{emoji}`` path segment of a reaction route: a Unicode emoji or ``name:id``
    (``<:name:id>`` / ``<a:name:id>`` mentions and emoji objects are reduced to it)."""
    if isinstance(emoji, str):
        text = emoji.strip()
        if text.startswith("<") and text.endswith(">"):  # <:name:id> or <a:name:id>
            parts = text[1:-1].split(":")
            if len(parts) >= 2:
                text = ":".join(parts[-2:])
    else:
        name, eid = emoji.name, emoji.id
        text = f"{name or '_'}:{eid}" if eid else (name or "")
    if not text:
        raise ValueError("emoji must not be empty")
    return text


def snowflake_id(value: Snowflake, what: str) -> str:
    """``value`` as the canonical decimal string of a positive 64-bit id.

    A ``str`` may have surrounding whitespace but otherwise only ASCII digits ``0-9``.
    """
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise ValueError(f"{what} must be an int or a decimal string, got {type(value).__name__}")
    try:
        number = parse_snowflake(value.strip() if isinstance(value, str) else value)
    except ValueError:
        number = 0
    if number == 0:
        raise ValueError(f"{what} must be a positive 64-bit id, got {value!r}")
    return str(number)


def checked_limit(limit: int | None, low: int, high: int, what: str = "limit") -> int | None:
    """``limit`` unchanged when it is ``None`` or an int in ``low..high``; else ``ValueError``."""
    if limit is None:
        return None
    if isinstance(limit, bool) or not isinstance(limit, int) or not low <= limit <= high:
        raise ValueError(f"{what} must be an int in {low}..{high}, got {limit!r}")
    return limit


def body_of(body: Body | None) -> dict[str, Any]:
    """The JSON object of ``body``: a Struct's set fields (``None`` stays ``null``), a
    mapping's items, or ``{}``."""
    if body is None:
        return {}
    if isinstance(body, msgspec.Struct):
        encoded: dict[str, Any] = msgspec.to_builtins(body)
        return encoded
    if isinstance(body, Mapping):
        return dict(body)
    raise TypeError(f"a request body must be a request Struct or a mapping, got {type(body)!r}")


async def pages(
    fetch: Callable[[str | None], Awaitable[list[T]]],
    key: Callable[[T], str],
    page_size: int,
    newest_first: bool,
) -> AsyncIterator[T]:
    """Every item of a paginated listing, one page per ``fetch(cursor)``.

    The next cursor is the smallest id seen (``newest_first``: pages walk backwards with
    ``before``) or the largest (pages walk forwards with ``after``). Stops on a short page
    or a page that brings nothing new (a server that ignores the cursor).
    """
    seen: set[str] = set()
    cursor: str | None = None
    while True:
        page = await fetch(cursor)
        fresh = [item for item in page if key(item) not in seen]
        for item in fresh:
            seen.add(key(item))
            yield item
        if len(page) < page_size or not fresh:
            return
        ids = [int(key(item)) for item in fresh]
        cursor = str(min(ids) if newest_first else max(ids))


class Endpoints:
    """Base of the endpoint groups: the route builder, and the calls of the HTTP layer
    :attr:`http` (a :class:`Requester`: one session, rate limits, retries, error mapping)
    that every endpoint method goes through."""

    http: Requester

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
        """Any route, by hand: the decoded JSON body (see :meth:`Requester.request`)."""
        return await self.http.request(
            route,
            json=json,
            params=params,
            files=files,
            reason=reason,
            base_url=base_url,
            authenticate=authenticate,
            idempotent=idempotent,
        )

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
        """Any route, by hand, decoded into ``type_`` (see :meth:`Requester.request_as`)."""
        return await self.http.request_as(
            type_, route, json=json, params=params, files=files, reason=reason,
            idempotent=idempotent,
        )

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
        """Any route, by hand: the raw body (see :meth:`Requester.request_raw`)."""
        return await self.http.request_raw(
            route,
            json=json,
            params=params,
            files=files,
            reason=reason,
            base_url=base_url,
            authenticate=authenticate,
            idempotent=idempotent,
        )

    @staticmethod
    def route(method: str, template: str, **ids: Snowflake) -> Route:
        """``Route(method, template, ...)`` with every parameter checked by
        :func:`snowflake_id` (the parameter's name in the error)."""
        return Route(method, template, **{k: snowflake_id(v, k) for k, v in ids.items()})
