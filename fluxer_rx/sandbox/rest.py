"""The sandbox's REST API: Fluxer's ``/v1`` routes served from the sandbox world.

Mounting (the :class:`~fluxer_rx.sandbox.server.Sandbox` does this once, before startup)::

    api: RestApi = add_routes(app: web.Application, world: World, config: SandboxConfig)

``add_routes`` registers every route below under ``/v1`` and again at the root (as
Fluxer's API does; the root ``/`` itself stays the gateway's),
``GET /attachments/{channel_id}/{attachment_id}/{filename}`` (uploaded files,
unauthenticated), and a JSON 404 for any other ``/v1/...`` path. It attaches the REST
fault switches to ``world.faults.rest`` and returns the :class:`RestApi` (its
``limiter`` and ``faults``). From ``config`` it reads ``base_url``, ``gateway_url``,
``rate_limit_headers``, ``rest_window_scale``, ``rest_global_limit`` and
``rest_bucket_limits``; random REST faults are seeded with ``world.seed``.

Routes (paths relative to ``/v1``; ``[rule]`` is the rate-limit bucket rule, ``{major}``
the id that splits buckets):

====== ========================================================= ===========================
GET    /gateway/bot (token shape only)                           gateway:bot_info
GET    /instance, /.well-known/fluxer (no auth)                  instance:info
GET    /users/@me · /users/{user_id} · /users/{user_id}/profile  user:settings:get · user:read
                                                                 · user:profile
DELETE /users/@me/guilds/{guild_id}                              guild:leave {guild_id}
GET    /guilds/{guild_id}                                        guild:read {guild_id}
GET    /guilds/{guild_id}/channels · /roles                      guild:channels:list ·
                                                                 guild:roles:list {guild_id}
GET    /guilds/{guild_id}/members (limit 1..1000, after)         guild:members {guild_id}
GET    /guilds/{guild_id}/members/{user_id} (or @me)             guild:members {guild_id}
GET    /guilds/{guild_id}/bans; PUT/DELETE .../bans/{user_id}    guild:bans {guild_id}
GET    /channels/{channel_id}; PATCH; DELETE                     channel:read / :update /
                                                                 :delete {channel_id}
GET    /channels/{channel_id}/messages (limit, before|after|     channel:messages:read
       around)
POST   /channels/{channel_id}/messages (JSON or multipart         channel:message:create
       payload_json + files[n])
GET    /channels/{channel_id}/messages/{message_id}; PATCH;      channel:message:get /
       DELETE                                                    :update / :delete
POST   /channels/{channel_id}/messages/bulk-delete               channel:message:bulk_delete
PUT    .../messages/{message_id}/reactions/{emoji}/@me; DELETE   channel:reactions
       .../{emoji}/@me; DELETE .../{emoji}/{user_id}; GET
       .../{emoji} (list of users); GET .../{emoji}/users (page);
       DELETE .../reactions/{emoji}; DELETE .../reactions
POST   /channels/{channel_id}/typing                             channel:typing
GET    /channels/{channel_id}/messages/pins; PUT/DELETE          channel:pins
       /channels/{channel_id}/pins/{message_id}
====== ========================================================= ===========================

The bot-administration routes (DMs, members, roles, guild channels, overwrites, invites,
webhooks, emojis, stickers, audit log, own guilds, application) are listed in
:mod:`fluxer_rx.sandbox.rest_admin`.

Behaviour shared by every route:

* ``Authorization: Bot <token>`` (prefix case-sensitive) with the world's token, or a
  user token from ``World.user_token`` (bare, as Fluxer takes ``flx_`` tokens; also
  accepted after ``Bot ``), acting as that user; missing: 401 ``MISSING_AUTHORIZATION``;
  anything else: 401 ``UNAUTHORIZED``. ``/gateway/bot``
  checks only the token's shape (``<digits>.<rest>``, not ``flx_``; ``Bot``/``Bearer``
  prefix optional and case-insensitive) and answers 401 ``INVALID_AUTH_TOKEN`` otherwise.
* Errors are ``{"code", "message"}`` plus ``errors: [{path, message, code}]`` for
  ``INVALID_FORM_BODY``; unknown routes are 404 (``NOT_FOUND`` in style N,
  ``GENERAL_ERROR`` in style S), wrong methods 405 ``METHOD_NOT_ALLOWED``.
* Success is 200 with a JSON body, or 204 with none for writes whose digest operation
  has no response (deletes, reactions, pins, typing, bulk delete, bans, leave).
* Guild and channel routes answer 403 ``MISSING_ACCESS`` once the caller is no longer a
  member of the guild. Reaction routes accept ``?session_id=`` but ignore it (every
  session gets the dispatch).
* Rate limits and their headers: :mod:`fluxer_rx.sandbox.ratelimit` (fixed windows in
  style S, leaky buckets in style N). A 429 body is
  ``{"code": "RATE_LIMITED", "message", "retry_after": <float s>, "global": <bool>}``.
* Faults: :mod:`fluxer_rx.sandbox.rest_faults`, applied after authentication and before
  the rate limiter.
* Writes go through :class:`~fluxer_rx.sandbox.world.World` mutations, so each one
  emits the dispatch a real server would (MESSAGE_CREATE, MESSAGE_REACTION_ADD, ...).
"""

