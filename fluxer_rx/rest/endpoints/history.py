"""Channel history as an async iterator that fetches one page per step."""

from __future__ import annotations

from collections.abc import AsyncIterator

from fluxer_rx.models import Message
from fluxer_rx.rest.endpoints.base import Endpoints, Snowflake, checked_limit, pages
from fluxer_rx.rest.endpoints.base import snowflake_id as _id
from fluxer_rx.rest.requester import QueryValue

__all__ = ["HistoryEndpoints"]


class HistoryEndpoints(Endpoints):
    """``GET /channels/{channel_id}/messages``, page after page."""

    async def iter_messages(
        self,
        channel_id: Snowflake,
        *,
        before: Snowflake | None = None,
        after: Snowflake | None = None,
        limit: int | None = None,
        page_size: int = 100,
    ) -> AsyncIterator[Message]:
        """A channel's messages, at most ``limit`` (all when ``None``).

        Without ``after``: newest first, from ``before`` (or the newest message) back to
        the oldest. With ``after``: oldest first, from just after ``after`` forwards.
        Each page is one request of ``page_size`` (1..100) messages.
        """
        if before is not None and after is not None:
            raise ValueError("give at most one of before/after")
        checked_limit(page_size, 1, 100, "page_size")
        checked_limit(limit, 0, 2**63, "limit")
        forwards = after is not None
        anchor = after if after is not None else before
        start = None if anchor is None else _id(anchor, "after" if forwards else "before")
        route = self.route("GET", "/channels/{channel_id}/messages", channel_id=channel_id)

        async def fetch(cursor: str | None) -> list[Message]:
            params: dict[str, QueryValue] = {"limit": page_size}
            if (cursor or start) is not None:
                params["after" if forwards else "before"] = cursor or start
            page = await self.request_as(list[Message], route, params=params)
            return sorted(page, key=lambda m: int(m.id), reverse=not forwards)

        if limit == 0:
            return
        count = 0
        async for message in pages(fetch, lambda m: m.id, page_size, newest_first=not forwards):
            yield message
            count += 1
            if count == limit:
                return
