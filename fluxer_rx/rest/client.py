"""``Rest``: typed methods for the Fluxer routes a bot uses, wrapping a :class:`Requester`.

Every method sends one request (``iter_guild_members`` and ``iter_messages`` one per
page, ``fetch_instance`` at most two) through the shared limiter and retry path, and
returns a model from :mod:`fluxer_rx.models` or :mod:`fluxer_rx.rest.responses`, or
``None`` for routes that answer 204. Ids may be given as ``int`` or as a ``str`` of
ASCII digits ``0-9`` (other Unicode digits, e.g. fullwidth ones, are refused); anything
else raises ``ValueError`` before a request is made. Errors are those of
:meth:`Requester.request`.
"""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator, Mapping, Sequence
from typing import Any, Final, Self

import msgspec

from fluxer_rx.errors import HttpError, RequestMayHaveBeenApplied, RestError
from fluxer_rx.models import Channel, GatewayBot, Guild, Member, Message, PartialUser, Role
from fluxer_rx.models.user import PrivateUser
from fluxer_rx.rest.clock import Clock
from fluxer_rx.rest.endpoints import (
    AccountEndpoints,
    ChannelEndpoints,
    ExpressionEndpoints,
    GuildChannelEndpoints,
    GuildEndpoints,
    HistoryEndpoints,
    InviteEndpoints,
    MemberEndpoints,
    RoleEndpoints,
    WebhookEndpoints,
)
from fluxer_rx.rest.endpoints.base import EmojiLike, Snowflake
from fluxer_rx.rest.endpoints.base import checked_limit as _limit
from fluxer_rx.rest.endpoints.base import emoji_path as _emoji
from fluxer_rx.rest.endpoints.base import snowflake_id as _id
from fluxer_rx.rest.files import File
from fluxer_rx.rest.options import RestOptions
from fluxer_rx.rest.requester import QueryValue, Requester, RestStats
from fluxer_rx.rest.responses import Ban, ChannelPins, Instance, ReactionUsersPage, UserProfile
from fluxer_rx.rest.retry import RetryPolicy
from fluxer_rx.rest.routes import Route

__all__ = ["EmojiLike", "Rest", "Snowflake", "new_nonce"]

_CH: Final = "/channels/{channel_id}"
_MSG: Final = _CH + "/messages/{message_id}"
_REACTION: Final = _MSG + "/reactions/{emoji}"
_G: Final = "/guilds/{guild_id}"

# [S] answers with a bare list, [N] with a page object.
_REACTION_USERS: Final[msgspec.json.Decoder[list[PartialUser] | ReactionUsersPage]] = (
    msgspec.json.Decoder(list[PartialUser] | ReactionUsersPage)
)
_PINS: Final[msgspec.json.Decoder[list[Message] | ChannelPins]] = msgspec.json.Decoder(
    list[Message] | ChannelPins
)


def new_nonce() -> str:
    """A fresh message nonce: 24 random hex characters (Fluxer takes 1 to 32)."""
    return secrets.token_hex(12)


def _message_body(body: str | Mapping[str, Any] | None) -> dict[str, Any]:
    if body is None:
        return {}
    if isinstance(body, str):
        return {"content": body}
    if isinstance(body, Mapping):
        return dict(body)
    raise TypeError(f"message body must be a str or a mapping, got {type(body).__name__}")


