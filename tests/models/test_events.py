"""Every typed dispatch decodes its PROTOCOL.md section 2.2 shape into its class, with the
fields a bot uses; the one-pass and the lazy decoder agree on every one of them."""

from __future__ import annotations

import json
from typing import Any

import msgspec
import pytest

from fluxer_rx.errors import DecodeError
from fluxer_rx.models import (
    EVENT_TYPES,
    Message,
    MessageCreate,
    RawEvent,
    VoiceServerUpdate,
    decode_frame,
)

AUTHOR = {
    "id": "300",
    "username": "alice",
    "discriminator": "0001",
    "global_name": "Alice",
    "avatar": None,
    "avatar_color": None,
    "flags": 0,
}
MEMBER = {
    "user": AUTHOR,
    "nick": "al",
    "roles": ["500"],
    "joined_at": "2026-01-08T12:00:00+00:00",
    "mute": False,
    "deaf": False,
}
MESSAGE = {
    "id": "400",
    "channel_id": "200",
    "author": AUTHOR,
    "type": 0,
    "flags": 0,
    "content": "hello",
    "timestamp": "2026-01-08T12:00:00+00:00",
    "edited_timestamp": None,
    "pinned": False,
    "mention_everyone": False,
    "tts": False,
    "mentions": [],
    "mention_roles": [],
    "embeds": [{"type": "rich", "title": "t", "fields": [{"name": "a", "value": "b"}]}],
    "attachments": [{"id": "401", "filename": "a.png", "size": 3, "flags": 8}],
    "stickers": [],
    "message_reference": {"channel_id": "200", "message_id": "399", "type": 0},
    "referenced_message": None,
}
ROLE = {"id": "500", "name": "mod", "color": 0, "position": 1, "permissions": "8"}
CHANNEL = {
    "id": "200",
    "guild_id": "100",
    "type": 0,
    "name": "general",
    "permission_overwrites": [{"id": "500", "type": 0, "allow": "1024", "deny": "0"}],
}
EMOJI = {"name": "\N{THUMBS UP SIGN}"}

