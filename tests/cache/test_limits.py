"""Size limits (second-chance eviction order, cascades, members counted across guilds),
uses marked by events and by get/touch, and the per-store switches."""

from __future__ import annotations

import gc

import pytest

from fluxer_rx.cache import Cache, CachedResource, CacheOptions, CacheSizeLimits, LruMap
from fluxer_rx.cache.lru import ChunkedQueue, SweepOrder
from tests.cache import wire


def members_of(cache: Cache) -> set[tuple[str, str]]:
    return {(g, u) for g, inner in cache.members.items() for u in inner}


def add_member(cache: Cache, gid: str, uid: str) -> None:
    cache.apply(wire.event("GUILD_MEMBER_ADD", {**wire.member(uid), "guild_id": gid}))


# --- LruMap -----------------------------------------------------------------------------


def test_lru_map_evicts_the_first_entry_not_used_since_the_sweep_passed_it() -> None:
    evicted: list[tuple[str, int]] = []
    lru: LruMap[str, int] = LruMap(2, lambda k, v: evicted.append((k, v)))
    lru.put("a", 1)
    lru.put("b", 2)
    assert lru.touch("a") and not lru.touch("zz")
    lru.put("c", 3)
    # a was used: the sweep passed it (to the back, unmarked) and evicted b
    assert evicted == [("b", 2)] and lru.recency() == ["c", "a"]
    lru.put("a", 10)  # a write is a use too
    lru.put("d", 4)
    assert evicted[-1] == ("c", 3) and lru.get("a") == 10


def test_sweep_order_passes_marked_keys_and_skips_removed_ones() -> None:
    order: SweepOrder[str] = SweepOrder()
    for key in "abcd":
        order.add(key)
    order.use("a")
    order.use("b")
    order.remove("c")
    assert order.keys() == ["d", "a", "b"]
    assert [order.pop_victim() for _ in range(3)] == ["d", "a", "b"]
    with pytest.raises(KeyError):
        order.pop_victim()
    order.add("x")
    order.clear()
    order.add("y")
    assert order.pop_victim() == "y"


def test_sweep_order_with_every_key_marked_is_first_in_first_out() -> None:
    order: SweepOrder[str] = SweepOrder()
    for key in "abc":
        order.add(key)
    for key in "cba":
        order.use(key)
    assert [order.pop_victim() for _ in range(3)] == ["a", "b", "c"]


def test_a_key_added_again_before_the_sweep_passed_its_old_slot_is_queued_once() -> None:
    order: SweepOrder[str] = SweepOrder()
    for key in "abc":
        order.add(key)
    order.remove("a")
    order.add("a")  # takes its old slot back, marked (a write is a use)
    assert order.keys() == ["b", "c", "a"]
    assert [order.pop_victim() for _ in range(3)] == ["b", "c", "a"]
    with pytest.raises(KeyError):
        order.pop_victim()


def test_removed_keys_are_compacted_out_of_the_queue() -> None:
    lru: LruMap[int, int] = LruMap(10**6)
    for i in range(5000):
        lru.put(i, i)
    for i in range(4000):
        lru.pop(i)
    queue = lru._order._queue  # type: ignore[union-attr]
    assert len(queue) < 5000 and sorted(lru.recency()) == list(range(4000, 5000))


def test_bounded_stores_hold_nothing_the_gc_must_follow() -> None:
    cache = Cache(CacheOptions(limits=CacheSizeLimits(guilds=5, channels=50, users=50, members=50)))
    cache.apply(wire.guild_create("100", members=[]))
    chunk = {"guild_id": "100", "members": [wire.member(str(i)) for i in range(1000, 1100)]}
    cache.apply(wire.event("GUILD_MEMBERS_CHUNK", chunk))
    cache.apply(wire.message("1", "1001", wire.user("1099"), "100"))  # marks a user and member
    gc.collect()
    state = cache.state
    users = state.users
    assert len(users) == 50 and len(state.members) == 50
    members = state.members
    user_order = users._order
    assert user_order is not None and members._queue is not None
    assert user_order._marked and members._marked["100"]
    for container in (
        users.data,
        user_order._marked,
        user_order._removed,
        members.by_guild["100"],
        members._marked["100"],
    ):  # (the outer per-guild maps hold one dict per guild: a handful of visits)
        assert not gc.is_tracked(container)
    # the sweep queues are tracked, but hold only objects the collector does not follow
    for queue in (user_order._queue, members._queue):
        assert queue and not any(gc.is_tracked(item) for item in queue)


def test_unbounded_lru_map_is_a_plain_dict() -> None:
    lru: LruMap[str, int] = LruMap()
    assert type(lru.data) is dict
    for i in range(1000):
        lru.put(str(i), i)
    assert len(lru) == 1000 and lru.touch("5")
    with pytest.raises(ValueError):
        LruMap(-1)


