"""The guild itself: edit its settings and vanity URL, read its audit log."""

from __future__ import annotations

from fluxer_rx.models import Guild
from fluxer_rx.rest.endpoints.base import Body, Endpoints, Snowflake, body_of, checked_limit
from fluxer_rx.rest.endpoints.base import snowflake_id as _id
from fluxer_rx.rest.requester import QueryValue
from fluxer_rx.rest.responses import AuditLog, VanityUrl

__all__ = ["GuildEndpoints"]


class GuildEndpoints(Endpoints):
    """``PATCH /guilds/{guild_id}``, its ``/vanity-url`` and ``/audit-logs``."""

    async def edit_guild(
        self, guild_id: Snowflake, changes: Body, *, reason: str | None = None
    ) -> Guild:
        """``PATCH /guilds/{guild_id}`` with a
        :class:`~fluxer_rx.rest.request_bodies.GuildEdit`: GUILD_UPDATE follows."""
        route = self.route("PATCH", "/guilds/{guild_id}", guild_id=guild_id)
        return await self.request_as(Guild, route, json=body_of(changes), reason=reason)

    async def get_audit_log(
        self,
        guild_id: Snowflake,
        *,
        limit: int | None = None,
        before: Snowflake | None = None,
        after: Snowflake | None = None,
        user_id: Snowflake | None = None,
        action_type: int | None = None,
    ) -> AuditLog:
        """``GET /guilds/{guild_id}/audit-logs`` (``limit`` 1..100), newest entry first,
        optionally only the entries of one acting ``user_id`` or ``action_type``."""
        ids = {"before": before, "after": after, "user_id": user_id}
        params: dict[str, QueryValue] = {k: _id(v, k) for k, v in ids.items() if v is not None}
        params.update(limit=checked_limit(limit, 1, 100), action_type=action_type)
        route = self.route("GET", "/guilds/{guild_id}/audit-logs", guild_id=guild_id)
        return await self.request_as(AuditLog, route, params=params)

    async def get_vanity_url(self, guild_id: Snowflake) -> VanityUrl:
        """``GET /guilds/{guild_id}/vanity-url``: the custom invite code (``None`` when
        unset) and how often it was used."""
        route = self.route("GET", "/guilds/{guild_id}/vanity-url", guild_id=guild_id)
        return await self.request_as(VanityUrl, route)

    async def edit_vanity_url(
        self, guild_id: Snowflake, code: str | None, *, reason: str | None = None
    ) -> VanityUrl:
        """``PATCH /guilds/{guild_id}/vanity-url`` ``{code}`` (2..32 of ``a-z0-9-``;
        ``None`` removes it): the new code. GUILD_UPDATE follows."""
        route = self.route("PATCH", "/guilds/{guild_id}/vanity-url", guild_id=guild_id)
        return await self.request_as(VanityUrl, route, json={"code": code}, reason=reason)
