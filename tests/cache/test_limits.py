"""Size limits (LRU eviction order, cascades, members counted across guilds), recency
updates by events and by get/touch, and the per-store switches."""

from __future__ import annotations

import gc

import pytest

from fluxer_rx.cache import Cache, CachedResource, CacheOptions, CacheSizeLimits, LruMap
from fluxer_rx.cache.lru import RecencyOrder
from tests.cache import wire


def members_of(cache: Cache) -> set[tuple[str, str]]:
    return {(g, u) for g, inner in cache.members.items() for u in inner}


def add_member(cache: Cache, gid: str, uid: str) -> None:
    cache.apply(wire.event("GUILD_MEMBER_ADD", {**wire.member(uid), "guild_id": gid}))


# --- LruMap -----------------------------------------------------------------------------


def test_lru_map_evicts_least_recent_first() -> None:
    evicted: list[tuple[str, int]] = []
    lru: LruMap[str, int] = LruMap(2, lambda k, v: evicted.append((k, v)))
    lru.put("a", 1)
    lru.put("b", 2)
    assert lru.touch("a") and not lru.touch("zz")
    lru.put("c", 3)
    assert evicted == [("b", 2)] and lru.recency() == ["a", "c"]
    lru.put("a", 10)  # a write is a use too
    lru.put("d", 4)
    assert evicted[-1] == ("c", 3) and lru.get("a") == 10


def test_recency_order_pops_least_recent_and_skips_stale_stamps() -> None:
    order: RecencyOrder[str] = RecencyOrder()
    for key in "abcd":
        order.touch(key)
    order.touch("a")
    order.touch("b")
    order.discard("c")
    assert order.keys() == ["d", "a", "b"] and len(order) == 3 and "c" not in order
    assert order.touch_existing("d") and not order.touch_existing("zz")
    assert [order.pop_oldest() for _ in range(3)] == ["a", "b", "d"]
    with pytest.raises(KeyError):
        order.pop_oldest()
    order.touch("x")
    order.clear()
    order.touch("y")
    assert order.pop_oldest() == "y"


def test_bounded_stores_hold_nothing_the_gc_must_visit() -> None:
    cache = Cache(CacheOptions(limits=CacheSizeLimits(guilds=5, channels=50, users=50, members=50)))
    cache.apply(wire.guild_create("100", members=[]))
    chunk = {"guild_id": "100", "members": [wire.member(str(i)) for i in range(1000, 1100)]}
    cache.apply(wire.event("GUILD_MEMBERS_CHUNK", chunk))
    gc.collect()
    state = cache.state
    users = state.users
    assert len(users) == 50 and len(state.members) == 50
    members = state.members
    for container in (
        users.data,
        users._recency._stamp,  # type: ignore[union-attr]
        users._recency._order,  # type: ignore[union-attr]
        members.by_guild["100"],
        members._order,
        members._stamps["100"],  # type: ignore[index]
    ):  # (the outer per-guild maps hold one dict per guild: a handful of visits)
        assert not gc.is_tracked(container)


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
    # users: get_user refreshes
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


def test_member_limit_counts_across_guilds_and_evicts_least_recent() -> None:
    cache = Cache(CacheOptions(limits=CacheSizeLimits(members=3)))
    cache.apply(wire.guild_create("100", members=[]))
    cache.apply(wire.guild_create("200", members=[]))
    add_member(cache, "100", "5")
    add_member(cache, "200", "6")
    add_member(cache, "100", "7")
    assert members_of(cache) == {("100", "5"), ("200", "6"), ("100", "7")}
    assert len(cache.state.members) == 3
    cache.apply(wire.message("1", "1001", wire.user("5"), "100"))  # unchanged member: touched
    add_member(cache, "200", "8")
    assert members_of(cache) == {("100", "5"), ("100", "7"), ("200", "8")}
    assert cache.touch_member("100", "7") and not cache.touch_member("200", "6")
    add_member(cache, "100", "9")
    assert members_of(cache) == {("100", "7"), ("200", "8"), ("100", "9")}
    assert cache.get_member("100", "7") is not None
    assert cache.state.members.recency() == [("200", "8"), ("100", "9"), ("100", "7")]
    cache.apply(wire.event("GUILD_DELETE", {"id": "100"}))
    assert members_of(cache) == {("200", "8")} and len(cache.state.members) == 1


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