# event name -> (d, {attribute path: expected value})
CASES: dict[str, tuple[Any, dict[str, Any]]] = {
    "READY": ({"session_id": "S", "user": AUTHOR, "version": 1}, {"user.username": "alice"}),
    "RESUMED": (None, {}),
    "SESSIONS_REPLACE": ([{"session_id": "all", "status": "idle"}], {"sessions.0.status": "idle"}),
    "USER_UPDATE": ({**AUTHOR, "email": None}, {"id": "300", "global_name": "Alice"}),
    "PRESENCE_UPDATE": (
        {
            "user": {"id": "300"},
            "status": "dnd",
            "mobile": True,
            "afk": False,
            "custom_status": {"text": "busy", "emoji_name": "x"},
            "guild_id": "100",
        },
        {"user.id": "300", "status": "dnd", "custom_status.text": "busy", "guild_id": "100"},
    ),
    "GUILD_CREATE": (
        {
            "id": "100",
            "properties": {"id": "100", "name": "G", "owner_id": "300", "icon": "abc"},
            "roles": [ROLE],
            "channels": [CHANNEL],
            "emojis": [{"id": "600", "name": "e", "animated": False}],
            "stickers": [{"id": "700", "name": "s", "tags": ["x"]}],
            "members": [{"user": {"id": "300"}, "roles": []}],
            "member_count": 5,
            "online_count": 1,
            "presences": [],
            "voice_states": [{"user_id": "300", "channel_id": "201", "self_mute": True}],
            "joined_at": "2026-01-08T12:00:00+00:00",
        },
        {
            "name": "G",
            "icon": "abc",
            "owner_id": "300",
            "roles.0.permissions": "8",
            "channels.0.permission_overwrites.0.allow": "1024",
            "emojis.0.id": "600",
            "stickers.0.tags": ("x",),
            "members.0.user.id": "300",
            "voice_states.0.self_mute": True,
            "member_count": 5,
            "unavailable": False,
        },
    ),
    "GUILD_SYNC": ({"id": "100", "properties": {"name": "G"}}, {"name": "G"}),
    "GUILD_UPDATE": (
        {"id": "100", "name": "G2", "owner_id": "300", "guild_id": "100"},
        {"name": "G2", "guild_id": "100"},
    ),
    "GUILD_DELETE": ({"id": "100"}, {"id": "100", "unavailable": False}),
    "GUILD_MEMBER_ADD": ({**MEMBER, "guild_id": "100"}, {"user.id": "300", "nick": "al"}),
    "GUILD_MEMBER_UPDATE": ({**MEMBER, "guild_id": "100"}, {"roles": ("500",)}),
    "GUILD_MEMBER_REMOVE": ({"guild_id": "100", "user": {"id": "300"}}, {"user.id": "300"}),
    "GUILD_MEMBERS_CHUNK": (
        {"guild_id": "100", "members": [MEMBER], "chunk_index": 0, "chunk_count": 2, "nonce": "n"},
        {"members.0.nick": "al", "chunk_count": 2, "nonce": "n"},
    ),
    "GUILD_ROLE_CREATE": ({"guild_id": "100", "role": ROLE}, {"role.name": "mod"}),
    "GUILD_ROLE_UPDATE": ({"guild_id": "100", "role": ROLE}, {"role.position": 1}),
    "GUILD_ROLE_UPDATE_BULK": ({"guild_id": "100", "roles": [ROLE]}, {"roles.0.id": "500"}),
    "GUILD_ROLE_DELETE": ({"guild_id": "100", "role_id": "500"}, {"role_id": "500"}),
    "GUILD_EMOJIS_UPDATE": (
        {"guild_id": "100", "emojis": [{"id": "600", "name": "e", "animated": True}]},
        {"emojis.0.animated": True},
    ),
    "GUILD_STICKERS_UPDATE": (
        {"guild_id": "100", "stickers": [{"id": "700", "name": "s", "description": "d"}]},
        {"stickers.0.description": "d"},
    ),
    "GUILD_BAN_ADD": ({"guild_id": "100", "user": {"id": "300"}}, {"user.id": "300"}),
    "GUILD_BAN_REMOVE": ({"guild_id": "100", "user": {"id": "300"}}, {"guild_id": "100"}),
    "CHANNEL_CREATE": (CHANNEL, {"name": "general", "guild_id": "100"}),
    "CHANNEL_UPDATE": ({**CHANNEL, "topic": "t"}, {"topic": "t"}),
    "CHANNEL_DELETE": (CHANNEL, {"id": "200"}),
    "CHANNEL_UPDATE_BULK": ({"guild_id": "100", "channels": [CHANNEL]}, {"channels.0.id": "200"}),
    "CHANNEL_PINS_UPDATE": (
        {"channel_id": "200", "guild_id": "100", "last_pin_timestamp": None},
        {"channel_id": "200"},
    ),
    "MESSAGE_CREATE": (
        {**MESSAGE, "guild_id": "100", "member": {"roles": ["500"]}, "channel_type": 0},
        {
            "content": "hello",
            "author.username": "alice",
            "guild_id": "100",
            "member.roles": ("500",),
            "member.user": None,
            "channel_type": 0,
            "embeds.0.fields.0.value": "b",
            "attachments.0.flags": 8,
            "message_reference.message_id": "399",
            "referenced_message": None,
        },
    ),
    "MESSAGE_UPDATE": (
        {**MESSAGE, "content": "edited", "guild_id": "100"},
        {"content": "edited", "guild_id": "100"},
    ),
    "MESSAGE_DELETE": (
        {"id": "400", "channel_id": "200", "guild_id": "100", "author_id": "300"},
        {"author_id": "300"},
    ),
    "MESSAGE_DELETE_BULK": ({"ids": ["400", "401"], "channel_id": "200"}, {"ids": ("400", "401")}),
    "MESSAGE_REACTION_ADD": (
        {
            "channel_id": "200",
            "message_id": "400",
            "user_id": "300",
            "emoji": {"name": "e", "id": "600", "animated": False},
            "guild_id": "100",
            "member": {"roles": []},
        },
        {"emoji.id": "600", "member.roles": ()},
    ),
    "MESSAGE_REACTION_REMOVE": (
        {"channel_id": "200", "message_id": "400", "user_id": "300", "emoji": EMOJI},
        {"emoji.id": None, "emoji.name": "\N{THUMBS UP SIGN}"},
    ),
    "MESSAGE_REACTION_REMOVE_ALL": (
        {"channel_id": "200", "message_id": "400", "guild_id": "100"},
        {"emoji": None},
    ),
    "MESSAGE_REACTION_REMOVE_EMOJI": (
        {"channel_id": "200", "message_id": "400", "emoji": EMOJI},
        {"emoji.name": "\N{THUMBS UP SIGN}"},
    ),
    "TYPING_START": (
        {"channel_id": "200", "user_id": "300", "timestamp": 1764266400000, "guild_id": "100"},
        {"timestamp": 1764266400.0},
    ),
    "VOICE_STATE_UPDATE": (
        {"guild_id": "100", "channel_id": None, "user_id": "300", "session_id": "S"},
        {"channel_id": None, "self_deaf": False},
    ),
    "VOICE_SERVER_UPDATE": (
        {"token": "voice-secret", "endpoint": "lk.example", "guild_id": "100"},
        {"endpoint": "lk.example"},
    ),
    "INVITE_CREATE": (
        {"code": "abc", "channel_id": "200", "guild_id": "100", "inviter": AUTHOR, "uses": 0},
        {"code": "abc", "inviter.id": "300"},
    ),
    "INVITE_DELETE": ({"code": "abc", "channel_id": "200"}, {"code": "abc"}),
    "WEBHOOKS_UPDATE": ({"guild_id": "100", "channel_id": "200"}, {"channel_id": "200"}),
}


def wire(t: str, d: Any, *, sort_keys: bool = True) -> bytes:
    frame = {"d": d, "op": 0, "s": 42, "t": t}
    return json.dumps(frame, separators=(",", ":"), sort_keys=sort_keys).encode()


