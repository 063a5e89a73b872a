"""Reducers never touch the event they fold: the event a handler receives is the one the
server sent, whatever the cache did with it.

Every reducer of :data:`REDUCERS` folds a representative event (the paths that do work:
the guild, channel, member and message are known), in a cache with every store on, and
each event must encode to the same JSON after its own fold and after all later folds
(a cached object shared with the event must not be changed later either). A reducer
added without an event here fails :func:`test_every_reducer_is_covered`.
"""

from __future__ import annotations

from typing import Any

import msgspec
import pytest

from fluxer_rx.cache import Cache, CachedResource, CacheOptions, CacheSizeLimits, IssueKind
from fluxer_rx.cache.reducers import REDUCERS
from tests.cache import wire


def _message(mid: str, **extra: Any) -> dict[str, Any]:
    return msgspec.to_builtins(wire.message(mid, "110", wire.user("5", "poster"), "100", **extra))  # type: ignore[no-any-return]


def _events() -> list[object]:
    """One event per reducer (some twice, in their other shape), in an order where each
    finds what it refers to."""
    e = wire.event
    dm = wire.channel("300", None, None, 1, recipients=[wire.user("7", "pal")])  # type: ignore[arg-type]
    voice_member = wire.member("5")
    return [
        wire.ready(
            "1",
            ("100",),
            private_channels=[dm],
            users=[wire.user("8", "friend")],
            presences=[{"user": wire.user("8"), "status": "online"}],
        ),
        e("USER_UPDATE", {**wire.user("1", "renamed"), "bot": True}),
        wire.guild_create(
            "100",
            roles=[wire.role("100", "@everyone"), wire.role("101", "mod", 1)],
            channels=[wire.channel("110", "100"), wire.channel("111", "100", "memes")],
            members=[wire.member("1"), wire.member("5", ["101"])],
            presences=[{"user": wire.user("5"), "status": "online"}],
            voice_states=[{"user_id": "5", "channel_id": "111", "member": voice_member}],
        ),
        wire.guild_create("200"),
        e("GUILD_SYNC", {"id": "200", "properties": wire.guild_properties("200", "Synced")}),
        e("GUILD_UPDATE", wire.guild_properties("100", "Renamed", system_channel_id="110")),
        e("GUILD_MEMBER_ADD", {**wire.member("6", ["101"]), "guild_id": "100"}),
        e("GUILD_MEMBER_UPDATE", {**wire.member("6", ["101"], nick="Six"), "guild_id": "100"}),
        e(
            "GUILD_MEMBERS_CHUNK",
            {
                "guild_id": "100",
                "members": [wire.member(str(i), ["101"]) for i in range(10, 13)],
                "presences": [{"user": wire.user("10"), "status": "idle"}],
                "chunk_index": 0,
                "chunk_count": 1,
            },
        ),
        e("GUILD_MEMBER_REMOVE", {"guild_id": "100", "user": {"id": "12"}}),
        e("GUILD_ROLE_CREATE", {"guild_id": "100", "role": wire.role("102", "new")}),
        e("GUILD_ROLE_UPDATE", {"guild_id": "100", "role": wire.role("102", "renamed")}),
        e(
            "GUILD_ROLE_UPDATE_BULK",
            {"guild_id": "100", "roles": [wire.role("101", "mod", 5), wire.role("102", "x", 6)]},
        ),
        e("GUILD_ROLE_DELETE", {"guild_id": "100", "role_id": "102"}),
        e("GUILD_EMOJIS_UPDATE", {"guild_id": "100", "emojis": [{"id": "50", "name": "wave"}]}),
        e(
            "GUILD_STICKERS_UPDATE",
            {"guild_id": "100", "stickers": [{"id": "60", "name": "cat", "tags": ["cat"]}]},
        ),
        e("CHANNEL_CREATE", wire.channel("112", "100", "voice", 2, bitrate=64000)),
        e("CHANNEL_CREATE", dm),
        e("CHANNEL_UPDATE", wire.channel("112", "100", "voice-2", 2)),
        # channels without their own guild_id: the bulk event's guild_id applies to them
        e(
            "CHANNEL_UPDATE_BULK",
            {
                "guild_id": "100",
                "channels": [
                    wire.channel("110", None, "a", position=2),
                    wire.channel("111", None, "b", position=1),
                ],
            },
        ),
        e(
            "CHANNEL_PINS_UPDATE",
            {"channel_id": "110", "guild_id": "100", "last_pin_timestamp": wire.JOINED},
        ),
        e("MESSAGE_CREATE", _message("900")),
        e("MESSAGE_CREATE", _message("901")),
        e("MESSAGE_UPDATE", _message("900", content="edited")),
        e("MESSAGE_DELETE", {"id": "900", "channel_id": "110", "guild_id": "100"}),
        e("MESSAGE_DELETE_BULK", {"ids": ["901"], "channel_id": "110", "guild_id": "100"}),
        e(
            "TYPING_START",
            {
                "channel_id": "110",
                "guild_id": "100",
                "user_id": "5",
                "timestamp": 1700000000000,
                "member": wire.member("5", ["101"], with_user=False),
            },
        ),
        e(
            "MESSAGE_REACTION_ADD",
            {
                "channel_id": "110",
                "guild_id": "100",
                "message_id": "901",
                "user_id": "6",
                "emoji": {"name": "👍"},
                "member": wire.member("6", with_user=False),
            },
        ),
        e("PRESENCE_UPDATE", {"user": wire.user("6"), "status": "dnd", "guild_id": "100"}),
        e("PRESENCE_UPDATE", {"user": {"id": "6"}, "status": "offline", "guild_id": "100"}),
        e(
            "VOICE_STATE_UPDATE",
            {"user_id": "6", "guild_id": "100", "channel_id": "112", "member": wire.member("6")},
        ),
        e("VOICE_STATE_UPDATE", {"user_id": "9", "channel_id": "300"}),
        e("VOICE_STATE_UPDATE", {"user_id": "9", "channel_id": None}),
        e("CHANNEL_DELETE", wire.channel("112", "100")),
        e("GUILD_DELETE", {"id": "200", "unavailable": True}),
        e("GUILD_DELETE", {"id": "100"}),
    ]


def test_every_reducer_is_covered() -> None:
    assert set(REDUCERS) <= {type(event) for event in _events()}


@pytest.mark.parametrize(
    "options",
    [
        pytest.param(
            CacheOptions(resources=CachedResource.ALL, message_cache_size=5),
            id="every-store",
        ),
        pytest.param(
            CacheOptions(limits=CacheSizeLimits(guilds=1, channels=2, users=3, members=2)),
            id="bounded",
        ),
        pytest.param(CacheOptions(resources=CachedResource.MESSAGES), id="no-users"),
    ],
)
def test_folding_leaves_every_event_unchanged(options: CacheOptions) -> None:
    issues: list[str] = []
    folded = Cache(options, on_issue=lambda kind, detail: issues.append(f"{kind}: {detail}"))
    seen: list[tuple[object, bytes]] = []
    for event in _events():
        seen.append((event, msgspec.json.encode(event)))
        folded.apply(event)
        for earlier, encoded in seen:
            assert msgspec.json.encode(earlier) == encoded, (
                f"folding {type(event).__name__} changed the {type(earlier).__name__} event"
            )
    assert not [issue for issue in issues if issue.startswith(IssueKind.REDUCER_ERROR)]
