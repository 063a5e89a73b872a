"""Webhooks: create, list, get, edit, delete (by id or with the token), execute, and the
messages a webhook sent.

Token routes put the token in the path; :class:`~fluxer_rx.rest.routes.Route` masks it
in errors and logs (parameter ``webhook_token``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from fluxer_rx.models import Message
from fluxer_rx.rest.endpoints.base import Body, Endpoints, Snowflake, body_of
from fluxer_rx.rest.endpoints.base import snowflake_id as _id
from fluxer_rx.rest.files import File
from fluxer_rx.rest.responses import Webhook
from fluxer_rx.rest.routes import Route

__all__ = ["WebhookEndpoints"]

_WEBHOOK = "/webhooks/{webhook_id}"
_WITH_TOKEN = _WEBHOOK + "/{webhook_token}"
_TOKEN_MESSAGE = _WITH_TOKEN + "/messages/{message_id}"


def _token_route(
    method: str, template: str, webhook_id: Snowflake, token: str, **ids: Snowflake
) -> Route:
    if not isinstance(token, str) or not token.strip() or "/" in token:
        raise ValueError("webhook token must be a non-empty string without '/'")
    checked = {k: _id(v, k) for k, v in ids.items()}
    return Route(
        method,
        template,
        webhook_id=_id(webhook_id, "webhook_id"),
        webhook_token=token.strip(),
        **checked,
    )


def _message_json(body: str | Mapping[str, Any]) -> dict[str, Any]:
    return {"content": body} if isinstance(body, str) else body_of(body)


class WebhookEndpoints(Endpoints):
    """``/channels/{channel_id}/webhooks``, ``/guilds/{guild_id}/webhooks``, ``/webhooks/...``."""

    async def create_webhook(
        self, channel_id: Snowflake, webhook: Body, *, reason: str | None = None
    ) -> Webhook:
        """``POST /channels/{channel_id}/webhooks`` with a
        :class:`~fluxer_rx.rest.request_bodies.NewWebhook`: WEBHOOKS_UPDATE follows."""
        route = self.route("POST", "/channels/{channel_id}/webhooks", channel_id=channel_id)
        return await self.request_as(Webhook, route, json=body_of(webhook), reason=reason)

    async def get_channel_webhooks(self, channel_id: Snowflake) -> list[Webhook]:
        """``GET /channels/{channel_id}/webhooks``."""
        route = self.route("GET", "/channels/{channel_id}/webhooks", channel_id=channel_id)
        return await self.request_as(list[Webhook], route)

    async def get_guild_webhooks(self, guild_id: Snowflake) -> list[Webhook]:
        """``GET /guilds/{guild_id}/webhooks``."""
        route = self.route("GET", "/guilds/{guild_id}/webhooks", guild_id=guild_id)
        return await self.request_as(list[Webhook], route)

    async def get_webhook(self, webhook_id: Snowflake, token: str | None = None) -> Webhook:
        """``GET /webhooks/{webhook_id}`` or, with ``token``, ``.../{token}`` (no ``user``)."""
        route = (
            self.route("GET", _WEBHOOK, webhook_id=webhook_id)
            if token is None
            else _token_route("GET", _WITH_TOKEN, webhook_id, token)
        )
        return await self.request_as(Webhook, route)

    async def edit_webhook(
        self,
        webhook_id: Snowflake,
        changes: Body,
        *,
        token: str | None = None,
        reason: str | None = None,
    ) -> Webhook:
        """``PATCH /webhooks/{webhook_id}`` with a
        :class:`~fluxer_rx.rest.request_bodies.WebhookEdit`, or with ``token`` a
        :class:`~fluxer_rx.rest.request_bodies.WebhookTokenEdit`; WEBHOOKS_UPDATE follows."""
        route = (
            self.route("PATCH", _WEBHOOK, webhook_id=webhook_id)
            if token is None
            else _token_route("PATCH", _WITH_TOKEN, webhook_id, token)
        )
        return await self.request_as(Webhook, route, json=body_of(changes), reason=reason)

    async def delete_webhook(
        self, webhook_id: Snowflake, *, token: str | None = None, reason: str | None = None
    ) -> None:
        """``DELETE /webhooks/{webhook_id}`` (or ``.../{token}``): WEBHOOKS_UPDATE follows."""
        route = (
            self.route("DELETE", _WEBHOOK, webhook_id=webhook_id)
            if token is None
            else _token_route("DELETE", _WITH_TOKEN, webhook_id, token)
        )
        await self.request(route, reason=reason)

    async def execute_webhook(
        self,
        webhook_id: Snowflake,
        token: str,
        body: str | Mapping[str, Any],
        *,
        files: Sequence[File] = (),
        wait: bool = False,
    ) -> Message | None:
        """``POST /webhooks/{webhook_id}/{token}``: send a message as the webhook
        (``body`` as for ``create_message``: ``content``, ``embeds``, ``username``,
        ``avatar_url``, ...). With ``wait`` the server answers with the message;
        otherwise ``None``. Sent at most once, like every POST."""
        route = _token_route("POST", _WITH_TOKEN, webhook_id, token)
        params = {"wait": wait}
        if wait:
            return await self.request_as(
                Message, route, json=_message_json(body), params=params, files=files
            )
        await self.request(route, json=_message_json(body), params=params, files=files)
        return None

    async def get_webhook_message(
        self, webhook_id: Snowflake, token: str, message_id: Snowflake
    ) -> Message:
        """``GET /webhooks/{webhook_id}/{token}/messages/{message_id}``."""
        route = _token_route("GET", _TOKEN_MESSAGE, webhook_id, token, message_id=message_id)
        return await self.request_as(Message, route)

    async def edit_webhook_message(
        self,
        webhook_id: Snowflake,
        token: str,
        message_id: Snowflake,
        body: str | Mapping[str, Any],
    ) -> Message:
        """``PATCH .../{token}/messages/{message_id}`` (``content``, ``embeds``, ``flags``,
        ``allowed_mentions``): the edited message."""
        route = _token_route("PATCH", _TOKEN_MESSAGE, webhook_id, token, message_id=message_id)
        return await self.request_as(Message, route, json=_message_json(body))

    async def delete_webhook_message(
        self, webhook_id: Snowflake, token: str, message_id: Snowflake
    ) -> None:
        """``DELETE /webhooks/{webhook_id}/{token}/messages/{message_id}``."""
        route = _token_route("DELETE", _TOKEN_MESSAGE, webhook_id, token, message_id=message_id)
        await self.request(route)
