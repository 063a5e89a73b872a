"""Messages and their parts: attachments, embeds, reactions, references, stickers."""

from __future__ import annotations

import msgspec

from fluxer_rx.models.base import Model
from fluxer_rx.models.guild import Member
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

    animated: bool | None = None
    id: str | None = None
    name: str | None = None


class Reaction(Model, kw_only=True):
    """One reaction summary on a message (``MessageReactionResponse``)."""

    count: int = 0
    emoji: PartialEmoji
    me: bool | None = None


class Attachment(Model, kw_only=True):
    """A file attached to a message (``MessageAttachmentResponse``)."""

    content_hash: str | None = None
    content_type: str | None = None
    description: str | None = None
    duration: int | None = None
    expired: bool | None = None
    expires_at: str | None = None
    filename: str | None = None
    flags: int = 0
    height: int | None = None
    id: str
    nsfw: bool | None = None
    placeholder: str | None = None
    proxy_url: str | None = None
    size: int = 0
    title: str | None = None
    url: str | None = None
    waveform: str | None = None
    width: int | None = None


class EmbedAuthor(Model, kw_only=True):
    """Embed author or provider."""

    icon_url: str | None = None
    name: str | None = None
    proxy_icon_url: str | None = None
    url: str | None = None


class EmbedFooter(Model, kw_only=True):
    """Embed footer."""

    icon_url: str | None = None
    proxy_icon_url: str | None = None
    text: str | None = None


class EmbedField(Model, kw_only=True):
    """One name/value field of an embed."""

    inline: bool = False
    name: str | None = None
    value: str | None = None


class EmbedMedia(Model, kw_only=True):
    """Embed image, thumbnail, video or audio."""

    content_hash: str | None = None
    content_type: str | None = None
    description: str | None = None
    duration: int | None = None
    flags: int = 0
    height: int | None = None
    placeholder: str | None = None
    proxy_url: str | None = None
    url: str | None = None
    width: int | None = None


class Embed(Model, kw_only=True):
    """A rich embed (``MessageEmbedResponse``); ``children`` holds nested embeds of the same
    shape (``MessageEmbedChildResponse``)."""

    audio: EmbedMedia | None = None
    author: EmbedAuthor | None = None
    children: tuple[Embed, ...] | None = None
    color: int | None = None
    description: str | None = None
    fields: tuple[EmbedField, ...] | None = None
    footer: EmbedFooter | None = None
    html: str | None = None
    html_height: int | None = None
    html_width: int | None = None
    image: EmbedMedia | None = None
    nsfw: bool | None = None
    provider: EmbedAuthor | None = None
    thumbnail: EmbedMedia | None = None
    timestamp: str | None = None
    title: str | None = None
    type: str | None = None
    url: str | None = None
    video: EmbedMedia | None = None


class MessageReference(Model, kw_only=True):
    """What a reply (``type`` 0) or forward (``type`` 1) points at."""

    channel_id: str | None = None
    guild_id: str | None = None
    message_id: str | None = None
    type: int = 0


class MessageSticker(Model, kw_only=True):
    """A sticker sent with a message."""

    animated: bool = False
    id: str
    name: str | None = None
    nsfw: bool | None = None


class ChannelMention(Model, kw_only=True):
    """A channel mentioned in a message."""

    id: str
    name: str | None = None
    type: int = 0


class MessageCall(Model, kw_only=True):
    """Call information of a call message."""

    ended_timestamp: str | None = None
    participants: tuple[str, ...] = ()


class MessageSnapshot(Model, kw_only=True):
    """A forwarded message's content as it was when forwarded."""

    attachments: tuple[Attachment, ...] | None = None
    content: str | None = None
    edited_timestamp: str | None = None
    embeds: tuple[Embed, ...] | None = None
    flags: int = 0
    mention_channels: tuple[ChannelMention, ...] | None = None
    mention_roles: tuple[str, ...] | None = None
    mentions: tuple[str, ...] | None = None
    stickers: tuple[MessageSticker, ...] | None = None
    timestamp: str | None = None
    type: int = 0


class Message(Model, kw_only=True):
    """A message (``MessageResponseSchema``).

    ``type``: 0 default, 19 reply, others are system messages. ``referenced_message`` is
    ``UNSET`` when the key is absent, ``None`` when present and null (the reply target was
    deleted), else the referenced message. ``embeds``, ``attachments`` and the like are
    ``None`` when not sent.

    ``guild_id`` (``None`` in DMs), ``member`` (the author's guild member, without
    ``user``) and ``channel_type`` are added by the gateway to MESSAGE_CREATE (and the
    first two to MESSAGE_UPDATE); REST responses leave them ``None``. Fields are declared
    in key order because the gateway sends sorted keys, which msgspec decodes fastest.
    """

    attachments: tuple[Attachment, ...] | None = None
    author: PartialUser
    call: MessageCall | None = None
    channel_id: str
    channel_type: int | None = None
    content: str = ""
    edited_timestamp: str | None = None
    embeds: tuple[Embed, ...] | None = None
    flags: int = 0
    guild_id: str | None = None
    id: str
    member: Member | None = None
    mention_channels: tuple[ChannelMention, ...] | None = None
    mention_everyone: bool = False
    mention_here: bool | None = None
    mention_roles: tuple[str, ...] = ()
    mentions: tuple[PartialUser, ...] = ()
    message_reference: MessageReference | None = None
    message_snapshots: tuple[MessageSnapshot, ...] | None = None
    nicks: dict[str, str] | None = None
    nonce: str | None = None
    nsfw_emojis: tuple[str, ...] | None = None
    pinned: bool = False
    reactions: tuple[Reaction, ...] | None = None
    referenced_message: Message | msgspec.UnsetType | None = msgspec.UNSET
    stickers: tuple[MessageSticker, ...] | None = None
    timestamp: str | None = None
    tts: bool = False
    type: int = 0
    users: tuple[PartialUser, ...] | None = None
    webhook_id: str | None = None