# --- guilds -----------------------------------------------------------------------------


def test_guild_limit_evicts_the_least_recent_guild_with_its_contents() -> None:
    cache = Cache(CacheOptions(limits=CacheSizeLimits(guilds=2), message_cache_size=2))
    for gid in ("100", "200"):
        cache.apply(wire.guild_create(gid))
        cache.apply(wire.message("9" + gid, gid + "1", wire.user("5"), gid))
    cache.apply(wire.event("GUILD_UPDATE", wire.guild_properties("100", "touched")))
    cache.apply(wire.guild_create("300"))
    assert list(cache.guilds) == ["100", "300"]
    assert {c.guild_id for c in cache.channels.values()} == {"100", "300"}
    assert set(cache.members) == {"100", "300"}
    assert cache.messages("2001") == ()
    assert cache.messages("1001") != ()


def test_touch_and_get_update_recency() -> None:
    cache = Cache(CacheOptions(limits=CacheSizeLimits(guilds=2, channels=10, users=2)))
    cache.apply(wire.guild_create("100"))
    cache.apply(wire.guild_create("200"))
    assert cache.touch_guild("100") and not cache.touch_guild("nope")
    cache.apply(wire.guild_create("300"))
    assert set(cache.guilds) == {"100", "300"}
    assert cache.get_guild("100") is not None
    cache.apply(wire.guild_create("400"))
    assert set(cache.guilds) == {"100", "400"}
    # users: get_user marks a use (a guild without members: only the authors are users)
    cache = Cache(CacheOptions(limits=CacheSizeLimits(channels=10, users=2)))
    cache.apply(wire.guild_create("100", members=[]))
    cache.apply(wire.message("1", "1001", wire.user("5"), "100"))
    cache.apply(wire.message("2", "1001", wire.user("6"), "100"))
    assert cache.get_user("5") is not None
    cache.apply(wire.message("3", "1001", wire.user("7"), "100"))
    assert set(cache.users) == {"5", "7"}
    assert cache.touch_user("7") and not cache.touch_user("6")
    assert cache.touch_channel("1001") and cache.get_channel("1001") is not None


def test_guild_limit_zero_stores_no_guild_and_no_orphans() -> None:
    cache = Cache(CacheOptions(limits=CacheSizeLimits(guilds=0)))
    cache.apply(wire.guild_create("100"))
    cache.apply(wire.message("1", "1001", wire.user("5"), "100"))
    assert not cache.guilds and not cache.channels and not cache.members
    assert "5" in cache.users


# --- channels ---------------------------------------------------------------------------


def test_channel_limit_evicts_and_removes_the_id_from_its_guild() -> None:
    cache = Cache(CacheOptions(limits=CacheSizeLimits(channels=2)))
    chans = [wire.channel(str(110 + i), "100", f"c{i}") for i in range(3)]
    cache.apply(wire.guild_create("100", channels=chans))
    assert list(cache.channels) == ["111", "112"]
    assert cache.guilds["100"].channel_ids == {"111", "112"}
    cache.apply(wire.message("1", "111", wire.user("5"), "100"))  # a write: 111 is recent
    cache.apply(wire.event("CHANNEL_CREATE", wire.channel("113", "100")))
    assert list(cache.channels) == ["111", "113"]
    assert cache.guilds["100"].channel_ids == {"111", "113"}


# --- members ----------------------------------------------------------------------------


def test_member_limit_counts_across_guilds_and_gives_used_members_a_second_chance() -> None:
    cache = Cache(CacheOptions(limits=CacheSizeLimits(members=3)))
    cache.apply(wire.guild_create("100", members=[]))
    cache.apply(wire.guild_create("200", members=[]))
    add_member(cache, "100", "5")
    add_member(cache, "200", "6")
    add_member(cache, "100", "7")
    assert members_of(cache) == {("100", "5"), ("200", "6"), ("100", "7")}
    assert len(cache.state.members) == 3
    cache.apply(wire.message("1", "1001", wire.user("5"), "100"))  # unchanged member: used
    add_member(cache, "200", "8")  # the sweep passes 5 (used) and evicts 6
    assert members_of(cache) == {("100", "5"), ("100", "7"), ("200", "8")}
    assert cache.touch_member("100", "7") and not cache.touch_member("200", "6")
    add_member(cache, "100", "9")  # the sweep passes 7 (used) and evicts 8
    assert members_of(cache) == {("100", "5"), ("100", "7"), ("100", "9")}
    assert cache.state.members.recency() == [("100", "5"), ("100", "9"), ("100", "7")]
    assert cache.get_member("100", "5") is not None  # a use: 5 goes behind the others
    assert cache.state.members.recency() == [("100", "9"), ("100", "7"), ("100", "5")]
    cache.apply(wire.event("GUILD_DELETE", {"id": "100"}))
    assert members_of(cache) == set() and len(cache.state.members) == 0
    add_member(cache, "200", "10")
    assert members_of(cache) == {("200", "10")} and len(cache.state.members) == 1


