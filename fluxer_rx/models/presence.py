"""Presences (status and custom status) and gateway sessions."""

from __future__ import annotations

from fluxer_rx.models.base import Model
from fluxer_rx.models.user import PartialUser

__all__ = ["CustomStatus", "Presence", "Session"]


class CustomStatus(Model, kw_only=True):
    """A user's custom status text and emoji."""

    emoji_animated: bool = False
    emoji_id: str | None = None
    emoji_name: str | None = None
    expires_at: str | None = None
    text: str | None = None


class Presence(Model, kw_only=True):
    """A user's presence: ``status`` is online / idle / dnd / offline (invisible is
    published as offline). Fluxer has no activities."""

    afk: bool = False
    custom_status: CustomStatus | None = None
    guild_id: str | None = None
    mobile: bool = False
    status: str | None = None
    user: PartialUser


class Session(Model, kw_only=True):
    """One of the user's gateway sessions (READY ``sessions``, SESSIONS_REPLACE); the entry
    with ``session_id == "all"`` is the user's aggregate presence."""

    afk: bool = False
    mobile: bool = False
    session_id: str
    status: str | None = None
