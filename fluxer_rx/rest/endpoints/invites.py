"""Invites: create one for a channel, look one up, delete it, list a guild's or channel's."""

from __future__ import annotations

from urllib.parse import quote

from fluxer_rx.rest.endpoints.base import Body, Endpoints, Snowflake, body_of
from fluxer_rx.rest.responses import Invite
from fluxer_rx.rest.routes import Route

__all__ = ["InviteEndpoints"]


def _code_route(method: str, code: str) -> Route:
    text = code.strip().rsplit("/", 1)[-1] if isinstance(code, str) else ""
    if not text or quote(text, safe="") != text:
        raise ValueError(f"invite code must be a non-empty URL-safe string, got {code!r}")
    return Route(method, "/invites/{invite_code}", invite_code=text)


class InviteEndpoints(Endpoints):
    """``/channels/{channel_id}/invites``, ``/guilds/{guild_id}/invites``, ``/invites/{code}``."""

    async def create_invite(
        self, channel_id: Snowflake, options: Body | None = None, *, reason: str | None = None
    ) -> Invite:
        """``POST /channels/{channel_id}/invites`` with
        :class:`~fluxer_rx.rest.request_bodies.InviteOptions`: INVITE_CREATE follows."""
        route = self.route("POST", "/channels/{channel_id}/invites", channel_id=channel_id)
        return await self.request_as(Invite, route, json=body_of(options), reason=reason)

    async def get_channel_invites(self, channel_id: Snowflake) -> list[Invite]:
        """``GET /channels/{channel_id}/invites``."""
        route = self.route("GET", "/channels/{channel_id}/invites", channel_id=channel_id)
        return await self.request_as(list[Invite], route)

    async def get_guild_invites(self, guild_id: Snowflake) -> list[Invite]:
        """``GET /guilds/{guild_id}/invites``."""
        route = self.route("GET", "/guilds/{guild_id}/invites", guild_id=guild_id)
        return await self.request_as(list[Invite], route)

    async def get_invite(self, code: str) -> Invite:
        """``GET /invites/{code}`` (a full invite URL works too)."""
        return await self.request_as(Invite, _code_route("GET", code))

    async def delete_invite(self, code: str, *, reason: str | None = None) -> None:
        """``DELETE /invites/{code}``: INVITE_DELETE follows."""
        await self.request(_code_route("DELETE", code), reason=reason)
