"""Guild expressions: emojis and stickers (list, create one or many, clone, edit, delete)
and any expression's metadata by id."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from fluxer_rx.models import Emoji, Sticker
from fluxer_rx.rest.endpoints.base import Body, Endpoints, Snowflake, body_of
from fluxer_rx.rest.endpoints.base import snowflake_id as _id
from fluxer_rx.rest.responses import EmojiBulkCreate, ExpressionMetadata, StickerBulkCreate
from fluxer_rx.rest.routes import Route

__all__ = ["ExpressionEndpoints"]

Kind = Literal["emojis", "stickers"]


class ExpressionEndpoints(Endpoints):
    """``/guilds/{guild_id}/emojis`` and ``/guilds/{guild_id}/stickers``.

    Each write is followed by GUILD_EMOJIS_UPDATE / GUILD_STICKERS_UPDATE carrying the
    guild's whole collection.
    """

    async def get_guild_emojis(self, guild_id: Snowflake) -> list[Emoji]:
        """``GET /guilds/{guild_id}/emojis`` (each with the ``user`` who uploaded it)."""
        return await self.request_as(list[Emoji], self._collection("GET", guild_id, "emojis"))

    async def create_guild_emoji(
        self, guild_id: Snowflake, emoji: Body, *, reason: str | None = None
    ) -> Emoji:
        """``POST /guilds/{guild_id}/emojis`` with a
        :class:`~fluxer_rx.rest.request_bodies.NewEmoji` (``image`` a data URI)."""
        route = self._collection("POST", guild_id, "emojis")
        return await self.request_as(Emoji, route, json=body_of(emoji), reason=reason)

    async def create_guild_emojis(
        self, guild_id: Snowflake, emojis: Sequence[Body], *, reason: str | None = None
    ) -> EmojiBulkCreate:
        """``POST /guilds/{guild_id}/emojis/bulk`` with 1..50
        :class:`~fluxer_rx.rest.request_bodies.NewEmoji`: those created and those refused
        (by name, with the error); one GUILD_EMOJIS_UPDATE follows."""
        route = self.route("POST", "/guilds/{guild_id}/emojis/bulk", guild_id=guild_id)
        body = {"emojis": [body_of(e) for e in emojis]}
        return await self.request_as(EmojiBulkCreate, route, json=body, reason=reason)

    async def clone_guild_emoji(
        self, guild_id: Snowflake, source_emoji_id: Snowflake, *, reason: str | None = None
    ) -> Emoji:
        """``POST /guilds/{guild_id}/emojis/clone``: a copy of another guild's emoji (its
        guild must allow cloning; see :meth:`get_emoji_metadata`)."""
        route = self.route("POST", "/guilds/{guild_id}/emojis/clone", guild_id=guild_id)
        body = {"source_emoji_id": _id(source_emoji_id, "source_emoji_id")}
        return await self.request_as(Emoji, route, json=body, reason=reason)

    async def get_emoji_metadata(self, emoji_id: Snowflake) -> ExpressionMetadata:
        """``GET /emojis/{emoji_id}/metadata``: any custom emoji's name, guild and whether
        it may be cloned (no membership needed)."""
        route = self.route("GET", "/emojis/{emoji_id}/metadata", emoji_id=emoji_id)
        return await self.request_as(ExpressionMetadata, route)

    async def edit_guild_emoji(
        self, guild_id: Snowflake, emoji_id: Snowflake, name: str, *, reason: str | None = None
    ) -> Emoji:
        """``PATCH /guilds/{guild_id}/emojis/{emoji_id}``: rename it."""
        route = self._item("PATCH", guild_id, "emojis", emoji_id)
        return await self.request_as(Emoji, route, json={"name": name}, reason=reason)

    async def delete_guild_emoji(
        self,
        guild_id: Snowflake,
        emoji_id: Snowflake,
        *,
        purge: bool | None = None,
        reason: str | None = None,
    ) -> None:
        """``DELETE /guilds/{guild_id}/emojis/{emoji_id}`` (``purge``: also from messages)."""
        route = self._item("DELETE", guild_id, "emojis", emoji_id)
        await self.request(route, params={"purge": purge}, reason=reason)

    async def get_guild_stickers(self, guild_id: Snowflake) -> list[Sticker]:
        """``GET /guilds/{guild_id}/stickers``."""
        route = self._collection("GET", guild_id, "stickers")
        return await self.request_as(list[Sticker], route)

    async def create_guild_sticker(
        self, guild_id: Snowflake, sticker: Body, *, reason: str | None = None
    ) -> Sticker:
        """``POST /guilds/{guild_id}/stickers`` with a
        :class:`~fluxer_rx.rest.request_bodies.NewSticker`."""
        route = self._collection("POST", guild_id, "stickers")
        return await self.request_as(Sticker, route, json=body_of(sticker), reason=reason)

    async def create_guild_stickers(
        self, guild_id: Snowflake, stickers: Sequence[Body], *, reason: str | None = None
    ) -> StickerBulkCreate:
        """``POST /guilds/{guild_id}/stickers/bulk`` with 1..50
        :class:`~fluxer_rx.rest.request_bodies.NewSticker`: created and refused; one
        GUILD_STICKERS_UPDATE follows."""
        route = self.route("POST", "/guilds/{guild_id}/stickers/bulk", guild_id=guild_id)
        body = {"stickers": [body_of(s) for s in stickers]}
        return await self.request_as(StickerBulkCreate, route, json=body, reason=reason)

    async def clone_guild_sticker(
        self, guild_id: Snowflake, source_sticker_id: Snowflake, *, reason: str | None = None
    ) -> Sticker:
        """``POST /guilds/{guild_id}/stickers/clone``: a copy of another guild's sticker."""
        route = self.route("POST", "/guilds/{guild_id}/stickers/clone", guild_id=guild_id)
        body = {"source_sticker_id": _id(source_sticker_id, "source_sticker_id")}
        return await self.request_as(Sticker, route, json=body, reason=reason)

    async def get_sticker_metadata(self, sticker_id: Snowflake) -> ExpressionMetadata:
        """``GET /stickers/{sticker_id}/metadata``: any sticker's name, guild, cloning."""
        route = self.route("GET", "/stickers/{sticker_id}/metadata", sticker_id=sticker_id)
        return await self.request_as(ExpressionMetadata, route)

    async def edit_guild_sticker(
        self,
        guild_id: Snowflake,
        sticker_id: Snowflake,
        changes: Body,
        *,
        reason: str | None = None,
    ) -> Sticker:
        """``PATCH /guilds/{guild_id}/stickers/{sticker_id}`` with a
        :class:`~fluxer_rx.rest.request_bodies.StickerEdit`."""
        route = self._item("PATCH", guild_id, "stickers", sticker_id)
        return await self.request_as(Sticker, route, json=body_of(changes), reason=reason)

    async def delete_guild_sticker(
        self,
        guild_id: Snowflake,
        sticker_id: Snowflake,
        *,
        purge: bool | None = None,
        reason: str | None = None,
    ) -> None:
        """``DELETE /guilds/{guild_id}/stickers/{sticker_id}``."""
        route = self._item("DELETE", guild_id, "stickers", sticker_id)
        await self.request(route, params={"purge": purge}, reason=reason)

    def _collection(self, method: str, guild_id: Snowflake, kind: Kind) -> Route:
        return self.route(method, f"/guilds/{{guild_id}}/{kind}", guild_id=guild_id)

    def _item(self, method: str, guild_id: Snowflake, kind: Kind, item_id: Snowflake) -> Route:
        template = f"/guilds/{{guild_id}}/{kind}/{{item_id}}"
        return self.route(method, template, guild_id=guild_id, item_id=item_id)
