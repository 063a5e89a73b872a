"""The client cache: a fold of the typed event stream into bounded maps, read through a
read-only :class:`CacheView`.

``Cache(CacheOptions(...))`` builds one (:class:`CacheOptions`: which
:class:`CachedResource` stores, their :class:`CacheSizeLimits`, recent messages per
channel); ``cache.apply(event)`` folds an event (never raises); ``cache.view`` is what
readers get: ``guilds`` / ``channels`` / ``users`` / ``members`` / ``presences`` /
``voice_states``, ``messages(channel_id)``, recency-aware ``get_*`` lookups and
``counts()``. Cached objects are the compact records of
:mod:`fluxer_rx.cache.cached_types` (built by :mod:`fluxer_rx.cache.codecs`, packed by
:mod:`fluxer_rx.cache.compact`); the reducers live in :mod:`fluxer_rx.cache.reducers`
(:data:`REDUCERS`, checked against the event registry); :class:`GuildChunker` serves
``chunk_guilds``.
"""

from fluxer_rx.cache.cache import Cache
from fluxer_rx.cache.cached_types import (
    CachedChannel,
    CachedGuild,
    CachedMember,
    CachedPresence,
    CachedUser,
)
from fluxer_rx.cache.chunking import CHUNK_NONCE_PREFIX, ChunkRequest, GuildChunker
from fluxer_rx.cache.lru import LruMap
from fluxer_rx.cache.options import CachedResource, CacheOptions, CacheSizeLimits
from fluxer_rx.cache.reducers import REDUCERS, Reducer
from fluxer_rx.cache.state import CacheState, IssueKind
from fluxer_rx.cache.views import CacheCounts, CacheView

__all__ = [
    "CHUNK_NONCE_PREFIX",
    "REDUCERS",
    "Cache",
    "CacheCounts",
    "CacheOptions",
    "CacheSizeLimits",
    "CacheState",
    "CacheView",
    "CachedChannel",
    "CachedGuild",
    "CachedMember",
    "CachedPresence",
    "CachedResource",
    "CachedUser",
    "ChunkRequest",
    "GuildChunker",
    "IssueKind",
    "LruMap",
    "Reducer",
]