from __future__ import annotations

import asyncio
import hmac
import logging
import math
import re
from collections import Counter
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any, Final, Literal
from urllib.parse import quote

import msgspec
from aiohttp import web

from fluxer_rx.sandbox.config import SandboxConfig
from fluxer_rx.sandbox.ratelimit import Decision, HeaderStyle, RateLimiter
from fluxer_rx.sandbox.rest_admin import AdminRoutes, admin_routes
from fluxer_rx.sandbox.rest_bodies import (
    ApiFailure,
    Json,
    Upload,
    form_error,
    iso_to_ms,
    message_fields,
    query_int,
    query_snowflake,
    read_json_object,
    read_message_body,
    snowflake_of,
)
from fluxer_rx.sandbox.rest_discovery import gateway_bot_body, instance_body, well_known_body
from fluxer_rx.sandbox.rest_faults import RestFaults
from fluxer_rx.sandbox.world import Guild, World, WorldError, iso_timestamp

__all__ = ["ApiFailure", "RestApi", "add_routes"]

Body = Json | list[Any] | None

log = logging.getLogger("fluxer_rx.sandbox.rest")
"""Logs each message posted through REST (INFO); never a token."""

_TOKEN_SHAPE: Final = re.compile(r"\A[0-9]+\.\S+\Z")
_MENTION: Final = re.compile(r"<@!?([0-9]+)>")


AuthKind = Literal["none", "shape", "bot"]


@dataclass(frozen=True, slots=True)
class _Caller:
    key: str
    """Rate-limit identity: ``user:<id>``, ``token:<app id>`` or ``ip:<addr>``."""
    user_id: str | None
    bot: bool


@dataclass(slots=True)
class _Ctx:
    request: web.Request
    caller: _Caller
    params: Mapping[str, str]

    @property
    def user_id(self) -> str:
        assert self.caller.user_id is not None  # routes with auth "bot" always have one
        return self.caller.user_id


Handler = Callable[[_Ctx], Awaitable[Body]]


@dataclass(frozen=True, slots=True)
class _Route:
    method: str
    path: str
    rule: str
    major: str | None
    auth: AuthKind
    handler: Handler


def _encode(body: Any) -> bytes:
    return msgspec.json.encode(body)


