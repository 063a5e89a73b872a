"""Fuzz inputs for the frame decoder, the protocol machine and the recording reader.

Every generator takes one ``random.Random`` and nothing else, so the same generator serves
the hypothesis tests (``st.randoms(use_true_random=False)``: hypothesis makes, and shrinks,
every choice) and ``benchmarks/fuzz.py`` (a plain ``Random`` seeded per input). Inputs
start from the real frames in ``tests/data/real-gateway/`` and are mutated: bytes flipped,
cut or inserted, values retyped, JSON oddities spliced in (``1e400``, invalid UTF-8 inside
strings, lone surrogates, nesting 100 000 deep), unknown fields and event names added.
"""

from __future__ import annotations

import copy
import json
import string
from functools import cache
from pathlib import Path
from random import Random
from typing import Any, Final

import msgspec.inspect as mi

from fluxer_rx.models.frame import EVENT_TYPES

__all__ = [
    "JSON_ODDITIES",
    "KNOWN_EVENTS",
    "RawJson",
    "deep_nesting",
    "event_payload",
    "frame_input",
    "frame_object",
    "json_value",
    "mutate_bytes",
    "mutate_object",
    "protocol_frame",
    "real_frames",
    "recording_file",
    "to_json",
    "user_command",
]

TRANSCRIPTS: Final = Path(__file__).resolve().parent.parent / "data" / "real-gateway"
KNOWN_EVENTS: Final = tuple(sorted(EVENT_TYPES))
UNKNOWN_EVENTS: Final = (
    *("", "NOT_AN_EVENT", "message_create", "READY ", "\u00e9V\u00e9NT", "x" * 300),
)


class RawJson:
    """JSON text placed verbatim by :func:`to_json` (valid or not)."""

    __slots__ = ("text",)

    def __init__(self, text: bytes) -> None:
        self.text = text

    def __repr__(self) -> str:
        return f"RawJson({self.text[:80]!r}{'...' if len(self.text) > 80 else ''})"


# Literals a JSON parser may choke on, or accept with surprising results.
JSON_ODDITIES: Final[tuple[bytes, ...]] = (
    b"1e400",
    b"-1e400",
    b"1e-400",
    b"1E+308",
    b"NaN",
    b"Infinity",
    b"-Infinity",
    b"-0",
    b"-0.0",
    b"9" * 400,
    b"-" + b"9" * 40,
    b"18446744073709551616",
    b"9223372036854775808",
    b"-9223372036854775809",
    b"0x10",
    b"01",
    b"1.",
    b".5",
    b"+1",
    b"1e",
    b'"\xff\xfe"',  # invalid UTF-8 inside a string
    b'"a\xc3"',  # truncated UTF-8 sequence
    b'"\xed\xa0\x80"',  # a surrogate encoded as UTF-8
    b'"\xf4\x90\x80\x80"',  # past U+10FFFF
    b'"\\ud800"',  # a lone surrogate escape
    b'"\\udc00x"',
    b'"\\u12"',
    b'"\\x41"',
    b'"\x00"',
    b'"a\nb"',  # a raw newline inside a string
    b'"unterminated',
    b"tru",
    b"nul",
    b"",
    b"[",
    b"{",
    b'{"a":}',
    b"[1,]",
    b'{"a":1,}',
    b'{"a" 1}',
    b"{}",
    b"[]",
    b"true",
    b"null",
)

_INTS: Final = (
    0,
    1,
    -1,
    2,
    41250,
    2**31,
    2**53 + 1,
    2**63 - 1,
    2**63,
    2**64,
    -(2**63) - 1,
    10**30,
    -(10**30),
)
_FLOATS: Final = (0.5, -0.5, 1e300, -1e300, 1e-300, 41250.0, 0.001, 1e15)
_TEXTS: Final = ("", "a", "hello", "\u00e9\u4e2d\U0001f600", "\x00\x1f", "x" * 5000, "123")


def _text(rng: Random) -> str:
    if rng.random() < 0.5:
        return rng.choice(_TEXTS)
    return "".join(rng.choice(string.printable) for _ in range(rng.randint(0, 12)))


