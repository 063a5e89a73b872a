"""One test group per reducer: each event in Fluxer's wire shape, decoded by the real
decoder, folded into a fresh cache."""

from __future__ import annotations

import msgspec
import pytest

from fluxer_rx.cache import Cache, CachedResource, CacheOptions, IssueKind
from fluxer_rx.cache.reducers import REDUCERS
from fluxer_rx.models import GuildSync, Resumed
from tests.cache import wire


class Issues(list[tuple[str, str]]):
    def __call__(self, kind: str, detail: str) -> None:
        self.append((kind, detail))

    @property
    def kinds(self) -> list[str]:
        return [kind for kind, _ in self]


@pytest.fixture
def issues() -> Issues:
    return Issues()


@pytest.fixture
def cache(issues: Issues) -> Cache:
    cache = Cache(on_issue=issues)
    cache.apply(wire.ready("1", ("100",)))
    cache.apply(
        wire.guild_create(
            "100",
            name="Home",
            roles=[wire.role("100", "@everyone"), wire.role("101", "mod", 1)],
            channels=[wire.channel("110", "100", "general"), wire.channel("111", "100", "memes")],
        )
    )
    return cache


def add_member(cache: Cache, uid: str, roles: list[str] | None = None, gid: str = "100") -> None:
    cache.apply(wire.event("GUILD_MEMBER_ADD", {**wire.member(uid, roles), "guild_id": gid}))


# --- session ----------------------------------------------------------------------------


def test_ready_resets_the_cache_and_stores_the_bot(cache: Cache) -> None:
    cache.apply(wire.ready("1", ("200",)))
    assert set(cache.guilds) == {"200"}
    assert not cache.channels and set(cache.members) == {"200"}
    assert cache.self_user is not None
    assert (cache.self_user.id, cache.self_user.username, cache.self_user.bot) == ("1", "bot", True)
    assert cache.users["1"] is cache.self_user


def test_resumed_does_not_reset(cache: Cache) -> None:
    cache.apply(Resumed())
    assert "100" in cache.guilds and "110" in cache.channels
    assert Resumed not in REDUCERS


def test_ready_of_one_shard_keeps_the_other_shards_guilds() -> None:
    cache = Cache()
    even, odd = str(2 << 22), str(3 << 22)  # shard 0 and shard 1 of 2
    for gid in (even, odd):
        cache.apply(wire.guild_create(gid))
    cache.apply(wire.ready("1", shard=[1, 2]))
    assert set(cache.guilds) == {even}
    assert {c.guild_id for c in cache.channels.values()} == {even}
    cache.reset(shard=(0, 2))
    assert not cache.guilds


def test_ready_stores_private_channels_and_their_recipients() -> None:
    cache = Cache()
    dm = wire.channel("300", None, None, 1, recipients=[wire.user("7", "pal")])  # type: ignore[arg-type]
    cache.apply(wire.ready("1", private_channels=[dm], users=[wire.user("8", "friend")]))
    assert cache.channels["300"].recipient_ids == ("7",)
    assert cache.channels["300"].guild_id is None
    assert cache.users["7"].username == "pal" and cache.users["8"].username == "friend"


def test_user_update_replaces_the_bot_user(cache: Cache) -> None:
    cache.apply(wire.event("USER_UPDATE", {**wire.user("1", "renamed"), "bot": True}))
    assert cache.self_user is not None and cache.self_user.username == "renamed"
    assert cache.users["1"].name == "renamed"


# --- guilds -----------------------------------------------------------------------------


def test_guild_create_flattens_properties_roles_emojis(cache: Cache) -> None:
    guild = cache.guilds["100"]
    assert guild.name == "Home" and guild.owner_id == "1" and guild.afk_timeout == 300
    assert set(guild.roles) == {"100", "101"}
    assert guild.everyone_role is not None and guild.everyone_role.name == "@everyone"
    assert guild.joined_at == wire.JOINED
    assert guild.channel_ids == {"110", "111"}
    assert [c.name for c in cache.guild_channels("100")] == ["general", "memes"]
    # the bot's own member, user reduced to {id}: the richer READY user record is kept
    assert cache.members["100"]["1"].joined_at == wire.JOINED
    assert cache.users["1"].username == "bot"


