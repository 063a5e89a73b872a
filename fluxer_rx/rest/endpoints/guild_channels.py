"""Guild channels: create, reorder, and set or delete permission overwrites.

Reading, editing and deleting one channel are :class:`~fluxer_rx.rest.Rest`'s
``get_channel`` / ``edit_channel`` / ``delete_channel``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from fluxer_rx.models import Channel
from fluxer_rx.rest.endpoints.base import Body, Endpoints, Snowflake, body_of
from fluxer_rx.rest.endpoints.roles import position_items

__all__ = ["GuildChannelEndpoints"]

_CHANNELS = "/guilds/{guild_id}/channels"
_OVERWRITE = "/channels/{channel_id}/permissions/{overwrite_id}"


class GuildChannelEndpoints(Endpoints):
    """``/guilds/{guild_id}/channels`` and ``/channels/{channel_id}/permissions``."""

    async def create_guild_channel(
        self, guild_id: Snowflake, channel: Body, *, reason: str | None = None
    ) -> Channel:
        """``POST /guilds/{guild_id}/channels`` with a
        :class:`~fluxer_rx.rest.request_bodies.NewChannel`: CHANNEL_CREATE follows."""
        route = self.route("POST", _CHANNELS, guild_id=guild_id)
        return await self.request_as(Channel, route, json=body_of(channel), reason=reason)

    async def edit_channel_positions(
        self,
        guild_id: Snowflake,
        positions: Mapping[Snowflake, int] | Sequence[Body],
        *,
        reason: str | None = None,
    ) -> None:
        """``PATCH /guilds/{guild_id}/channels``: ``{channel_id: position}`` or
        :class:`~fluxer_rx.rest.request_bodies.ChannelPosition` items (to move channels
        between categories too); CHANNEL_UPDATE_BULK follows."""
        route = self.route("PATCH", _CHANNELS, guild_id=guild_id)
        await self.request(route, json=position_items(positions), reason=reason)

    async def set_permission_overwrite(
        self,
        channel_id: Snowflake,
        overwrite_id: Snowflake,
        overwrite: Body,
        *,
        reason: str | None = None,
    ) -> None:
        """``PUT /channels/{channel_id}/permissions/{overwrite_id}`` (a role or member id)
        with an :class:`~fluxer_rx.rest.request_bodies.OverwriteEdit`; CHANNEL_UPDATE
        follows."""
        route = self.route("PUT", _OVERWRITE, channel_id=channel_id, overwrite_id=overwrite_id)
        await self.request(route, json=body_of(overwrite), reason=reason)

    async def delete_permission_overwrite(
        self, channel_id: Snowflake, overwrite_id: Snowflake, *, reason: str | None = None
    ) -> None:
        """``DELETE /channels/{channel_id}/permissions/{overwrite_id}``."""
        route = self.route("DELETE", _OVERWRITE, channel_id=channel_id, overwrite_id=overwrite_id)
        await self.request(route, reason=reason)
