"""What bounded stores guarantee under second-chance eviction (``fluxer_rx.cache.lru``):
the bound holds after every write, the entry written is never the one evicted, an
evicted entry was not used since the previous eviction, entries used since the sweep
last passed them outlive the others, and an evicted record is gone from every index."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from fluxer_rx.cache import Cache, CachedResource, CacheOptions, CacheSizeLimits, LruMap
from tests.cache import wire

ops = st.lists(st.tuples(st.sampled_from(["put", "touch", "pop"]), st.integers(0, 12)), max_size=80)


@settings(max_examples=300, deadline=None)
@given(ops, st.integers(0, 6))
def test_lru_map_bound_and_victims(sequence: list[tuple[str, int]], limit: int) -> None:
    evicted: list[int] = []
    lru: LruMap[int, int] = LruMap(limit, lambda k, v: evicted.append(k))
    marked: set[int] = set()  # used (touched, or written while present) since a sweep
    for op, key in sequence:
        before = len(evicted)
        if op == "put":
            present = key in lru
            lru.put(key, key)
            assert len(lru) <= limit
            assert key in lru or limit == 0  # the entry written is never the victim
            if len(evicted) > before:
                # the victim was not used since the previous sweep, unless every entry
                # but the one written was (then the sweep unmarked them all)
                victim = evicted[-1]
                others = (set(lru.data) | {victim}) - {key}
                assert len(evicted) == before + 1
                assert victim not in marked or others <= marked
                marked = set()
            elif present:
                marked.add(key)
        elif op == "touch":
            if lru.touch(key):
                marked.add(key)
        else:
            lru.pop(key)
            marked.discard(key)
        assert sorted(lru.recency()) == sorted(lru.data)


def test_without_uses_eviction_is_first_in_first_out() -> None:
    evicted: list[int] = []
    lru: LruMap[int, int] = LruMap(3, lambda k, v: evicted.append(k))
    for key in range(10):
        lru.put(key, key)
    assert evicted == list(range(7)) and lru.recency() == [7, 8, 9]


def test_used_entries_outlive_every_entry_not_used_since_the_sweep_passed() -> None:
    lru: LruMap[int, int] = LruMap(100)
    for key in range(100):
        lru.put(key, key)
    used = set(range(0, 100, 7))
    for key in used:
        assert lru.touch(key)
    for key in range(100, 100 + 100 - len(used)):  # exactly as many as are unused
        lru.put(key, key)
    assert used <= set(lru.data)
    assert not set(range(100)) - used & set(lru.data)


def test_a_limit_of_zero_keeps_nothing() -> None:
    lru: LruMap[str, int] = LruMap(0)
    lru.put("a", 1)
    assert not lru.data and lru.recency() == []


def _cache(users: int | None, members: int | None) -> Cache:
    options = CacheOptions(
        resources=CachedResource.DEFAULT | CachedResource.PRESENCES,
        limits=CacheSizeLimits(users=users, members=members),
    )
    cache = Cache(options)
    for gid in ("100", "200"):
        cache.apply(wire.guild_create(gid, members=[]))
    return cache


def _join(cache: Cache, gid: str, uid: str) -> None:
    cache.apply(wire.event("GUILD_MEMBER_ADD", {**wire.member(uid), "guild_id": gid}))


def _post(cache: Cache, gid: str, uid: str, n: int) -> None:
    message = wire.message(str(90000 + n), gid + "1", wire.user(uid), gid)
    cache.apply(message)


def test_members_who_post_outlive_members_who_do_not() -> None:
    cache = _cache(users=None, members=40)
    for i in range(40):
        _join(cache, "100" if i % 2 else "200", str(1000 + i))
    posters = [str(1000 + i) for i in range(0, 40, 3)]
    for n, uid in enumerate(posters):
        _post(cache, "100" if int(uid) % 2 else "200", uid, n)
    for i in range(40 - len(posters)):  # as many newcomers as there are quiet members
        _join(cache, "100", str(5000 + i))
    cached = {u for inner in cache.members.values() for u in inner}
    assert set(posters) <= cached
    assert not {str(1000 + i) for i in range(40)} - set(posters) & cached
    assert len(cache.state.members) == 40


def test_an_evicted_user_is_gone_from_every_index() -> None:
    cache = _cache(users=3, members=None)
    for n, uid in enumerate(("5", "6", "7")):
        _post(cache, "100", uid, n)
        cache.apply(wire.event("PRESENCE_UPDATE", {"user": wire.user(uid), "status": "online"}))
    _post(cache, "100", "8", 11)  # all three were used: first in, first out
    state = cache.state
    assert set(cache.users) == {"6", "7", "8"}
    assert "5" not in cache.presences and "5" not in state._authors
    order = state.users._order
    assert order is not None and "5" not in order._marked
    # the member record stays (it refers to the user by id); the next post stores the user
    assert "5" in cache.members["100"]
    _post(cache, "100", "5", 12)
    assert cache.users["5"].username == "user5"


def test_an_evicted_member_is_gone_from_every_index() -> None:
    cache = _cache(users=None, members=2)
    _join(cache, "100", "5")
    _join(cache, "200", "6")
    assert cache.touch_member("200", "6")
    _join(cache, "100", "7")  # 5 is the victim: 6 was used
    store = cache.state.members
    assert {(g, u) for g, inner in cache.members.items() for u in inner} == {
        ("200", "6"),
        ("100", "7"),
    }
    assert "5" not in store._marked["100"] and len(store) == 2
    assert cache.get_member("100", "5") is None


def test_replaced_and_removed_members_leave_no_live_slot_behind() -> None:
    cache = _cache(users=None, members=5)
    for i in range(5):
        _join(cache, "100", str(1000 + i))
    for round_ in range(3):  # every member replaced (a new record) three times
        for i in range(5):
            nick = f"n{round_}"
            cache.apply(
                wire.event(
                    "GUILD_MEMBER_UPDATE",
                    {**wire.member(str(1000 + i), nick=nick), "guild_id": "100"},
                )
            )
    cache.apply(wire.event("GUILD_MEMBER_REMOVE", {"guild_id": "100", "user": wire.user("1000")}))
    store = cache.state.members
    assert len(store) == 4 and len(store.recency()) == 4
    for i in range(3):
        _join(cache, "200", str(2000 + i))
    assert len(store) == 5 and sum(len(inner) for inner in cache.members.values()) == 5
    assert {u for u in cache.members["200"]} == {"2000", "2001", "2002"}
    assert sorted(store.recency()) == sorted(
        (g, u) for g, inner in cache.members.items() for u in inner
    )