def test_guild_create_again_replaces_channels_and_keeps_members(cache: Cache) -> None:
    add_member(cache, "5")
    cache.apply(wire.guild_create("100", channels=[wire.channel("111", "100", "memes2")]))
    assert set(cache.channels) == {"111"} and cache.channels["111"].name == "memes2"
    assert cache.guilds["100"].channel_ids == {"111"}
    assert "5" in cache.members["100"]


def test_guild_create_without_role_table_keeps_the_cached_roles(cache: Cache) -> None:
    event = wire.event("GUILD_CREATE", {"id": "100", "properties": wire.guild_properties("100")})
    assert event.roles is None  # type: ignore[attr-defined]
    cache.apply(event)
    assert set(cache.guilds["100"].roles) == {"100", "101"}


def test_guild_sync_is_folded_like_guild_create(cache: Cache) -> None:
    sync = wire.event(
        "GUILD_SYNC",
        {"id": "100", "properties": wire.guild_properties("100", "Synced"), "channels": []},
    )
    assert isinstance(sync, GuildSync)
    cache.apply(sync)
    assert cache.guilds["100"].name == "Synced" and not cache.guilds["100"].channel_ids


def test_unavailable_guild_create_marks_and_keeps_contents(cache: Cache) -> None:
    cache.apply(wire.event("GUILD_CREATE", {"id": "100", "unavailable": True}))
    assert cache.guilds["100"].unavailable and cache.guilds["100"].name == "Home"
    assert "110" in cache.channels


def test_guild_update_flat_shape(cache: Cache) -> None:
    flat = wire.guild_properties("100", "Renamed", system_channel_id="110", guild_id="100")
    cache.apply(wire.event("GUILD_UPDATE", flat))
    guild = cache.guilds["100"]
    assert (guild.name, guild.system_channel_id) == ("Renamed", "110")
    assert guild.channel_ids == {"110", "111"} and set(guild.roles) == {"100", "101"}


def test_guild_update_of_unknown_guild_is_an_issue(cache: Cache, issues: Issues) -> None:
    cache.apply(wire.event("GUILD_UPDATE", wire.guild_properties("999")))
    assert "999" not in cache.guilds
    assert issues.kinds == [IssueKind.UNKNOWN_GUILD]


def test_guild_delete_unavailable_keeps_the_guild(cache: Cache) -> None:
    cache.apply(wire.event("GUILD_DELETE", {"id": "100", "unavailable": True}))
    assert cache.guilds["100"].unavailable
    assert "110" in cache.channels and "1" in cache.members["100"]


def test_guild_delete_removes_guild_channels_members(issues: Issues) -> None:
    cache = Cache(
        CacheOptions(
            resources=CachedResource.DEFAULT | CachedResource.VOICE_STATES,
            message_cache_size=5,
        ),
        on_issue=issues,
    )
    cache.apply(wire.guild_create("100"))
    cache.apply(wire.guild_create("200"))
    add_member(cache, "5")
    cache.apply(wire.message("900", "1001", wire.user("5"), "100"))
    cache.apply(
        wire.event("VOICE_STATE_UPDATE", {"user_id": "5", "guild_id": "100", "channel_id": "1001"})
    )
    cache.apply(wire.event("GUILD_DELETE", {"id": "100", "guild_id": "100"}))
    assert set(cache.guilds) == {"200"} and set(cache.channels) == {"2001"}
    assert set(cache.members) == {"200"}
    assert cache.messages("1001") == () and "100" not in cache.voice_states
    assert "5" in cache.users  # users are global
    cache.apply(wire.event("GUILD_DELETE", {"id": "100"}))
    assert issues.kinds == [IssueKind.UNKNOWN_GUILD]


# --- members ----------------------------------------------------------------------------


def test_member_add_stores_member_and_user_and_counts(cache: Cache) -> None:
    add_member(cache, "5", ["101"])
    member = cache.members["100"]["5"]
    assert (member.guild_id, member.user_id, member.roles) == ("100", "5", ("101",))
    assert member.joined_at == wire.JOINED
    assert cache.users["5"].username == "user5"
    assert member.user_id is cache.users["5"].id  # one shared id string
    assert cache.guilds["100"].member_count == 4
    assert cache.display_name(member) == "user5"
    assert [r.name for r in cache.member_roles(member)] == ["mod"]


