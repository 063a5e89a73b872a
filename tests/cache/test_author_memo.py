"""The message-author shortcut (``CacheState.put_author``) stores exactly what the full
path stores: directed cases for each way a remembered record can go stale, and random
event sequences folded with the shortcut on and off giving identical caches."""

from __future__ import annotations

from typing import Any

import msgspec
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fluxer_rx.cache import Cache, CachedResource, CachedUser, CacheOptions, CacheSizeLimits
from tests.cache import wire

GUILD = "100"
CHANNEL = "110"
GUILD2 = "200"  # the same users are members of both guilds
CHANNEL2 = "210"


ALL = CachedResource.DEFAULT | CachedResource.PRESENCES


def home(
    limits: CacheSizeLimits | None = None,
    *,
    memo: int | None = None,
    resources: CachedResource = ALL,
) -> Cache:
    cache = Cache(CacheOptions(resources=resources, limits=limits or CacheSizeLimits()))
    if memo is not None:
        cache.state.author_memo_size = memo
    cache.apply(wire.ready("1", (GUILD,)))
    cache.apply(
        wire.guild_create(
            GUILD,
            roles=[wire.role(GUILD, "@everyone"), wire.role("101", "mod", 1)],
            channels=[wire.channel(CHANNEL, GUILD)],
        )
    )
    cache.apply(guild2())
    return cache


def guild2() -> object:
    return wire.guild_create(GUILD2, channels=[wire.channel(CHANNEL2, GUILD2)])


def post(
    uid: str,
    name: str | None = None,
    roles: list[str] | None = None,
    *,
    guild: str = GUILD,
    **member: Any,
) -> Any:
    channel = CHANNEL2 if guild == GUILD2 else CHANNEL
    msg = wire.message("900", channel, wire.user(uid, name), guild)
    msg.member = msgspec.convert(
        wire.member(uid, roles, with_user=False, **member), type(msg.member)
    )
    return msg


def test_an_unchanged_author_posting_again_changes_nothing() -> None:
    cache = home()
    cache.apply(post("5", roles=["101"]))
    user, member = cache.users["5"], cache.members[GUILD]["5"]
    cache.apply(post("5", roles=["101"]))
    assert cache.users["5"] is user and cache.members[GUILD]["5"] is member
    assert member.roles == ("101",)


def test_a_changed_author_or_member_is_stored() -> None:
    cache = home()
    cache.apply(post("5"))
    cache.apply(post("5", "renamed", nick="nick"))
    assert cache.users["5"].username == "renamed"
    assert cache.members[GUILD]["5"].nick == "nick"


def test_a_member_changed_by_another_event_is_stored_again_from_the_message() -> None:
    cache = home()
    cache.apply(post("5"))
    cache.apply(
        wire.event("GUILD_MEMBER_UPDATE", {**wire.member("5", nick="later"), "guild_id": GUILD})
    )
    assert cache.members[GUILD]["5"].nick == "later"
    cache.apply(post("5"))  # the message's member wins, as for any later event
    assert cache.members[GUILD]["5"].nick is None


def test_a_user_changed_by_another_event_is_stored_again_from_the_message() -> None:
    cache = home()
    cache.apply(post("5"))
    cache.apply(wire.event("PRESENCE_UPDATE", {"user": wire.user("5", "other"), "status": "on"}))
    assert cache.users["5"].username == "other"
    cache.apply(post("5"))
    assert cache.users["5"].username == "user5"


def test_a_removed_member_is_stored_again() -> None:
    cache = home()
    cache.apply(post("5"))
    cache.apply(wire.event("GUILD_MEMBER_REMOVE", {"guild_id": GUILD, "user": {"id": "5"}}))
    assert "5" not in cache.members[GUILD]
    cache.apply(post("5"))
    assert "5" in cache.members[GUILD]


def test_roles_stripped_in_place_are_restored_from_the_message() -> None:
    cache = home()
    cache.apply(post("5", roles=["101"]))
    cache.apply(wire.event("GUILD_ROLE_DELETE", {"guild_id": GUILD, "role_id": "101"}))
    assert cache.members[GUILD]["5"].roles == ()
    cache.apply(post("5", roles=["101"]))
    assert cache.members[GUILD]["5"].roles == ("101",)


def test_a_reset_cache_stores_the_author_again() -> None:
    cache = home()
    cache.apply(post("5"))
    cache.apply(wire.ready("1", (GUILD,)))
    assert "5" not in cache.users
    cache.apply(post("5"))
    assert "5" in cache.users


def test_reposting_authors_stay_most_recent_in_bounded_stores() -> None:
    cache = home(CacheSizeLimits(users=2, members=2))
    for uid in ("5", "6"):
        cache.apply(post(uid))
    cache.apply(post("5"))  # unchanged: only the recency marks move
    cache.apply(post("7"))  # evicts the least recently used member and user: 6
    assert set(cache.members[GUILD]) == {"5", "7"}
    assert "6" not in cache.users and "5" in cache.users


