"""URLs of Fluxer's CDN assets, built from the ids and hashes the API sends.

User content (avatars, banners, guild icons, emojis, stickers, attachments) is served from
``https://fluxerusercontent.com``, the default avatars from ``https://fluxerstatic.com``;
a self-hosted instance passes its own bases (``media_base=`` / ``static_base=``, e.g. the
``endpoints.media`` / ``endpoints.static_cdn`` of its discovery document). A hash starting
with ``a_`` is animated and served as ``gif`` unless another format is asked for.

Guarantees: nothing here does I/O; a ``size`` off the media proxy's ladder
(:data:`SIZES`) or an unknown ``format`` raises :class:`ValueError` rather than building a
URL the proxy would not serve.
"""

from __future__ import annotations

from typing import Final, Literal
from urllib.parse import quote

__all__ = [
    "FORMATS",
    "MEDIA_BASE",
    "SIZES",
    "STATIC_BASE",
    "ImageFormat",
    "attachment_url",
    "avatar_url",
    "banner_url",
    "default_avatar_url",
    "display_avatar_url",
    "emoji_url",
    "guild_icon_url",
    "guild_splash_url",
    "member_avatar_url",
    "sticker_url",
]

MEDIA_BASE: Final = "https://fluxerusercontent.com"
"""Fluxer's user-content CDN."""

STATIC_BASE: Final = "https://fluxerstatic.com"
"""Fluxer's static-asset CDN (default avatars)."""

SIZES: Final = frozenset(
    {16, 20, 22, 24, 28, 32, 40, 44, 48, 56, 60, 64, 80, 96, 100, 128, 160, 240, 256, 300}
    | {320, 480, 512, 600, 640, 1024, 1280, 1536, 2048, 3072, 4096, 8192, 16384}
)
"""The ``size`` values the media proxy caches (its ladder); others are refused."""

ImageFormat = Literal["png", "jpg", "jpeg", "webp", "gif"]
FORMATS: Final[frozenset[str]] = frozenset({"png", "jpg", "jpeg", "webp", "gif"})

DEFAULT_AVATARS: Final = 6
"""Fluxer's default avatars are ``0.png`` … ``5.png``, chosen by ``user_id % 6``."""

Snowflake = int | str


def _base(base: str) -> str:
    return base.rstrip("/")


def _query(size: int | None) -> str:
    if size is None:
        return ""
    if isinstance(size, bool) or size not in SIZES:
        raise ValueError(f"size must be one of the CDN sizes {sorted(SIZES)}, not {size!r}")
    return f"?size={size}"


def _format(animated: bool, format: str | None) -> str:
    if format is None:
        return "gif" if animated else "png"
    if format not in FORMATS:
        raise ValueError(f"format must be one of {sorted(FORMATS)}, not {format!r}")
    if format == "gif" and not animated:
        raise ValueError("format 'gif' is for animated assets only")
    return format


def _hashed(path: str, hash: str, size: int | None, format: str | None, base: str) -> str:
    ext = _format(hash.startswith("a_"), format)
    return f"{_base(base)}/{path}/{hash}.{ext}{_query(size)}"


def avatar_url(
    user_id: Snowflake,
    avatar: str,
    *,
    size: int | None = None,
    format: ImageFormat | None = None,
    media_base: str = MEDIA_BASE,
) -> str:
    """A user's avatar (``user.avatar`` is the hash):
    ``https://fluxerusercontent.com/avatars/{user_id}/{hash}.png?size=256``."""
    return _hashed(f"avatars/{user_id}", avatar, size, format, media_base)


def default_avatar_url(user_id: Snowflake, *, static_base: str = STATIC_BASE) -> str:
    """The default avatar of a user without one: ``https://fluxerstatic.com/avatars/{n}.png``
    with ``n = user_id % 6``."""
    return f"{_base(static_base)}/avatars/{int(user_id) % DEFAULT_AVATARS}.png"


def display_avatar_url(
    user_id: Snowflake,
    avatar: str | None,
    *,
    size: int | None = None,
    format: ImageFormat | None = None,
    media_base: str = MEDIA_BASE,
    static_base: str = STATIC_BASE,
) -> str:
    """The avatar a client shows: :func:`avatar_url`, or :func:`default_avatar_url` when
    ``avatar`` is ``None`` (the default avatars take no size or format)."""
    if avatar is None:
        return default_avatar_url(user_id, static_base=static_base)
    return avatar_url(user_id, avatar, size=size, format=format, media_base=media_base)


def member_avatar_url(
    guild_id: Snowflake,
    user_id: Snowflake,
    avatar: str,
    *,
    size: int | None = None,
    format: ImageFormat | None = None,
    media_base: str = MEDIA_BASE,
) -> str:
    """A member's guild-specific avatar (``member.avatar``):
    ``.../guilds/{guild_id}/users/{user_id}/avatars/{hash}.png``."""
    return _hashed(f"guilds/{guild_id}/users/{user_id}/avatars", avatar, size, format, media_base)


def banner_url(
    user_or_guild_id: Snowflake,
    banner: str,
    *,
    size: int | None = None,
    format: ImageFormat | None = None,
    media_base: str = MEDIA_BASE,
) -> str:
    """A user's or a guild's banner: ``.../banners/{id}/{hash}.png``."""
    return _hashed(f"banners/{user_or_guild_id}", banner, size, format, media_base)


def guild_icon_url(
    guild_id: Snowflake,
    icon: str,
    *,
    size: int | None = None,
    format: ImageFormat | None = None,
    media_base: str = MEDIA_BASE,
) -> str:
    """A guild's icon (``guild.icon``): ``.../icons/{guild_id}/{hash}.png``."""
    return _hashed(f"icons/{guild_id}", icon, size, format, media_base)


def guild_splash_url(
    guild_id: Snowflake,
    splash: str,
    *,
    size: int | None = None,
    format: ImageFormat | None = None,
    media_base: str = MEDIA_BASE,
) -> str:
    """A guild's invite splash: ``.../splashes/{guild_id}/{hash}.png``."""
    return _hashed(f"splashes/{guild_id}", splash, size, format, media_base)


def emoji_url(
    emoji_id: Snowflake,
    *,
    animated: bool = False,
    size: int | None = None,
    format: ImageFormat | None = None,
    media_base: str = MEDIA_BASE,
) -> str:
    """A custom emoji (by id; ``emoji.animated`` picks ``gif``): ``.../emojis/{id}.png``."""
    ext = _format(animated, format)
    return f"{_base(media_base)}/emojis/{emoji_id}.{ext}{_query(size)}"


def sticker_url(
    sticker_id: Snowflake,
    *,
    animated: bool = False,
    size: int | None = None,
    format: ImageFormat | None = None,
    media_base: str = MEDIA_BASE,
) -> str:
    """A sticker: ``.../stickers/{id}.png`` (``gif`` when animated)."""
    ext = _format(animated, format)
    return f"{_base(media_base)}/stickers/{sticker_id}.{ext}{_query(size)}"


def attachment_url(
    channel_id: Snowflake,
    attachment_id: Snowflake,
    filename: str,
    *,
    media_base: str = MEDIA_BASE,
) -> str:
    """An uploaded file: ``.../attachments/{channel_id}/{attachment_id}/{filename}`` (the
    filename percent-encoded). Received attachments carry their ``url`` already."""
    return f"{_base(media_base)}/attachments/{channel_id}/{attachment_id}/{quote(filename)}"
