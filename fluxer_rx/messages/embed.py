"""An embed builder producing the wire ``RichEmbedRequest`` dict of a message body.

``Embed(title=..., description=..., url=..., color=..., timestamp=...)``, then
``add_field``, ``set_footer``, ``set_author``, ``set_image``, ``set_thumbnail`` (each
returns the embed, so calls chain); :meth:`Embed.to_dict` gives the JSON object with only
the fields that were set. The limits in Fluxer's schema (title 256 characters, description
4096, at most 25 fields, a field's value 1024, a 24-bit colour) are checked when a value is
set, so a bad embed fails where it is built rather than as a 400 from the API.

This is the embed you send; the embeds of received messages are decoded as
:class:`fluxer_rx.models.Embed` (``message.embeds``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Final

__all__ = ["MAX_DESCRIPTION", "MAX_FIELDS", "MAX_FIELD_VALUE", "MAX_TITLE", "Embed"]

MAX_TITLE: Final = 256
MAX_DESCRIPTION: Final = 4096
MAX_FIELDS: Final = 25
MAX_FIELD_VALUE: Final = 1024


def _checked_length(name: str, text: str, limit: int) -> str:
    if len(text) > limit:
        raise ValueError(f"embed {name} is {len(text)} characters, more than {limit}")
    return text


def _media(url: str, description: str | None) -> dict[str, str]:
    media = {"url": url}
    if description is not None:
        media["description"] = description
    return media


class Embed:
    """A rich embed; ``timestamp`` is a timezone-aware ``datetime`` or an ISO 8601 string.

    ::

        embed = (
            Embed(title="Poll", description="Pizza tonight?", color=0x3498DB)
            .add_field("👍", "3", inline=True)
            .set_footer("closes in 30 s")
        )
        await client.channels.send(channel_id, embeds=[embed])
    """

    __slots__ = ("_data", "_fields")

    def __init__(
        self,
        *,
        title: str | None = None,
        description: str | None = None,
        url: str | None = None,
        color: int | None = None,
        timestamp: datetime | str | None = None,
    ) -> None:
        self._data: dict[str, Any] = {}
        self._fields: list[dict[str, Any]] = []
        if title is not None:
            self._data["title"] = _checked_length("title", title, MAX_TITLE)
        if description is not None:
            self._data["description"] = _checked_length("description", description, MAX_DESCRIPTION)
        if url is not None:
            self._data["url"] = url
        if color is not None:
            if isinstance(color, bool) or not 0 <= color <= 0xFFFFFF:
                raise ValueError(f"embed color must be a 24-bit RGB integer, not {color!r}")
            self._data["color"] = color
        if timestamp is not None:
            self._data["timestamp"] = _iso(timestamp)

    def __repr__(self) -> str:
        return f"Embed({self.to_dict()!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Embed) and self.to_dict() == other.to_dict()

    __hash__ = None  # type: ignore[assignment]  # mutable: equal by value, not hashable

    @property
    def fields(self) -> list[dict[str, Any]]:
        """A copy of the fields added so far, as wire dicts."""
        return [dict(field) for field in self._fields]

    def add_field(self, name: str, value: str, *, inline: bool = False) -> Embed:
        """Append a field (at most 25; ``value`` up to 1024 characters)."""
        if len(self._fields) >= MAX_FIELDS:
            raise ValueError(f"an embed has at most {MAX_FIELDS} fields")
        field: dict[str, Any] = {
            "name": name,
            "value": _checked_length("field value", value, MAX_FIELD_VALUE),
        }
        if inline:
            field["inline"] = True
        self._fields.append(field)
        return self

    def set_footer(self, text: str, *, icon_url: str | None = None) -> Embed:
        """The footer line, with an optional icon."""
        footer = {"text": text}
        if icon_url is not None:
            footer["icon_url"] = icon_url
        self._data["footer"] = footer
        return self

    def set_author(
        self, name: str, *, url: str | None = None, icon_url: str | None = None
    ) -> Embed:
        """The author line (e.g. ``icon_url=fluxer_rx.cdn.avatar_url(...)``)."""
        author = {"name": name}
        if url is not None:
            author["url"] = url
        if icon_url is not None:
            author["icon_url"] = icon_url
        self._data["author"] = author
        return self

    def set_image(self, url: str, *, description: str | None = None) -> Embed:
        """The large image; ``description`` is its alt text."""
        self._data["image"] = _media(url, description)
        return self

    def set_thumbnail(self, url: str, *, description: str | None = None) -> Embed:
        """The small image at the side; ``description`` is its alt text."""
        self._data["thumbnail"] = _media(url, description)
        return self

    def to_dict(self) -> dict[str, Any]:
        """The ``RichEmbedRequest`` JSON object (a fresh dict each call)."""
        data = {
            key: dict(value) if isinstance(value, dict) else value
            for key, value in self._data.items()
        }
        if self._fields:
            data["fields"] = self.fields
        return data


def _iso(timestamp: datetime | str) -> str:
    if isinstance(timestamp, str):
        datetime.fromisoformat(timestamp.replace("Z", "+00:00"))  # raises on a malformed one
        return timestamp
    if timestamp.tzinfo is None:
        raise ValueError("embed timestamp must be timezone-aware (e.g. datetime.now(UTC))")
    return timestamp.isoformat()