def json_value(rng: Random, depth: int = 0) -> Any:
    """A random JSON value: scalars at their edges, oddities (as :class:`RawJson`), or
    small nested lists and objects."""
    kind = rng.randint(0, 9 if depth < 3 else 6)
    if kind == 0:
        return None
    if kind == 1:
        return rng.random() < 0.5
    if kind == 2:
        return rng.choice(_INTS) if rng.random() < 0.7 else rng.randint(-(2**70), 2**70)
    if kind == 3:
        return rng.choice(_FLOATS)
    if kind == 4:
        return _text(rng)
    if kind in (5, 6):
        return RawJson(rng.choice(JSON_ODDITIES))
    if kind == 7:
        return deep_nesting(rng)
    if kind == 8:
        return [json_value(rng, depth + 1) for _ in range(rng.randint(0, 4))]
    return {_text(rng): json_value(rng, depth + 1) for _ in range(rng.randint(0, 4))}


def deep_nesting(rng: Random) -> RawJson:
    """Arrays or objects nested up to 100 000 deep, closed or not."""
    depth = rng.choice((2, 64, 512, 1025, 5000, 100_000))
    if rng.random() < 0.5:
        opening, closing = b"[", b"]"
    else:
        opening, closing = b'{"a":', b"}"
    inner = rng.choice((b"1", b"null", b"1e400", b'"\xff"'))
    closed = rng.random() < 0.8
    return RawJson(opening * depth + inner + (closing * depth if closed else b""))


def to_json(value: Any, *, sort_keys: bool = True, spaced: bool = False) -> bytes:
    """``value`` as JSON text, :class:`RawJson` parts verbatim (so the result may be
    invalid). Keys are sorted, as the gateway writes them, unless ``sort_keys`` is False."""
    comma, colon = (b", ", b": ") if spaced else (b",", b":")
    if isinstance(value, RawJson):
        return value.text
    if isinstance(value, dict):
        items = sorted(value.items()) if sort_keys else list(value.items())
        return (
            b"{"
            + comma.join(
                json.dumps(str(k)).encode() + colon + to_json(v, sort_keys=sort_keys, spaced=spaced)
                for k, v in items
            )
            + b"}"
        )
    if isinstance(value, list | tuple):
        return (
            b"[" + comma.join(to_json(v, sort_keys=sort_keys, spaced=spaced) for v in value) + b"]"
        )
    return json.dumps(value).encode()


@cache
def real_frames() -> tuple[dict[str, Any], ...]:
    """Every frame in the real-gateway transcripts (received and sent), as parsed JSON."""
    frames: list[dict[str, Any]] = []
    for path in sorted(TRANSCRIPTS.glob("*.jsonl")):
        for line in path.read_text().splitlines():
            entry = json.loads(line) if line.strip() else None
            if isinstance(entry, dict) and isinstance(entry.get("frame"), dict):
                frames.append(entry["frame"])
    return tuple(frames)


@cache
def _real_dispatch_payloads() -> tuple[Any, ...]:
    return tuple(f["d"] for f in real_frames() if f.get("op") == 0 and "d" in f)


_SCALARS: Final[dict[type[mi.Type], Any]] = {
    mi.StrType: "1000000000000000001",
    mi.IntType: 1,
    mi.FloatType: 1.5,
    mi.BoolType: False,
    mi.NoneType: None,
    mi.DateTimeType: "2026-11-27T21:30:00+00:00",
}


def _sample(rng: Random, t: mi.Type, depth: int) -> Any:
    """A value msgspec decodes as type ``t``: required fields always, optional ones now and
    then (so the typed decoders take their one-pass path and see varied payloads)."""
    kind = type(t)
    if kind in _SCALARS:
        return _SCALARS[kind]
    if isinstance(t, mi.UnionType):
        options = [o for o in t.types if not isinstance(o, mi.NoneType)]
        if not options or (len(options) < len(t.types) and rng.random() < 0.3):
            return None
        return _sample(rng, rng.choice(options), depth)
    if isinstance(t, mi.StructType | mi.TypedDictType | mi.DataclassType):
        return {
            f.encode_name: _sample(rng, f.type, depth + 1)
            for f in t.fields
            if f.required or (depth < 3 and rng.random() < 0.3)
        }
    if isinstance(t, mi.ListType | mi.VarTupleType | mi.SetType | mi.FrozenSetType):
        count = rng.randint(0, 2) if depth < 3 else 0
        return [_sample(rng, t.item_type, depth + 1) for _ in range(count)]
    if isinstance(t, mi.TupleType):
        return [_sample(rng, item, depth + 1) for item in t.item_types]
    if isinstance(t, mi.LiteralType):
        return rng.choice(t.values)
    if isinstance(t, mi.EnumType):
        return rng.choice(list(t.cls)).value
    return {} if isinstance(t, mi.DictType) else None


