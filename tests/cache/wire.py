"""Builders of dispatch payloads in Fluxer's wire shapes (PROTOCOL.md 2.2), decoded with
the real decoder, for the cache tests."""

from __future__ import annotations

from typing import Any

import msgspec

from fluxer_rx.models import decode_event

Json = dict[str, Any]

JOINED = "2026-01-02T03:04:05.678Z"


def event(name: str, d: Json) -> object:
    """Decode ``d`` as the payload of dispatch ``name``, exactly as the client does."""
    return decode_event(name, msgspec.json.encode(d))


def user(uid: str, name: str | None = None, **extra: Any) -> Json:
    d: Json = {
        "id": uid,
        "username": name or f"user{uid}",
        "discriminator": "0001",
        "global_name": None,
        "avatar": None,
        "avatar_color": None,
        "flags": 0,
    }
    d.update(extra)
    return d


def member(
    uid: str, roles: list[str] | None = None, *, with_user: bool = True, **extra: Any
) -> Json:
    d: Json = {
        "nick": None,
        "avatar": None,
        "banner": None,
        "accent_color": None,
        "roles": roles or [],
        "joined_at": JOINED,
        "join_source_type": 0,
        "source_invite_code": None,
        "inviter_id": None,
        "mute": False,
        "deaf": False,
        "communication_disabled_until": None,
        "profile_flags": 0,
    }
    if with_user:
        d["user"] = user(uid)
    d.update(extra)
    return d


def role(rid: str, name: str = "role", position: int = 0, **extra: Any) -> Json:
    d: Json = {
        "id": rid,
        "name": name,
        "color": 0,
        "position": position,
        "hoist_position": None,
        "permissions": "0",
        "hoist": False,
        "mentionable": False,
    }
    d.update(extra)
    return d


def channel(cid: str, gid: str | None, name: str = "general", type: int = 0, **extra: Any) -> Json:
    d: Json = {
        "id": cid,
        "guild_id": gid,
        "name": name,
        "topic": None,
        "type": type,
        "position": 0,
        "parent_id": None,
        "nsfw": False,
        "rate_limit_per_user": 0,
        "last_message_id": None,
        "last_pin_timestamp": None,
        "permission_overwrites": [],
    }
    if gid is None:
        del d["guild_id"]
    d.update(extra)
    return d


def guild_properties(gid: str, name: str = "guild", **extra: Any) -> Json:
    d: Json = {
        "id": gid,
        "name": name,
        "icon": None,
        "owner_id": "1",
        "system_channel_id": None,
        "afk_timeout": 300,
        "features": [],
        "verification_level": 0,
        "member_count": 3,
    }
    d.update(extra)
    return d


def guild_create(
    gid: str,
    *,
    name: str = "guild",
    channels: list[Json] | None = None,
    roles: list[Json] | None = None,
    members: list[Json] | None = None,
    member_count: int = 3,
    **extra: Any,
) -> object:
    """A GUILD_CREATE in Fluxer's nested shape (``properties``)."""
    d: Json = {
        "id": gid,
        "properties": guild_properties(gid, name),
        "roles": roles if roles is not None else [role(gid, "@everyone")],
        "channels": channels if channels is not None else [channel(f"{gid}1", gid)],
        "emojis": [],
        "stickers": [],
        "members": members if members is not None else [{**member("1"), "user": {"id": "1"}}],
        "member_count": member_count,
        "online_count": 1,
        "presences": [],
        "voice_states": [],
        "joined_at": JOINED,
    }
    d.update(extra)
    return event("GUILD_CREATE", d)


def ready(uid: str = "1", guild_ids: tuple[str, ...] = (), **extra: Any) -> object:
    d: Json = {
        "v": 1,
        "session_id": "sess",
        "user": {**user(uid, "bot"), "bot": True, "verified": True},
        "guilds": [{"id": g, "unavailable": True} for g in guild_ids],
        "private_channels": [],
        "presences": [],
        "sessions": [],
        "users": [],
    }
    d.update(extra)
    return event("READY", d)


def message(mid: str, cid: str, author: Json, gid: str | None = None, **extra: Any) -> object:
    d: Json = {
        "id": mid,
        "channel_id": cid,
        "author": author,
        "type": 0,
        "flags": 0,
        "content": "hello",
        "timestamp": JOINED,
        "edited_timestamp": None,
        "pinned": False,
        "mention_everyone": False,
        "tts": False,
        "mentions": [],
        "mention_roles": [],
        "embeds": [],
        "attachments": [],
        "stickers": [],
        "channel_type": 0,
    }
    if gid is not None:
        d["guild_id"] = gid
        d["member"] = member(author["id"], with_user=False)
    d.update(extra)
    return event("MESSAGE_CREATE", d)
