"""Argument text -> typed values: the tokenizer and the built-in converters.

A converter is ``convert(ctx, text) -> value`` (sync or async); it raises ``ValueError``
with a short reason when the text does not fit (the caller turns that into a
:class:`~fluxer_rx.commands.errors.BadArgument` naming the parameter). Built in:

* ``str`` as given; ``int`` (ASCII digits, optional sign); ``float`` (finite);
  ``bool`` (yes/no, true/false, on/off, 1/0, y/n, enable/disable; any case);
* ``PartialUser``: a mention ``<@id>`` / ``<@!id>`` or an id; the user from the message's
  ``mentions``, else the cache, else ``GET /users/{id}``;
* ``Member``: the same forms, a member of the invoking guild (cache, else REST);
* ``CachedChannel``: a mention ``<#id>`` or an id of a cached channel of the invoking
  guild (of any cached channel in a DM).

Use ``typing.Annotated[T, converter]`` on a parameter for your own.
"""

from __future__ import annotations

import math
import re
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any, Final

from fluxer_rx.cache import CachedChannel, CachedUser
from fluxer_rx.commands.context import Context
from fluxer_rx.errors import ApiError
from fluxer_rx.models import Member, PartialUser

__all__ = [
    "BUILTIN_CONVERTERS",
    "Converter",
    "Token",
    "channel_id_of",
    "split_arguments",
    "user_id_of",
]

Converter = Callable[[Context, str], Any | Awaitable[Any]]
"""``convert(ctx, text)``: the value, or an awaitable of it; ``ValueError`` when unfit."""


@dataclass(frozen=True, slots=True)
class Token:
    """One argument: its ``value`` (quotes removed) and where it starts in the text
    (``start``, the index a greedy parameter takes the rest from)."""

    value: str
    start: int


def split_arguments(text: str) -> list[Token]:
    """Split argument text on whitespace; ``"double quotes"`` group words into one
    argument (``\\"`` inside quotes is a literal quote).

    Raises ``ValueError`` for an unclosed quote."""
    tokens: list[Token] = []
    i, n = 0, len(text)
    while i < n:
        if text[i].isspace():
            i += 1
            continue
        start = i
        if text[i] == '"':
            i += 1
            chars: list[str] = []
            while i < n and text[i] != '"':
                if text[i] == "\\" and i + 1 < n and text[i + 1] == '"':
                    i += 1
                chars.append(text[i])
                i += 1
            if i >= n:
                raise ValueError("unclosed quote")
            i += 1
            tokens.append(Token("".join(chars), start))
        else:
            while i < n and not text[i].isspace():
                i += 1
            tokens.append(Token(text[start:i], start))
    return tokens


_USER_MENTION: Final = re.compile(r"<@!?([0-9]{1,20})>")
_CHANNEL_MENTION: Final = re.compile(r"<#([0-9]{1,20})>")
_ID: Final = re.compile(r"[0-9]{1,20}")


def user_id_of(text: str) -> str:
    """The user id in ``<@id>``, ``<@!id>`` or a bare id; ``ValueError`` otherwise."""
    found = _USER_MENTION.fullmatch(text) or _ID.fullmatch(text)
    if found is None:
        raise ValueError("expected a user mention or id")
    return str(int(found.group(found.lastindex or 0)))


def channel_id_of(text: str) -> str:
    """The channel id in ``<#id>`` or a bare id; ``ValueError`` otherwise."""
    found = _CHANNEL_MENTION.fullmatch(text) or _ID.fullmatch(text)
    if found is None:
        raise ValueError("expected a channel mention or id")
    return str(int(found.group(found.lastindex or 0)))


def to_str(ctx: Context, text: str) -> str:
    """The text itself."""
    return text


def to_int(ctx: Context, text: str) -> int:
    """A whole number in ASCII digits, with an optional sign."""
    digits = text[1:] if text[:1] in "+-" else text
    if not digits.isascii() or not digits.isdigit():
        raise ValueError("expected a whole number")
    return int(text)


def to_float(ctx: Context, text: str) -> float:
    """A finite number (``1``, ``2.5``, ``-3e2``)."""
    try:
        value = float(text) if text.isascii() else math.nan
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        raise ValueError("expected a number")
    return value


_TRUE: Final = frozenset({"yes", "y", "true", "t", "on", "1", "enable", "enabled"})
_FALSE: Final = frozenset({"no", "n", "false", "f", "off", "0", "disable", "disabled"})


def to_bool(ctx: Context, text: str) -> bool:
    """yes/no, true/false, on/off, 1/0, y/n, enable/disable, in any case."""
    lowered = text.lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ValueError("expected yes or no")


async def to_user(ctx: Context, text: str) -> PartialUser:
    """A user: from the message's mentions, else the cache, else REST."""
    user_id = user_id_of(text)
    for mentioned in ctx.message.mentions:
        if mentioned.id == user_id:
            return mentioned
    try:
        found = await ctx.client.users.resolve(user_id)
    except ApiError as exc:
        if exc.status == 404:
            raise ValueError("unknown user") from None
        raise
    return found.to_wire() if isinstance(found, CachedUser) else found


async def to_member(ctx: Context, text: str) -> Member:
    """A member of the invoking guild: from the cache, else REST."""
    user_id = user_id_of(text)
    guild_id = ctx.guild_id
    if guild_id is None:
        raise ValueError("members exist only in a server")
    cached = ctx.client.cache.get_member(guild_id, user_id)
    if cached is not None:
        return ctx.client.cache.member_to_wire(cached)
    try:
        return await ctx.client.members.fetch(guild_id, user_id)
    except ApiError as exc:
        if exc.status == 404:
            raise ValueError("not a member of this server") from None
        raise


def to_channel(ctx: Context, text: str) -> CachedChannel:
    """A cached channel of the invoking guild."""
    channel = ctx.client.cache.get_channel(channel_id_of(text))
    if channel is None or (ctx.guild_id is not None and channel.guild_id != ctx.guild_id):
        raise ValueError("unknown channel")
    return channel


BUILTIN_CONVERTERS: Final[Mapping[Any, Converter]] = {
    str: to_str,
    int: to_int,
    float: to_float,
    bool: to_bool,
    PartialUser: to_user,
    Member: to_member,
    CachedChannel: to_channel,
}
"""Annotation -> converter for the types supported out of the box."""