def test_member_limit_applies_within_a_chunk() -> None:
    cache = Cache(CacheOptions(limits=CacheSizeLimits(members=10)))
    cache.apply(wire.guild_create("100", members=[]))
    chunk = {"guild_id": "100", "members": [wire.member(str(i)) for i in range(1000, 1100)]}
    cache.apply(wire.event("GUILD_MEMBERS_CHUNK", chunk))
    assert set(cache.members["100"]) == {str(i) for i in range(1090, 1100)}


def test_user_limit_evicts_users_but_members_keep_their_id() -> None:
    cache = Cache(
        CacheOptions(
            resources=CachedResource.DEFAULT | CachedResource.PRESENCES,
            limits=CacheSizeLimits(users=1),
        )
    )
    cache.apply(wire.guild_create("100", members=[]))
    add_member(cache, "100", "5")
    cache.apply(wire.event("PRESENCE_UPDATE", {"user": wire.user("5"), "status": "online"}))
    add_member(cache, "100", "6")
    assert set(cache.users) == {"6"} and "5" not in cache.presences
    member = cache.members["100"]["5"]
    assert cache.user_of(member) is None and cache.display_name(member) is None
    wired = cache.member_to_wire(member)
    assert wired.user is not None and wired.user.id == "5" and wired.user.username is None


# --- switches ---------------------------------------------------------------------------


def test_cache_users_off_keeps_no_users_but_members_and_self_user() -> None:
    cache = Cache(CacheOptions(resources=CachedResource.DEFAULT & ~CachedResource.USERS))
    cache.apply(wire.ready("1"))
    cache.apply(wire.guild_create("100"))
    add_member(cache, "100", "5")
    assert not cache.users
    assert cache.self_user is not None and cache.self_user.username == "bot"
    assert cache.members["100"]["5"].user_id == "5"


def test_cache_members_off_keeps_no_members_but_users() -> None:
    cache = Cache(CacheOptions(resources=CachedResource.DEFAULT & ~CachedResource.MEMBERS))
    cache.apply(wire.guild_create("100"))
    add_member(cache, "100", "5")
    cache.apply(wire.message("1", "1001", wire.user("6"), "100"))
    assert not cache.members["100"]
    assert {"5", "6"} <= set(cache.users)
    assert cache.guilds["100"].member_count == 4


def test_member_to_wire_round_trips() -> None:
    cache = Cache()
    cache.apply(wire.guild_create("100"))
    cache.apply(
        wire.event(
            "GUILD_MEMBER_ADD",
            {**wire.member("5", ["100"], nick="n", mute=True, profile_flags=4), "guild_id": "100"},
        )
    )
    wired = cache.member_to_wire(cache.members["100"]["5"])
    assert wired.user is not None and wired.user.username == "user5"
    assert (wired.nick, wired.roles, wired.mute, wired.profile_flags) == ("n", ("100",), True, 4)


def test_events_that_write_into_a_guild_make_it_recent() -> None:
    cache = Cache(CacheOptions(limits=CacheSizeLimits(guilds=2)))
    cache.apply(wire.guild_create("100"))
    cache.apply(wire.guild_create("200"))
    cache.apply(wire.event("GUILD_ROLE_CREATE", {"guild_id": "100", "role": wire.role("7")}))
    cache.apply(wire.guild_create("300"))
    assert set(cache.guilds) == {"100", "300"}
    add_member(cache, "100", "5")  # member_count is written
    cache.apply(wire.guild_create("400"))
    assert set(cache.guilds) == {"100", "400"}


def test_chunked_queue_is_first_in_first_out_and_its_chunks_are_untracked() -> None:
    queue: ChunkedQueue[str] = ChunkedQueue(str(i) for i in range(1500))
    assert len(queue) == 1500
    gc.collect()
    assert queue._chunks and not any(gc.is_tracked(chunk) for chunk in queue._chunks)
    assert [queue.popleft() for _ in range(700)] == [str(i) for i in range(700)]
    queue.append("x")
    assert len(queue) == 801 and list(queue) == [str(i) for i in range(700, 1500)] + ["x"]
    assert [queue.popleft() for _ in range(801)][-1] == "x"
    with pytest.raises(IndexError):
        queue.popleft()
    queue.append("y")
    queue.clear()
    assert len(queue) == 0 and list(queue) == []