@cache
def _event_types() -> dict[str, mi.Type]:
    return {name: mi.type_info(cls) for name, cls in EVENT_TYPES.items()}


def event_payload(rng: Random, name: str) -> Any:
    """A ``d`` the payload class of event ``name`` accepts (its required fields, some
    optional ones)."""
    return _sample(rng, _event_types()[name], 0)


def frame_object(rng: Random) -> dict[str, Any]:
    """A real frame; a well-formed dispatch of a random known event; or one carrying
    another event's ``d`` (so every typed decoder sees payloads of the wrong shape)."""
    if rng.random() < 0.4:
        return copy.deepcopy(rng.choice(real_frames()))
    if rng.random() < 0.6:
        name = rng.choice(KNOWN_EVENTS)
        return {"op": 0, "s": rng.randint(0, 50), "t": name, "d": event_payload(rng, name)}
    payloads = _real_dispatch_payloads()
    d = copy.deepcopy(rng.choice(payloads)) if rng.random() < 0.7 else json_value(rng)
    return {"op": 0, "s": rng.randint(0, 50), "t": rng.choice(KNOWN_EVENTS), "d": d}


def _containers(value: Any, out: list[dict[str, Any] | list[Any]]) -> None:
    if isinstance(value, dict):
        out.append(value)
        for v in value.values():
            _containers(v, out)
    elif isinstance(value, list):
        out.append(value)
        for v in value:
            _containers(v, out)


def _odd_value(rng: Random) -> Any:
    return RawJson(rng.choice(JSON_ODDITIES)) if rng.random() < 0.5 else json_value(rng)


def mutate_object(rng: Random, obj: dict[str, Any]) -> dict[str, Any]:
    """``obj`` with one structural change: an envelope field retyped, the event renamed,
    the opcode changed, an unknown field added (often inside ``d``, often holding a JSON
    oddity), a key removed, or a value replaced."""
    kind = rng.randint(0, 7)
    if kind == 0:
        obj[rng.choice(("op", "s", "t", "d"))] = json_value(rng)
        return obj
    if kind == 1:
        obj["t"] = rng.choice(KNOWN_EVENTS + UNKNOWN_EVENTS)
        return obj
    if kind == 2:
        obj["op"] = rng.choice((0, 1, 7, 9, 10, 11, 12, -1, 99, 2**40))
        return obj
    nodes: list[dict[str, Any] | list[Any]] = []
    d = obj.get("d")
    _containers(d if isinstance(d, dict) and rng.random() < 0.5 else obj, nodes)
    node = rng.choice(nodes) if rng.random() < 0.5 else nodes[0]
    if isinstance(node, list):
        if node:
            node[rng.randrange(len(node))] = _odd_value(rng)
        else:
            node.append(_odd_value(rng))
    elif kind in (3, 4) or not node:
        node["zz_" + _text(rng)] = _odd_value(rng)
    elif kind == 5:
        del node[rng.choice(list(node))]
    else:
        node[rng.choice(list(node))] = _odd_value(rng)
    return obj


