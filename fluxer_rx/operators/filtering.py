"""Fluxer filtering operators: pick events by class, channel, guild, user, content, message.

Each function returns an operator in reactivex's own form (``Observable -> Observable``) so
it drops into ``pipe(...)``. Applied to a :class:`~fluxer_rx.routing.RoutedEventSubject`
(``client.events``) or to a stream it returned, an operator narrows the subject's routing
(a dict look-up per event, see :mod:`fluxer_rx.routing`) instead of adding a filter that
every event passes through; applied to any other observable it is a plain ``filter``. Both
forms emit the same values, and pass completion and errors through unchanged.

Ids are compared as strings; integer ids are accepted and converted.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any, TypeVar, overload

from reactivex import Observable
from reactivex import operators as ops

from fluxer_rx.models import (
    ALL_EVENT_NAMES,
    EVENT_TYPES,
    MessageReactionAdd,
    MessageReactionRemove,
    MessageReactionRemoveAll,
    MessageReactionRemoveEmoji,
    RawEvent,
)
from fluxer_rx.routing import EVENT_KEYS, RoutedEventSubject, RoutedStream

__all__ = [
    "REACTION_EVENT_TYPES",
    "content_matches",
    "for_message",
    "from_user",
    "in_channel",
    "in_guild",
    "of_type",
    "reaction_on",
    "resolve_event_types",
]

A = TypeVar("A")
B = TypeVar("B")
C = TypeVar("C")
D = TypeVar("D")
T = TypeVar("T")

Operator = Callable[[Observable[Any]], Observable[T]]

REACTION_EVENT_TYPES: tuple[type[Any], ...] = (
    MessageReactionAdd,
    MessageReactionRemove,
    MessageReactionRemoveAll,
    MessageReactionRemoveEmoji,
)
"""The reaction events :func:`reaction_on` lets through."""


def resolve_event_types(
    event_types: Iterable[type[Any] | str],
) -> tuple[tuple[type[Any], ...], frozenset[str]]:
    """Split ``event_types`` into payload classes and raw event names.

    A name with a payload class in :data:`~fluxer_rx.models.EVENT_TYPES` becomes that class;
    another known name (in ``ALL_EVENT_NAMES``) stays a name, matched against
    :class:`~fluxer_rx.models.RawEvent` ``.name``. Raises ``ValueError`` for an unknown name
    and ``TypeError`` for anything that is neither a class nor a string.
    """
    classes: list[type[Any]] = []
    raw: set[str] = set()
    for item in event_types:
        if isinstance(item, type):
            cls = item
        elif isinstance(item, str):
            mapped = EVENT_TYPES.get(item)
            if mapped is None:
                if item not in ALL_EVENT_NAMES:
                    raise ValueError(
                        f"unknown event name {item!r}; use an Events.* name or an event class"
                    )
                raw.add(item)
                continue
            cls = mapped
        else:
            raise TypeError(f"expected an event class or an Events.* name, got {item!r}")
        if cls not in classes:
            classes.append(cls)
    if not classes and not raw:
        raise ValueError("of_type() needs at least one event class or name")
    return tuple(classes), frozenset(raw)


def _routed(source: Observable[Any]) -> RoutedStream[Any] | None:
    if isinstance(source, RoutedStream):
        return source
    if isinstance(source, RoutedEventSubject):
        return source.stream()
    return None


@overload
def of_type(__a: type[A]) -> Operator[A]: ...
@overload
def of_type(__a: type[A], __b: type[B]) -> Operator[A | B]: ...
@overload
def of_type(__a: type[A], __b: type[B], __c: type[C]) -> Operator[A | B | C]: ...
@overload
def of_type(__a: type[A], __b: type[B], __c: type[C], __d: type[D]) -> Operator[A | B | C | D]: ...
@overload
def of_type(*event_types: type[Any] | str) -> Operator[Any]: ...


def of_type(*event_types: type[Any] | str) -> Operator[Any]:
    """Only the events that are instances of ``event_types`` (classes or ``Events.*`` names).

    ::

        ---m1--t1--r1--m2--|->     m: MessageCreate, t: TypingStart, r: reaction
        [ of_type(MessageCreate) ]
        ---m1----------m2--|->

    With classes the result is typed (``Observable[MessageCreate]``). A name without a
    payload class matches the :class:`~fluxer_rx.models.RawEvent` of that name. Subclasses
    count (``of_type(GuildCreate)`` also lets ``GuildSync`` through). Raises ``ValueError`` /
    ``TypeError`` at once for an unknown name or a non-class.
    """
    classes, raw = resolve_event_types(event_types)
    route_types: tuple[type[Any], ...] = classes
    if raw and RawEvent not in classes:
        route_types = (*classes, RawEvent)

    def raw_ok(event: Any) -> bool:
        return not isinstance(event, RawEvent) or RawEvent in classes or event.name in raw

    def operator(source: Observable[Any]) -> Observable[Any]:
        routed = _routed(source)
        if routed is not None:
            result: Observable[Any] = routed.narrowed(types=route_types)
        else:
            result = source.pipe(ops.filter(lambda event: isinstance(event, route_types)))
        return result.pipe(ops.filter(raw_ok)) if raw else result

    return operator


def _by_key(name: str, value: str | int) -> Operator[Any]:
    if not isinstance(value, str | int) or isinstance(value, bool):
        raise TypeError(f"{name} must be a str or int id, not {type(value).__name__}")
    wanted = str(value)
    key = EVENT_KEYS[name]

    def operator(source: Observable[T]) -> Observable[T]:
        routed = _routed(source)
        if routed is not None:
            return routed.narrowed(where={name: wanted})
        return source.pipe(ops.filter(lambda event: key(event) == wanted))

    return operator


def in_channel(channel_id: str | int) -> Callable[[Observable[T]], Observable[T]]:
    """Only the events of one channel (``channel_id``; a channel event's own ``id``).

    ::

        ---a1--b1--a2--|->     a: channel "a", b: channel "b"
        [ in_channel("a") ]
        ---a1------a2--|->

    Events without a channel (GUILD_*, PRESENCE_UPDATE, ...) never pass.
    """
    return _by_key("channel_id", channel_id)


def in_guild(guild_id: str | int) -> Callable[[Observable[T]], Observable[T]]:
    """Only the events of one guild (``guild_id``; a guild event's own ``id``).

    ::

        ---a1--d1--a2--|->     a: guild "a", d: a DM (no guild)
        [ in_guild("a") ]
        ---a1------a2--|->
    """
    return _by_key("guild_id", guild_id)


def from_user(user_id: str | int) -> Callable[[Observable[T]], Observable[T]]:
    """Only the events caused by one user: ``user_id``, ``author_id``, ``author.id`` or
    ``user.id``, whichever the event has first.

    ::

        ---u1--v1--u2--|->     u: by user "u", v: by user "v"
        [ from_user("u") ]
        ---u1------u2--|->
    """
    return _by_key("user_id", user_id)


def for_message(message_id: str | int) -> Callable[[Observable[T]], Observable[T]]:
    """Only the events about one message: reactions on it (``message_id``), and the
    message's own MESSAGE_CREATE / MESSAGE_UPDATE / MESSAGE_DELETE (``id``).

    ::

        ---ca--ra--rb--da--|->     c: create, r: reaction, d: delete, of message a/b
        [ for_message("a") ]
        ---ca--ra------da--|->

    MESSAGE_DELETE_BULK has no single message id and never passes.
    """
    return _by_key("message_id", message_id)


def reaction_on(message_id: str | int) -> Operator[Any]:
    """Only the reaction events (add, remove, remove-all, remove-emoji) on one message.

    ::

        ---ra--mc--rb--xa--|->     r: reaction add, x: reaction remove, on message a/b
        [ reaction_on("a") ]
        ---ra----------xa--|->
    """
    by_message: Callable[[Observable[Any]], Observable[Any]] = for_message(message_id)
    by_type = of_type(*REACTION_EVENT_TYPES)
    return lambda source: by_message(by_type(source))


def content_matches(
    pattern: str | re.Pattern[str], flags: int = 0
) -> Callable[[Observable[T]], Observable[T]]:
    """Only the events whose ``content`` is a string in which ``pattern`` is found
    (``re.search``; anchor it with ``^``/``$`` to match the whole content).

    ::

        ---"hi"--"ping"--"oh hi"--|->
        [ content_matches(r"^hi|hi$") ]
        ---"hi"----------"oh hi"--|->

    ``flags`` apply to a string pattern; a compiled pattern keeps its own. Raises
    ``re.error`` at once for an invalid pattern.
    """
    compiled = pattern if isinstance(pattern, re.Pattern) else re.compile(pattern, flags)
    search = compiled.search

    def matches(event: Any) -> bool:
        content = getattr(event, "content", None)
        return isinstance(content, str) and search(content) is not None

    return ops.filter(matches)
