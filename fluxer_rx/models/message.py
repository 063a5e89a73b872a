"""Messages and their parts: attachments, embeds, reactions, references, stickers."""

from __future__ import annotations

import msgspec

from fluxer_rx.models.base import Model
from fluxer_rx.models.user import PartialUser

__all__ = [
    "Attachment",
    "ChannelMention",
    "Embed",
    "EmbedAuthor",
    "EmbedField",
    "EmbedFooter",
    "EmbedMedia",
    "Message",
    "MessageCall",
    "MessageReference",
    "MessageSnapshot",
    "MessageSticker",
    "PartialEmoji",
    "Reaction",
]


class PartialEmoji(Model, kw_only=True):
    """The emoji of a reaction: ``id`` is ``None`` for a Unicode emoji, whose ``name`` is
    the character itself."""

    name: str | None = None
    id: str | None = None
    animated: bool | None = None


class Reaction(Model, kw_only=True):
    """One reaction summary on a message (``MessageReactionResponse``)."""

    emoji: PartialEmoji
    count: int = 0
    me: bool | None = None


class Attachment(Model, kw_only=True):
    """A file attached to a message (``MessageAttachmentResponse``)."""

    id: str
    filename: str | None = None
    title: str | None = None
    description: str | None = None
    content_type: str | None = None
    content_hash: str | None = None
    size: int = 0
    url: str | None = None
    proxy_url: str | None = None
    width: int | None = None
    height: int | None = None
    placeholder: str | None = None
    flags: int = 0
    nsfw: bool | None = None
    duration: int | None = None
    waveform: str | None = None
    expires_at: str | None = None
    expired: bool | None = None


class EmbedAuthor(Model, kw_only=True):
    """Embed author or provider."""

    name: str | None = None
    url: str | None = None
    icon_url: str | None = None
    proxy_icon_url: str | None = None


class EmbedFooter(Model, kw_only=True):
    """Embed footer."""

    text: str | None = None
    icon_url: str | None = None
    proxy_icon_url: str | None = None


class EmbedField(Model, kw_only=True):
    """One name/value field of an embed."""

    name: str | None = None
    value: str | None = None
    inline: bool = False


class EmbedMedia(Model, kw_only=True):
    """Embed image, thumbnail, video or audio."""

    url: str | None = None
    proxy_url: str | None = None
    content_type: str | None = None
    content_hash: str | None = None
    width: int | None = None
    height: int | None = None
    description: str | None = None
    placeholder: str | None = None
    duration: int | None = None
    flags: int = 0


class Embed(Model, kw_only=True):
    """A rich embed (``MessageEmbedResponse``); ``children`` holds nested embeds of the same
    shape (``MessageEmbedChildResponse``)."""

    type: str | None = None
    url: str | None = None
    title: str | None = None
    color: int | None = None
    timestamp: str | None = None
    description: str | None = None
    author: EmbedAuthor | None = None
    image: EmbedMedia | None = None
    thumbnail: EmbedMedia | None = None
    footer: EmbedFooter | None = None
    fields: list[EmbedField] | None = None
    provider: EmbedAuthor | None = None
    video: EmbedMedia | None = None
    audio: EmbedMedia | None = None
    html: str | None = None
    html_width: int | None = None
    html_height: int | None = None
    nsfw: bool | None = None
    children: list[Embed] | None = None


class MessageReference(Model, kw_only=True):
    """What a reply (``type`` 0) or forward (``type`` 1) points at."""

    message_id: str | None = None
    channel_id: str | None = None
    guild_id: str | None = None
    type: int = 0


class MessageSticker(Model, kw_only=True):
    """A sticker sent with a message."""

    id: str
    name: str | None = None
    animated: bool = False
    nsfw: bool | None = None


class ChannelMention(Model, kw_only=True):
    """A channel mentioned in a message."""

    id: str
    name: str | None = None
    type: int = 0


class MessageCall(Model, kw_only=True):
    """Call information of a call message."""

    participants: list[str] = []
    ended_timestamp: str | None = None


class MessageSnapshot(Model, kw_only=True):
    """A forwarded message's content as it was when forwarded."""

    content: str | None = None
    timestamp: str | None = None
    edited_timestamp: str | None = None
    mentions: list[str] | None = None
    mention_roles: list[str] | None = None
    mention_channels: list[ChannelMention] | None = None
    embeds: list[Embed] | None = None
    attachments: list[Attachment] | None = None
    stickers: list[MessageSticker] | None = None
    type: int = 0
    flags: int = 0


class Message(Model, kw_only=True):
    """A message (``MessageResponseSchema``).

    ``type``: 0 default, 19 reply, others are system messages. ``referenced_message`` is
    ``UNSET`` when the key is absent, ``None`` when present and null (the reply target was
    deleted), else the referenced message. ``embeds``, ``attachments`` and the like are
    ``None`` when not sent.
    """

    id: str
    channel_id: str
    author: PartialUser
    webhook_id: str | None = None
    type: int = 0
    flags: int = 0
    content: str = ""
    timestamp: str | None = None
    edited_timestamp: str | None = None
    pinned: bool = False
    mention_everyone: bool = False
    tts: bool = False
    mentions: list[PartialUser] = []
    mention_roles: list[str] = []
    mention_channels: list[ChannelMention] | None = None
    users: list[PartialUser] | None = None
    embeds: list[Embed] | None = None
    attachments: list[Attachment] | None = None
    stickers: list[MessageSticker] | None = None
    nsfw_emojis: list[str] | None = None
    reactions: list[Reaction] | None = None
    message_reference: MessageReference | None = None
    message_snapshots: list[MessageSnapshot] | None = None
    nonce: str | None = None
    call: MessageCall | None = None
    referenced_message: Message | msgspec.UnsetType | None = msgspec.UNSET
    mention_here: bool | None = None
    nicks: dict[str, str] | None = None
