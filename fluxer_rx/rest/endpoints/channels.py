"""Channel reads beyond history: who reacted (page by page), slowmode state, RTC regions,
and removing one attachment from a message."""

from __future__ import annotations

from collections.abc import AsyncIterator

from fluxer_rx.models import PartialUser, RtcRegion
from fluxer_rx.rest.endpoints.base import (
    EmojiLike,
    Endpoints,
    Snowflake,
    checked_limit,
    emoji_path,
)
from fluxer_rx.rest.endpoints.base import snowflake_id as _id
from fluxer_rx.rest.requester import QueryValue
from fluxer_rx.rest.responses import ReactionUsersPage, SlowmodeState
from fluxer_rx.rest.routes import Route

__all__ = ["ChannelEndpoints"]

_CH = "/channels/{channel_id}"
_MSG = _CH + "/messages/{message_id}"


class ChannelEndpoints(Endpoints):
    """``/channels/{channel_id}/...`` routes a bot reads, and attachment removal."""

    async def get_reaction_users_page(
        self,
        channel_id: Snowflake,
        message_id: Snowflake,
        emoji: EmojiLike,
        *,
        limit: int | None = None,
        after: Snowflake | None = None,
    ) -> ReactionUsersPage:
        """``GET .../messages/{message_id}/reactions/{emoji}/users``: one page of users who
        reacted (``limit`` 1..100, ascending ids after ``after``) with ``next_after``."""
        route = Route(
            "GET",
            _MSG + "/reactions/{emoji}/users",
            channel_id=_id(channel_id, "channel_id"),
            message_id=_id(message_id, "message_id"),
            emoji=emoji_path(emoji),
        )
        params: dict[str, QueryValue] = {
            "limit": checked_limit(limit, 1, 100),
            "after": _id(after, "after") if after is not None else None,
        }
        return await self.request_as(ReactionUsersPage, route, params=params)

    async def iter_reaction_users(
        self,
        channel_id: Snowflake,
        message_id: Snowflake,
        emoji: EmojiLike,
        *,
        limit: int | None = None,
        page_size: int = 100,
    ) -> AsyncIterator[PartialUser]:
        """Every user who reacted with ``emoji`` (at most ``limit``), one request of
        ``page_size`` (1..100) per page, following the server's ``next_after`` cursor.

        Stops when the server says there is no more, or a page brings no new user.
        """
        checked_limit(page_size, 1, 100, "page_size")
        checked_limit(limit, 0, 2**63, "limit")
        seen: set[str] = set()
        after: str | None = None
        while limit is None or len(seen) < limit:
            page = await self.get_reaction_users_page(
                channel_id, message_id, emoji, limit=page_size, after=after
            )
            fresh = [u for u in page.items if u.id not in seen]
            for user in fresh:
                if limit is not None and len(seen) >= limit:
                    return
                seen.add(user.id)
                yield user
            if not page.has_more or not fresh:
                return
            after = page.next_after or max(fresh, key=lambda u: int(u.id)).id

    async def delete_message_attachment(
        self,
        channel_id: Snowflake,
        message_id: Snowflake,
        attachment_id: Snowflake,
        *,
        reason: str | None = None,
    ) -> None:
        """``DELETE .../messages/{message_id}/attachments/{attachment_id}``: the message
        stays without that attachment. MESSAGE_UPDATE follows."""
        route = self.route(
            "DELETE",
            _MSG + "/attachments/{attachment_id}",
            channel_id=channel_id,
            message_id=message_id,
            attachment_id=attachment_id,
        )
        await self.request(route, reason=reason)

    async def get_slowmode_state(self, channel_id: Snowflake) -> SlowmodeState:
        """``GET /channels/{channel_id}/slowmode``: the interval and when the bot may send
        next in that channel."""
        route = self.route("GET", _CH + "/slowmode", channel_id=channel_id)
        return await self.request_as(SlowmodeState, route)

    async def get_rtc_regions(self, channel_id: Snowflake) -> list[RtcRegion]:
        """``GET /channels/{channel_id}/rtc-regions``: the voice regions for the channel."""
        route = self.route("GET", _CH + "/rtc-regions", channel_id=channel_id)
        return await self.request_as(list[RtcRegion], route)
