"""The two-stage frame decoder: envelope, lazy typed events, errors with event and path."""

from __future__ import annotations

import json

import pytest

from fluxer_rx.errors import DecodeError
from fluxer_rx.models import (
    EVENT_TYPES,
    Events,
    Frame,
    MessageCreate,
    RawEvent,
    Resumed,
    decode_event,
    decode_frame,
    encode_frame,
)
from fluxer_rx.models.frame import ONE_PASS_BY_TAIL, ONE_PASS_MISSES, ONE_PASS_TAIL_LEN


def test_envelope_fields_and_raw_d() -> None:
    frame = decode_frame(b'{"d":{"heartbeat_interval":41250},"op":10}')
    assert (frame.op, frame.s, frame.t, frame.shard_id) == (10, None, None, 0)
    assert frame.has_d
    assert frame.raw_d == b'{"heartbeat_interval":41250}'
    assert frame.data == {"heartbeat_interval": 41250}


def test_frame_without_d_key() -> None:
    frame = decode_frame(b'{"op":11}')
    assert frame.op == 11
    assert not frame.has_d
    assert frame.raw_d == b"null"
    assert frame.data is None


def test_null_d_is_present() -> None:
    frame = decode_frame('{"d":null,"op":1}')
    assert frame.has_d
    assert frame.raw_d == b"null"


def test_str_input_and_writable_shard_id() -> None:
    frame = decode_frame('{"d":null,"op":0,"s":3,"t":"RESUMED"}')
    frame.shard_id = 2
    assert frame.shard_id == 2
    assert isinstance(frame.event, Resumed)
    assert frame.raw_d == b"null"


def test_unknown_opcode_still_gives_a_frame() -> None:
    frame = decode_frame(b'{"op":99,"d":{"x":1}}')
    assert frame.op == 99
    assert frame.data == {"x": 1}
    with pytest.raises(DecodeError):
        _ = frame.event


def test_event_is_decoded_once_and_cached() -> None:
    raw = json.dumps(
        {
            "op": 0,
            "s": 5,
            "t": "MESSAGE_CREATE",
            "d": {"id": "1", "channel_id": "2", "author": {"id": "3"}, "content": "hi"},
        }
    )
    frame = decode_frame(raw)
    event = frame.event
    assert isinstance(event, MessageCreate)
    assert event.content == "hi"
    assert frame.event is event


@pytest.mark.parametrize(
    "data",
    [b"{not json", b"[1,2,3]", b'{"d":null}', b'{"op":"1"}', b"", b'"op"', b'{"op":1.5}'],
)
def test_bad_envelope_raises_decode_error(data: bytes) -> None:
    with pytest.raises(DecodeError) as info:
        decode_frame(data)
    assert info.value.event is None


def test_wrong_type_op_names_the_path() -> None:
    with pytest.raises(DecodeError) as info:
        decode_frame(b'{"op":"zero"}')
    assert info.value.path == "$.op"


def test_wrong_type_in_payload_names_event_and_path() -> None:
    frame = decode_frame(
        b'{"op":0,"s":1,"t":"MESSAGE_CREATE","d":{"id":"1","channel_id":"2","author":{"id":3}}}'
    )
    with pytest.raises(DecodeError) as info:
        _ = frame.event
    assert info.value.event == "MESSAGE_CREATE"
    assert info.value.path == "$.author.id"
    assert "MESSAGE_CREATE" in str(info.value)


def test_missing_identifying_field_names_event_and_path() -> None:
    with pytest.raises(DecodeError) as info:
        decode_event("MESSAGE_CREATE", b'{"id":"1","channel_id":"2","author":{}}')
    assert info.value.event == "MESSAGE_CREATE"
    assert info.value.path == "$.author"
    assert "id" in str(info.value)


