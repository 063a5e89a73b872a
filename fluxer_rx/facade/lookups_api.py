"""Answers from the cache and the API that need no event: permissions, the instance."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the permission rules are imported by the first permissions_for
    from fluxer_rx.cache import CachedMember, CacheView
    from fluxer_rx.permissions import Permissions
    from fluxer_rx.rest import Instance, Rest

__all__ = ["Lookups"]


class Lookups:
    """Computed permissions (from the cache) and instance discovery (REST)."""

    cache: CacheView

    if TYPE_CHECKING:

        @property
        def rest(self) -> Rest: ...

    async def fetch_instance(self) -> Instance:
        """Instance discovery: ``/.well-known/fluxer`` at the origin of ``api_url``, falling
        back to ``{api_url}/instance``."""
        return await self.rest.fetch_instance()

    def permissions_for(
        self,
        member: CachedMember | str,
        *,
        channel_id: str | None = None,
        guild_id: str | None = None,
        roles: Iterable[str] | None = None,
    ) -> Permissions:
        """A member's permissions in ``channel_id`` (overwrites applied) or in ``guild_id``,
        computed from the cache as Fluxer computes them; see
        :func:`fluxer_rx.permissions.permissions_for` (``PermissionsUnknown`` when the cache
        cannot say, ``roles=`` for a member known only from a message)."""
        from fluxer_rx.permissions import permissions_for

        return permissions_for(
            self.cache, member, channel_id=channel_id, guild_id=guild_id, roles=roles
        )
