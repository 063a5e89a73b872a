"""Random event sequences (hypothesis) never make the fold raise and never break the
cache's invariants, whatever the limits and switches."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from fluxer_rx.cache import Cache, CachedResource, CacheOptions, CacheSizeLimits
from tests.cache import wire

GUILDS = ("100", "200", "300")
CHANNELS = ("11", "12", "13", "14")
USERS = ("5", "6", "7", "8")
ROLES = ("40", "41")

gid = st.sampled_from(GUILDS)
cid = st.sampled_from(CHANNELS)
uid = st.sampled_from(USERS)
roles = st.lists(st.sampled_from(ROLES), max_size=2, unique=True)


def _guild_create(g: str, chans: list[str], members: list[str]) -> object:
    return wire.guild_create(
        g,
        channels=[wire.channel(c, g) for c in chans],
        roles=[wire.role(g), *(wire.role(r) for r in ROLES)],
        members=[wire.member(u) for u in members],
    )


events: st.SearchStrategy[Any] = st.one_of(
    st.builds(_guild_create, gid, st.lists(cid, max_size=3), st.lists(uid, max_size=3)),
    st.builds(lambda g: wire.event("GUILD_CREATE", {"id": g, "unavailable": True}), gid),
    st.builds(lambda g: wire.event("GUILD_DELETE", {"id": g}), gid),
    st.builds(lambda g: wire.event("GUILD_DELETE", {"id": g, "unavailable": True}), gid),
    st.builds(lambda g: wire.event("GUILD_UPDATE", wire.guild_properties(g, "x")), gid),
    st.builds(
        lambda g, u, r: wire.event("GUILD_MEMBER_ADD", {**wire.member(u, r), "guild_id": g}),
        gid,
        uid,
        roles,
    ),
    st.builds(
        lambda g, u, r: wire.event("GUILD_MEMBER_UPDATE", {**wire.member(u, r), "guild_id": g}),
        gid,
        uid,
        roles,
    ),
    st.builds(
        lambda g, u: wire.event("GUILD_MEMBER_REMOVE", {"guild_id": g, "user": {"id": u}}),
        gid,
        uid,
    ),
    st.builds(
        lambda g, r: wire.event("GUILD_ROLE_DELETE", {"guild_id": g, "role_id": r}),
        gid,
        st.sampled_from(ROLES),
    ),
    st.builds(lambda c, g: wire.event("CHANNEL_CREATE", wire.channel(c, g)), cid, gid),
    st.builds(lambda c, g: wire.event("CHANNEL_UPDATE", wire.channel(c, g)), cid, gid),
    st.builds(lambda c, g: wire.event("CHANNEL_DELETE", wire.channel(c, g)), cid, gid),
    st.builds(
        lambda m, c, u, g: wire.message(m, c, wire.user(u), g),
        st.sampled_from(("901", "902")),
        cid,
        uid,
        gid,
    ),
    st.builds(
        lambda m, c: wire.event("MESSAGE_DELETE", {"id": m, "channel_id": c}),
        st.sampled_from(("901", "902")),
        cid,
    ),
    st.builds(
        lambda u, g, c: wire.event(
            "VOICE_STATE_UPDATE",
            {"user_id": u, "guild_id": g, "channel_id": c, "member": wire.member(u)},
        ),
        uid,
        gid,
        st.one_of(st.none(), cid),
    ),
    st.builds(
        lambda u, s: wire.event("PRESENCE_UPDATE", {"user": wire.user(u), "status": s}),
        uid,
        st.sampled_from(("online", "offline")),
    ),
    st.builds(lambda: wire.ready("1")),
)

limit = st.one_of(st.none(), st.integers(0, 4))


def check_invariants(cache: Cache) -> None:
    state = cache.state
    assert set(cache.members) == set(cache.guilds)
    for guild_id, guild in cache.guilds.items():
        assert guild.id == guild_id
        for channel_id in guild.channel_ids:
            assert cache.channels[channel_id].guild_id == guild_id
        for user_id, member in cache.members[guild_id].items():
            assert (member.guild_id, member.user_id) == (guild_id, user_id)
            assert set(member.roles) <= set(guild.roles) | set(ROLES)
    for channel_id, channel in cache.channels.items():
        if channel.guild_id is not None:
            assert channel_id in cache.guilds[channel.guild_id].channel_ids
    for channel_id in state.messages:
        assert channel_id in cache.channels or not any(
            channel_id in g.channel_ids for g in cache.guilds.values()
        )
    total = sum(len(inner) for inner in cache.members.values())
    assert len(state.members) == total
    limits = state.limits
    for store, bound in (
        (cache.guilds, limits.guilds),
        (cache.channels, limits.channels),
        (cache.users, limits.users),
    ):
        assert bound is None or len(store) <= bound
    assert limits.members is None or total <= limits.members
    for lru in (state.guilds, state.channels, state.users, state.messages):
        assert sorted(lru.recency()) == sorted(lru.data)
    if limits.members is not None:
        assert sorted(state.members.recency()) == sorted(
            (g, u) for g, inner in cache.members.items() for u in inner
        )
    for scope in cache.voice_states:
        assert cache.voice_states[scope]


@settings(max_examples=150, deadline=None)
@given(
    st.lists(events, max_size=40),
    limit,
    limit,
    limit,
    limit,
    st.booleans(),
    st.booleans(),
)
def test_random_sequences_keep_the_invariants(
    sequence: list[object],
    guilds: int | None,
    channels: int | None,
    users: int | None,
    members: int | None,
    cache_users: bool,
    extras: bool,
) -> None:
    raised: list[str] = []
    resources = CachedResource.ALL if extras else CachedResource.DEFAULT
    if not cache_users:
        resources &= ~CachedResource.USERS
    cache = Cache(
        CacheOptions(
            resources=resources,
            limits=CacheSizeLimits(guilds=guilds, channels=channels, users=users, members=members),
            message_cache_size=2 if extras else 0,
        ),
        on_issue=lambda kind, detail: raised.append(kind) if kind == "reducer_error" else None,
    )
    for event in sequence:
        cache.apply(event)
        check_invariants(cache)
    assert raised == []
