"""The sandbox world: seeding, determinism, mutations, emitted dispatches and errors."""

from __future__ import annotations

import time
from typing import Any

import pytest

from fluxer_rx.sandbox import World, WorldError
from fluxer_rx.sandbox.world import (
    FLUXER_EPOCH_MS,
    SEEDED_HISTORY_MS,
    Clock,
    iso_timestamp,
    snowflake_ms,
)


def recorder(world: World) -> list[tuple[str, Any, str | None]]:
    events: list[tuple[str, Any, str | None]] = []
    world.add_listener(lambda t, d, guild_id, users: events.append((t, d, guild_id)))
    return events


def test_seeded_shape() -> None:
    w = World(seed=5, guilds=3, channels_per_guild=4, members_per_guild=7)
    assert len(w.guild_ids) == 3 and len(w.channel_ids) == 12
    bot_id, secret = w.token.split(".")
    assert bot_id == w.bot.id and secret and w.user_id_for_token(w.token) == w.bot.id
    for gid in w.guild_ids:
        guild = w.guilds[gid]
        assert len(guild.members) == 8 and w.bot.id in guild.members
        assert gid in guild.roles  # @everyone id = guild id
        assert all(w.channels[c].type == 0 for c in guild.channel_ids)
        first = w.channels[guild.channel_ids[0]]
        assert len(first.messages) == 5 and len(first.pins) == 1
    assert all(i.isdigit() for i in w.guild_ids + w.channel_ids)


def fixed_clock(unix_s: float = 1_767_225_600.0) -> Clock:
    return lambda: unix_s


def test_same_seed_and_clock_same_world_and_different_seed_differs() -> None:
    a, b, c = (World(seed=s, clock=fixed_clock()) for s in (1, 1, 2))
    assert a.token == b.token and a.guild_ids == b.guild_ids
    assert [u.username for u in a.users.values()] == [u.username for u in b.users.values()]
    assert a.token != c.token
    assert [u.username for u in a.users.values()] != [u.username for u in c.users.values()]


def test_building_emits_nothing_and_ids_carry_the_clock_time() -> None:
    now = [1_780_000_000.0]
    w = World(clock=lambda: now[0])
    events = recorder(w)
    assert events == []
    assert w.now_ms() == 1_780_000_000_000
    new = w.new_id()
    assert snowflake_ms(new) == 1_780_000_000_000 == w.now_ms()
    assert (int(new) >> 22) + FLUXER_EPOCH_MS == w.now_ms()
    now[0] += 90.5
    wire = w.create_message(w.channel_ids[0], w.bot.id, "later")
    assert snowflake_ms(wire["id"]) == 1_780_000_090_500
    assert wire["timestamp"] == iso_timestamp(1_780_000_090_500) == "2026-05-28T20:28:10.500Z"
    assert iso_timestamp(1767225600123) == "2026-01-01T00:00:00.123Z"


def test_seeded_history_is_laid_out_before_construction() -> None:
    w = World(seed=3, guilds=4, clock=fixed_clock(1_780_000_000.0))
    seeded = sorted(int(i) for i in w.users) + sorted(int(i) for i in w.channels)
    start = 1_780_000_000_000 - SEEDED_HISTORY_MS
    assert all(start < snowflake_ms(i) < 1_780_000_000_000 for i in seeded)
    assert len({snowflake_ms(g) for g in w.guild_ids}) == 4  # guilds spread over shards
    member = w.add_member(w.guild_ids[0])
    assert member["joined_at"] == iso_timestamp(1_780_000_000_000)


def test_ids_strictly_increase_when_the_clock_stalls_or_goes_back() -> None:
    now = [1_780_000_000.0]
    w = World(guilds=1, clock=lambda: now[0])
    ids = [int(w.new_id()) for _ in range(5000)]  # > 4096 in one millisecond
    now[0] -= 60  # a clock stepped back
    ids += [int(w.new_id()) for _ in range(10)]
    assert ids == sorted(set(ids))
    assert snowflake_ms(ids[0]) == 1_780_000_000_000
    assert snowflake_ms(ids[-1]) == 1_780_000_000_001  # borrowed the next millisecond


def test_the_real_clock_is_the_default() -> None:
    before = round(time.time() * 1000)
    w = World(guilds=1)
    made = snowflake_ms(w.create_message(w.channel_ids[0], w.bot.id, "now")["id"])
    assert before <= made <= round(time.time() * 1000)
    assert w.clock is time.time


def test_create_message_emits_and_returns_the_wire() -> None:
    w = World()
    events = recorder(w)
    channel = w.channel_ids[1]
    author = next(u for u in w.guilds[w.guild_ids[0]].members if u != w.bot.id)
    wire = w.create_message(channel, author, "hi", nonce="abc")
    t, d, guild_id = events[-1]
    assert (t, guild_id) == ("MESSAGE_CREATE", w.guild_ids[0])
    assert d["id"] == wire["id"] and d["channel_type"] == 0 and d["guild_id"] == guild_id
    assert "user" not in d["member"] and "channel_type" not in wire
    assert wire["nonce"] == "abc" and wire["author"]["id"] == author
    assert w.channels[channel].last_message_id == wire["id"]
    assert wire["timestamp"] == iso_timestamp(snowflake_ms(wire["id"]))