class Rest(
    AccountEndpoints,
    MemberEndpoints,
    RoleEndpoints,
    GuildChannelEndpoints,
    GuildEndpoints,
    HistoryEndpoints,
    InviteEndpoints,
    WebhookEndpoints,
    ExpressionEndpoints,
    ChannelEndpoints,
):
    """The REST client: ``Rest(token, RestOptions(...))``; one per bot, shared freely.

    Typed methods for every route a bot uses: the endpoint groups of
    :mod:`fluxer_rx.rest.endpoints` (members, roles, guild channels, invites, webhooks,
    emojis and stickers, ...) and the ones below; :meth:`request` / :meth:`request_as`
    for any other route. They all go through :attr:`http`, the HTTP layer this client
    wraps (one aiohttp session, learned buckets, the global limit, retries); ``clock``
    and ``retry_policy`` are injectable for tests.

    Use ``async with Rest(token) as rest:`` or call :meth:`close`. The aiohttp session is
    created on the first request, inside the running event loop; a ``Rest`` belongs to
    that one loop. Any number of tasks may call it concurrently.
    """

    def __init__(
        self,
        token: str,
        options: RestOptions | None = None,
        *,
        clock: Clock | None = None,
        retry_policy: RetryPolicy | None = None,
    ) -> None:
        self.http = Requester(token, options, clock=clock, retry_policy=retry_policy)

    def __repr__(self) -> str:
        return f"<Rest api_url={self.http.api_url!r}>"

    @property
    def options(self) -> RestOptions:
        """The options this client was built with."""
        return self.http.options

    @property
    def api_url(self) -> str:
        """The base URL, version prefix included, without a trailing slash."""
        return self.http.api_url

    @property
    def stats(self) -> RestStats:
        """Counts of requests, retries and rate-limit waits so far."""
        return self.http.stats

    @property
    def closed(self) -> bool:
        """True once :meth:`close` was called."""
        return self.http.closed

    async def close(self) -> None:
        """Close the session. Later requests raise :class:`RestError`. Idempotent."""
        await self.http.close()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    # -- users ---------------------------------------------------------------------------

    async def get_current_user(self) -> PrivateUser:
        """``GET /users/@me``: the bot's own user."""
        return await self.request_as(PrivateUser, Route("GET", "/users/@me"))

    async def get_user(self, user_id: Snowflake) -> PartialUser:
        """``GET /users/{user_id}``: a user by id."""
        route = Route("GET", "/users/{user_id}", user_id=_id(user_id, "user_id"))
        return await self.request_as(PartialUser, route)

    async def get_user_profile(
        self, user_id: Snowflake, *, guild_id: Snowflake | None = None
    ) -> UserProfile:
        """``GET /users/{user_id}/profile``; with ``guild_id`` it includes the member."""
        route = Route("GET", "/users/{user_id}/profile", user_id=_id(user_id, "user_id"))
        params = {"guild_id": _id(guild_id, "guild_id") if guild_id is not None else None}
        return await self.request_as(UserProfile, route, params=params)

    async def leave_guild(self, guild_id: Snowflake) -> None:
        """``DELETE /users/@me/guilds/{guild_id}``: the bot leaves the guild."""
        await self.request(
            Route("DELETE", "/users/@me/guilds/{guild_id}", guild_id=_id(guild_id, "guild_id"))
        )

    # -- guilds --------------------------------------------------------------------------

    async def get_guild(self, guild_id: Snowflake) -> Guild:
        """``GET /guilds/{guild_id}``."""
        return await self.request_as(Guild, Route("GET", _G, guild_id=_id(guild_id, "guild_id")))

    async def get_guild_channels(self, guild_id: Snowflake) -> list[Channel]:
        """``GET /guilds/{guild_id}/channels``."""
        route = Route("GET", _G + "/channels", guild_id=_id(guild_id, "guild_id"))
        return await self.request_as(list[Channel], route)

    async def get_guild_roles(self, guild_id: Snowflake) -> list[Role]:
        """``GET /guilds/{guild_id}/roles``."""
        route = Route("GET", _G + "/roles", guild_id=_id(guild_id, "guild_id"))
        return await self.request_as(list[Role], route)

    async def get_guild_members(
        self, guild_id: Snowflake, *, limit: int | None = None, after: Snowflake | None = None
    ) -> list[Member]:
        """``GET /guilds/{guild_id}/members`` (one page: ``limit`` 1..1000, ``after`` a user id).

        [S] servers ignore both and return every member.
        """
        route = Route("GET", _G + "/members", guild_id=_id(guild_id, "guild_id"))
        params: dict[str, QueryValue] = {
            "limit": _limit(limit, 1, 1000),
            "after": _id(after, "after") if after is not None else None,
        }
        return await self.request_as(list[Member], route, params=params)

    async def iter_guild_members(
        self, guild_id: Snowflake, *, page_size: int = 1000
    ) -> AsyncIterator[Member]:
        """Every member of a guild, page by page, in the order the server sends them.

        Stops when a page is shorter than ``page_size``, when the server ignores ``after``
        (the [S] behaviour: everything in one answer), or when a page brings no new user.
        """
        _limit(page_size, 1, 1000, "page_size")
        seen: set[str] = set()
        after: str | None = None
        while True:
            page = await self.get_guild_members(guild_id, limit=page_size, after=after)
            fresh = [m for m in page if m.user is None or m.user.id not in seen]
            for member in fresh:
                if member.user is not None:
                    seen.add(member.user.id)
                yield member
            ids = [int(m.user.id) for m in page if m.user is not None]
            if len(page) < page_size or not fresh or not ids:
                return
            after = str(max(ids))

    async def get_guild_member(self, guild_id: Snowflake, user_id: Snowflake) -> Member:
        """``GET /guilds/{guild_id}/members/{user_id}`` (``user_id`` may be ``"@me"``)."""
        uid = "@me" if user_id == "@me" else _id(user_id, "user_id")
        route = Route(
            "GET", _G + "/members/{user_id}", guild_id=_id(guild_id, "guild_id"), user_id=uid
        )
        return await self.request_as(Member, route)

    async def get_guild_bans(self, guild_id: Snowflake) -> list[Ban]:
        """``GET /guilds/{guild_id}/bans``."""
        route = Route("GET", _G + "/bans", guild_id=_id(guild_id, "guild_id"))
        return await self.request_as(list[Ban], route)

    async def ban_member(
        self,
        guild_id: Snowflake,
        user_id: Snowflake,
        *,
        reason: str | None = None,
        delete_message_days: int | None = None,
        ban_duration_seconds: int | None = None,
    ) -> None:
        """``PUT /guilds/{guild_id}/bans/{user_id}`` (``GuildBanCreateRequest``); ``reason``
        goes to the ban and audit log, ``delete_message_days`` (0..7) of the user's messages
        are deleted, ``ban_duration_seconds`` (0 permanent, else 60..63072000) ends it."""
        route = Route(
            "PUT",
            _G + "/bans/{user_id}",
            guild_id=_id(guild_id, "guild_id"),
            user_id=_id(user_id, "user_id"),
        )
        fields = {
            "reason": reason,
            "delete_message_days": _limit(delete_message_days, 0, 7, "delete_message_days"),
            "ban_duration_seconds": _limit(
                ban_duration_seconds, 0, 63_072_000, "ban_duration_seconds"
            ),
        }
        body = {k: v for k, v in fields.items() if v is not None}
        await self.request(route, json=body, reason=reason)

    async def unban_member(
        self, guild_id: Snowflake, user_id: Snowflake, *, reason: str | None = None
    ) -> None:
        """``DELETE /guilds/{guild_id}/bans/{user_id}``."""
        route = Route(
            "DELETE",
            _G + "/bans/{user_id}",
            guild_id=_id(guild_id, "guild_id"),
            user_id=_id(user_id, "user_id"),
        )
        await self.request(route, reason=reason)

    # -- channels ------------------------------------------------------------------------

    async def get_channel(self, channel_id: Snowflake) -> Channel:
        """``GET /channels/{channel_id}``."""
        route = Route("GET", _CH, channel_id=_id(channel_id, "channel_id"))
        return await self.request_as(Channel, route)

    async def edit_channel(
        self, channel_id: Snowflake, changes: Mapping[str, Any], *, reason: str | None = None
    ) -> Channel:
        """``PATCH /channels/{channel_id}`` with the fields to change; the updated channel."""
        if not isinstance(changes, Mapping):
            raise TypeError(f"changes must be a mapping, got {type(changes).__name__}")
        route = Route("PATCH", _CH, channel_id=_id(channel_id, "channel_id"))
        return await self.request_as(Channel, route, json=dict(changes), reason=reason)

    async def delete_channel(self, channel_id: Snowflake, *, reason: str | None = None) -> None:
        """``DELETE /channels/{channel_id}``."""
        await self.request(
            Route("DELETE", _CH, channel_id=_id(channel_id, "channel_id")), reason=reason
        )

    async def trigger_typing(self, channel_id: Snowflake) -> None:
        """``POST /channels/{channel_id}/typing`` (harmless twice: retried like a GET)."""
        route = Route("POST", _CH + "/typing", channel_id=_id(channel_id, "channel_id"))
        await self.request(route, idempotent=True)

    # -- messages ------------------------------------------------------------------------

    async def get_messages(
        self,
        channel_id: Snowflake,
        *,
        limit: int | None = None,
        before: Snowflake | None = None,
        after: Snowflake | None = None,
        around: Snowflake | None = None,
    ) -> list[Message]:
        """``GET /channels/{channel_id}/messages``: ``limit`` 1..100 (server default 50) and
        at most one of ``before`` / ``after`` / ``around`` (``ValueError`` otherwise)."""
        anchors = {"before": before, "after": after, "around": around}
        given = {k: v for k, v in anchors.items() if v is not None}
        if len(given) > 1:
            raise ValueError(f"give at most one of before/after/around, got {sorted(given)}")
        params: dict[str, QueryValue] = {"limit": _limit(limit, 1, 100)}
        params.update({k: _id(v, k) for k, v in given.items()})
        route = Route("GET", _CH + "/messages", channel_id=_id(channel_id, "channel_id"))
        return await self.request_as(list[Message], route, params=params)

    async def get_message(self, channel_id: Snowflake, message_id: Snowflake) -> Message:
        """``GET /channels/{channel_id}/messages/{message_id}``."""
        return await self.request_as(Message, self._message_route("GET", channel_id, message_id))

    async def create_message(
        self,
        channel_id: Snowflake,
        body: str | Mapping[str, Any] | None = None,
        *,
        files: Sequence[File] = (),
    ) -> Message:
        """``POST /channels/{channel_id}/messages``: the created message.

        ``body`` is the content as a ``str``, or the full JSON body (``content``,
        ``embeds``, ``message_reference``, ``allowed_mentions``, ``nonce``, ...). With
        ``files`` the request is multipart (``payload_json`` + ``files[n]``).

        Every message is sent with a ``nonce`` (1-32 characters): the caller's, or a fresh
        random one (:func:`new_nonce`). The server echoes it in the returned message
        (``message.nonce``) and in ``MESSAGE_CREATE``. The request is never sent twice
        unless the server demonstrably did not apply it; when that is unclear (a timeout
        or a lost connection after sending, a 5xx) it raises
        :class:`~fluxer_rx.errors.RequestMayHaveBeenApplied` whose ``nonce`` tells which
        message to look for before sending again.
        """
        payload = _message_body(body)
        if payload.get("nonce") is None:
            payload["nonce"] = new_nonce()
        nonce = str(payload["nonce"])
        route = Route("POST", _CH + "/messages", channel_id=_id(channel_id, "channel_id"))
        try:
            return await self.request_as(Message, route, json=payload, files=_files(files))
        except RequestMayHaveBeenApplied as exc:
            raise exc.with_nonce(nonce) from exc.__cause__

    async def edit_message(
        self,
        channel_id: Snowflake,
        message_id: Snowflake,
        body: str | Mapping[str, Any],
        *,
        files: Sequence[File] = (),
    ) -> Message:
        """``PATCH /channels/{channel_id}/messages/{message_id}``: the edited message."""
        route = self._message_route("PATCH", channel_id, message_id)
        return await self.request_as(Message, route, json=_message_body(body), files=_files(files))

    async def delete_message(
        self, channel_id: Snowflake, message_id: Snowflake, *, reason: str | None = None
    ) -> None:
        """``DELETE /channels/{channel_id}/messages/{message_id}``."""
        await self.request(self._message_route("DELETE", channel_id, message_id), reason=reason)

    async def bulk_delete_messages(
        self, channel_id: Snowflake, message_ids: Sequence[Snowflake], *, reason: str | None = None
    ) -> None:
        """``POST /channels/{channel_id}/messages/bulk-delete`` with 2..100 message ids."""
        if isinstance(message_ids, (str, bytes)) or not 2 <= len(message_ids) <= 100:
            raise ValueError("bulk delete takes a sequence of 2 to 100 message ids")
        ids = [_id(m, "message_id") for m in message_ids]
        route = Route(
            "POST", _CH + "/messages/bulk-delete", channel_id=_id(channel_id, "channel_id")
        )
        await self.request(route, json={"message_ids": ids}, reason=reason)

    # -- reactions -----------------------------------------------------------------------

    async def add_reaction(
        self, channel_id: Snowflake, message_id: Snowflake, emoji: EmojiLike
    ) -> None:
        """``PUT .../reactions/{emoji}/@me``: react as the bot."""
        await self.request(self._reaction_route("PUT", channel_id, message_id, emoji, "/@me"))

    async def remove_own_reaction(
        self, channel_id: Snowflake, message_id: Snowflake, emoji: EmojiLike
    ) -> None:
        """``DELETE .../reactions/{emoji}/@me``."""
        await self.request(self._reaction_route("DELETE", channel_id, message_id, emoji, "/@me"))

    async def remove_user_reaction(
        self,
        channel_id: Snowflake,
        message_id: Snowflake,
        emoji: EmojiLike,
        user_id: Snowflake,
    ) -> None:
        """``DELETE .../reactions/{emoji}/{user_id}``: remove someone else's reaction."""
        route = Route(
            "DELETE",
            _REACTION + "/{user_id}",
            channel_id=_id(channel_id, "channel_id"),
            message_id=_id(message_id, "message_id"),
            emoji=_emoji(emoji),
            user_id=_id(user_id, "user_id"),
        )
        await self.request(route)

    async def get_reactions(
        self,
        channel_id: Snowflake,
        message_id: Snowflake,
        emoji: EmojiLike,
        *,
        limit: int | None = None,
        after: Snowflake | None = None,
    ) -> list[PartialUser]:
        """``GET .../reactions/{emoji}``: users who reacted (``limit`` 1..100, ``after``)."""
        route = self._reaction_route("GET", channel_id, message_id, emoji, "")
        params: dict[str, QueryValue] = {
            "limit": _limit(limit, 1, 100),
            "after": _id(after, "after") if after is not None else None,
        }
        result = await self.request_as(_REACTION_USERS, route, params=params)
        return result.items if isinstance(result, ReactionUsersPage) else result

    async def clear_reactions(
        self, channel_id: Snowflake, message_id: Snowflake, emoji: EmojiLike | None = None
    ) -> None:
        """``DELETE .../reactions`` (all) or ``DELETE .../reactions/{emoji}`` (one emoji)."""
        if emoji is None:
            route = Route(
                "DELETE",
                _MSG + "/reactions",
                channel_id=_id(channel_id, "channel_id"),
                message_id=_id(message_id, "message_id"),
            )
        else:
            route = self._reaction_route("DELETE", channel_id, message_id, emoji, "")
        await self.request(route)

    # -- pins ----------------------------------------------------------------------------

    async def get_pinned_messages(self, channel_id: Snowflake) -> list[Message]:
        """``GET /channels/{channel_id}/messages/pins``: pinned messages, newest pin first."""
        route = Route("GET", _CH + "/messages/pins", channel_id=_id(channel_id, "channel_id"))
        result = await self.request_as(_PINS, route)
        if isinstance(result, ChannelPins):
            return [pin.message for pin in result.items]
        return result

    async def pin_message(
        self, channel_id: Snowflake, message_id: Snowflake, *, reason: str | None = None
    ) -> None:
        """``PUT /channels/{channel_id}/pins/{message_id}``."""
        route = Route(
            "PUT",
            _CH + "/pins/{message_id}",
            channel_id=_id(channel_id, "channel_id"),
            message_id=_id(message_id, "message_id"),
        )
        await self.request(route, reason=reason)

    async def unpin_message(
        self, channel_id: Snowflake, message_id: Snowflake, *, reason: str | None = None
    ) -> None:
        """``DELETE /channels/{channel_id}/pins/{message_id}``."""
        route = Route(
            "DELETE",
            _CH + "/pins/{message_id}",
            channel_id=_id(channel_id, "channel_id"),
            message_id=_id(message_id, "message_id"),
        )
        await self.request(route, reason=reason)

    # -- gateway and instance ------------------------------------------------------------

    async def get_gateway_bot(self) -> GatewayBot:
        """``GET /gateway/bot``: the gateway URL and shard advice."""
        return await self.request_as(GatewayBot, Route("GET", "/gateway/bot"))

    async def fetch_instance(self) -> Instance:
        """Instance discovery: ``/.well-known/fluxer`` at the API's origin (no ``/v1``,
        [N]), falling back to ``{api_url}/instance`` ([S]) when that answers with an HTTP
        error or a body that is not instance JSON."""
        try:
            body = await self.request_raw(
                Route("GET", "/.well-known/fluxer"), base_url=self.http.origin, authenticate=False
            )
            return self.http.decoder(Instance).decode(body)
        except (HttpError, RestError, msgspec.DecodeError, msgspec.ValidationError):
            pass
        return await self.request_as(Instance, Route("GET", "/instance"))

    # -- helpers -------------------------------------------------------------------------

    @staticmethod
    def _message_route(method: str, channel_id: Snowflake, message_id: Snowflake) -> Route:
        return Route(
            method,
            _MSG,
            channel_id=_id(channel_id, "channel_id"),
            message_id=_id(message_id, "message_id"),
        )

    @staticmethod
    def _reaction_route(
        method: str, channel_id: Snowflake, message_id: Snowflake, emoji: EmojiLike, tail: str
    ) -> Route:
        return Route(
            method,
            _REACTION + tail,
            channel_id=_id(channel_id, "channel_id"),
            message_id=_id(message_id, "message_id"),
            emoji=_emoji(emoji),
        )


def _files(files: Sequence[File]) -> Sequence[File]:
    for file in files:
        if not isinstance(file, File):
            raise TypeError(f"files must be fluxer_rx.rest.File objects, got {type(file).__name__}")
    return files
