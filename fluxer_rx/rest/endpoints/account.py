"""The bot's own account: its guilds, application, profile and DM channels."""

from __future__ import annotations

from fluxer_rx.models import Channel, Guild
from fluxer_rx.models.user import PrivateUser
from fluxer_rx.rest.endpoints.base import Body, Endpoints, Snowflake, body_of, checked_limit
from fluxer_rx.rest.endpoints.base import snowflake_id as _id
from fluxer_rx.rest.requester import QueryValue
from fluxer_rx.rest.responses import Application
from fluxer_rx.rest.routes import Route

__all__ = ["AccountEndpoints"]


class AccountEndpoints(Endpoints):
    """``/users/@me/...`` and ``/applications/@me``."""

    async def get_current_user_guilds(
        self,
        *,
        limit: int | None = None,
        before: Snowflake | None = None,
        after: Snowflake | None = None,
        with_counts: bool | None = None,
    ) -> list[Guild]:
        """``GET /users/@me/guilds``: the guilds the bot is in (``limit`` 1..200)."""
        params: dict[str, QueryValue] = {
            "limit": checked_limit(limit, 1, 200),
            "before": _id(before, "before") if before is not None else None,
            "after": _id(after, "after") if after is not None else None,
            "with_counts": with_counts,
        }
        return await self.request_as(list[Guild], Route("GET", "/users/@me/guilds"), params=params)

    async def get_current_application(self) -> Application:
        """``GET /applications/@me``: the bot's application."""
        return await self.request_as(Application, Route("GET", "/applications/@me"))

    async def edit_current_user(self, changes: Body) -> PrivateUser:
        """``PATCH /users/@me`` with a :class:`~fluxer_rx.rest.request_bodies.CurrentUserEdit`
        (or mapping): the updated user. USER_UPDATE follows."""
        route = Route("PATCH", "/users/@me")
        return await self.request_as(PrivateUser, route, json=body_of(changes))

    async def get_private_channels(self) -> list[Channel]:
        """``GET /users/@me/channels``: the bot's open DM channels."""
        return await self.request_as(list[Channel], Route("GET", "/users/@me/channels"))

    async def open_dm(self, user_id: Snowflake) -> Channel:
        """``POST /users/@me/channels`` ``{recipient_id}``: the DM channel with a user
        (the existing one if open). CHANNEL_CREATE follows for a new one."""
        body = {"recipient_id": _id(user_id, "user_id")}
        return await self.request_as(Channel, Route("POST", "/users/@me/channels"), json=body)