def test_list_messages_pages_like_the_api() -> None:
    w = World(guilds=1, channels_per_guild=1, messages_per_channel=0)
    channel = w.channel_ids[0]
    ids = [w.create_message(channel, w.bot.id, f"m{i}")["id"] for i in range(10)]
    assert [m.id for m in w.list_messages(channel, limit=3)] == ids[:-4:-1]
    assert [m.id for m in w.list_messages(channel, limit=3, before=ids[5])] == ids[4:1:-1]
    assert [m.id for m in w.list_messages(channel, limit=3, after=ids[5])] == ids[8:5:-1]
    around = [m.id for m in w.list_messages(channel, limit=4, around=ids[5])]
    assert ids[5] in around and len(around) == 4 and around == sorted(around, reverse=True)
    assert len(w.list_messages(channel, limit=500)) == 10


def test_reactions_are_idempotent_and_removable() -> None:
    w = World(guilds=1, channels_per_guild=1)
    events = recorder(w)
    channel = w.channel_ids[0]
    mid = w.create_message(channel, w.bot.id, "react to me")["id"]
    w.add_reaction(channel, mid, "🔥", w.bot.id)
    w.add_reaction(channel, mid, "🔥", w.bot.id)
    assert [e[0] for e in events].count("MESSAGE_REACTION_ADD") == 1
    wire = w.message_wire(w.get_message(channel, mid))
    assert wire["reactions"] == [{"emoji": {"name": "🔥"}, "count": 1, "me": True}]
    assert [u.id for u in w.reaction_users(channel, mid, "🔥")] == [w.bot.id]
    w.remove_reaction(channel, mid, "🔥", w.bot.id)
    assert "reactions" not in w.message_wire(w.get_message(channel, mid))
    emoji = next(iter(w.guilds[w.guild_ids[0]].emojis.values()))
    d = w.add_reaction(channel, mid, f"{emoji.name}:{emoji.id}", w.bot.id)
    assert d["emoji"] == {"name": emoji.name, "id": emoji.id, "animated": emoji.animated}


def test_errors_are_typed_and_change_nothing() -> None:
    w = World(guilds=1, channels_per_guild=1)
    events = recorder(w)
    channel = w.channel_ids[0]
    before = dict(w.channels[channel].messages)
    cases = [
        (lambda: w.create_message("1", w.bot.id, "x"), "UNKNOWN_CHANNEL", 404),
        (lambda: w.create_message(channel, "1", "x"), "UNKNOWN_USER", 404),
        (lambda: w.create_message(channel, w.bot.id, ""), "CANNOT_SEND_EMPTY_MESSAGE", 400),
        (lambda: w.get_message(channel, "1"), "UNKNOWN_MESSAGE", 404),
        (
            lambda: w.add_reaction(channel, next(iter(before)), "x:123", w.bot.id),
            "UNKNOWN_EMOJI",
            404,
        ),
        (lambda: w.remove_member(w.guild_ids[0], "1"), "UNKNOWN_MEMBER", 404),
        (lambda: w.update_member(w.guild_ids[0], w.bot.id, roles=["1"]), "UNKNOWN_ROLE", 400),
        (lambda: w.add_member(w.guild_ids[0], w.bot.id), "INVALID_FORM_BODY", 400),
        (lambda: w.set_presence(w.bot.id, "away"), "INVALID_FORM_BODY", 400),
        (lambda: w.delete_role(w.guild_ids[0], w.guild_ids[0]), "UNKNOWN_ROLE", 404),
    ]
    for call, code, status in cases:
        with pytest.raises(WorldError) as info:
            call()
        assert (info.value.code, info.value.status) == (code, status)
    assert events == [] and w.channels[channel].messages == before


def test_member_lifecycle_and_channel_delete() -> None:
    w = World(guilds=1, channels_per_guild=2)
    events = recorder(w)
    guild = w.guild_ids[0]
    added = w.add_member(guild)
    user_id = added["user"]["id"]
    assert added["guild_id"] == guild and user_id in w.guilds[guild].members
    w.update_member(guild, user_id, nick="n")
    assert w.remove_member(guild, user_id) == {"guild_id": guild, "user": {"id": user_id}}
    deleted = w.delete_channel(w.channel_ids[1])
    assert deleted["id"] not in w.channels and deleted["id"] not in w.guilds[guild].channel_ids
    assert [e[0] for e in events] == [
        "GUILD_MEMBER_ADD",
        "GUILD_MEMBER_UPDATE",
        "GUILD_MEMBER_REMOVE",
        "CHANNEL_DELETE",
    ]


def test_bad_constructor_arguments() -> None:
    with pytest.raises(ValueError):
        World(guilds=-1)
    with pytest.raises(ValueError):
        World(messages_per_channel=-1)
