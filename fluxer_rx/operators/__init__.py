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
"""

from fluxer_rx.operators.collect import collect
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