class RestApi:
    """The REST half of one sandbox: routes, rate limiter, fault switches, uploads.

    ``limiter`` (its ``rejections`` counts 429s) and ``faults`` are public; ``statuses``
    counts the answers sent by HTTP status.
    """

    def __init__(self, world: World, config: SandboxConfig) -> None:
        self.world = world
        self.config = config
        self.style: HeaderStyle = config.rate_limit_headers
        self.limiter = RateLimiter(
            header_style=config.rate_limit_headers,
            window_scale=config.rest_window_scale,
            global_limit=config.rest_global_limit,
            overrides=config.rest_bucket_limits,
        )
        self.faults = RestFaults(world.seed)
        self.admin: AdminRoutes | None = None
        """The bot-administration handlers and their state (set when routes are mounted)."""
        self.statuses: Counter[int] = Counter()
        self._files: dict[str, tuple[bytes, str]] = {}

    # -- plumbing ----------------------------------------------------------------------

    def _json(
        self, status: int, body: Any, headers: Mapping[str, str] | None = None
    ) -> web.Response:
        self.statuses[status] += 1
        if body is None and status == 204:
            return web.Response(status=204, headers=headers)
        return web.Response(
            status=status, body=_encode(body), content_type="application/json", headers=headers
        )

    def _error(self, failure: ApiFailure, headers: Mapping[str, str] | None = None) -> web.Response:
        body: Json = {"code": failure.code, "message": failure.message}
        if failure.errors is not None:
            body["errors"] = failure.errors
        return self._json(failure.status, body, headers)

    def _authenticate(self, request: web.Request, kind: AuthKind) -> _Caller:
        header = request.headers.get("Authorization")
        if kind == "none":
            caller = self._token_caller(header) if header else None
            return caller if caller is not None else _Caller(f"ip:{request.remote}", None, False)
        if not header:
            raise ApiFailure(401, "MISSING_AUTHORIZATION", "Missing Authorization header")
        if kind == "shape":
            token = header
            for prefix in ("bot ", "bearer "):
                if token[: len(prefix)].lower() == prefix:
                    token = token[len(prefix) :]
                    break
            if token.startswith("flx_") or not _TOKEN_SHAPE.match(token):
                raise ApiFailure(401, "INVALID_AUTH_TOKEN", "Invalid authentication token")
            user_id = self.world.user_id_for_token(token)
            app_id = token.partition(".")[0]
            return _Caller(f"user:{user_id}" if user_id else f"token:{app_id}", user_id, True)
        caller = self._token_caller(header)
        if caller is None:
            raise ApiFailure(401, "UNAUTHORIZED", "Unauthorized")
        return caller

    def _token_caller(self, header: str) -> _Caller | None:
        """The caller of ``Bot <bot token>``, or of a user token from
        ``World.user_token`` (bare, or after ``Bot `` so the library's REST client, which
        always sends a scheme, can act as that user); ``None`` for anything else."""
        bot_scheme = header.startswith("Bot ")
        token = header[4:] if bot_scheme else header
        if bot_scheme and hmac.compare_digest(token.encode(), self.world.token.encode()):
            return _Caller(f"user:{self.world.bot.id}", self.world.bot.id, True)
        if self.world.is_user_token(token):
            user_id = self.world.user_id_for_token(token)
            return _Caller(f"user:{user_id}", user_id, False)
        return None

    def _too_many(self, decision: Decision) -> web.Response:
        body = {
            "code": "RATE_LIMITED",
            "message": "You are being rate limited.",
            "retry_after": decision.retry_after,
            "global": decision.is_global,
        }
        return self._json(429, body, decision.headers)

    def _server_error(self, status: int, retry_after: float | None = None) -> web.Response:
        codes = {502: "BAD_GATEWAY", 503: "SERVICE_UNAVAILABLE", 504: "GATEWAY_TIMEOUT"}
        default = "INTERNAL_SERVER_ERROR" if self.style == "N" else "GENERAL_ERROR"
        code = codes.get(status, default)
        if retry_after is None and status == 503:
            retry_after = 1  # an overloaded Fluxer instance says when to come back
        # integer seconds, rounded up, as Fluxer sends it
        headers = None if retry_after is None else {"Retry-After": str(math.ceil(retry_after))}
        return self._error(
            ApiFailure(status, code, "Sandbox fault: injected server error"), headers
        )

    async def serve(self, route: _Route, request: web.Request) -> web.StreamResponse:
        """Answer one request on ``route``: auth, faults, rate limit, handler."""
        try:
            caller = self._authenticate(request, route.auth)
        except ApiFailure as failure:
            return self._error(failure)
        major = request.match_info.get(route.major, "") if route.major else ""
        fault = self.faults.pick(route.rule)
        if fault is not None:
            if fault.kind == "drop":
                if request.transport is not None:
                    request.transport.abort()
                raise asyncio.CancelledError  # aiohttp drops the handler of a dead socket
            if fault.kind == "error":
                return self._server_error(fault.status, fault.header_retry_after)
            if fault.kind == "rate_limit":
                forced = self.limiter.refusal(
                    route.rule, major, caller.key, fault.retry_after, is_global=fault.is_global
                )
                return self._too_many(forced)
            if fault.kind == "slow":
                await asyncio.sleep(fault.delay)
        decision = self.limiter.acquire(route.rule, major, caller.key, bot=caller.bot)
        if not decision.allowed:
            return self._too_many(decision)
        ctx = _Ctx(request, caller, request.match_info)
        try:
            body = await route.handler(ctx)
        except ApiFailure as failure:
            return self._error(failure, decision.headers)
        except WorldError as error:
            return self._error(
                ApiFailure(error.status, error.code, error.message), decision.headers
            )
        response = self._json(204 if body is None else 200, body, decision.headers)
        if fault is not None and fault.kind == "late":
            await asyncio.sleep(fault.delay)  # applied already; only the answer is late
        return response

    # -- discovery ---------------------------------------------------------------------

    async def gateway_bot(self, ctx: _Ctx) -> Body:
        return gateway_bot_body(self.config.gateway_url)

    async def instance(self, ctx: _Ctx) -> Body:
        return instance_body(self.config.base_url, self.config.gateway_url)

    async def well_known(self, ctx: _Ctx) -> Body:
        return well_known_body(self.config.base_url, self.config.gateway_url)

    # -- users -------------------------------------------------------------------------

    async def get_me(self, ctx: _Ctx) -> Body:
        return self.world.private_user_wire(ctx.user_id)

    async def get_user(self, ctx: _Ctx) -> Body:
        return self.world.user_wire(ctx.params["user_id"])

    async def get_profile(self, ctx: _Ctx) -> Body:
        user = self.world.get_user(ctx.params["user_id"])
        body: Json = {
            "user": self.world.user_wire(user),
            "user_profile": {"bio": None, "pronouns": None, "banner": None, "accent_color": None},
            "timezone_offset": None,
        }
        guild_id = query_snowflake(ctx.request, "guild_id")
        if guild_id is not None:
            member = self.world.get_member(guild_id, user.id)
            body["guild_member"] = self.world.member_wire(member)
        return body

    async def leave_guild(self, ctx: _Ctx) -> Body:
        self.world.leave_guild(ctx.params["guild_id"], ctx.user_id)
        return None

    # -- guilds ------------------------------------------------------------------------

    def _guild_for(self, ctx: _Ctx) -> Guild:
        guild = self.world.get_guild(ctx.params["guild_id"])
        if ctx.user_id not in guild.members:
            raise ApiFailure(403, "MISSING_ACCESS", "Missing access")
        return guild

    async def get_guild(self, ctx: _Ctx) -> Body:
        return self.world.guild_wire(self._guild_for(ctx))

    async def guild_channels(self, ctx: _Ctx) -> Body:
        guild = self._guild_for(ctx)
        return [self.world.channel_wire(cid) for cid in guild.channel_ids]

    async def guild_roles(self, ctx: _Ctx) -> Body:
        guild = self._guild_for(ctx)
        return [self.world.role_wire(r) for r in guild.roles.values()]

    async def guild_members(self, ctx: _Ctx) -> Body:
        guild = self._guild_for(ctx)
        limit = query_int(ctx.request, "limit", 1000, 1, 1000)
        after = int(query_snowflake(ctx.request, "after") or 0)
        ids = sorted(int(uid) for uid in guild.members if int(uid) > after)[:limit]
        return [self.world.member_wire(guild.members[str(uid)]) for uid in ids]

    async def guild_member(self, ctx: _Ctx) -> Body:
        guild = self._guild_for(ctx)
        user_id = ctx.params["user_id"]
        if user_id == "@me":
            user_id = ctx.user_id
        return self.world.member_wire(self.world.get_member(guild.id, user_id))

    async def guild_bans(self, ctx: _Ctx) -> Body:
        guild = self._guild_for(ctx)
        return [self.world.ban_wire(ban) for ban in guild.bans.values()]

    async def ban(self, ctx: _Ctx) -> Body:
        guild = self._guild_for(ctx)
        body = await read_json_object(ctx.request, required=False)
        reason = body.get("reason")
        if reason is not None and not isinstance(reason, str):
            raise form_error("reason", "must be a string")
        self.world.ban_member(guild.id, ctx.params["user_id"], ctx.user_id, reason=reason)
        return None

    async def unban(self, ctx: _Ctx) -> Body:
        guild = self._guild_for(ctx)
        self.world.unban_member(guild.id, ctx.params["user_id"])
        return None

    # -- channels ----------------------------------------------------------------------

    def _channel_id(self, ctx: _Ctx) -> str:
        channel = self.world.get_channel(ctx.params["channel_id"])
        if ctx.user_id not in self.world.guilds[channel.guild_id].members:
            raise ApiFailure(403, "MISSING_ACCESS", "Missing access")
        return channel.id

    async def get_channel(self, ctx: _Ctx) -> Body:
        return self.world.channel_wire(self._channel_id(ctx))

    async def edit_channel(self, ctx: _Ctx) -> Body:
        channel_id = self._channel_id(ctx)
        body = await read_json_object(ctx.request)
        changes: Json = {}
        for key, kind in (
            ("name", str),
            ("topic", str),
            ("nsfw", bool),
            ("rate_limit_per_user", int),
            ("position", int),
        ):
            if key not in body:
                continue
            value = body[key]
            if value is None and key == "topic":
                changes[key] = None
                continue
            if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
                raise form_error(key, f"must be a {kind.__name__}")
            changes[key] = value
        if "rate_limit_per_user" in changes and not 0 <= changes["rate_limit_per_user"] <= 21600:
            raise form_error("rate_limit_per_user", "must be between 0 and 21600")
        return self.world.update_channel(channel_id, **changes)

    async def delete_channel(self, ctx: _Ctx) -> Body:
        self.world.delete_channel(self._channel_id(ctx))
        return None

    async def typing(self, ctx: _Ctx) -> Body:
        self.world.trigger_typing(self._channel_id(ctx), ctx.user_id)
        return None

    # -- messages ----------------------------------------------------------------------

    async def list_messages(self, ctx: _Ctx) -> Body:
        channel_id = self._channel_id(ctx)
        limit = query_int(ctx.request, "limit", 50, 1, 100)
        anchors = {k: query_snowflake(ctx.request, k) for k in ("before", "after", "around")}
        given = {k: v for k, v in anchors.items() if v is not None}
        if len(given) > 1:
            raise form_error(next(iter(given)), "before, after and around are exclusive")
        messages = self.world.list_messages(channel_id, limit=limit, **given)
        return [self.world.message_wire(m, viewer_id=ctx.user_id) for m in messages]

    async def get_message(self, ctx: _Ctx) -> Body:
        message = self.world.get_message(self._channel_id(ctx), ctx.params["message_id"])
        return self.world.message_wire(message, viewer_id=ctx.user_id)

    async def create_message(self, ctx: _Ctx) -> Body:
        channel_id = self._channel_id(ctx)
        payload, uploads = await read_message_body(ctx.request)
        fields = message_fields(payload)
        attachments = self._attachments(channel_id, payload, uploads)
        reference = payload.get("message_reference")
        ref: Json | None = None
        if reference is not None:
            if not isinstance(reference, dict) or "message_id" not in reference:
                raise form_error("message_reference", "must be an object with message_id")
            ref_channel = snowflake_of(
                reference.get("channel_id", channel_id), "message_reference.channel_id"
            )
            ref_id = snowflake_of(reference["message_id"], "message_reference.message_id")
            self.world.get_message(ref_channel, ref_id)
            ref = {"channel_id": ref_channel, "message_id": ref_id}
        content = fields.get("content", "")
        mentions = [
            uid for uid in dict.fromkeys(_MENTION.findall(content)) if uid in self.world.users
        ]
        posted = self.world.create_message(
            channel_id,
            ctx.user_id,
            content,
            nonce=fields.get("nonce"),
            tts=fields.get("tts", False),
            flags=fields.get("flags", 0),
            embeds=fields.get("embeds"),
            attachments=attachments,
            message_reference=ref,
            mentions=mentions,
        )
        log.info(
            "POST /channels/%s/messages: message %s by %s (%s), %d chars",
            channel_id,
            posted["id"],
            posted["author"]["username"],
            ctx.user_id,
            len(content),
        )
        return posted

    async def edit_message(self, ctx: _Ctx) -> Body:
        channel_id = self._channel_id(ctx)
        message = self.world.get_message(channel_id, ctx.params["message_id"])
        if message.author_id != ctx.user_id:
            raise ApiFailure(
                403,
                "CANNOT_EDIT_OTHER_USER_MESSAGE",
                "Cannot edit a message authored by another user",
            )
        payload, uploads = await read_message_body(ctx.request)
        if uploads:
            raise form_error("files", "the sandbox does not add attachments on edit")
        fields = message_fields(payload)
        changes = {k: v for k, v in fields.items() if k in ("content", "flags", "embeds")}
        return self.world.edit_message(channel_id, message.id, **changes)

    async def delete_message(self, ctx: _Ctx) -> Body:
        self.world.delete_message(self._channel_id(ctx), ctx.params["message_id"])
        return None

    async def bulk_delete(self, ctx: _Ctx) -> Body:
        channel_id = self._channel_id(ctx)
        body = await read_json_object(ctx.request)
        key = "messages" if "messages" in body else "message_ids"
        ids = body.get(key)
        if not isinstance(ids, list) or not 2 <= len(ids) <= 100:
            raise form_error(key, "must be a list of 2 to 100 message ids")
        self.world.bulk_delete_messages(
            channel_id, [snowflake_of(v, f"{key}.{i}") for i, v in enumerate(ids)]
        )
        return None

    # -- reactions ---------------------------------------------------------------------

    def _reaction_target(self, ctx: _Ctx) -> tuple[str, str, str]:
        channel_id = self._channel_id(ctx)
        message = self.world.get_message(channel_id, ctx.params["message_id"])
        emoji = ctx.params["emoji"]
        self.world.parse_emoji(emoji)
        return channel_id, message.id, emoji

    async def add_reaction(self, ctx: _Ctx) -> Body:
        channel_id, message_id, emoji = self._reaction_target(ctx)
        self.world.add_reaction(channel_id, message_id, emoji, ctx.user_id)
        return None

    async def remove_own_reaction(self, ctx: _Ctx) -> Body:
        channel_id, message_id, emoji = self._reaction_target(ctx)
        self.world.remove_reaction(channel_id, message_id, emoji, ctx.user_id)
        return None

    async def remove_user_reaction(self, ctx: _Ctx) -> Body:
        channel_id, message_id, emoji = self._reaction_target(ctx)
        user = self.world.get_user(ctx.params["user_id"])
        self.world.remove_reaction(channel_id, message_id, emoji, user.id)
        return None

    def _reaction_page(self, ctx: _Ctx) -> tuple[list[Json], bool]:
        channel_id, message_id, emoji = self._reaction_target(ctx)
        limit = query_int(ctx.request, "limit", 25, 1, 100)
        after = int(query_snowflake(ctx.request, "after") or 0)
        users = sorted(
            (
                u
                for u in self.world.reaction_users(channel_id, message_id, emoji)
                if int(u.id) > after
            ),
            key=lambda u: int(u.id),
        )
        return [self.world.user_wire(u) for u in users[:limit]], len(users) > limit

    async def reaction_users(self, ctx: _Ctx) -> Body:
        return self._reaction_page(ctx)[0]

    async def reaction_users_page(self, ctx: _Ctx) -> Body:
        items, has_more = self._reaction_page(ctx)
        return {
            "items": items,
            "has_more": has_more,
            "next_after": items[-1]["id"] if has_more else None,
        }

    async def clear_emoji_reactions(self, ctx: _Ctx) -> Body:
        channel_id, message_id, emoji = self._reaction_target(ctx)
        self.world.remove_emoji_reactions(channel_id, message_id, emoji)
        return None

    async def clear_reactions(self, ctx: _Ctx) -> Body:
        channel_id = self._channel_id(ctx)
        self.world.remove_all_reactions(channel_id, ctx.params["message_id"])
        return None

    # -- pins --------------------------------------------------------------------------

    async def list_pins(self, ctx: _Ctx) -> Body:
        channel_id = self._channel_id(ctx)
        limit = query_int(ctx.request, "limit", 50, 1, 50)
        pins = self.world.pinned_messages(channel_id)
        raw_before = ctx.request.query.get("before")
        if raw_before is not None:
            before_ms = iso_to_ms(raw_before, "before")
            pins = [(m, at) for m, at in pins if at < before_ms]
        items = [
            {
                "message": self.world.message_wire(m, viewer_id=ctx.user_id),
                "pinned_at": iso_timestamp(at),
            }
            for m, at in pins[:limit]
        ]
        return {"items": items, "has_more": len(pins) > limit}

    async def pin(self, ctx: _Ctx) -> Body:
        self.world.pin_message(self._channel_id(ctx), ctx.params["message_id"])
        return None

    async def unpin(self, ctx: _Ctx) -> Body:
        self.world.unpin_message(self._channel_id(ctx), ctx.params["message_id"])
        return None

    # -- request bodies ----------------------------------------------------------------

    def _attachments(
        self,
        channel_id: str,
        payload: Json,
        uploads: list[Upload],
    ) -> list[Json]:
        meta: dict[str, Json] = {}
        listed = payload.get("attachments")
        if listed is not None:
            if not isinstance(listed, list):
                raise form_error("attachments", "must be a list")
            for i, item in enumerate(listed):
                if not isinstance(item, dict) or "id" not in item:
                    raise form_error(f"attachments.{i}", "must be an object with id")
                meta[str(item["id"])] = item
        out: list[Json] = []
        for upload in uploads:
            info = meta.get(str(upload.index), {})
            given_name = info.get("filename")
            name = given_name if isinstance(given_name, str) and given_name else upload.filename
            attachment_id = self.world.new_id()
            self._files[attachment_id] = (upload.data, upload.content_type)
            url = f"{self.config.base_url}/attachments/{channel_id}/{attachment_id}/{quote(name)}"
            wire: Json = {
                "id": attachment_id,
                "filename": name,
                "size": len(upload.data),
                "content_type": upload.content_type,
                "url": url,
                "proxy_url": url,
                "flags": 1 << 3 if name.startswith("SPOILER_") else 0,
            }
            description = info.get("description")
            if isinstance(description, str):
                wire["description"] = description
            out.append(wire)
        return out

    async def serve_attachment(self, request: web.Request) -> web.StreamResponse:
        """``GET /attachments/{channel_id}/{attachment_id}/{filename}``: an uploaded file."""
        stored = self._files.get(request.match_info["attachment_id"])
        if stored is None:
            return self._error(ApiFailure(404, "NOT_FOUND", "Unknown attachment"))
        data, content_type = stored
        self.statuses[200] += 1
        return web.Response(body=data, content_type=content_type.split(";")[0])