def test_bad_json_inside_d_is_a_decode_error_on_access() -> None:
    # invalid UTF-8 inside a string survives the envelope skip; stage 2 must catch it
    frame = decode_frame(b'{"op":0,"s":1,"t":"SOMETHING","d":{"a":"\xff"}}')
    with pytest.raises(DecodeError) as info:
        _ = frame.event
    assert info.value.event == "SOMETHING"
    with pytest.raises(DecodeError):
        _ = frame.data


def test_unknown_event_name_gives_raw_event() -> None:
    frame = decode_frame(b'{"d":{"hello":"world"},"op":0,"s":2,"t":"SOMETHING_NEW_2030"}')
    event = frame.event
    assert event == RawEvent(name="SOMETHING_NEW_2030", data={"hello": "world"})


def test_dispatch_without_t_raises() -> None:
    frame = decode_frame(b'{"op":0,"s":1,"d":{}}')
    with pytest.raises(DecodeError):
        _ = frame.event


def test_null_d_for_object_event_is_an_error() -> None:
    with pytest.raises(DecodeError) as info:
        decode_event("MESSAGE_DELETE", b"null")
    assert info.value.path == "$"


def test_every_required_event_name_has_a_type() -> None:
    required = {
        "READY", "RESUMED", "GUILD_CREATE", "GUILD_UPDATE", "GUILD_DELETE",
        "GUILD_MEMBER_ADD", "GUILD_MEMBER_UPDATE", "GUILD_MEMBER_REMOVE",
        "GUILD_MEMBERS_CHUNK", "GUILD_ROLE_CREATE", "GUILD_ROLE_UPDATE",
        "GUILD_ROLE_UPDATE_BULK", "GUILD_ROLE_DELETE", "GUILD_EMOJIS_UPDATE",
        "GUILD_STICKERS_UPDATE", "GUILD_BAN_ADD", "GUILD_BAN_REMOVE", "CHANNEL_CREATE",
        "CHANNEL_UPDATE", "CHANNEL_UPDATE_BULK", "CHANNEL_DELETE", "CHANNEL_PINS_UPDATE",
        "MESSAGE_CREATE", "MESSAGE_UPDATE", "MESSAGE_DELETE", "MESSAGE_DELETE_BULK",
        "MESSAGE_REACTION_ADD", "MESSAGE_REACTION_REMOVE", "MESSAGE_REACTION_REMOVE_ALL",
        "MESSAGE_REACTION_REMOVE_EMOJI", "TYPING_START", "PRESENCE_UPDATE", "USER_UPDATE",
        "VOICE_STATE_UPDATE", "VOICE_SERVER_UPDATE", "INVITE_CREATE", "INVITE_DELETE",
        "WEBHOOKS_UPDATE", "SESSIONS_REPLACE",
    }  # fmt: skip
    assert required <= set(EVENT_TYPES)
    for name, cls in EVENT_TYPES.items():
        assert getattr(Events, name) == name
        assert cls.__name__ == "".join(part.capitalize() for part in name.split("_"))


def test_encode_frame_is_compact_json() -> None:
    assert encode_frame(1, None) == b'{"op":1,"d":null}'
    assert json.loads(encode_frame(2, {"token": "x", "properties": {"os": "linux"}})) == {
        "op": 2,
        "d": {"token": "x", "properties": {"os": "linux"}},
    }


@pytest.mark.parametrize("lazy", [False, True])
def test_frame_repr_hides_payload(lazy: bool) -> None:
    raw = b'{"d":{"token":"voice-secret","endpoint":"e"},"op":0,"s":1,"t":"VOICE_SERVER_UPDATE"}'
    frame = decode_frame(raw, lazy=lazy)
    assert "secret" not in repr(frame)
    assert "t='VOICE_SERVER_UPDATE'" in repr(frame)
    assert isinstance(frame, Frame)