def mutate_bytes(rng: Random, data: bytes) -> bytes:
    """``data`` with one byte-level change: a byte flipped or replaced, a cut, an oddity
    inserted, a range deleted or repeated."""
    kind = rng.randint(0, 5)
    i = rng.randint(0, len(data))
    if kind == 0 and data:
        i = min(i, len(data) - 1)
        return data[:i] + bytes([data[i] ^ (1 << rng.randint(0, 7))]) + data[i + 1 :]
    if kind == 1 and data:
        i = min(i, len(data) - 1)
        return data[:i] + bytes([rng.randint(0, 255)]) + data[i + 1 :]
    if kind == 2:
        return data[:i]
    if kind == 3:
        return data[:i] + rng.choice(JSON_ODDITIES) + data[i:]
    j = rng.randint(i, len(data))
    if kind == 4:
        return data[:i] + data[j:]
    return data[:j] + data[i:j] + data[j:]


def _encode_object(rng: Random, obj: Any) -> bytes:
    return to_json(obj, sort_keys=rng.random() < 0.8, spaced=rng.random() < 0.1)


def _dispatch_with_unknown_field(rng: Random) -> dict[str, Any]:
    name = rng.choice(KNOWN_EVENTS)
    d = event_payload(rng, name)
    nodes: list[dict[str, Any] | list[Any]] = []
    _containers(d, nodes)
    objects = [n for n in nodes if isinstance(n, dict)] or [d]
    rng.choice(objects)["zz_" + _text(rng)] = RawJson(rng.choice(JSON_ODDITIES))
    return {"op": 0, "s": rng.randint(0, 50), "t": name, "d": d}


def frame_message(rng: Random) -> bytes:
    """One gateway message: arbitrary bytes, a lone JSON value, a well-formed dispatch with
    an oddity in an unknown field, or a real or synthetic frame with structural and byte
    mutations."""
    mode = rng.randint(0, 9)
    if mode == 0:
        return rng.randbytes(rng.randint(0, 64))
    if mode == 1:
        return to_json(json_value(rng))
    if mode == 8:
        return to_json(_dispatch_with_unknown_field(rng))
    obj = frame_object(rng)
    if mode >= 3:
        for _ in range(rng.randint(1, 3)):
            obj = mutate_object(rng, obj)
    data = _encode_object(rng, obj)
    if mode in (2, 9) or rng.random() < 0.15:
        for _ in range(rng.randint(1, 3)):
            data = mutate_bytes(rng, data)
    return data


def frame_input(rng: Random, *, surrogates: bool = False) -> bytes | str:
    """What :func:`decode_frame` is given: a message as bytes, or as text (the websocket
    libraries hand text frames over as ``str``). ``surrogates`` lets the text hold lone
    surrogates (undecodable bytes kept by ``surrogateescape``), which no websocket text
    frame can."""
    data = frame_message(rng)
    if rng.random() < 0.75:
        return data
    return data.decode("utf-8", "surrogateescape" if surrogates else "replace")


# --- the protocol machine's inputs ----------------------------------------------------

_HEARTBEAT_INTERVALS: Final[tuple[Any, ...]] = (
    41250,
    41250,
    1,
    0,
    -1,
    -41250,
    0.5,
    999,
    1000,
    60000,
    60001,
    10**12,
    10**12 + 1,
    2**63,
    10**30,
    1e300,
    -1e300,
    RawJson(b"1e400"),
    RawJson(b"-1e400"),
    RawJson(b"1e-400"),
    RawJson(b"9" * 400),
    RawJson(b"-" + b"9" * 400),
    "41250",
    None,
    True,
    [41250],
)


def _hello(rng: Random) -> dict[str, Any]:
    kind = rng.randint(0, 9)
    if kind == 0:
        return {"op": 10}  # no d
    if kind == 1:
        return {"op": 10, "d": json_value(rng)}
    if kind == 2:
        return {"op": 10, "d": {}}
    if kind <= 5:
        return {"op": 10, "d": {"heartbeat_interval": rng.choice(_HEARTBEAT_INTERVALS)}}
    return {"op": 10, "d": {"heartbeat_interval": 41250}}


def _sequence(rng: Random, seq: int) -> Any:
    kind = rng.randint(0, 9)
    if kind <= 3:
        return seq + 1
    if kind == 4:
        return seq  # a duplicate
    if kind == 5:
        return max(0, seq - rng.randint(1, 5))  # an old one
    if kind == 6:
        return seq + rng.randint(2, 10)  # a jump
    return rng.choice((None, 0, -1, 1, 2**53, 2**62, -(2**62), 2**63 - 1))


