"""The stores' ``on_remove`` hooks (what the author memo relies on): ``LruMap`` calls it for
a value taken out by ``pop`` or replaced by a ``put`` of another object, ``MemberStore``
for a member replaced, removed or evicted; neither for eviction of an ``LruMap`` entry
(``on_evict``), nor for ``clear`` or ``drop_guild``."""

from __future__ import annotations

from fluxer_rx.cache import CachedMember, LruMap
from fluxer_rx.cache.state import MemberStore


def test_lru_map_reports_values_popped_or_replaced_by_another() -> None:
    removed: list[tuple[str, object]] = []
    evicted: list[str] = []
    for limit in (None, 2):
        removed.clear()
        lru: LruMap[str, object] = LruMap(
            limit, lambda k, v: evicted.append(k), lambda k, v: removed.append((k, v))
        )
        a, b, c = object(), object(), object()
        lru.put("a", a)
        lru.put("a", a)  # the same object again: nothing left
        assert removed == []
        lru.put("a", b)
        assert removed == [("a", a)] and lru.data["a"] is b
        assert lru.pop("a") is b and removed[-1] == ("a", b)
        assert lru.pop("a") is None and len(removed) == 2
        lru.put("x", c)
        lru.clear()
        assert len(removed) == 2
    lru = LruMap(1, lambda k, v: evicted.append(k), lambda k, v: removed.append((k, v)))
    removed.clear()
    lru.put("a", 1)
    lru.put("b", 2)  # evicts a: on_evict only
    assert evicted == ["a"] and removed == []


def member(guild_id: str, user_id: str) -> CachedMember:
    return CachedMember(guild_id=guild_id, user_id=user_id)


def test_member_store_reports_members_replaced_removed_or_evicted() -> None:
    for limit in (None, 2):
        removed: list[CachedMember] = []
        store = MemberStore(limit, removed.append)
        store.add_guild("g")
        first, second = member("g", "1"), member("g", "1")
        store.put(first)
        store.put(first)
        assert removed == []
        store.put(second)
        assert removed == [first]
        assert store.remove("g", "1") is second and removed == [first, second]
        assert store.remove("g", "1") is None and len(removed) == 2
        store.put(member("g", "2"))
        store.drop_guild("g")
        store.add_guild("g")
        store.put(member("g", "3"))
        store.clear()
        assert len(removed) == 2
    removed = []
    store = MemberStore(1, removed.append)
    store.add_guild("g")
    old = member("g", "1")
    store.put(old)
    store.put(member("g", "2"))  # evicts 1
    assert removed == [old] and "1" not in store.by_guild["g"]
