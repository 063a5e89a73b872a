"""The client cache: a fold of the typed event stream into bounded, read-only maps.

``Cache(CacheOptions(...))`` builds one (:class:`CacheOptions`: which
:class:`CachedResource` stores, their :class:`CacheSizeLimits`, recent messages per
channel); ``cache.apply(event)`` folds an event (never
raises); ``cache.guilds`` / ``channels`` / ``users`` / ``members`` / ``presences`` /
``voice_states`` and ``cache.messages(channel_id)`` read it. Cached objects are the
compact records in :mod:`fluxer_rx.cache.cached_types` (built by
:mod:`fluxer_rx.cache.codecs`, packed by :mod:`fluxer_rx.cache.compact`); the reducers live in
:mod:`fluxer_rx.cache.reducers` (:data:`REDUCERS`); :class:`GuildChunker` serves
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

__all__ = [
    "CHUNK_NONCE_PREFIX",
    "REDUCERS",
    "Cache",
    "CacheOptions",
    "CacheSizeLimits",
    "CacheState",
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
