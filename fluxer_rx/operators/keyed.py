"""Keyed timing operators: ``debounce_by`` and ``throttle_by`` (per channel, per user...).

Both split the stream with reactivex's ``group_by_until`` into one group per key and time
each group on its own, so a burst in one channel never silences another. A group lives
only while its key is active (see each operator) and is then forgotten: the memory held
is bounded by the number of keys active within the last ``seconds``, not by the number of
keys ever seen.

``key`` is a function of the value, or the name of an id kind read as
:mod:`fluxer_rx.routing` reads it (``"channel_id"``, ``"guild_id"``, ``"user_id"``,
``"message_id"``; the same reading as ``in_channel`` and friends). A name keeps the
operator generic, so mypy infers the value type from the pipe::

    client.events.pipe(of_type(MessageCreate), debounce_by("channel_id", 0.2))

Timers run on the subscription's scheduler (the running loop's for the streams of a
client, a ``TestScheduler`` in virtual-time tests). An exception raised by ``key`` is
passed on as the stream's error. Completion flushes what a group holds, then completes.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any, Literal, TypeVar, overload

import reactivex
from reactivex import GroupedObservable, Observable
from reactivex import operators as ops

from fluxer_rx.routing import EVENT_KEYS

__all__ = ["KeyName", "debounce_by", "throttle_by"]

T = TypeVar("T")

KeyName = Literal["channel_id", "guild_id", "user_id", "message_id"]
"""An id kind of :data:`fluxer_rx.routing.EVENT_KEYS`, usable as a key."""

Key = Callable[[T], Hashable]


def _key_function(key: KeyName | Key[Any]) -> Key[Any]:
    if isinstance(key, str):
        try:
            return EVENT_KEYS[key]
        except KeyError:
            raise ValueError(f"unknown id kind {key!r}; use one of {sorted(EVENT_KEYS)}") from None
    if not callable(key):
        raise TypeError(f"key must be a function or an id kind name, not {key!r}")
    return key


def _check_seconds(seconds: float) -> float:
    if isinstance(seconds, bool) or not isinstance(seconds, int | float) or not seconds > 0:
        raise ValueError(f"seconds must be a number > 0, not {seconds!r}")
    return float(seconds)


def _last_of(group: GroupedObservable[Hashable, T]) -> Observable[T]:
    return group.pipe(ops.last())


def _first_of(group: GroupedObservable[Hashable, T]) -> Observable[T]:
    return group.pipe(ops.take(1))


@overload
def debounce_by(key: KeyName, seconds: float) -> Callable[[Observable[T]], Observable[T]]: ...
@overload
def debounce_by(key: Key[T], seconds: float) -> Callable[[Observable[T]], Observable[T]]: ...


def debounce_by(
    key: KeyName | Key[Any], seconds: float
) -> Callable[[Observable[Any]], Observable[Any]]:
    """Per key, the last value of each burst, once the key has been quiet for ``seconds``.

    ::

        -a-a-b-----a---|->     a, b: values of keys a and b; one unit per dash
        [ debounce_by(key, 2) ]
        -----a-b-----a-|->

    A key's group opens at its first value and closes when it emits (after ``seconds``
    without a value of that key), so a key holds memory only during its burst. On
    completion each open group emits its pending value at once. Raises ``ValueError`` for
    ``seconds <= 0`` or an unknown id kind.
    """
    window = _check_seconds(seconds)
    by = _key_function(key)

    def quiet(group: Observable[Any]) -> Observable[Any]:
        return group.pipe(ops.debounce(window))

    def operator(source: Observable[Any]) -> Observable[Any]:
        return source.pipe(
            ops.group_by_until(by, None, quiet),
            ops.flat_map(_last_of),
        )

    return operator


@overload
def throttle_by(key: KeyName, seconds: float) -> Callable[[Observable[T]], Observable[T]]: ...
@overload
def throttle_by(key: Key[T], seconds: float) -> Callable[[Observable[T]], Observable[T]]: ...


def throttle_by(
    key: KeyName | Key[Any], seconds: float
) -> Callable[[Observable[Any]], Observable[Any]]:
    """Per key, the first value, then nothing of that key for ``seconds``.

    ::

        -a-a-b---a-a--|->     a, b: values of keys a and b; one unit per dash
        [ throttle_by(key, 4) ]
        -a---b---a----|->

    A key's group opens at a value that passes and closes ``seconds`` later; the next
    value of that key after the close passes and opens a new group. Two values of one key
    that pass are therefore at least ``seconds`` apart, and a value exactly ``seconds``
    after the last one that passed may or may not pass (whichever the scheduler runs
    first). Raises ``ValueError`` for ``seconds <= 0`` or an unknown id kind.
    """
    window = _check_seconds(seconds)
    by = _key_function(key)

    def expiry(_group: Observable[Any]) -> Observable[Any]:
        return reactivex.timer(window)

    def operator(source: Observable[Any]) -> Observable[Any]:
        return source.pipe(
            ops.group_by_until(by, None, expiry),
            ops.flat_map(_first_of),
        )

    return operator
