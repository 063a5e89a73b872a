"""Payloads that differ between server versions ([S] vs [N], PROTOCOL.md section 6) decode
in both shapes to the same typed result."""

from __future__ import annotations

import json
from typing import Any

import pytest

from fluxer_rx.errors import DecodeError
from fluxer_rx.models import (
    GuildCreate,
    GuildDelete,
    MessageReactionRemoveAll,
    Ready,
    Resumed,
    RtcRegion,
    SessionsReplace,
    TypingStart,
    decode_frame,
)


def dispatch(t: str, d: Any, s: int = 1) -> bytes:
    """A dispatch frame as the gateway writes it: compact, keys sorted."""
    return json.dumps(
        {"d": d, "op": 0, "s": s, "t": t}, separators=(",", ":"), sort_keys=True
    ).encode()


def event(t: str, d: Any) -> Any:
    """Decode through both paths (one pass and lazy) and check they agree."""
    eager = decode_frame(dispatch(t, d)).event
    lazy = decode_frame(dispatch(t, d), lazy=True).event
    assert eager == lazy
    return eager


USER = {"id": "1000000000000000004", "username": "bot", "discriminator": "0001", "bot": True}


def test_ready_rtc_regions_as_ids() -> None:
    ready = event("READY", {"session_id": "AB", "user": USER, "rtc_regions": ["us-east", "eu"]})
    assert isinstance(ready, Ready)
    assert ready.rtc_regions == (RtcRegion(id="us-east"), RtcRegion(id="eu"))


def test_ready_rtc_regions_as_objects() -> None:
    regions = [{"id": "us-east", "name": "US East", "emoji": "flag_us"}, "eu"]
    ready = event("READY", {"session_id": "AB", "user": USER, "rtc_regions": regions})
    assert ready.rtc_regions == (
        RtcRegion(id="us-east", name="US East", emoji="flag_us"),
        RtcRegion(id="eu"),
    )


def test_ready_with_only_the_essentials() -> None:
    ready = event("READY", {"session_id": "AB", "user": {"id": "7"}})
    assert ready.session_id == "AB"
    assert ready.user.id == "7"
    assert ready.guilds == () and ready.sessions == () and ready.rtc_regions is None


def test_ready_ignores_unknown_fields_of_any_shape() -> None:
    ready = event(
        "READY",
        {
            "session_id": "AB",
            "user": {**USER, "brand_new_flag": [1, {"x": None}]},
            "auth_session_id_hash": "h",
            "some_future_field": {"nested": [1, 2, 3]},
            "read_states": [{"id": "1", "mention_count": 0}],
            "user_settings": {"theme": "dark"},
            "version": 1,
        },
    )
    assert ready.user.bot is True
    assert ready.read_states == [{"id": "1", "mention_count": 0}]
    assert ready.version == 1


def test_ready_guilds_unavailable_stubs_and_ready_objects() -> None:
    guilds = [
        {"id": "10", "unavailable": True},
        {"id": "11", "unavailable": True, "unavailable_hidden": True},
        {
            "id": "12",
            "properties": {"id": "12", "name": "Lounge", "owner_id": "1"},
            "channels": [{"id": "13", "type": 0, "name": "general"}],
            "members": [{"user": {"id": "1000000000000000004"}, "roles": []}],
            "member_count": 2,
        },
    ]
    ready = event("READY", {"session_id": "AB", "user": USER, "guilds": guilds})
    assert [type(g) for g in ready.guilds] == [GuildCreate] * 3
    assert [g.unavailable for g in ready.guilds] == [True, True, False]
    assert ready.guilds[1].unavailable_hidden is True
    lounge = ready.guilds[2]
    assert (lounge.name, lounge.owner_id, lounge.member_count) == ("Lounge", "1", 2)
    assert lounge.channels is not None and lounge.channels[0].name == "general"


@pytest.mark.parametrize("d", [None, {}, {"_timings_gw": {"x": 1}}])
def test_resumed_null_or_object(d: Any) -> None:
    assert event("RESUMED", d) == Resumed()