def test_member_update_replaces_the_member(cache: Cache) -> None:
    add_member(cache, "5")
    update = {**wire.member("5", ["101"], nick="Fivey"), "guild_id": "100"}
    update["user"]["global_name"] = "Five"
    cache.apply(wire.event("GUILD_MEMBER_UPDATE", update))
    member = cache.members["100"]["5"]
    assert member.nick == "Fivey" and member.roles == ("101",)
    assert cache.users["5"].global_name == "Five" and cache.users["5"].name == "Five"
    assert cache.display_name(member) == "Fivey"
    assert cache.guilds["100"].member_count == 4


def test_member_remove_keeps_the_user(cache: Cache) -> None:
    add_member(cache, "5")
    cache.apply(wire.event("GUILD_MEMBER_REMOVE", {"guild_id": "100", "user": {"id": "5"}}))
    assert "5" not in cache.members["100"]
    assert cache.users["5"].username == "user5"
    assert cache.guilds["100"].member_count == 3


def test_member_events_for_unknown_guilds_are_issues(cache: Cache, issues: Issues) -> None:
    add_member(cache, "5", gid="999")
    cache.apply(wire.event("GUILD_MEMBER_REMOVE", {"guild_id": "999", "user": {"id": "5"}}))
    assert "999" not in cache.members
    assert issues.kinds == [IssueKind.UNKNOWN_GUILD] * 2


def test_members_chunk_stores_every_member(cache: Cache) -> None:
    chunk = {
        "guild_id": "100",
        "members": [wire.member(str(i), ["101"]) for i in range(10, 20)],
        "chunk_index": 0,
        "chunk_count": 1,
    }
    cache.apply(wire.event("GUILD_MEMBERS_CHUNK", chunk))
    assert set(cache.members["100"]) == {"1", *map(str, range(10, 20))}
    roles = {id(m.roles) for m in cache.members["100"].values() if m.roles}
    assert len(roles) == 1  # one shared tuple for the same role set
    assert cache.guilds["100"].member_count == 3  # chunks do not change the count


def test_role_tuples_are_shared_whatever_the_wire_order(cache: Cache) -> None:
    cache.apply(wire.event("GUILD_ROLE_CREATE", {"guild_id": "100", "role": wire.role("102")}))
    add_member(cache, "5", ["101", "102"])
    add_member(cache, "6", ["102", "101"])
    a, b = cache.members["100"]["5"], cache.members["100"]["6"]
    assert a.roles == ("101", "102") and a.roles is b.roles


# --- roles, emojis, stickers ------------------------------------------------------------


def test_role_create_update_bulk(cache: Cache) -> None:
    cache.apply(
        wire.event("GUILD_ROLE_CREATE", {"guild_id": "100", "role": wire.role("102", "new")})
    )
    cache.apply(
        wire.event("GUILD_ROLE_UPDATE", {"guild_id": "100", "role": wire.role("102", "renamed")})
    )
    roles = cache.guilds["100"].roles
    assert roles["102"].name == "renamed"
    bulk = {"guild_id": "100", "roles": [wire.role("101", "mod", 5), wire.role("102", "x", 6)]}
    cache.apply(wire.event("GUILD_ROLE_UPDATE_BULK", bulk))
    assert (roles["101"].position, roles["102"].position) == (5, 6)


def test_role_delete_strips_the_role_from_members(cache: Cache, issues: Issues) -> None:
    add_member(cache, "5", ["101"])
    cache.apply(wire.event("GUILD_ROLE_DELETE", {"guild_id": "100", "role_id": "101"}))
    assert "101" not in cache.guilds["100"].roles
    assert cache.members["100"]["5"].roles == ()
    cache.apply(wire.event("GUILD_ROLE_DELETE", {"guild_id": "100", "role_id": "101"}))
    assert issues.kinds == [IssueKind.UNKNOWN_ROLE]