def _ready_payload(rng: Random) -> Any:
    kind = rng.randint(0, 6)
    if kind == 0:
        return json_value(rng)  # not a READY at all
    d: dict[str, Any] = {"user": {"id": "1000000000000000007", "bot": True}, "guilds": []}
    if kind == 1:
        return d  # no session_id
    d["session_id"] = rng.choice(("S1", "S1", "S2", "S3", 17, None, ""))
    if rng.random() < 0.3:
        d["resume_gateway_url"] = rng.choice(("wss://resume.example", "", None, 5))
    return d


def _dispatch(rng: Random, seq: int) -> dict[str, Any]:
    kind = rng.randint(0, 9)
    if kind <= 1:
        return {"op": 0, "s": _sequence(rng, seq), "t": "READY", "d": _ready_payload(rng)}
    if kind == 2:
        d = None if rng.random() < 0.8 else json_value(rng)
        return {"op": 0, "s": _sequence(rng, seq), "t": "RESUMED", "d": d}
    frame = frame_object(rng)
    frame["op"] = 0
    frame["s"] = _sequence(rng, seq)
    if kind == 3:
        frame["t"] = rng.choice((*UNKNOWN_EVENTS, None))
    elif kind >= 7:
        frame["t"] = "MESSAGE_CREATE"
        frame["d"] = {"id": str(seq), "channel_id": "1", "content": "hi"}
    return frame


def _expected_frame(rng: Random, seq: int, expecting: str) -> dict[str, Any]:
    if expecting == "hello":
        return _hello(rng)
    if expecting == "ready":
        return {"op": 0, "s": 1, "t": "READY", "d": _ready_payload(rng)}
    if expecting == "resumed" and rng.random() < 0.5:
        return {"op": 0, "s": seq + rng.randint(0, 2), "t": "RESUMED", "d": None}
    return _dispatch(rng, seq)


def protocol_frame(rng: Random, seq: int, expecting: str | None = None) -> bytes:
    """A message the server might send to a machine whose last sequence is ``seq``:
    control frames (HELLO with good and absurd intervals, op 1, 7, 9, 11, 12, unknown
    ops) and dispatches (READY with or without a session, RESUMED, events with the next,
    a repeated, an old or a skipped ``s``), now and then mutated. Half the time it is
    what the machine is ``expecting`` ("hello", "ready", "resumed", "dispatch"), so runs
    get past the handshake."""
    kind = rng.randint(0, 19)
    obj: dict[str, Any]
    if expecting is not None and rng.random() < 0.5:
        obj = _expected_frame(rng, seq, expecting)
    elif kind <= 2:
        obj = _hello(rng)
    elif kind == 3:
        obj = {"op": 1, "d": None}
    elif kind <= 5:
        obj = {"op": 11}
    elif kind == 6:
        obj = {"op": 7} if rng.random() < 0.8 else {"op": 7, "d": json_value(rng)}
    elif kind == 7:
        obj = {"op": 9, "d": rng.choice((False, True, None, 0, "x"))}
        if rng.random() < 0.2:
            del obj["d"]
    elif kind == 8:
        obj = {"op": 12, "d": json_value(rng)}
    elif kind == 9:
        op = rng.choice((2, 3, 4, 5, 6, 8, 13, 99, -1, 2**31, 2**63 - 1))
        obj = {"op": op, "d": json_value(rng)}
    else:
        obj = _dispatch(rng, seq)
    if rng.random() < 0.05:
        obj = mutate_object(rng, obj)
    data = _encode_object(rng, obj)
    if rng.random() < 0.03:
        data = mutate_bytes(rng, data)
    return data


class _Unencodable:
    def __repr__(self) -> str:
        return "<unencodable>"


