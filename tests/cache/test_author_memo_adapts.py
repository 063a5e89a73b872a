"""The author memo adapts to the traffic (issue #16): a crowd of authors who rarely post
again stops being remembered one by one, authors who post again are remembered, and
what the cache stores is the same either way."""

from __future__ import annotations

from typing import Any

import msgspec

from fluxer_rx.cache import Cache, CacheOptions, CacheSizeLimits
from fluxer_rx.cache.state import AUTHOR_MEMO_JUDGED, AUTHOR_MEMO_STRIDE
from tests.cache import wire

GUILD = "100"
CHANNEL = "110"


def home(memo: int, limits: CacheSizeLimits | None = None) -> Cache:
    cache = Cache(CacheOptions(limits=limits or CacheSizeLimits()))
    cache.state.author_memo_size = memo
    cache.apply(wire.ready("1", (GUILD,)))
    cache.apply(
        wire.guild_create(
            GUILD, roles=[wire.role(GUILD, "@everyone")], channels=[wire.channel(CHANNEL, GUILD)]
        )
    )
    return cache


def post(uid: int) -> Any:
    return wire.message("900", CHANNEL, wire.user(str(uid), f"user{uid}"), GUILD)


def snapshot(cache: Cache) -> tuple[object, ...]:
    state = cache.state
    users = {k: msgspec.structs.asdict(v) for k, v in cache.users.items()}
    return users, state.users.recency()


def test_a_crowd_of_rare_authors_is_remembered_one_in_a_stride() -> None:
    size = AUTHOR_MEMO_JUDGED
    crowd = home(size)
    state = crowd.state
    for uid in range(3 * size):  # every author posts once: the memo never hits
        crowd.apply(post(uid))
    assert state.author_memo_stride == AUTHOR_MEMO_STRIDE
    remembered = len(state._authors)
    for uid in range(3 * size, 4 * size):
        crowd.apply(post(uid))
    # a stride of new authors adds one entry (give or take the stride's phase)
    assert len(state._authors) - remembered <= size // AUTHOR_MEMO_STRIDE + 1


def test_authors_who_post_again_are_remembered_again() -> None:
    size = AUTHOR_MEMO_JUDGED
    cache = home(size)
    state = cache.state
    for uid in range(3 * size):
        cache.apply(post(uid))
    assert state.author_memo_stride == AUTHOR_MEMO_STRIDE
    regulars = range(3 * size, 3 * size + 100)
    for _ in range(AUTHOR_MEMO_STRIDE + 2):  # a hundred regulars posting again and again
        for uid in regulars:
            cache.apply(post(uid))
    assert set(regulars) <= {int(uid) for uid in state._authors}  # all remembered by now
    assert state.author_memo_hits >= len(state._authors)
    cache.apply(post(10 * size))  # a newcomer, once the memo pays again: remembered
    assert state.author_memo_stride == 1
    assert str(10 * size) in state._authors


def test_a_small_memo_is_never_judged() -> None:
    cache = home(AUTHOR_MEMO_JUDGED // 2)
    for uid in range(4 * AUTHOR_MEMO_JUDGED):
        cache.apply(post(uid))
    assert cache.state.author_memo_stride == 1


def test_the_adaptive_memo_stores_what_no_memo_stores() -> None:
    limits = CacheSizeLimits(users=3000)
    adaptive, plain = home(AUTHOR_MEMO_JUDGED, limits), home(0, limits)
    order = [uid for round_ in range(3) for uid in range(round_ * 700, round_ * 700 + 2000)]
    order += [uid % 50 for uid in range(3000)]
    for uid in order:
        adaptive.apply(post(uid))
        plain.apply(post(uid))
    assert snapshot(adaptive) == snapshot(plain)
