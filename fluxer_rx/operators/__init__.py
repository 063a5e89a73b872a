"""Fluxer operators, collectors and await helpers for ``client.events`` (public facade).

Operators are in reactivex's own form (functions returning ``Observable -> Observable``)
and drop into ``pipe(...)``::

    from fluxer_rx.operators import of_type, in_channel, content_matches

    client.events.pipe(
        of_type(MessageCreate),          # Observable[MessageCreate]
        in_channel(channel_id),
        content_matches(r"^!ping\\b"),
    ).subscribe(reply)

On ``client.events`` (a :class:`~fluxer_rx.routing.RoutedEventSubject`) ``of_type``,
``in_channel``, ``in_guild``, ``from_user``, ``for_message`` and ``reaction_on`` route by
dict look-up instead of filtering every event. Modules: :mod:`.filtering` (the
operators), :mod:`.keyed` (``debounce_by`` / ``throttle_by``, timing per channel or per
user), :mod:`.effects` (``run_async``: async side effects as tracked, bounded tasks),
:mod:`.collect` (the ``collect`` operator), :mod:`.collectors` (message and reaction
collectors), :mod:`.waiting` (``wait_for`` and ``aiter_events``), :mod:`.event_time`
(``window_by_event_time``, ``count_by``, ``top_k``: windows by when events happened).

Each name is imported from its module on first read, so a client that starts no collector
and uses no event-time operator does not import them (``benchmarks/bench_import.py``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from fluxer_rx.lazy_names import lazy_parts, listing

# ``collect`` is bound now: it is also the name of a submodule, and importing that
# submodule (the collectors do) would otherwise leave the module in its place.
from fluxer_rx.operators.collect import collect

if TYPE_CHECKING:
    from fluxer_rx.operators.collectors import (
        END_REASONS,
        Collector,
        CollectorResult,
        message_collector,
        reaction_collector,
    )
    from fluxer_rx.operators.effects import EffectOverflow, EffectScope, run_async
    from fluxer_rx.operators.event_time import (
        EventWindow,
        KeyedCounts,
        LateEvent,
        TopK,
        count_by,
        snowflake_seconds,
        top_k,
        window_by_event_time,
    )
    from fluxer_rx.operators.filtering import (
        REACTION_EVENT_TYPES,
        content_matches,
        for_message,
        from_user,
        in_channel,
        in_guild,
        of_type,
        reaction_on,
        resolve_event_types,
    )
    from fluxer_rx.operators.keyed import debounce_by, throttle_by
    from fluxer_rx.operators.waiting import (
        BufferOverflow,
        EventIterator,
        StreamClosed,
        aiter_events,
        wait_for,
    )

__all__ = [
    "END_REASONS",
    "REACTION_EVENT_TYPES",
    "BufferOverflow",
    "Collector",
    "CollectorResult",
    "EffectOverflow",
    "EffectScope",
    "EventIterator",
    "EventWindow",
    "KeyedCounts",
    "LateEvent",
    "StreamClosed",
    "TopK",
    "aiter_events",
    "collect",
    "content_matches",
    "count_by",
    "debounce_by",
    "for_message",
    "from_user",
    "in_channel",
    "in_guild",
    "message_collector",
    "of_type",
    "reaction_collector",
    "reaction_on",
    "resolve_event_types",
    "run_async",
    "snowflake_seconds",
    "throttle_by",
    "top_k",
    "wait_for",
    "window_by_event_time",
]

_PARTS = {
    "collectors": (
        "END_REASONS",
        "Collector",
        "CollectorResult",
        "message_collector",
        "reaction_collector",
    ),
    "effects": ("EffectOverflow", "EffectScope", "run_async"),
    "event_time": (
        "EventWindow",
        "KeyedCounts",
        "LateEvent",
        "TopK",
        "count_by",
        "snowflake_seconds",
        "top_k",
        "window_by_event_time",
    ),
    "filtering": (
        "REACTION_EVENT_TYPES",
        "content_matches",
        "for_message",
        "from_user",
        "in_channel",
        "in_guild",
        "of_type",
        "reaction_on",
        "resolve_event_types",
    ),
    "keyed": ("debounce_by", "throttle_by"),
    "waiting": ("BufferOverflow", "EventIterator", "StreamClosed", "aiter_events", "wait_for"),
}
"""Submodule -> the public names it defines (each submodule imported on first read)."""

__getattr__ = lazy_parts(__name__, _PARTS, globals())
__dir__ = listing(globals(), __all__)
