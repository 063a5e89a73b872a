"""Building message bodies: :class:`Embed`, :class:`AllowedMentions`, and
:func:`message_body`, which puts them together with the content and a reply reference.

``client.channels.send`` and ``client.messages.reply`` take ``embeds=`` and
``allowed_mentions=`` directly; :func:`message_body` is the same body for the REST layer
(``rest.create_message(channel_id, message_body("hi", embeds=[embed]))``) or a
command's ``ctx.send``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from fluxer_rx.messages.embed import Embed
from fluxer_rx.messages.mentions import AllowedMentions, MentionKind

__all__ = ["AllowedMentions", "Embed", "MentionKind", "ReplyTarget", "message_body"]


class ReplyTarget(Protocol):
    """A message being answered: anything with ``id`` and ``channel_id``."""

    @property
    def id(self) -> str: ...

    @property
    def channel_id(self) -> str: ...


def message_body(
    content: str | Mapping[str, Any] | None = None,
    *,
    embeds: Sequence[Embed | Mapping[str, Any]] = (),
    allowed_mentions: AllowedMentions | None = None,
    reply_to: ReplyTarget | None = None,
) -> dict[str, Any]:
    """A ``POST /channels/{id}/messages`` body: ``content`` (text, or a body dict to extend),
    ``embeds`` (builders or wire dicts), ``allowed_mentions``, and a
    ``message_reference`` to ``reply_to``. Keys already in a body dict are replaced only by
    arguments that were given."""
    body: dict[str, Any] = (
        {}
        if content is None
        else {"content": content}
        if isinstance(content, str)
        else dict(content)
    )
    if embeds:
        body["embeds"] = [e.to_dict() if isinstance(e, Embed) else dict(e) for e in embeds]
    if allowed_mentions is not None:
        body["allowed_mentions"] = allowed_mentions.to_dict()
    if reply_to is not None:
        body["message_reference"] = {
            "message_id": reply_to.id,
            "channel_id": reply_to.channel_id,
        }
    return body
