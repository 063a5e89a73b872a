"""The sandbox's bot-administration routes: DMs, members, roles, guild channels, overwrites,
the guild, the bot's account, invites, webhooks, emojis, stickers and the audit log.

``admin_routes(api)`` returns the route rows :func:`fluxer_rx.sandbox.rest.add_routes`
mounts next to its own (same auth, faults and rate limiting). Paths relative to ``/v1``,
``[rule]`` the rate-limit bucket, ``{major}`` the id that splits buckets:

====== ================================================= ==================================
GET    /users/@me/guilds · PATCH /users/@me              guild:list · user:settings:get
GET    POST /users/@me/channels (list, open a DM)        user:channels
GET    /applications/@me                                 application:read
PATCH  /guilds/{guild_id}                                guild:update {guild_id}
GET    PATCH /guilds/{guild_id}/vanity-url               guild:read / guild:update
GET    /guilds/{guild_id}/audit-logs                     guild:audit_logs {guild_id}
PATCH  DELETE /guilds/{guild_id}/members/{user_id}       guild:members {guild_id}
       (PATCH .../members/@me: the caller's own nick)
POST   /guilds/{guild_id}/members-search                 guild:members {guild_id}
PUT    DELETE .../members/{user_id}/roles/{role_id}      guild:member:roles {guild_id}
POST   PATCH /guilds/{guild_id}/roles; PATCH DELETE      guild:roles {guild_id}
       .../roles/{role_id} and .../roles/hoist-positions
GET    /channels/{channel_id}/slowmode · /rtc-regions    channel:read {channel_id}
DELETE .../messages/{message_id}/attachments/{id}        channel:message:update
POST   PATCH /guilds/{guild_id}/channels                 guild:channels {guild_id}
PUT    DELETE /channels/{channel_id}/permissions/{id}    channel:update {channel_id}
POST   GET /channels/{channel_id}/invites · GET          channel:invites {channel_id} ·
       /guilds/{guild_id}/invites · GET DELETE            guild:invites {guild_id} ·
       /invites/{invite_code}                            invite:read / invite:delete
POST   GET /channels/{channel_id}/webhooks · GET         channel:webhooks · guild:webhooks
       /guilds/{guild_id}/webhooks
GET    PATCH DELETE /webhooks/{webhook_id}[/{token}]     webhook:read / :update / :delete
POST   /webhooks/{webhook_id}/{token} (``?wait``)        webhook:execute {webhook_id}
GET    PATCH DELETE .../{token}/messages/{message_id}    webhook:message {webhook_id}
GET    POST /guilds/{guild_id}/emojis; POST .../bulk,    guild:emojis {guild_id}
       .../clone; PATCH DELETE .../emojis/{emoji_id};    guild:stickers {guild_id}
       same for stickers
GET    /emojis/{emoji_id}/metadata · /stickers/{id}/...  expression:metadata
====== ================================================= ==================================

Token routes authenticate with the token in the path (no ``Authorization`` needed).
Writes go through :class:`~fluxer_rx.sandbox.world.World` or
:class:`~fluxer_rx.sandbox.world_admin.WorldAdmin` mutations, which emit the dispatches.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

import msgspec

from fluxer_rx.sandbox.rest_bodies import (
    ApiFailure,
    Json,
    form_error,
    message_fields,
    query_int,
    query_snowflake,
    read_json_object,
    read_message_body,
    snowflake_of,
)
from fluxer_rx.sandbox.world import Guild, World, WorldError
from fluxer_rx.sandbox.world_admin import RTC_REGIONS, AuditAction, WorldAdmin, page_of

if TYPE_CHECKING:
    from fluxer_rx.sandbox.rest import AuthKind, Body, RestApi, _Ctx

__all__ = ["AdminRoutes", "admin_routes"]

RouteRow = tuple[str, str, str, "str | None", "AuthKind", "Callable[[_Ctx], Awaitable[Body]]"]


def _reason(ctx: _Ctx) -> str | None:
    raw = ctx.request.headers.get("X-Audit-Log-Reason")
    return unquote(raw) if raw is not None else None


def _typed(body: Json, key: str, kind: type, *, nullable: bool = False) -> Any:
    value = body[key]
    if value is None and nullable:
        return None
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise form_error(key, "has the wrong type")
    return value


def _picked(body: Json, spec: Mapping[str, tuple[type, bool]]) -> Json:
    """The keys of ``body`` named in ``spec`` (``key: (type, nullable)``), type-checked."""
    return {k: _typed(body, k, kind, nullable=n) for k, (kind, n) in spec.items() if k in body}


class AdminRoutes:
    """The handlers; ``admin`` is the :class:`WorldAdmin` they share with tests."""

    def __init__(self, api: RestApi) -> None:
        self.api = api
        self.world: World = api.world
        self.admin = WorldAdmin(api.world)

    def _guild(self, ctx: _Ctx) -> Guild:
        return self.api._guild_for(ctx)

    def _channel_id(self, ctx: _Ctx) -> str:
        return self.api._channel_id(ctx)

    # -- the bot's account -------------------------------------------------------------

    async def my_guilds(self, ctx: _Ctx) -> Body:
        limit = query_int(ctx.request, "limit", 200, 1, 200)
        before, after = (query_snowflake(ctx.request, k) for k in ("before", "after"))
        guilds = [self.world.guild_wire(g) for g in self.world.guilds_of(ctx.user_id)]
        return page_of(
            sorted(guilds, key=lambda g: int(g["id"])), limit=limit, before=before, after=after
        )

    async def edit_me(self, ctx: _Ctx) -> Body:
        body = await read_json_object(ctx.request)
        spec = {"username": (str, False), "global_name": (str, True), "avatar": (str, True)}
        return self.admin.edit_user(ctx.user_id, _picked(body, spec))

    async def open_dm(self, ctx: _Ctx) -> Body:
        body = await read_json_object(ctx.request)
        if "recipient_id" not in body:
            raise form_error("recipient_id", "is required")
        return self.admin.open_dm(ctx.user_id, snowflake_of(body["recipient_id"], "recipient_id"))

    async def private_channels(self, ctx: _Ctx) -> Body:
        return self.admin.private_channels()

    async def application(self, ctx: _Ctx) -> Body:
        me = self.world.get_user(ctx.user_id)
        bot = {
            k: v
            for k, v in self.world.user_wire(me).items()
            if k in ("id", "username", "discriminator", "avatar")
        }
        return {
            "id": me.id,
            "name": me.username,
            "icon": None,
            "description": None,
            "bot_public": True,
            "bot_require_code_grant": False,
            "verify_key": "0" * 64,
            "owner": self.world.user_wire(me),
            "bot": dict(bot, bio=None, flags=0),
            "redirect_uris": [],
        }

    # -- guild -------------------------------------------------------------------------

    async def edit_guild(self, ctx: _Ctx) -> Body:
        guild = self._guild(ctx)
        body = await read_json_object(ctx.request)
        spec = {"name": (str, False), "icon": (str, True), "system_channel_id": (str, True)}
        return self.admin.edit_guild(guild, ctx.user_id, _picked(body, spec), _reason(ctx))

    async def vanity_url(self, ctx: _Ctx) -> Body:
        return self.admin.vanity_wire(self._guild(ctx))

    async def edit_vanity_url(self, ctx: _Ctx) -> Body:
        guild = self._guild(ctx)
        body = await read_json_object(ctx.request)
        code = _picked(body, {"code": (str, True)}).get("code")
        return self.admin.set_vanity(guild, ctx.user_id, code, _reason(ctx))

    async def audit_log(self, ctx: _Ctx) -> Body:
        guild = self._guild(ctx)
        q = ctx.request
        action = q.query.get("action_type")
        return self.admin.audit_log_wire(
            guild.id,
            limit=query_int(q, "limit", 50, 1, 100),
            before=query_snowflake(q, "before"),
            after=query_snowflake(q, "after"),
            user_id=query_snowflake(q, "user_id"),
            action_type=int(action) if action is not None and action.isdigit() else None,
        )

    # -- members -----------------------------------------------------------------------

    async def kick(self, ctx: _Ctx) -> Body:
        guild = self._guild(ctx)
        user_id = ctx.params["user_id"]
        self.world.remove_member(guild.id, user_id)
        self.admin.record(guild.id, AuditAction.MEMBER_KICK, ctx.user_id, user_id, _reason(ctx))
        return None

    async def edit_member(self, ctx: _Ctx) -> Body:
        guild = self._guild(ctx)
        body = await read_json_object(ctx.request)
        own = ctx.params["user_id"] == "@me"
        member = self.world.get_member(guild.id, ctx.user_id if own else ctx.params["user_id"])
        spec: dict[str, tuple[type, bool]] = {"nick": (str, True)}
        if not own:  # the caller's own member takes only its guild profile
            spec.update(roles=(list, False), communication_disabled_until=(str, True))
        changes = _picked(body, spec)
        if "communication_disabled_until" in changes:
            member.communication_disabled_until = changes["communication_disabled_until"]
        kw: dict[str, Any] = {k: changes[k] for k in ("nick", "roles") if k in changes}
        if "roles" in kw:
            kw["roles"] = [snowflake_of(r, f"roles.{i}") for i, r in enumerate(kw["roles"])]
        d = self.world.update_member(guild.id, member.user_id, **kw)
        self.admin.record(
            guild.id, AuditAction.MEMBER_UPDATE, ctx.user_id, member.user_id, _reason(ctx), changes
        )
        return d

    _SEARCH_SPEC: dict[str, tuple[type, bool]] = {  # read-only table
        "query": (str, False),
        "role_ids": (list, False),
        "is_bot": (bool, False),
        "sort_by": (str, False),
        "sort_order": (str, False),
        "limit": (int, False),
        "offset": (int, False),
    }

    async def search_members(self, ctx: _Ctx) -> Body:
        guild = self._guild(ctx)
        fields = _picked(await read_json_object(ctx.request), self._SEARCH_SPEC)
        if not 1 <= fields.get("limit", 25) <= 100 or fields.get("offset", 0) < 0:
            raise form_error("limit", "limit must be 1..100 and offset >= 0")
        return self.admin.search_members(guild, fields)

    async def member_role(self, ctx: _Ctx) -> Body:
        guild = self._guild(ctx)
        member = self.world.get_member(guild.id, ctx.params["user_id"])
        role_id = ctx.params["role_id"]
        if role_id not in guild.roles:
            raise WorldError("UNKNOWN_ROLE", "Unknown role")
        roles = [r for r in member.roles if r != role_id]
        if ctx.request.method == "PUT":
            roles.append(role_id)
        if roles != member.roles:
            self.world.update_member(guild.id, member.user_id, roles=roles)
            self.admin.record(
                guild.id, AuditAction.MEMBER_ROLE_UPDATE, ctx.user_id, member.user_id, _reason(ctx)
            )
        return None

    # -- roles -------------------------------------------------------------------------

    async def create_role(self, ctx: _Ctx) -> Body:
        guild = self._guild(ctx)
        body = await read_json_object(ctx.request)
        fields = _picked(
            body, {"name": (str, False), "color": (int, False), "permissions": (str, False)}
        )
        if not fields.get("name"):
            raise form_error("name", "is required")
        d = self.world.create_role(
            guild.id,
            fields["name"],
            permissions=int(fields.get("permissions", "0")),
            color=fields.get("color", 0),
        )
        self.admin.record(
            guild.id, AuditAction.ROLE_CREATE, ctx.user_id, d["id"], _reason(ctx), fields
        )
        return d

    async def edit_role(self, ctx: _Ctx) -> Body:
        guild = self._guild(ctx)
        body = await read_json_object(ctx.request)
        spec = {
            "name": (str, False),
            "color": (int, False),
            "permissions": (str, False),
            "hoist": (bool, False),
            "mentionable": (bool, False),
        }
        return self.admin.edit_role(
            guild, ctx.params["role_id"], ctx.user_id, _picked(body, spec), _reason(ctx)
        )

    async def delete_role(self, ctx: _Ctx) -> Body:
        guild = self._guild(ctx)
        self.world.delete_role(guild.id, ctx.params["role_id"])
        self.admin.record(
            guild.id, AuditAction.ROLE_DELETE, ctx.user_id, ctx.params["role_id"], _reason(ctx)
        )
        return None

    async def _positions(self, ctx: _Ctx) -> list[Json]:
        items = await _json_list(ctx)
        for i, item in enumerate(items):
            if not isinstance(item, dict) or "id" not in item:
                raise form_error(str(i), "must be an object with id")
            item["id"] = snowflake_of(item["id"], f"{i}.id")
        return items

    async def role_positions(self, ctx: _Ctx) -> Body:
        guild = self._guild(ctx)
        items = await self._positions(ctx)
        self.admin.move_roles(guild, {i["id"]: int(i.get("position", 0)) for i in items})
        return None

    async def hoist_positions(self, ctx: _Ctx) -> Body:
        guild = self._guild(ctx)
        if ctx.request.method == "DELETE":
            self.admin.set_hoist_positions(guild, None)
            return None
        items = await self._positions(ctx)
        if any(not isinstance(i.get("hoist_position"), int) for i in items):
            raise form_error("hoist_position", "is required and must be an integer")
        self.admin.set_hoist_positions(guild, {i["id"]: i["hoist_position"] for i in items})
        return None

    # -- channel state and message parts -----------------------------------------------

    async def slowmode(self, ctx: _Ctx) -> Body:
        return self.admin.slowmode_state(self._channel_id(ctx), ctx.user_id)

    async def rtc_regions(self, ctx: _Ctx) -> Body:
        self._channel_id(ctx)
        return [dict(r) for r in RTC_REGIONS]

    async def delete_attachment(self, ctx: _Ctx) -> Body:
        channel_id = self._channel_id(ctx)
        message = self.world.get_message(channel_id, ctx.params["message_id"])
        if message.author_id != ctx.user_id:
            raise WorldError("MISSING_PERMISSIONS", "Missing permissions", 403)
        self.admin.remove_attachment(channel_id, message.id, ctx.params["attachment_id"])
        return None

    # -- guild channels and overwrites -------------------------------------------------

    async def create_channel(self, ctx: _Ctx) -> Body:
        guild = self._guild(ctx)
        body = await read_json_object(ctx.request)
        fields = _picked(body, {"name": (str, False), "type": (int, False), "topic": (str, True)})
        if "name" not in fields:
            raise form_error("name", "is required")
        d = self.world.create_channel(
            guild.id, fields["name"], type=fields.get("type", 0), topic=fields.get("topic")
        )
        self.admin.record(
            guild.id, AuditAction.CHANNEL_CREATE, ctx.user_id, d["id"], _reason(ctx), fields
        )
        return d

    async def channel_positions(self, ctx: _Ctx) -> Body:
        guild = self._guild(ctx)
        items = await self._positions(ctx)
        moves = {i["id"]: (i.get("position"), i.get("parent_id", False)) for i in items}
        self.admin.move_channels(guild, moves)
        return None

    async def set_overwrite(self, ctx: _Ctx) -> Body:
        channel_id = self._channel_id(ctx)
        body = await read_json_object(ctx.request)
        fields = _picked(body, {"type": (int, False), "allow": (str, False), "deny": (str, False)})
        if "type" not in fields:
            raise form_error("type", "is required")
        masks = {k: int(fields.get(k, "0")) for k in ("allow", "deny")}
        target = ctx.params["overwrite_id"]
        self.world.set_permission_overwrite(channel_id, target, type=fields["type"], **masks)
        guild_id = self.world.channels[channel_id].guild_id
        self.admin.record(
            guild_id, AuditAction.OVERWRITE_UPDATE, ctx.user_id, channel_id, _reason(ctx), fields
        )
        return None

    async def delete_overwrite(self, ctx: _Ctx) -> Body:
        channel_id = self._channel_id(ctx)
        self.world.delete_permission_overwrite(channel_id, ctx.params["overwrite_id"])
        guild_id = self.world.channels[channel_id].guild_id
        self.admin.record(
            guild_id, AuditAction.OVERWRITE_DELETE, ctx.user_id, channel_id, _reason(ctx)
        )
        return None

    # -- invites -----------------------------------------------------------------------

    async def create_invite(self, ctx: _Ctx) -> Body:
        channel_id = self._channel_id(ctx)
        body = await read_json_object(ctx.request, required=False)
        spec = {"max_age": (int, False), "max_uses": (int, False), "temporary": (bool, False)}
        return self.admin.create_invite(channel_id, ctx.user_id, _picked(body, spec), _reason(ctx))

    async def channel_invites(self, ctx: _Ctx) -> Body:
        return self.admin.invites_of(channel_id=self._channel_id(ctx))

    async def guild_invites(self, ctx: _Ctx) -> Body:
        return self.admin.invites_of(guild_id=self._guild(ctx).id)

    async def get_invite(self, ctx: _Ctx) -> Body:
        wire = self.admin.invite_wire(self.admin.get_invite(ctx.params["invite_code"]))
        return {
            k: v for k, v in wire.items() if k not in ("created_at", "uses", "max_uses", "max_age")
        }

    async def delete_invite(self, ctx: _Ctx) -> Body:
        self.admin.delete_invite(ctx.params["invite_code"], ctx.user_id, _reason(ctx))
        return None

    # -- webhooks ----------------------------------------------------------------------

    async def create_webhook(self, ctx: _Ctx) -> Body:
        channel_id = self._channel_id(ctx)
        body = await read_json_object(ctx.request)
        fields = _picked(body, {"name": (str, False), "avatar": (str, True)})
        if not fields.get("name"):
            raise form_error("name", "is required")
        return self.admin.create_webhook(
            channel_id, ctx.user_id, fields["name"], fields.get("avatar"), _reason(ctx)
        )

    async def channel_webhooks(self, ctx: _Ctx) -> Body:
        return self.admin.webhooks_of(channel_id=self._channel_id(ctx))

    async def guild_webhooks(self, ctx: _Ctx) -> Body:
        return self.admin.webhooks_of(guild_id=self._guild(ctx).id)

    def _webhook(self, ctx: _Ctx) -> Any:
        return self.admin.get_webhook(ctx.params["webhook_id"], ctx.params.get("webhook_token"))

    async def get_webhook(self, ctx: _Ctx) -> Body:
        return self.admin.webhook_wire(
            self._webhook(ctx), with_user="webhook_token" not in ctx.params
        )

    async def edit_webhook(self, ctx: _Ctx) -> Body:
        webhook = self._webhook(ctx)
        body = await read_json_object(ctx.request)
        spec: dict[str, tuple[type, bool]] = {
            "name": (str, False),
            "avatar": (str, True),
        }
        if "webhook_token" not in ctx.params:
            spec["channel_id"] = (str, False)
        self.admin.edit_webhook(
            webhook, ctx.caller.user_id or webhook.id, _picked(body, spec), _reason(ctx)
        )
        return self.admin.webhook_wire(webhook, with_user="webhook_token" not in ctx.params)

    async def delete_webhook(self, ctx: _Ctx) -> Body:
        webhook = self._webhook(ctx)
        self.admin.delete_webhook(webhook, ctx.caller.user_id or webhook.id, _reason(ctx))
        return None

    async def execute_webhook(self, ctx: _Ctx) -> Body:
        webhook = self._webhook(ctx)
        payload, uploads = await read_message_body(ctx.request)
        if uploads:
            raise form_error("files", "the sandbox does not take webhook attachments")
        fields = message_fields(payload)
        message = self.world.create_message(
            webhook.channel_id,
            webhook.id,
            fields.get("content", ""),
            embeds=fields.get("embeds"),
            flags=fields.get("flags", 0),
        )
        message["webhook_id"] = webhook.id
        return message if ctx.request.query.get("wait") in ("true", "True", "1") else None

    def _webhook_message(self, ctx: _Ctx) -> Any:
        webhook = self._webhook(ctx)
        message = self.world.get_message(webhook.channel_id, ctx.params["message_id"])
        if message.author_id != webhook.id:
            raise WorldError("UNKNOWN_MESSAGE", "Unknown message")
        return message

    async def get_webhook_message(self, ctx: _Ctx) -> Body:
        return dict(
            self.world.message_wire(self._webhook_message(ctx)), webhook_id=ctx.params["webhook_id"]
        )

    async def edit_webhook_message(self, ctx: _Ctx) -> Body:
        message = self._webhook_message(ctx)
        payload, _ = await read_message_body(ctx.request)
        changes = {
            k: v for k, v in message_fields(payload).items() if k in ("content", "flags", "embeds")
        }
        d = self.world.edit_message(message.channel_id, message.id, **changes)
        return dict(d, webhook_id=ctx.params["webhook_id"])

    async def delete_webhook_message(self, ctx: _Ctx) -> Body:
        message = self._webhook_message(ctx)
        self.world.delete_message(message.channel_id, message.id)
        return None

    # -- emojis and stickers -----------------------------------------------------------

    async def emojis(self, ctx: _Ctx) -> Body:
        return self.admin.emojis_wire(self._guild(ctx))

    async def create_emoji(self, ctx: _Ctx) -> Body:
        guild = self._guild(ctx)
        fields = _picked(
            await read_json_object(ctx.request), {"name": (str, False), "image": (str, False)}
        )
        if not fields.get("name") or not fields.get("image", "").startswith("data:image/"):
            raise form_error("image", "name and a data:image/... URI are required")
        animated = fields["image"].startswith("data:image/gif")
        return self.admin.create_emoji(guild, ctx.user_id, fields["name"], animated, _reason(ctx))

    async def _bulk_items(self, ctx: _Ctx, key: str) -> list[Any]:
        items = _picked(await read_json_object(ctx.request), {key: (list, False)}).get(key)
        if not items or len(items) > 50:
            raise form_error(key, f"must hold 1..50 {key}")
        return list(items)

    async def _source_id(self, ctx: _Ctx, key: str) -> str:
        body = await read_json_object(ctx.request)
        if key not in body:
            raise form_error(key, "is required")
        return snowflake_of(body[key], key)

    async def bulk_emojis(self, ctx: _Ctx) -> Body:
        guild = self._guild(ctx)
        good, failed = _split_bulk(await self._bulk_items(ctx, "emojis"), {})
        items = [(f["name"], f["image"].startswith("data:image/gif")) for f in good]
        made = self.admin.create_emojis(guild, ctx.user_id, items, _reason(ctx)) if good else []
        return _bulk_result(made, failed)

    async def clone_emoji(self, ctx: _Ctx) -> Body:
        guild = self._guild(ctx)
        _, source = self.admin.find_emoji(await self._source_id(ctx, "source_emoji_id"))
        item = (source.name, source.animated)
        return _without_user(self.admin.create_emojis(guild, ctx.user_id, [item], _reason(ctx))[0])

    async def emoji_metadata(self, ctx: _Ctx) -> Body:
        return self.admin.emoji_metadata(ctx.params["emoji_id"])

    async def edit_emoji(self, ctx: _Ctx) -> Body:
        guild = self._guild(ctx)
        fields = _picked(await read_json_object(ctx.request), {"name": (str, False)})
        if not fields.get("name"):
            raise form_error("name", "is required")
        return self.admin.edit_emoji(
            guild, ctx.params["emoji_id"], ctx.user_id, fields["name"], _reason(ctx)
        )

    async def delete_emoji(self, ctx: _Ctx) -> Body:
        self.admin.delete_emoji(self._guild(ctx), ctx.params["emoji_id"], ctx.user_id, _reason(ctx))
        return None

    async def stickers(self, ctx: _Ctx) -> Body:
        return self.admin.stickers_wire(self._guild(ctx).id)

    _STICKER_SPEC: dict[str, tuple[type, bool]] = {  # read-only table
        "name": (str, False),
        "description": (str, True),
        "tags": (list, False),
        "image": (str, False),
    }

    async def create_sticker(self, ctx: _Ctx) -> Body:
        guild = self._guild(ctx)
        fields = _picked(await read_json_object(ctx.request), self._STICKER_SPEC)
        if not fields.get("name") or not fields.get("image", "").startswith("data:image/"):
            raise form_error("image", "name and a data:image/... URI are required")
        return self.admin.create_sticker(guild.id, ctx.user_id, fields, _reason(ctx))

    async def bulk_stickers(self, ctx: _Ctx) -> Body:
        guild = self._guild(ctx)
        items = await self._bulk_items(ctx, "stickers")
        good, failed = _split_bulk(items, self._STICKER_SPEC)
        made = self.admin.create_stickers(guild.id, ctx.user_id, good, _reason(ctx)) if good else []
        return _bulk_result(made, failed)

    async def clone_sticker(self, ctx: _Ctx) -> Body:
        guild = self._guild(ctx)
        _, source = self.admin.find_sticker(await self._source_id(ctx, "source_sticker_id"))
        made = self.admin.create_stickers(guild.id, ctx.user_id, [source], _reason(ctx))
        return _without_user(made[0])

    async def sticker_metadata(self, ctx: _Ctx) -> Body:
        return self.admin.sticker_metadata(ctx.params["sticker_id"])

    async def edit_sticker(self, ctx: _Ctx) -> Body:
        guild = self._guild(ctx)
        fields = _picked(await read_json_object(ctx.request), self._STICKER_SPEC)
        return self.admin.edit_sticker(
            guild.id, ctx.params["sticker_id"], ctx.user_id, fields, _reason(ctx)
        )

    async def delete_sticker(self, ctx: _Ctx) -> Body:
        guild = self._guild(ctx)
        self.admin.delete_sticker(guild.id, ctx.params["sticker_id"], ctx.user_id, _reason(ctx))
        return None


def _split_bulk(
    items: list[Any], spec: Mapping[str, tuple[type, bool]]
) -> tuple[list[Json], list[Json]]:
    """The items of a bulk create that have a ``name`` and a ``data:image/`` URI (their
    ``spec`` fields), and ``{name, error}`` for the others."""
    good, failed = [], []
    for item in items:
        item = item if isinstance(item, dict) else {}
        name, image = item.get("name"), item.get("image")
        try:
            fields = _picked(item, {"name": (str, False), "image": (str, False), **spec})
        except ApiFailure:
            fields = {}
        if not fields.get("name") or not str(image).startswith("data:image/"):
            error = "name and a data:image/... URI are required"
            failed.append({"name": str(name or ""), "error": error})
        else:
            good.append(fields)
    return good, failed


def _without_user(expression: Json) -> Json:
    return {k: v for k, v in expression.items() if k != "user"}


def _bulk_result(made: list[Json], failed: list[Json]) -> Json:
    """``Guild{Emoji,Sticker}BulkCreateResponse``."""
    return {"success": [_without_user(e) for e in made], "failed": failed}


async def _json_list(ctx: _Ctx) -> list[Any]:
    raw = await ctx.request.read()
    try:
        value = msgspec.json.decode(raw)
    except msgspec.DecodeError:
        raise form_error("", "must be JSON") from None
    if not isinstance(value, list):
        raise form_error("", "must be a JSON array")
    return value


def admin_routes(api: RestApi) -> tuple[AdminRoutes, list[RouteRow]]:
    """The handlers for ``api`` and their route rows ``(method, path, rule, major, auth,
    handler)``."""
    h = AdminRoutes(api)
    g, ch = "/guilds/{guild_id}", "/channels/{channel_id}"
    member = g + "/members/{user_id}"
    hoist = g + "/roles/hoist-positions"
    wh, tok = "/webhooks/{webhook_id}", "/webhooks/{webhook_id}/{webhook_token}"
    rows: list[RouteRow] = [
        ("GET", "/users/@me/guilds", "guild:list", None, "bot", h.my_guilds),
        ("PATCH", "/users/@me", "user:settings:get", None, "bot", h.edit_me),
        ("GET", "/users/@me/channels", "user:channels", None, "bot", h.private_channels),
        ("POST", "/users/@me/channels", "user:channels", None, "bot", h.open_dm),
        ("GET", "/applications/@me", "application:read", None, "bot", h.application),
        ("PATCH", g, "guild:update", "guild_id", "bot", h.edit_guild),
        ("GET", g + "/vanity-url", "guild:read", "guild_id", "bot", h.vanity_url),
        ("PATCH", g + "/vanity-url", "guild:update", "guild_id", "bot", h.edit_vanity_url),
        ("GET", g + "/audit-logs", "guild:audit_logs", "guild_id", "bot", h.audit_log),
        ("POST", g + "/members-search", "guild:members", "guild_id", "bot", h.search_members),
        ("PATCH", member, "guild:members", "guild_id", "bot", h.edit_member),
        ("DELETE", member, "guild:members", "guild_id", "bot", h.kick),
        (
            "PUT",
            member + "/roles/{role_id}",
            "guild:member:roles",
            "guild_id",
            "bot",
            h.member_role,
        ),
        (
            "DELETE",
            member + "/roles/{role_id}",
            "guild:member:roles",
            "guild_id",
            "bot",
            h.member_role,
        ),
        ("POST", g + "/roles", "guild:roles", "guild_id", "bot", h.create_role),
        ("PATCH", g + "/roles", "guild:roles", "guild_id", "bot", h.role_positions),
        # before .../roles/{role_id}, which would take "hoist-positions" as a role id
        ("PATCH", hoist, "guild:roles", "guild_id", "bot", h.hoist_positions),
        ("DELETE", hoist, "guild:roles", "guild_id", "bot", h.hoist_positions),
        ("PATCH", g + "/roles/{role_id}", "guild:roles", "guild_id", "bot", h.edit_role),
        ("DELETE", g + "/roles/{role_id}", "guild:roles", "guild_id", "bot", h.delete_role),
        ("POST", g + "/channels", "guild:channels", "guild_id", "bot", h.create_channel),
        ("PATCH", g + "/channels", "guild:channels", "guild_id", "bot", h.channel_positions),
        (
            "PUT",
            ch + "/permissions/{overwrite_id}",
            "channel:update",
            "channel_id",
            "bot",
            h.set_overwrite,
        ),
        (
            "DELETE",
            ch + "/permissions/{overwrite_id}",
            "channel:update",
            "channel_id",
            "bot",
            h.delete_overwrite,
        ),
        ("GET", ch + "/slowmode", "channel:read", "channel_id", "bot", h.slowmode),
        ("GET", ch + "/rtc-regions", "channel:read", "channel_id", "bot", h.rtc_regions),
        (
            "DELETE",
            ch + "/messages/{message_id}/attachments/{attachment_id}",
            "channel:message:update",
            "channel_id",
            "bot",
            h.delete_attachment,
        ),
        ("POST", ch + "/invites", "channel:invites", "channel_id", "bot", h.create_invite),
        ("GET", ch + "/invites", "channel:invites", "channel_id", "bot", h.channel_invites),
        ("GET", g + "/invites", "guild:invites", "guild_id", "bot", h.guild_invites),
        ("GET", "/invites/{invite_code}", "invite:read", None, "bot", h.get_invite),
        ("DELETE", "/invites/{invite_code}", "invite:delete", None, "bot", h.delete_invite),
        ("POST", ch + "/webhooks", "channel:webhooks", "channel_id", "bot", h.create_webhook),
        ("GET", ch + "/webhooks", "channel:webhooks", "channel_id", "bot", h.channel_webhooks),
        ("GET", g + "/webhooks", "guild:webhooks", "guild_id", "bot", h.guild_webhooks),
        ("GET", wh, "webhook:read", "webhook_id", "bot", h.get_webhook),
        ("PATCH", wh, "webhook:update", "webhook_id", "bot", h.edit_webhook),
        ("DELETE", wh, "webhook:delete", "webhook_id", "bot", h.delete_webhook),
        ("GET", tok, "webhook:read", "webhook_id", "none", h.get_webhook),
        ("PATCH", tok, "webhook:update", "webhook_id", "none", h.edit_webhook),
        ("DELETE", tok, "webhook:delete", "webhook_id", "none", h.delete_webhook),
        ("POST", tok, "webhook:execute", "webhook_id", "none", h.execute_webhook),
        (
            "GET",
            tok + "/messages/{message_id}",
            "webhook:message",
            "webhook_id",
            "none",
            h.get_webhook_message,
        ),
        (
            "PATCH",
            tok + "/messages/{message_id}",
            "webhook:message",
            "webhook_id",
            "none",
            h.edit_webhook_message,
        ),
        (
            "DELETE",
            tok + "/messages/{message_id}",
            "webhook:message",
            "webhook_id",
            "none",
            h.delete_webhook_message,
        ),
        ("GET", g + "/emojis", "guild:emojis", "guild_id", "bot", h.emojis),
        ("POST", g + "/emojis", "guild:emojis", "guild_id", "bot", h.create_emoji),
        # bulk and clone before .../emojis/{emoji_id} (same for stickers)
        ("POST", g + "/emojis/bulk", "guild:emojis", "guild_id", "bot", h.bulk_emojis),
        ("POST", g + "/emojis/clone", "guild:emojis", "guild_id", "bot", h.clone_emoji),
        ("PATCH", g + "/emojis/{emoji_id}", "guild:emojis", "guild_id", "bot", h.edit_emoji),
        ("DELETE", g + "/emojis/{emoji_id}", "guild:emojis", "guild_id", "bot", h.delete_emoji),
        ("GET", g + "/stickers", "guild:stickers", "guild_id", "bot", h.stickers),
        ("POST", g + "/stickers", "guild:stickers", "guild_id", "bot", h.create_sticker),
        ("POST", g + "/stickers/bulk", "guild:stickers", "guild_id", "bot", h.bulk_stickers),
        ("POST", g + "/stickers/clone", "guild:stickers", "guild_id", "bot", h.clone_sticker),
        (
            "GET",
            "/emojis/{emoji_id}/metadata",
            "expression:metadata",
            None,
            "bot",
            h.emoji_metadata,
        ),
        (
            "GET",
            "/stickers/{sticker_id}/metadata",
            "expression:metadata",
            None,
            "bot",
            h.sticker_metadata,
        ),
        (
            "PATCH",
            g + "/stickers/{sticker_id}",
            "guild:stickers",
            "guild_id",
            "bot",
            h.edit_sticker,
        ),
        (
            "DELETE",
            g + "/stickers/{sticker_id}",
            "guild:stickers",
            "guild_id",
            "bot",
            h.delete_sticker,
        ),
    ]
    return h, rows