def test_wire_keys_cannot_set_private_frame_fields() -> None:
    raw = (
        b'{"d":{"id":"1","channel_id":"2"},"#fluxer_rx:shard_id":7,'
        b'"#fluxer_rx:raw":"x","#fluxer_rx:data":[1],"op":0,"s":1,"t":"MESSAGE_DELETE"}'
    )
    frame = decode_frame(raw)
    # a frame that sends the private names still decodes to the real values
    assert frame.shard_id == 0
    assert frame.raw_d == b'{"id":"1","channel_id":"2"}'
    frame.shard_id = 3
    assert frame.shard_id == 3
    assert frame.data == {"id": "1", "channel_id": "2"}
    assert frame.event.id == "1"


def test_absurd_nesting_is_a_decode_error() -> None:
    deep = b"[" * 100_000 + b"]" * 100_000
    with pytest.raises(DecodeError):
        decode_event("SOMETHING", deep)
    with pytest.raises(DecodeError):
        _ = decode_frame(b'{"op":0,"d":' + deep + b"}").data


def test_a_frame_built_directly_has_no_d() -> None:
    ack = Frame(op=11)
    assert (ack.op, ack.s, ack.t, ack.shard_id, ack.has_d) == (11, None, None, 0, False)
    assert ack.raw_d == b"null" and ack.data is None
    with pytest.raises(DecodeError):
        _ = ack.event
    assert Frame(op=0, s=4, t="RESUMED").event == Resumed()
    with pytest.raises(DecodeError) as info:
        _ = Frame(op=0, s=4, t="MESSAGE_CREATE").event
    assert info.value.event == "MESSAGE_CREATE"


def test_other_buffers_decode_and_non_buffers_are_decode_errors() -> None:
    raw = b'{"d":{"id":"1","channel_id":"2"},"op":0,"s":1,"t":"MESSAGE_DELETE"}'
    for buffer in (bytearray(raw), memoryview(raw)):
        frame = decode_frame(buffer)  # type: ignore[arg-type]
        assert frame.event.channel_id == "2"
    with pytest.raises(DecodeError):
        decode_frame(12)  # type: ignore[arg-type]


def _inline_form(message: bytes) -> Frame:
    """The inline form documented at ONE_PASS_BY_TAIL (what the shard writes out)."""
    try:
        frame = ONE_PASS_BY_TAIL[message[-ONE_PASS_TAIL_LEN:]](message)
    except ONE_PASS_MISSES:
        return decode_frame(message)
    frame._message = message
    return frame  # type: ignore[no-any-return]


@pytest.mark.parametrize(
    "message",
    [
        b'{"d":{"author":{"id":"3"},"channel_id":"2","id":"4"},"op":0,"s":5,"t":"MESSAGE_CREATE"}',
        b'{"d":{"channel_id":"2","id":"4"},"op":0,"s":5,"t":"MESSAGE_CREATE"}',  # no author
        b'{"d":{"author":{"id":"3"},"channel_id":"2","id":"4"},"op":1,"s":5,"t":"MESSAGE_CREATE"}',
        b'{"d":{"id":"7","name":"g"},"op":0,"s":5,"t":"GUILD_CREATE"}',  # special: no table
        b'{"d":{"x":1},"op":0,"s":5,"t":"NOT_AN_EVENT"}',
        b'{"d":{"heartbeat_interval":41250},"op":10}',
    ],
)
def test_the_inline_one_pass_form_gives_what_decode_frame_gives(message: bytes) -> None:
    inline, reference = _inline_form(message), decode_frame(message)
    assert type(inline) is type(reference)
    assert inline.ordinary_dispatch == reference.ordinary_dispatch
    assert (inline.op, inline.s, inline.t, inline.raw_d) == (
        reference.op,
        reference.s,
        reference.t,
        reference.raw_d,
    )
    assert inline.data == reference.data
    if reference.ordinary_dispatch:
        assert inline.event == reference.event


def test_the_one_pass_table_misses_what_is_not_bytes() -> None:
    with pytest.raises(ONE_PASS_MISSES):
        ONE_PASS_BY_TAIL['{"op":11}'[-ONE_PASS_TAIL_LEN:]]('{"op":11}')  # type: ignore[index]