def test_a_user_replaced_in_its_store_is_stored_again_from_the_message() -> None:
    cache = home()
    cache.apply(post("5"))
    cache.state.users.put("5", CachedUser(id="5", username="loaded"))  # e.g. a snapshot
    cache.apply(post("5"))
    assert cache.users["5"].username == "user5"


@pytest.mark.parametrize("first", [GUILD, GUILD2])
def test_a_member_of_a_guild_that_left_and_came_back_is_stored_again(first: str) -> None:
    cache = home()
    cache.apply(post("5", guild=first))  # the author's entry is for ``first``...
    cache.apply(post("5", guild=GUILD if first == GUILD2 else GUILD2))  # ...then both
    cache.apply(wire.event("GUILD_DELETE", {"id": GUILD2}))
    cache.apply(guild2())
    cache.apply(post("5", guild=GUILD2))
    assert "5" in cache.members[GUILD2]


def test_an_author_of_several_guilds_is_remembered_in_each() -> None:
    cache = home()
    for guild in (GUILD, GUILD2, GUILD, GUILD2):
        cache.apply(post("5", guild=guild))
    assert cache.state.author_memo_hits == 2
    assert set(cache.members[GUILD]) >= {"5"} and set(cache.members[GUILD2]) >= {"5"}


def test_an_evicted_member_is_stored_again() -> None:
    cache = home(CacheSizeLimits(members=1))
    cache.apply(post("5"))
    cache.apply(post("6"))  # evicts member 5
    assert "5" not in cache.members[GUILD]
    cache.apply(post("5"))
    assert "5" in cache.members[GUILD]


def test_the_memo_is_bounded() -> None:
    cache = home(memo=2)
    for uid in ("5", "6", "7", "8"):
        cache.apply(post(uid))
    assert len(cache.state._authors) == 2


# --- the shortcut never changes what is stored -----------------------------------------

# A small pool of fixed events, so that sequences often repeat an author's exact wire
# data around the events that change the cached records behind the shortcut's back.
USERS = ("5", "6")
POSTS = [
    *(post(u, None, r) for u in USERS for r in ([], ["101"])),
    post("5", "alt"),
    *(post(u, guild=GUILD2) for u in USERS),
]
OTHERS = [
    *(
        wire.event("GUILD_MEMBER_ADD", {**wire.member(u, ["101"]), "guild_id": GUILD})
        for u in USERS
    ),
    *(
        wire.event("PRESENCE_UPDATE", {"user": wire.user(u, n), "status": "on"})
        for u in USERS
        for n in (None, "alt")
    ),
    *(
        wire.event("GUILD_MEMBER_UPDATE", {**wire.member(u, ["101"], nick=k), "guild_id": GUILD})
        for u in USERS
        for k in (None, "nick")
    ),
    *(wire.event("GUILD_MEMBER_REMOVE", {"guild_id": GUILD, "user": {"id": u}}) for u in USERS),
    wire.event("GUILD_ROLE_DELETE", {"guild_id": GUILD, "role_id": "101"}),
    wire.event("GUILD_DELETE", {"id": GUILD}),
    wire.event("GUILD_DELETE", {"id": GUILD2}),
    guild2(),
    wire.guild_create(GUILD, roles=[wire.role(GUILD)], channels=[wire.channel(CHANNEL, GUILD)]),
    wire.ready("1", (GUILD,)),
]
events: st.SearchStrategy[Any] = st.one_of(st.sampled_from(POSTS), st.sampled_from(OTHERS))
limit = st.one_of(st.none(), st.integers(0, 3))


def snapshot(cache: Cache) -> object:
    state = cache.state
    users = {k: msgspec.structs.asdict(v) for k, v in cache.users.items()}
    members = {
        g: {u: msgspec.structs.asdict(m) for u, m in inner.items()}
        for g, inner in cache.members.items()
    }
    recency = (state.users.recency(), state.members.recency() if state.members.limit else None)
    return users, members, recency


resources = st.sampled_from([ALL, ALL & ~CachedResource.USERS, ALL & ~CachedResource.MEMBERS])


@settings(max_examples=400, deadline=None)
@given(st.lists(events, max_size=30), limit, limit, resources)
def test_random_sequences_fold_the_same_with_and_without_the_shortcut(
    sequence: list[object], users: int | None, members: int | None, kept: CachedResource
) -> None:
    limits = CacheSizeLimits(users=users, members=members)
    with_memo, without = home(limits, resources=kept), home(limits, memo=0, resources=kept)
    for event in sequence:
        with_memo.apply(event)
        without.apply(event)
        assert snapshot(with_memo) == snapshot(without)