def test_emojis_and_stickers_replace_the_whole_table(cache: Cache) -> None:
    emojis = [{"id": "50", "name": "wave", "animated": False}, {"id": "51", "name": "ok"}]
    cache.apply(wire.event("GUILD_EMOJIS_UPDATE", {"guild_id": "100", "emojis": emojis}))
    assert set(cache.guilds["100"].emojis) == {"50", "51"}
    cache.apply(wire.event("GUILD_EMOJIS_UPDATE", {"guild_id": "100", "emojis": emojis[1:]}))
    assert set(cache.guilds["100"].emojis) == {"51"}
    stickers = [{"id": "60", "name": "cat", "tags": ["cat"]}]
    cache.apply(wire.event("GUILD_STICKERS_UPDATE", {"guild_id": "100", "stickers": stickers}))
    assert cache.guilds["100"].stickers["60"].tags == ("cat",)


# --- channels ---------------------------------------------------------------------------


def test_channel_create_update(cache: Cache) -> None:
    cache.apply(wire.event("CHANNEL_CREATE", wire.channel("112", "100", "voice", 2, bitrate=64000)))
    assert cache.channels["112"].bitrate == 64000
    assert "112" in cache.guilds["100"].channel_ids
    cache.apply(wire.event("CHANNEL_UPDATE", wire.channel("112", "100", "voice-2", 2)))
    assert cache.channels["112"].name == "voice-2"
    assert cache.channels["112"].to_wire().name == "voice-2"


def test_channel_update_bulk(cache: Cache) -> None:
    bulk = {
        "guild_id": "100",
        "channels": [wire.channel("110", "100", "a", position=2), wire.channel("111", "100", "b")],
    }
    cache.apply(wire.event("CHANNEL_UPDATE_BULK", bulk))
    assert [c.name for c in cache.guild_channels("100")] == ["b", "a"]


def test_channel_delete_leaves_no_dangling_id(issues: Issues) -> None:
    cache = Cache(CacheOptions(message_cache_size=3), on_issue=issues)
    cache.apply(wire.guild_create("100"))
    cache.apply(wire.message("900", "1001", wire.user("5"), "100"))
    assert len(cache.messages("1001")) == 1
    cache.apply(wire.event("CHANNEL_DELETE", wire.channel("1001", "100")))
    assert "1001" not in cache.channels and not cache.guilds["100"].channel_ids
    assert cache.messages("1001") == ()
    cache.apply(wire.event("CHANNEL_DELETE", wire.channel("1001", "100")))
    assert issues.kinds == [IssueKind.UNKNOWN_CHANNEL]


def test_channel_delete_clears_references_to_it(cache: Cache) -> None:
    flat = wire.guild_properties("100", system_channel_id="110", rules_channel_id="110")
    cache.apply(wire.event("GUILD_UPDATE", {**flat, "afk_channel_id": "110"}))
    cache.apply(wire.event("CHANNEL_UPDATE", wire.channel("111", "100", parent_id="110")))
    cache.apply(wire.event("CHANNEL_DELETE", wire.channel("110", "100")))
    guild = cache.guilds["100"]
    assert (guild.system_channel_id, guild.rules_channel_id, guild.afk_channel_id) == (None,) * 3
    assert cache.channels["111"].parent_id is None


def test_channel_of_unknown_guild_is_an_issue_and_not_stored(cache: Cache, issues: Issues) -> None:
    cache.apply(wire.event("CHANNEL_CREATE", wire.channel("500", "999")))
    assert "500" not in cache.channels
    assert issues.kinds == [IssueKind.UNKNOWN_GUILD]


def test_dm_channel_create_is_stored_without_guild(cache: Cache) -> None:
    dm = wire.channel("300", None, None, 1, recipients=[wire.user("7")])  # type: ignore[arg-type]
    cache.apply(wire.event("CHANNEL_CREATE", dm))
    assert cache.channels["300"].guild_id is None and "7" in cache.users


def test_channel_pins_update(cache: Cache) -> None:
    pins = {"channel_id": "110", "guild_id": "100", "last_pin_timestamp": wire.JOINED}
    cache.apply(wire.event("CHANNEL_PINS_UPDATE", pins))
    assert cache.channels["110"].last_pin_timestamp == wire.JOINED


# --- messages ---------------------------------------------------------------------------


