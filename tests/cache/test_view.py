"""The read-only CacheView: live, without writes, with everything a reader needs; and
the Cache's own writes of REST results."""

from __future__ import annotations

import pytest

from fluxer_rx.cache import (
    Cache,
    CacheCounts,
    CachedResource,
    CacheOptions,
    CacheSizeLimits,
    CacheView,
)
from fluxer_rx.models import Channel, Guild, PartialUser, Role
from tests.cache import wire

EVERYTHING = CacheOptions(resources=CachedResource.ALL, message_cache_size=5)


def filled() -> Cache:
    cache = Cache(EVERYTHING)
    cache.apply(wire.ready("1", ("100",)))
    cache.apply(
        wire.guild_create(
            "100",
            channels=[wire.channel("101", "100"), wire.channel("102", "100")],
            members=[wire.member("1"), wire.member("7", nick="seven")],
            presences=[{"user": {"id": "7"}, "status": "online"}],
            voice_states=[
                {"guild_id": "100", "channel_id": "102", "user_id": "7", "session_id": "s"}
            ],
        )
    )
    cache.apply(wire.message("500", "101", wire.user("8"), "100"))
    cache.apply(wire.message("501", "101", wire.user("8"), "100"))
    return cache


def test_the_view_is_one_live_object_over_the_same_state() -> None:
    cache = Cache()
    view = cache.view
    assert view is cache.view and type(view) is CacheView
    assert len(view.guilds) == 0
    cache.apply(wire.ready("1", ("100",)))
    cache.apply(wire.guild_create("100"))
    assert set(view.guilds) == {"100"} and view.guilds["100"] is cache.guilds["100"]
    assert view.self_user is cache.self_user is not None
    assert repr(view).startswith("<CacheView guilds=1 channels=1")
    assert repr(cache).startswith("<Cache guilds=1 channels=1")
    cache.reset()
    assert len(view.guilds) == 0 and view.self_user is None


def test_the_view_cannot_change_the_cache() -> None:
    cache = filled()
    view = cache.view
    for name in ("apply", "reset", "state", "on_issue", "store_user", "store_member"):
        assert not hasattr(view, name), name
    with pytest.raises(TypeError):
        view.guilds["999"] = view.guilds["100"]  # type: ignore[index]
    with pytest.raises(TypeError):
        view.members["100"]["9"] = view.members["100"]["7"]  # type: ignore[index]
    with pytest.raises(TypeError):
        del view.channels["101"]  # type: ignore[attr-defined]
    with pytest.raises(AttributeError):
        view.extra = 1  # type: ignore[attr-defined]  # slots: nothing to hang state on
    assert isinstance(view.messages("101"), tuple)


def test_the_view_reads_every_store_and_counts_them() -> None:
    view = filled().view
    assert view.options == EVERYTHING
    assert set(view.channels) == {"101", "102"}
    assert [c.id for c in view.guild_channels("100")] == ["101", "102"]
    assert set(view.members["100"]) == {"1", "7", "8"}
    assert view.presences["7"].status == "online"
    assert view.voice_states["100"]["7"].channel_id == "102"
    assert [m.id for m in view.messages("101")] == ["500", "501"]
    assert view.counts() == CacheCounts(
        guilds=1,
        channels=2,
        users=3,
        members=3,
        presences=1,
        voice_states=1,
        messages=2,
    )
    seven = view.members["100"]["7"]
    assert view.display_name(seven) == "seven"
    assert view.user_of(seven) is view.users["7"]
    assert view.member_to_wire(seven).nick == "seven"
    assert view.member_roles(seven) == []


def test_lookups_through_the_view_mark_entries_recently_used() -> None:
    cache = Cache(CacheOptions(limits=CacheSizeLimits(users=2)))
    view = cache.view
    cache.store_user(PartialUser(id="5"))
    cache.store_user(PartialUser(id="6"))
    assert view.get_user("5") is not None  # 5 is now the most recent
    cache.store_user(PartialUser(id="7"))  # evicts the least recent: 6
    assert set(view.users) == {"5", "7"}
    assert view.touch_user("5") and not view.touch_user("6")
    cache.store_user(PartialUser(id="8"))
    assert set(view.users) == {"5", "8"}


def test_store_guild_and_channel_write_rest_results_as_events_would() -> None:
    cache = Cache()
    role = Role(id="100", name="@everyone", position=0, permissions="1")
    stored = cache.store_guild(Guild(id="100", name="fetched", roles=[role]))
    assert stored is not None and stored is cache.guilds["100"]
    assert stored.name == "fetched" and set(stored.roles) == {"100"}
    again = cache.store_guild(Guild(id="100", name="renamed"))
    assert again is stored and stored.name == "renamed"
    assert set(stored.roles) == {"100"}  # an update without roles keeps them
    channel = cache.store_channel(Channel(id="101", guild_id="100", name="general"))
    assert channel is not None and channel is cache.channels["101"]
    assert "101" in stored.channel_ids
    # a channel of a guild the cache does not hold is not stored
    assert cache.store_channel(Channel(id="201", guild_id="200", name="elsewhere")) is None
    assert "201" not in cache.channels