def _routes(api: RestApi) -> list[_Route]:
    ch = "/channels/{channel_id}"
    msg = ch + "/messages/{message_id}"
    rx = msg + "/reactions/{emoji}"
    g = "/guilds/{guild_id}"
    R = _Route
    api.admin, rows = admin_routes(api)
    return [R(*row) for row in rows] + [
        R("GET", "/gateway/bot", "gateway:bot_info", None, "shape", api.gateway_bot),
        R("GET", "/instance", "instance:info", None, "none", api.instance),
        R("GET", "/.well-known/fluxer", "instance:info", None, "none", api.well_known),
        R("GET", "/users/@me", "user:settings:get", None, "bot", api.get_me),
        R(
            "DELETE",
            "/users/@me/guilds/{guild_id}",
            "guild:leave",
            "guild_id",
            "bot",
            api.leave_guild,
        ),
        R("GET", "/users/{user_id}", "user:read", None, "bot", api.get_user),
        R("GET", "/users/{user_id}/profile", "user:profile", None, "bot", api.get_profile),
        R("GET", g, "guild:read", "guild_id", "bot", api.get_guild),
        R("GET", g + "/channels", "guild:channels:list", "guild_id", "bot", api.guild_channels),
        R("GET", g + "/roles", "guild:roles:list", "guild_id", "bot", api.guild_roles),
        R("GET", g + "/members", "guild:members", "guild_id", "bot", api.guild_members),
        R("GET", g + "/members/{user_id}", "guild:members", "guild_id", "bot", api.guild_member),
        R("GET", g + "/bans", "guild:bans", "guild_id", "bot", api.guild_bans),
        R("PUT", g + "/bans/{user_id}", "guild:bans", "guild_id", "bot", api.ban),
        R("DELETE", g + "/bans/{user_id}", "guild:bans", "guild_id", "bot", api.unban),
        R("GET", ch, "channel:read", "channel_id", "bot", api.get_channel),
        R("PATCH", ch, "channel:update", "channel_id", "bot", api.edit_channel),
        R("DELETE", ch, "channel:delete", "channel_id", "bot", api.delete_channel),
        R("POST", ch + "/typing", "channel:typing", "channel_id", "bot", api.typing),
        R("GET", ch + "/messages", "channel:messages:read", "channel_id", "bot", api.list_messages),
        R(
            "POST",
            ch + "/messages",
            "channel:message:create",
            "channel_id",
            "bot",
            api.create_message,
        ),
        R("GET", ch + "/messages/pins", "channel:pins", "channel_id", "bot", api.list_pins),
        R(
            "POST",
            ch + "/messages/bulk-delete",
            "channel:message:bulk_delete",
            "channel_id",
            "bot",
            api.bulk_delete,
        ),
        R("PUT", ch + "/pins/{message_id}", "channel:pins", "channel_id", "bot", api.pin),
        R("DELETE", ch + "/pins/{message_id}", "channel:pins", "channel_id", "bot", api.unpin),
        R("GET", msg, "channel:message:get", "channel_id", "bot", api.get_message),
        R("PATCH", msg, "channel:message:update", "channel_id", "bot", api.edit_message),
        R("DELETE", msg, "channel:message:delete", "channel_id", "bot", api.delete_message),
        R(
            "DELETE",
            msg + "/reactions",
            "channel:reactions",
            "channel_id",
            "bot",
            api.clear_reactions,
        ),
        R("GET", rx, "channel:reactions", "channel_id", "bot", api.reaction_users),
        R("DELETE", rx, "channel:reactions", "channel_id", "bot", api.clear_emoji_reactions),
        R("PUT", rx + "/@me", "channel:reactions", "channel_id", "bot", api.add_reaction),
        R("DELETE", rx + "/@me", "channel:reactions", "channel_id", "bot", api.remove_own_reaction),
        R("GET", rx + "/users", "channel:reactions", "channel_id", "bot", api.reaction_users_page),
        R(
            "DELETE",
            rx + "/{user_id}",
            "channel:reactions",
            "channel_id",
            "bot",
            api.remove_user_reaction,
        ),
    ]