def user_command(rng: Random) -> tuple[int, Any]:
    """``(op, d)`` for ``GatewayProtocol.send``: ordinary, machine-owned or odd opcodes;
    small, oversized or unencodable payloads."""
    op = rng.choice((3, 3, 4, 8, 8, 1, 2, 6, 0, 14, -1))
    kind = rng.randint(0, 9)
    d: Any
    if kind == 0:
        d = {"pad": "x" * rng.choice((4000, 4070, 4080, 5000, 100_000))}
    elif kind == 1:
        d = {"bad": _Unencodable()}
    elif kind == 2:
        d = json_value(rng)
        if isinstance(d, RawJson):
            d = d.text  # bytes: msgspec encodes them as base64
    else:
        d = {"guild_id": "1", "query": "", "limit": 0}
    return op, d


# --- recording files ------------------------------------------------------------------

_HEADER: Final = {
    "format": "fluxer_rx.recording",
    "version": 1,
    "gateway_version": "1",
    "started_at": "2026-11-27T21:30:00.123456+00:00",
    "library": "fluxer_rx 0.1.0",
}


def _header_line(rng: Random) -> bytes:
    header: dict[str, Any] = dict(_HEADER)
    if rng.random() < 0.25:
        kind = rng.randint(0, 3)
        key = rng.choice(list(header))
        if kind == 0:
            header[key] = json_value(rng)
        elif kind == 1:
            del header[key]
        elif kind == 2:
            header["version"] = rng.choice((0, 2, -1, 1.0, "1", True, 2**70, None))
        else:
            header["zz_" + _text(rng)] = json_value(rng)
    data = to_json(header)
    if rng.random() < 0.05:
        data = mutate_bytes(rng, data)
    return data


def _frame_line(rng: Random, at: float) -> bytes:
    frame = _dispatch_with_unknown_field(rng) if rng.random() < 0.2 else frame_object(rng)
    line: dict[str, Any] = {
        "at": round(at, 6),
        "shard": rng.choice((0, 0, 0, 1, 3)),
        "op": frame.get("op"),
        "s": frame.get("s"),
        "t": frame.get("t"),
    }
    if "d" in frame:
        line["d"] = frame["d"]
    if rng.random() < 0.2:
        kind = rng.randint(0, 2)
        if kind == 0:
            line[rng.choice(list(line))] = json_value(rng)
        elif kind == 1:
            line["at"] = rng.choice((-1, -0.0, 1e308, RawJson(b"1e400"), RawJson(b"NaN"), "0"))
        else:
            del line[rng.choice(list(line))]
    if rng.random() < 0.1:
        line = mutate_object(rng, line)
    data = to_json(line, sort_keys=rng.random() < 0.5)
    if rng.random() < 0.1:
        data = mutate_bytes(rng, data)
    return data


def _edit_lines(rng: Random, lines: list[bytes]) -> None:
    if not lines:
        return
    kind = rng.randint(0, 5)
    i = rng.randrange(len(lines))
    if kind == 0:
        lines.insert(i, rng.choice((b"", b"   ", b"\r", b"\t\t")))
    elif kind == 1:
        lines.insert(i, rng.randbytes(rng.randint(1, 40)))
    elif kind == 2 and len(lines) > 1:
        j = rng.randrange(len(lines))
        lines[i], lines[j] = lines[j], lines[i]  # ``at`` may go backwards
    elif kind == 3:
        lines.insert(i, lines[i])
    elif kind == 4:
        del lines[i]
    else:
        lines[i] = mutate_bytes(rng, lines[i])


def recording_file(rng: Random) -> bytes:
    """The bytes of a recording file: a header and frame lines, mostly valid, with edited
    lines (blank, garbage, swapped, repeated, removed), odd line endings and cuts; or
    arbitrary bytes."""
    if rng.random() < 0.05:
        return rng.randbytes(rng.randint(0, 200))
    lines = [_header_line(rng)]
    at = 0.0
    for _ in range(rng.randint(0, 12)):
        at += rng.choice((0.0, 0.001, 0.5, 3.0))
        lines.append(_frame_line(rng, at))
    for _ in range(rng.randint(0, 3)):
        _edit_lines(rng, lines)
    ending = rng.choice((b"\n", b"\n", b"\n", b"\r\n", b"\r"))
    data = ending.join(lines) + (ending if rng.random() < 0.8 else b"")
    if rng.random() < 0.1:
        data = data[: rng.randint(0, len(data))]
    return data