def attribute(obj: Any, path: str) -> Any:
    for part in path.split("."):
        obj = obj[int(part)] if part.isdigit() else getattr(obj, part)
    return obj


def test_cases_cover_every_typed_event() -> None:
    assert set(CASES) == set(EVENT_TYPES)


@pytest.mark.parametrize("name", sorted(CASES))
def test_event_decodes_to_its_class(name: str) -> None:
    d, expected = CASES[name]
    frame = decode_frame(wire(name, d))
    assert (frame.op, frame.s, frame.t) == (0, 42, name)
    event = frame.event
    assert type(event) is EVENT_TYPES[name]
    for path, value in expected.items():
        assert attribute(event, path) == value, path


@pytest.mark.parametrize("name", sorted(CASES))
@pytest.mark.parametrize("as_text", [False, True])
def test_one_pass_and_lazy_paths_agree(name: str, as_text: bool) -> None:
    d, _ = CASES[name]
    for raw in (wire(name, d), wire(name, {"extra": 1, **d} if isinstance(d, dict) else d)):
        message: bytes | str = raw.decode() if as_text else raw
        eager = decode_frame(message)
        lazy = decode_frame(message, lazy=True)
        assert eager.event == lazy.event
        assert (
            eager.raw_d
            == lazy.raw_d
            == json.dumps(json.loads(raw)["d"], separators=(",", ":"), sort_keys=True).encode()
        )
        assert eager.data == lazy.data == json.loads(raw)["d"]
        assert (eager.op, eager.s, eager.t, eager.has_d) == (lazy.op, lazy.s, lazy.t, True)


def test_unsorted_keys_take_the_general_path_and_decode() -> None:
    d = CASES["MESSAGE_CREATE"][0]
    raw = json.dumps({"t": "MESSAGE_CREATE", "s": 3, "op": 0, "d": d}).encode()
    frame = decode_frame(raw)
    assert frame.s == 3
    assert frame.event.content == "hello"


def test_tail_that_names_an_event_but_is_not_a_dispatch() -> None:
    raw = b'{"d":{"id":"1"},"op":1,"s":null,"t":"MESSAGE_DELETE"}'
    frame = decode_frame(raw)
    assert (frame.op, frame.t) == (1, "MESSAGE_DELETE")
    with pytest.raises(DecodeError):
        _ = frame.event


def test_unknown_event_ending_like_a_known_one_is_raw() -> None:
    # the last bytes match MESSAGE_CREATE's, so its decoder is tried first, and refused
    raw = wire("CUSTOM_MESSAGE_CREATE", CASES["MESSAGE_CREATE"][0])
    assert raw.endswith(b'SAGE_CREATE"}')
    frame = decode_frame(raw)
    assert frame.t == "CUSTOM_MESSAGE_CREATE"
    assert type(frame.event) is RawEvent


def test_buffers_other_than_bytes_and_str_decode() -> None:
    raw = wire("MESSAGE_CREATE", CASES["MESSAGE_CREATE"][0])
    for message in (bytearray(raw), memoryview(raw)):
        assert decode_frame(message).event == decode_frame(raw).event  # type: ignore[arg-type]


def test_bad_payload_on_the_one_pass_path_raises_from_event_only() -> None:
    d = {**CASES["MESSAGE_CREATE"][0], "pinned": "yes"}
    frame = decode_frame(wire("MESSAGE_CREATE", d))
    assert (frame.op, frame.s, frame.t) == (0, 42, "MESSAGE_CREATE")
    for _ in range(2):  # not cached: raises on every access
        with pytest.raises(DecodeError) as info:
            _ = frame.event
        assert info.value.event == "MESSAGE_CREATE"
        assert info.value.path == "$.pinned"


def test_message_create_is_a_message() -> None:
    event = decode_frame(wire("MESSAGE_CREATE", CASES["MESSAGE_CREATE"][0])).event
    assert isinstance(event, MessageCreate) and isinstance(event, Message)


def test_referenced_message_absent_null_or_present() -> None:
    base = {k: v for k, v in MESSAGE.items() if k != "referenced_message"}
    absent = decode_frame(wire("MESSAGE_CREATE", base)).event
    null = decode_frame(wire("MESSAGE_CREATE", {**base, "referenced_message": None})).event
    nested = decode_frame(
        wire("MESSAGE_CREATE", {**base, "referenced_message": {**base, "id": "399"}})
    ).event
    assert absent.referenced_message is msgspec.UNSET
    assert null.referenced_message is None
    assert isinstance(nested.referenced_message, Message)
    assert nested.referenced_message.id == "399"


def test_voice_token_is_not_in_repr() -> None:
    event = decode_frame(wire("VOICE_SERVER_UPDATE", CASES["VOICE_SERVER_UPDATE"][0])).event
    assert isinstance(event, VoiceServerUpdate)
    assert event.token == "voice-secret"
    assert "voice-secret" not in repr(event)