@pytest.mark.parametrize("wire", [1764266400123, 1764266400.123])
def test_typing_start_timestamp_ms_or_s_gives_seconds(wire: float) -> None:
    typing = event("TYPING_START", {"channel_id": "1", "user_id": "2", "timestamp": wire})
    assert isinstance(typing, TypingStart)
    assert typing.timestamp == pytest.approx(1764266400.123)


def test_typing_start_integer_seconds() -> None:
    typing = event("TYPING_START", {"channel_id": "1", "user_id": "2", "timestamp": 1764266400})
    assert typing.timestamp == 1764266400.0


def test_unavailable_guild_as_guild_create_stub() -> None:
    guild = event("GUILD_CREATE", {"id": "10", "unavailable": True})
    assert isinstance(guild, GuildCreate)
    assert guild.unavailable is True
    assert guild.name is None and guild.roles is None and guild.members == ()


def test_unavailable_guild_as_guild_delete() -> None:
    gone = event("GUILD_DELETE", {"id": "10", "unavailable": True})
    assert gone == GuildDelete(id="10", unavailable=True)


def test_guild_delete_when_leaving_or_deleted() -> None:
    assert event("GUILD_DELETE", {"id": "10"}) == GuildDelete(id="10")
    assert event("GUILD_DELETE", {"id": "10", "guild_id": "10"}).guild_id == "10"


def test_guild_create_nested_and_flat_shapes_agree() -> None:
    props = {"name": "Lounge", "owner_id": "1", "features": ["X"], "afk_timeout": 300}
    nested = event("GUILD_CREATE", {"id": "12", "properties": {"id": "12", **props}})
    flat = event("GUILD_CREATE", {"id": "12", **props})
    assert nested == flat
    assert nested.name == "Lounge" and nested.features == ("X",) and nested.afk_timeout == 300


def test_sessions_replace_list_or_object() -> None:
    sessions = [{"session_id": "all", "status": "dnd", "afk": False, "mobile": False}]
    as_list = event("SESSIONS_REPLACE", sessions)
    as_object = event("SESSIONS_REPLACE", {"sessions": sessions})
    assert isinstance(as_list, SessionsReplace)
    assert as_list == as_object
    assert as_list.sessions[0].status == "dnd"


def test_reaction_remove_all_with_emoji_dm_quirk() -> None:
    d = {"channel_id": "1", "message_id": "2", "emoji": {"name": "\N{THUMBS UP SIGN}"}}
    removed = event("MESSAGE_REACTION_REMOVE_ALL", d)
    assert isinstance(removed, MessageReactionRemoveAll)
    assert removed.emoji is not None and removed.emoji.id is None
    assert removed.emoji.name == "\N{THUMBS UP SIGN}"


@pytest.mark.parametrize(
    ("t", "d", "path"),
    [
        ("READY", {"session_id": "AB", "user": {"id": 4}}, "$.user.id"),
        (
            "READY",
            {"session_id": "AB", "user": USER, "guilds": [{"id": "1", "properties": {"name": 5}}]},
            "$.guilds[0].properties.name",
        ),
        ("READY", {"session_id": "AB", "user": USER, "rtc_regions": [7]}, "$.rtc_regions[0]"),
        ("GUILD_CREATE", {"id": "1", "properties": {"features": "X"}}, "$.properties.features"),
        ("TYPING_START", {"channel_id": "1", "user_id": "2", "timestamp": "now"}, "$.timestamp"),
        ("SESSIONS_REPLACE", [{"status": "idle"}], "$[0]"),
    ],
)
def test_wrong_types_in_reshaped_events_name_the_wire_path(t: str, d: Any, path: str) -> None:
    for lazy in (False, True):
        frame = decode_frame(dispatch(t, d), lazy=lazy)
        with pytest.raises(DecodeError) as info:
            _ = frame.event
        assert (info.value.event, info.value.path) == (t, path)