def add_routes(app: web.Application, world: World, config: SandboxConfig) -> RestApi:
    """Mount the REST API on ``app`` (before it starts) and return its :class:`RestApi`.

    Also sets ``world.faults.rest`` to the API's :class:`RestFaults`.
    """
    api = RestApi(world, config)
    world.faults.rest = api.faults
    by_path: dict[str, dict[str, _Route]] = {}
    for route in _routes(api):
        by_path.setdefault(route.path, {})[route.method] = route

    def resource_handler(
        methods: dict[str, _Route],
    ) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
        async def handle(request: web.Request) -> web.StreamResponse:
            route = methods.get(request.method)
            if route is None:
                if request.method == "HEAD" and "GET" in methods:
                    route = methods["GET"]
                else:
                    return api._error(ApiFailure(405, "METHOD_NOT_ALLOWED", "Method not allowed"))
            return await api.serve(route, request)

        return handle

    for path, methods in by_path.items():
        handler = resource_handler(methods)
        app.router.add_route("*", "/v1" + path, handler)
        app.router.add_route("*", path, handler)

    async def not_found(request: web.Request) -> web.StreamResponse:
        code = "NOT_FOUND" if api.style == "N" else "GENERAL_ERROR"
        return api._error(ApiFailure(404, code, "Not found"))

    app.router.add_get("/attachments/{channel_id}/{attachment_id}/{filename}", api.serve_attachment)
    app.router.add_route("*", "/v1/{tail:.*}", not_found)
    return api
