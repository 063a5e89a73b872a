"""The Cache facade: construction from options, the never-raising fold, reset, views."""

from __future__ import annotations

import pytest

from fluxer_rx.cache import (
    Cache,
    CachedGuild,
    CachedResource,
    CacheOptions,
    CacheSizeLimits,
    IssueKind,
)
from fluxer_rx.models import Member, PartialUser, RawEvent, Resumed
from fluxer_rx.options import ClientOptions
from tests.cache import wire


def test_options_apply_limits_and_switches() -> None:
    options = CacheOptions(
        resources=CachedResource.ALL & ~CachedResource.USERS,
        limits=CacheSizeLimits(guilds=2, channels=3, users=4, members=5),
        message_cache_size=7,
    )
    state = Cache.from_options(options).state
    assert (state.guilds.limit, state.channels.limit, state.users.limit) == (2, 3, 4)
    assert state.members.limit == 5
    assert not state.cache_users and state.cache_members
    assert state.cache_presences and state.cache_voice_states
    assert state.message_cache_size == 7


def test_default_keeps_users_members_and_no_messages_until_sized() -> None:
    default = Cache().state
    assert default.cache_users and default.cache_members
    assert not (default.cache_presences or default.cache_voice_states)
    assert default.message_cache_size == 0
    assert Cache(CacheOptions(message_cache_size=4)).state.message_cache_size == 4
    # MESSAGES switched off wins over a size
    no_messages = CacheOptions(
        resources=CachedResource.DEFAULT & ~CachedResource.MESSAGES, message_cache_size=4
    )
    assert Cache(no_messages).state.message_cache_size == 0
    assert not no_messages.keeps(CachedResource.MESSAGES)
    assert CacheOptions(message_cache_size=4).keeps(CachedResource.MESSAGES)
    assert not CacheOptions().keeps(CachedResource.USERS | CachedResource.PRESENCES)


def test_client_options_compose_the_cache_options() -> None:
    options = CacheOptions(resources=CachedResource.ALL, message_cache_size=3)
    assert ClientOptions(cache=options).cache is options
    assert ClientOptions().cache == CacheOptions()
    # the seed's form: ClientOptions(cache=CacheSizeLimits(...)) means those limits
    seed = ClientOptions(cache=CacheSizeLimits(guilds=2))  # type: ignore[arg-type]
    assert seed.cache == CacheOptions(limits=CacheSizeLimits(guilds=2))


def test_negative_limits_are_rejected() -> None:
    with pytest.raises(ValueError, match="limit"):
        CacheSizeLimits(members=-1)
    with pytest.raises(ValueError, match="message_cache_size"):
        CacheOptions(message_cache_size=-1)


def test_ready_then_guild_create_fills_the_views() -> None:
    cache = Cache()
    cache.apply(wire.ready("1", ("100",)))
    assert cache.self_user is not None and cache.self_user.id == "1"
    stub = cache.guilds["100"]
    assert stub.unavailable and stub.name is None
    cache.apply(wire.guild_create("100", name="Home"))
    guild = cache.guilds["100"]
    assert isinstance(guild, CachedGuild)
    assert (guild.name, guild.unavailable, guild.member_count) == ("Home", False, 3)
    assert guild.channel_ids == {"1001"}
    assert cache.channels["1001"].guild_id == "100"
    assert set(cache.members["100"]) == {"1"}
    assert cache.members["100"]["1"].id == "1"


def test_views_are_read_only() -> None:
    cache = Cache()
    cache.apply(wire.guild_create("100"))
    with pytest.raises(TypeError):
        cache.guilds["x"] = cache.guilds["100"]  # type: ignore[index]
    with pytest.raises(TypeError):
        cache.members["100"]["x"] = cache.members["100"]["1"]  # type: ignore[index]


def test_unknown_and_unhandled_events_leave_the_state_alone() -> None:
    cache = Cache()
    cache.apply(wire.guild_create("100"))
    before = repr(cache)
    cache.apply(RawEvent(name="SOMETHING_NEW", data={"x": 1}))
    cache.apply(Resumed())
    cache.apply(object())
    assert repr(cache) == before


def test_a_reducer_error_becomes_an_issue_not_an_exception() -> None:
    issues: list[tuple[str, str]] = []
    cache = Cache(on_issue=lambda kind, detail: issues.append((kind, detail)))
    cache.apply(wire.guild_create("100"))
    broken = wire.event("GUILD_MEMBER_ADD", {**wire.member("5"), "guild_id": "100"})
    broken.roles = None  # type: ignore[attr-defined]  # not a list: the reducer fails
    cache.apply(broken)
    assert issues and issues[0][0] == IssueKind.REDUCER_ERROR
    assert "GuildMemberAdd" in issues[0][1]


def test_a_failing_issue_handler_does_not_raise() -> None:
    def explode(kind: str, detail: str) -> None:
        raise RuntimeError("sink down")

    cache = Cache(on_issue=explode)
    cache.apply(wire.event("GUILD_UPDATE", wire.guild_properties("404")))
    assert "404" not in cache.guilds


def test_reset_drops_everything() -> None:
    cache = Cache()
    cache.apply(wire.ready("1"))
    cache.apply(wire.guild_create("100"))
    cache.reset()
    assert cache.self_user is None
    assert not cache.guilds and not cache.channels and not cache.users and not cache.members


def test_store_user_and_member_from_rest_results() -> None:
    cache = Cache()
    cache.apply(wire.guild_create("100"))
    stored = cache.store_user(PartialUser(id="5", username="five"))
    assert stored is cache.users["5"] and stored.username == "five"
    member = Member(user=PartialUser(id="6", username="six"), nick="n", roles=["100"])
    cached = cache.store_member("100", member)
    assert cached is cache.members["100"]["6"] and cached.nick == "n"
    assert cache.users["6"].username == "six"
    assert cache.store_member("999", member) is None  # guild not cached
    assert cache.store_member("100", Member(nick="no user")) is None
    assert cache.guilds["100"].member_count == 3
    no_users = Cache(CacheOptions(resources=CachedResource.MEMBERS))
    assert no_users.store_user(PartialUser(id="5")) is None
