"""Guild roles: create, edit, delete, reorder, and order them in the member list (hoist)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from fluxer_rx.models import Role
from fluxer_rx.rest.endpoints.base import Body, Endpoints, Snowflake, body_of
from fluxer_rx.rest.endpoints.base import snowflake_id as _id

__all__ = ["RoleEndpoints"]

_ROLES = "/guilds/{guild_id}/roles"
_ROLE = _ROLES + "/{role_id}"


def position_items(
    positions: Mapping[Snowflake, int] | Sequence[Body], key: str = "position"
) -> list[object]:
    """The JSON list of a positions request: ``{id: position}`` becomes
    ``[{"id", key}]``; a sequence of bodies passes through."""
    if isinstance(positions, Mapping):
        return [{"id": _id(k, "id"), key: v} for k, v in positions.items()]
    return [body_of(item) for item in positions]


class RoleEndpoints(Endpoints):
    """``/guilds/{guild_id}/roles``."""

    async def create_role(
        self, guild_id: Snowflake, role: Body, *, reason: str | None = None
    ) -> Role:
        """``POST /guilds/{guild_id}/roles`` with a
        :class:`~fluxer_rx.rest.request_bodies.NewRole`: GUILD_ROLE_CREATE follows."""
        route = self.route("POST", _ROLES, guild_id=guild_id)
        return await self.request_as(Role, route, json=body_of(role), reason=reason)

    async def edit_role(
        self, guild_id: Snowflake, role_id: Snowflake, changes: Body, *, reason: str | None = None
    ) -> Role:
        """``PATCH /guilds/{guild_id}/roles/{role_id}`` with a
        :class:`~fluxer_rx.rest.request_bodies.RoleEdit`: GUILD_ROLE_UPDATE follows."""
        route = self.route("PATCH", _ROLE, guild_id=guild_id, role_id=role_id)
        return await self.request_as(Role, route, json=body_of(changes), reason=reason)

    async def delete_role(
        self, guild_id: Snowflake, role_id: Snowflake, *, reason: str | None = None
    ) -> None:
        """``DELETE /guilds/{guild_id}/roles/{role_id}``: GUILD_ROLE_DELETE follows."""
        route = self.route("DELETE", _ROLE, guild_id=guild_id, role_id=role_id)
        await self.request(route, reason=reason)

    async def edit_role_positions(
        self,
        guild_id: Snowflake,
        positions: Mapping[Snowflake, int] | Sequence[Body],
        *,
        reason: str | None = None,
    ) -> None:
        """``PATCH /guilds/{guild_id}/roles``: ``{role_id: position}`` or
        :class:`~fluxer_rx.rest.request_bodies.RolePosition` items; GUILD_ROLE_UPDATE_BULK
        follows."""
        route = self.route("PATCH", _ROLES, guild_id=guild_id)
        await self.request(route, json=position_items(positions), reason=reason)

    async def edit_role_hoist_positions(
        self,
        guild_id: Snowflake,
        positions: Mapping[Snowflake, int] | Sequence[Body],
        *,
        reason: str | None = None,
    ) -> None:
        """``PATCH /guilds/{guild_id}/roles/hoist-positions``: ``{role_id: hoist_position}``
        or :class:`~fluxer_rx.rest.request_bodies.RoleHoistPosition` items, the order of
        hoisted roles in the member list; GUILD_ROLE_UPDATE_BULK follows."""
        route = self.route("PATCH", _ROLES + "/hoist-positions", guild_id=guild_id)
        items = position_items(positions, "hoist_position")
        await self.request(route, json=items, reason=reason)

    async def reset_role_hoist_positions(
        self, guild_id: Snowflake, *, reason: str | None = None
    ) -> None:
        """``DELETE /guilds/{guild_id}/roles/hoist-positions``: hoisted roles go back to
        their role order; GUILD_ROLE_UPDATE_BULK follows."""
        route = self.route("DELETE", _ROLES + "/hoist-positions", guild_id=guild_id)
        await self.request(route, reason=reason)
