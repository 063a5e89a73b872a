"""Guild members: kick, edit (nick, roles, voice, timeout), add and remove a role, the bot's
own member (its nickname), and member search."""

from __future__ import annotations

from datetime import datetime

from fluxer_rx.models import Member
from fluxer_rx.rest.endpoints.base import Body, Endpoints, Snowflake, body_of
from fluxer_rx.rest.responses import MemberSearch

__all__ = ["MemberEndpoints"]

_MEMBER = "/guilds/{guild_id}/members/{user_id}"
_MEMBER_ROLE = _MEMBER + "/roles/{role_id}"


class MemberEndpoints(Endpoints):
    """``/guilds/{guild_id}/members/{user_id}`` and its roles."""

    async def kick_member(
        self, guild_id: Snowflake, user_id: Snowflake, *, reason: str | None = None
    ) -> None:
        """``DELETE /guilds/{guild_id}/members/{user_id}``: GUILD_MEMBER_REMOVE follows."""
        route = self.route("DELETE", _MEMBER, guild_id=guild_id, user_id=user_id)
        await self.request(route, reason=reason)

    async def edit_member(
        self, guild_id: Snowflake, user_id: Snowflake, changes: Body, *, reason: str | None = None
    ) -> Member:
        """``PATCH /guilds/{guild_id}/members/{user_id}`` with a
        :class:`~fluxer_rx.rest.request_bodies.MemberEdit` (or mapping): the member after
        the change. GUILD_MEMBER_UPDATE follows."""
        route = self.route("PATCH", _MEMBER, guild_id=guild_id, user_id=user_id)
        return await self.request_as(Member, route, json=body_of(changes), reason=reason)

    async def edit_current_member(
        self, guild_id: Snowflake, changes: Body, *, reason: str | None = None
    ) -> Member:
        """``PATCH /guilds/{guild_id}/members/@me`` with a
        :class:`~fluxer_rx.rest.request_bodies.CurrentMemberEdit` (or mapping): the bot's
        own member after the change (e.g. its nickname). GUILD_MEMBER_UPDATE follows."""
        route = self.route("PATCH", "/guilds/{guild_id}/members/@me", guild_id=guild_id)
        return await self.request_as(Member, route, json=body_of(changes), reason=reason)

    async def search_guild_members(
        self, guild_id: Snowflake, search: Body | None = None
    ) -> MemberSearch:
        """``POST /guilds/{guild_id}/members-search`` with a
        :class:`~fluxer_rx.rest.request_bodies.MemberSearchQuery`: one page of matches
        (``limit``/``offset``) and the total count."""
        route = self.route("POST", "/guilds/{guild_id}/members-search", guild_id=guild_id)
        return await self.request_as(MemberSearch, route, json=body_of(search))

    async def timeout_member(
        self,
        guild_id: Snowflake,
        user_id: Snowflake,
        until: datetime | None,
        *,
        reason: str | None = None,
    ) -> Member:
        """Time a member out until ``until`` (timezone-aware), or lift it with ``None``:
        :meth:`edit_member` with ``communication_disabled_until``."""
        if until is not None and until.utcoffset() is None:
            raise ValueError("until must be timezone-aware")
        stamp = None if until is None else until.isoformat()
        changes = {"communication_disabled_until": stamp}
        return await self.edit_member(guild_id, user_id, changes, reason=reason)

    async def add_member_role(
        self,
        guild_id: Snowflake,
        user_id: Snowflake,
        role_id: Snowflake,
        *,
        reason: str | None = None,
    ) -> None:
        """``PUT /guilds/{guild_id}/members/{user_id}/roles/{role_id}``."""
        await self._member_role("PUT", guild_id, user_id, role_id, reason)

    async def remove_member_role(
        self,
        guild_id: Snowflake,
        user_id: Snowflake,
        role_id: Snowflake,
        *,
        reason: str | None = None,
    ) -> None:
        """``DELETE /guilds/{guild_id}/members/{user_id}/roles/{role_id}``."""
        await self._member_role("DELETE", guild_id, user_id, role_id, reason)

    async def _member_role(
        self,
        method: str,
        guild_id: Snowflake,
        user_id: Snowflake,
        role_id: Snowflake,
        reason: str | None,
    ) -> None:
        route = self.route(
            method, _MEMBER_ROLE, guild_id=guild_id, user_id=user_id, role_id=role_id
        )
        await self.request(route, reason=reason)