def test_message_create_folds_author_member_and_last_message(cache: Cache) -> None:
    cache.apply(wire.message("900", "110", wire.user("5", "poster"), "100"))
    assert cache.users["5"].username == "poster"
    assert cache.members["100"]["5"].joined_at == wire.JOINED
    assert cache.channels["110"].last_message_id == "900"
    assert cache.messages("110") == ()  # message cache off by default
    cache.apply(wire.message("901", "110", wire.user("5", "renamed"), "100"))
    assert cache.users["5"].username == "renamed"


def test_webhook_messages_do_not_create_users(cache: Cache) -> None:
    author = {**wire.user("77", "hook"), "discriminator": "0000", "bot": True}
    cache.apply(wire.message("900", "110", author, None, webhook_id="77", guild_id="100"))
    assert "77" not in cache.users and "77" not in cache.members["100"]


def test_message_cache_is_bounded_and_follows_edits_and_deletes() -> None:
    cache = Cache(CacheOptions(message_cache_size=2))
    cache.apply(wire.guild_create("100"))
    for mid in ("1", "2", "3"):
        cache.apply(wire.message(mid, "1001", wire.user("5"), "100"))
    assert [m.id for m in cache.messages("1001")] == ["2", "3"]
    edited = wire.message("3", "1001", wire.user("5"), "100", content="edited")
    cache.apply(wire.event("MESSAGE_UPDATE", msgspec.to_builtins(edited)))
    assert cache.messages("1001")[-1].content == "edited"
    cache.apply(wire.event("MESSAGE_DELETE", {"id": "2", "channel_id": "1001"}))
    assert [m.id for m in cache.messages("1001")] == ["3"]
    cache.apply(wire.event("MESSAGE_DELETE_BULK", {"ids": ["3"], "channel_id": "1001"}))
    assert cache.messages("1001") == ()


def test_typing_member_is_folded_for_a_known_user(cache: Cache) -> None:
    typing = {
        "channel_id": "110",
        "guild_id": "100",
        "user_id": "1",
        "timestamp": 1700000000000,
        "member": wire.member("1", ["101"], with_user=False),
    }
    cache.apply(wire.event("TYPING_START", typing))
    assert cache.members["100"]["1"].roles == ("101",)


# --- presence and voice -----------------------------------------------------------------


def test_presences_only_when_enabled() -> None:
    off = Cache()
    on = Cache(CacheOptions(resources=CachedResource.DEFAULT | CachedResource.PRESENCES))
    presence = {"user": wire.user("5"), "status": "online", "guild_id": "100"}
    for cache in (off, on):
        cache.apply(wire.event("PRESENCE_UPDATE", presence))
    assert not off.presences
    assert on.presences["5"].status == "online" and on.users["5"].username == "user5"
    on.apply(wire.event("PRESENCE_UPDATE", {"user": {"id": "5"}, "status": "offline"}))
    assert "5" not in on.presences and on.users["5"].username == "user5"


def test_voice_states_only_when_enabled() -> None:
    off = Cache()
    on = Cache(CacheOptions(resources=CachedResource.DEFAULT | CachedResource.VOICE_STATES))
    join = {
        "user_id": "5",
        "guild_id": "100",
        "channel_id": "1001",
        "self_mute": True,
        "member": wire.member("5"),
    }
    for cache in (off, on):
        cache.apply(wire.guild_create("100"))
        cache.apply(wire.event("VOICE_STATE_UPDATE", join))
        assert "5" in cache.members["100"]
    assert not off.voice_states
    state = on.voice_states["100"]["5"]
    assert state.channel_id == "1001" and state.self_mute and state.member is None
    on.apply(wire.event("VOICE_STATE_UPDATE", {**join, "channel_id": None}))
    assert "100" not in on.voice_states


def test_dm_call_voice_states_are_keyed_by_channel() -> None:
    cache = Cache(CacheOptions(resources=CachedResource.DEFAULT | CachedResource.VOICE_STATES))
    cache.apply(wire.event("VOICE_STATE_UPDATE", {"user_id": "5", "channel_id": "300"}))
    assert cache.voice_states["300"]["5"].channel_id == "300"
    cache.apply(wire.event("VOICE_STATE_UPDATE", {"user_id": "5", "channel_id": None}))
    assert not cache.voice_states
