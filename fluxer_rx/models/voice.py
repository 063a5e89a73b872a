"""Voice states (who is in which voice channel, muted or not)."""

from __future__ import annotations

from fluxer_rx.models.base import Model
from fluxer_rx.models.guild import Member

__all__ = ["VoiceState"]


class VoiceState(Model, kw_only=True):
    """A user's voice state; ``channel_id`` is ``None`` once the user left voice."""

    channel_id: str | None = None
    connection_id: str | None = None
    deaf: bool = False
    guild_id: str | None = None
    is_mobile: bool | None = None
    member: Member | None = None
    mute: bool = False
    self_deaf: bool = False
    self_mute: bool = False
    self_stream: bool = False
    self_video: bool = False
    session_id: str | None = None
    suppress: bool = False
    user_id: str
    version: int | None = None
    viewer_stream_keys: tuple[str, ...] | None = None
