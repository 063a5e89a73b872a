"""Wire models (msgspec Structs) for Fluxer API objects and gateway dispatch payloads.

Entry points: :func:`decode_frame` (a gateway message -> :class:`Frame`, whose ``.event`` is
the typed payload), :data:`EVENT_TYPES` (event name -> payload class), the API object
models and the snowflake helpers. Model conventions are stated in
:mod:`fluxer_rx.models.base`.
"""

from fluxer_rx.models import events as _events
from fluxer_rx.models.base import Model
from fluxer_rx.models.channel import Channel, PermissionOverwrite
from fluxer_rx.models.event_names import Events
from fluxer_rx.models.events import *  # noqa: F403  # every payload class, by events.__all__
from fluxer_rx.models.frame import (
    EVENT_TYPES,
    Frame,
    RawEvent,
    decode_event,
    decode_frame,
    encode_frame,
)
from fluxer_rx.models.gateway_bot import GatewayBot, SessionStartLimit
from fluxer_rx.models.guild import Emoji, Guild, Member, Role, Sticker, UnavailableGuild
from fluxer_rx.models.message import (
    Attachment,
    ChannelMention,
    Embed,
    EmbedAuthor,
    EmbedField,
    EmbedFooter,
    EmbedMedia,
    Message,
    MessageCall,
    MessageReference,
    MessageSnapshot,
    MessageSticker,
    PartialEmoji,
    Reaction,
)
from fluxer_rx.models.presence import CustomStatus, Presence, Session
from fluxer_rx.models.registry import ALL_EVENT_NAMES, EVENT_REGISTRY, EventRegistry, EventSpec
from fluxer_rx.models.snowflake import (
    FLUXER_EPOCH,
    snowflake_from_datetime,
    snowflake_from_timestamp_ms,
    snowflake_time,
    snowflake_timestamp_ms,
)
from fluxer_rx.models.user import PartialUser, PendingBulkMessageDeletion, PrivateUser
from fluxer_rx.models.voice import VoiceState

__all__ = [
    "ALL_EVENT_NAMES",
    "EVENT_REGISTRY",
    "EVENT_TYPES",
    "FLUXER_EPOCH",
    "Attachment",
    "Channel",
    "ChannelMention",
    "CustomStatus",
    "Embed",
    "EmbedAuthor",
    "EmbedField",
    "EmbedFooter",
    "EmbedMedia",
    "Emoji",
    "EventRegistry",
    "EventSpec",
    "Events",
    "Frame",
    "GatewayBot",
    "Guild",
    "Member",
    "Message",
    "MessageCall",
    "MessageReference",
    "MessageSnapshot",
    "MessageSticker",
    "Model",
    "PartialEmoji",
    "PartialUser",
    "PendingBulkMessageDeletion",
    "PermissionOverwrite",
    "Presence",
    "PrivateUser",
    "RawEvent",
    "Reaction",
    "Role",
    "Session",
    "SessionStartLimit",
    "Sticker",
    "UnavailableGuild",
    "VoiceState",
    "decode_event",
    "decode_frame",
    "encode_frame",
    "snowflake_from_datetime",
    "snowflake_from_timestamp_ms",
    "snowflake_time",
    "snowflake_timestamp_ms",
]
__all__ += _events.__all__
