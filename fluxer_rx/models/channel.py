"""Channels and their permission overwrites (``ChannelResponse``)."""

from __future__ import annotations

from fluxer_rx.models.base import Model
from fluxer_rx.models.user import PartialUser

__all__ = ["Channel", "PermissionOverwrite"]


class PermissionOverwrite(Model, kw_only=True):
    """One permission overwrite: ``type`` 0 = role, 1 = member; ``allow``/``deny`` are
    decimal-string bitfields."""

    allow: str = "0"
    deny: str = "0"
    id: str
    type: int = 0


class Channel(Model, kw_only=True):
    """A guild channel, DM or group DM.

    ``type``: 0 text, 1 DM, 2 voice, 3 group DM, 4 category, 998 link, 999 personal notes
    (newer servers add more; unknown values pass through as ints).
    """

    bitrate: int | None = None
    content_warning_level: int | None = None
    content_warning_text: str | None = None
    guild_id: str | None = None
    icon: str | None = None
    id: str
    last_message_id: str | None = None
    last_pin_timestamp: str | None = None
    name: str | None = None
    nicks: dict[str, str] | None = None
    nsfw: bool | None = None
    nsfw_override: bool | None = None
    owner_id: str | None = None
    parent_id: str | None = None
    permission_overwrites: tuple[PermissionOverwrite, ...] | None = None
    position: int | None = None
    rate_limit_per_user: int | None = None
    recipients: tuple[PartialUser, ...] | None = None
    rtc_region: str | None = None
    topic: str | None = None
    type: int = 0
    url: str | None = None
    user_limit: int | None = None
    voice_connection_limit: int | None = None
