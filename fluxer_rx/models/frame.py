"""The frame decoder: the envelope ``{op, d, s, t}``, then ``d`` typed by event name.

Stage 1 (:func:`decode_frame`) reads ``{op, d, s, t}`` and keeps ``d`` as raw JSON. Stage 2
(:attr:`Frame.event`, :func:`decode_event`) decodes ``d`` into the payload class registered
for the event name in :data:`EVENT_TYPES`, with one reused ``msgspec`` decoder per type.
For dispatches of known types the two stages run as one pass when that is safe: the whole
message decodes straight into a :class:`Frame` subclass whose ``d`` is already typed (see
:func:`decode_frame`). Unknown event names give a :class:`RawEvent`; unknown opcodes still
give a :class:`Frame`.

Guarantees: every failure is a :class:`fluxer_rx.errors.DecodeError` carrying the event name
and the JSON path of the offending value (``$.author.id``); no other exception escapes, and
no payload is returned with a field of the wrong type.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, ClassVar, Final, Literal, TypeVar

import msgspec

from fluxer_rx.errors import DecodeError
from fluxer_rx.models import events as ev
from fluxer_rx.models.base import Model
from fluxer_rx.models.event_names import Events
from fluxer_rx.models.guild import Guild
from fluxer_rx.models.presence import Session
from fluxer_rx.models.registry import EVENT_REGISTRY

__all__ = [
    "EVENT_TYPES",
    "ONE_PASS_BY_TAIL",
    "ONE_PASS_MISSES",
    "ONE_PASS_TAIL_LEN",
    "Frame",
    "RawEvent",
    "decode_event",
    "decode_frame",
    "encode_frame",
]

DISPATCH: Final = 0
_NULL: Final = b"null"


class RawEvent(Model, kw_only=True):
    """A dispatch whose name has no payload class: its ``name`` and its ``d`` as plain JSON
    values (dicts, lists, str, ...)."""

    data: Any = None
    name: str


EVENT_TYPES: Final[dict[str, type[Any]]] = EVENT_REGISTRY.event_types()
"""Event name -> payload class (from the registry's rows that have a class). Names not
listed decode to :class:`RawEvent`."""


# --- stage 2: per-event decoders ---------------------------------------------------------

_Buffer = bytes | bytearray | memoryview | msgspec.Raw | str
_Decode = Callable[[_Buffer], Any]
S = TypeVar("S", bound=msgspec.Struct)


def _wire_variant(
    name: str,
    base: type[msgspec.Struct],
    fields: list[tuple[str, Any, Any]],
) -> type[msgspec.Struct]:
    """A private subclass of ``base`` that adds or retypes ``fields`` for decoding only."""
    return msgspec.defstruct(name, fields, bases=(base,), kw_only=True, gc=False)


# GUILD_CREATE nests the guild under ``properties``. Every property defaults to UNSET so
# that only keys actually sent override the top-level ones.
_GUILD_FIELDS: Final = tuple(f for f in msgspec.structs.fields(Guild) if f.name != "id")
_GuildProperties = msgspec.defstruct(
    "_GuildProperties",
    [(f.name, f.type | msgspec.UnsetType, msgspec.UNSET) for f in _GUILD_FIELDS]
    + [("id", str | msgspec.UnsetType, msgspec.UNSET)],
    kw_only=True,
    gc=False,
)


def _guild_wire(base: type[ev.GuildCreate]) -> type[msgspec.Struct]:
    return _wire_variant(
        f"_{base.__name__}Wire", base, [("properties", _GuildProperties | None, None)]
    )


# GUILD_CREATE sends these next to ``properties``; a copy inside ``properties`` only fills
# them in when the top level lacks them.
_TOP_LEVEL_WINS: Final = frozenset(
    {"roles", "channels", "emojis", "stickers", "member_count", "online_count"}
)


def _flatten_guild(wire: Any, cls: type[S]) -> S:
    values = msgspec.structs.asdict(wire)
    props = values.pop("properties")
    if props is not None:
        for f in _GUILD_FIELDS:
            value = getattr(props, f.name)
            if value is msgspec.UNSET:
                continue
            if f.name in _TOP_LEVEL_WINS and values[f.name] is not None:
                continue
            values[f.name] = value
    return cls(**values)


_GuildCreateWire = _guild_wire(ev.GuildCreate)
_GuildSyncWire = _guild_wire(ev.GuildSync)

_ReadyWire = _wire_variant(
    "_ReadyWire",
    ev.Ready,
    [
        ("guilds", tuple[_GuildCreateWire, ...], ()),  # type: ignore[valid-type]  # built at runtime
        ("rtc_regions", tuple[str | ev.RtcRegion, ...] | None, None),
    ],
)


def _decoder_for(cls: type[Any]) -> _Decode:
    return msgspec.json.Decoder(cls).decode


# A msgspec decoder resolves its types' annotations when it is built (about half a
# millisecond per event class), so the decoders are built on first use, not at import.
def _lazy_decoder(type_: Any) -> _Decode:
    """Decodes JSON as ``type_`` with a msgspec decoder built on the first call."""
    built: list[_Decode] = []

    def decode(raw: _Buffer) -> Any:
        if not built:
            built.append(_decoder_for(type_))
        return built[0](raw)

    return decode


def _guild_create_decoder(wire: type[msgspec.Struct], cls: type[S]) -> _Decode:
    decode = _lazy_decoder(wire)

    def decode_guild(raw: _Buffer) -> S:
        return _flatten_guild(decode(raw), cls)

    return decode_guild


def _decode_ready(raw: _Buffer) -> ev.Ready:
    wire: Any = _ready_decoder(raw)
    values = msgspec.structs.asdict(wire)
    values["guilds"] = tuple(_flatten_guild(g, ev.GuildCreate) for g in wire.guilds)
    if wire.rtc_regions is not None:
        values["rtc_regions"] = tuple(
            ev.RtcRegion(id=r) if isinstance(r, str) else r for r in wire.rtc_regions
        )
    return ev.Ready(**values)


def _decode_resumed(raw: _Buffer) -> ev.Resumed:
    value = _resumed_decoder(raw)
    return ev.Resumed() if value is None else value


def _decode_sessions_replace(raw: _Buffer) -> ev.SessionsReplace:
    value = _sessions_decoder(raw)
    if isinstance(value, ev.SessionsReplace):
        return value
    return ev.SessionsReplace(sessions=value)


_ready_decoder: Final = _lazy_decoder(_ReadyWire)
_resumed_decoder: Final = _lazy_decoder(ev.Resumed | None)
_sessions_decoder: Final = _lazy_decoder(tuple[Session, ...] | ev.SessionsReplace)
_any_decoder: Final = msgspec.json.Decoder().decode

# Events whose wire shape differs from their class: decoded through a wire variant.
_SPECIAL_DECODERS: Final[dict[str, _Decode]] = {
    Events.READY: _decode_ready,
    Events.RESUMED: _decode_resumed,
    Events.SESSIONS_REPLACE: _decode_sessions_replace,
    Events.GUILD_CREATE: _guild_create_decoder(_GuildCreateWire, ev.GuildCreate),
    Events.GUILD_SYNC: _guild_create_decoder(_GuildSyncWire, ev.GuildSync),
}
_DECODERS: Final[dict[str, _Decode]] = dict(_SPECIAL_DECODERS)
"""Event name -> its payload decoder, once built (see :func:`decode_event`)."""


# msgspec reports invalid UTF-8 inside strings as UnicodeDecodeError, a ``str`` message it
# cannot encode to UTF-8 (lone surrogates) as UnicodeEncodeError, and absurdly deep nesting
# as RecursionError, not as its own DecodeError.
_DECODE_FAILURES: Final = (msgspec.DecodeError, UnicodeError, RecursionError)


def _error_path(message: str) -> str:
    _, sep, tail = message.rpartition(" - at `")
    return tail.rstrip("`") if sep else "$"


def _decode_error(exc: Exception, event: str | None) -> DecodeError:
    message = str(exc)
    if isinstance(exc, msgspec.ValidationError):
        return DecodeError(message, event=event, path=_error_path(message))
    return DecodeError(message, event=event, path="$")


def decode_event(name: str, raw: _Buffer) -> object:
    """Decode the dispatch payload ``raw`` (the JSON of ``d``) for event ``name``.

    Returns an instance of ``EVENT_TYPES[name]``, or :class:`RawEvent` for an unknown name.
    Raises :class:`DecodeError` (``event=name``, ``path`` = JSON path) on bad JSON or a value
    of the wrong type; missing optional fields take their defaults, unknown ones are ignored.
    """
    decode = _DECODERS.get(name)
    if decode is None:
        cls = EVENT_TYPES.get(name)
        if cls is not None:
            decode = _DECODERS[name] = _decoder_for(cls)
    try:
        if decode is None:
            return RawEvent(name=name, data=_any_decoder(raw))
        return decode(raw)
    except _DECODE_FAILURES as exc:
        raise _decode_error(exc, name) from None


# --- stage 1: the envelope ------------------------------------------------------------


class _Envelope(msgspec.Struct, gc=False):
    op: int
    d: msgspec.Raw | msgspec.UnsetType = msgspec.UNSET
    s: int | None = None
    t: str | None = None


_envelope_decoder: Final = msgspec.json.Decoder(_Envelope).decode
_encoder: Final = msgspec.json.Encoder()
_UNDECODED: Final[Any] = object()

# Wire names for the Frame fields that are not part of the protocol. No server sends them;
# a frame that does is not taken by the one-pass path, and the general path ignores them.
_SHARD_ID: Final = "#fluxer_rx:shard_id"
_PRIVATE: Final = "#fluxer_rx:{}"


class Frame(msgspec.Struct, kw_only=True, gc=False, eq=False):
    """One gateway frame: ``op``, ``s`` and ``t``, with ``d`` decoded on demand.

    ``shard_id`` is 0 unless the shard driver sets it (it is writable). ``has_d`` tells
    whether the ``d`` key was present. ``raw_d`` (``d`` as JSON bytes), ``data`` (``d`` as
    plain JSON values) and ``event`` (the typed dispatch payload) are computed on first
    access and cached. :func:`decode_frame` may already have decoded ``event`` in the same
    pass as the envelope (see there); that changes only the cost, never what these return
    or raise. :func:`decode_frame` builds frames; ``Frame(op=..., s=..., t=...)`` itself is
    a frame without ``d`` (useful in tests).
    """

    op: int
    s: int | None = None
    t: str | None = None
    shard_id: int = msgspec.field(default=0, name=_SHARD_ID)

    ordinary_dispatch: ClassVar[bool] = False
    """True on the frames :func:`decode_frame` decoded in one pass: each is an op 0
    dispatch of a known event type other than READY and RESUMED (their class checked
    ``op`` and ``t`` while decoding), so a driver's hot path may take it by
    :func:`~fluxer_rx.gateway.dispatch_cursor.take_next_dispatch` without looking at
    ``op`` or ``t`` again. False tells nothing: such a frame goes to the machine."""

    @property
    def has_d(self) -> bool:
        """Whether the frame carried a ``d`` key (op 11 and op 7 have none)."""
        return False

    @property
    def raw_d(self) -> bytes:
        """The raw JSON of ``d``; ``b"null"`` when ``d`` is absent or null."""
        return _NULL

    @property
    def data(self) -> Any:
        """``d`` decoded to plain Python values (dict, list, str, ...); cached.

        Raises :class:`DecodeError` if ``d`` is not valid JSON, even when :attr:`event`
        decoded: the typed decoder skips keys its model does not know without reading
        their values, so a value JSON rejects (a number out of range such as ``1e400``,
        a string that is not UTF-8) inside such a key fails only here.
        """
        return None

    @property
    def event(self) -> Any:
        """The typed dispatch payload (op 0 only), decoded by ``t``; cached.

        Unknown ``t`` gives :class:`RawEvent`. Raises :class:`DecodeError` for a bad payload
        (``event`` = ``t``, ``path`` = JSON path inside ``d``), for ``op != 0`` and for a
        dispatch without ``t``. A failed decode is not cached: each access raises again.
        """
        return _event_of(self.op, self.t, _NULL)

    def __repr__(self) -> str:
        return (
            f"Frame(op={self.op}, s={self.s}, t={self.t!r}, shard_id={self.shard_id}, "
            f"has_d={self.has_d})"
        )


def _as_bytes(raw: _Buffer) -> bytes:
    if isinstance(raw, bytes):
        return raw
    if isinstance(raw, str):
        return raw.encode()
    return bytes(raw)


class _LazyFrame(Frame, kw_only=True, gc=False):
    """A frame whose ``d`` is kept as raw JSON until it is asked for."""

    _raw: Any = msgspec.field(default=_NULL, name=_PRIVATE.format("raw"))
    _present: bool = msgspec.field(default=False, name=_PRIVATE.format("present"))
    _data: Any = msgspec.field(default=_UNDECODED, name=_PRIVATE.format("data"))
    _event: Any = msgspec.field(default=_UNDECODED, name=_PRIVATE.format("event"))

    @property
    def has_d(self) -> bool:
        return bool(self._present)

    @property
    def raw_d(self) -> bytes:
        return _as_bytes(self._raw)

    @property
    def data(self) -> Any:
        if self._data is _UNDECODED:
            try:
                self._data = _any_decoder(self._raw)
            except _DECODE_FAILURES as exc:
                raise _decode_error(exc, self.t) from None
        return self._data

    @property
    def event(self) -> Any:
        event = self._event
        if event is _UNDECODED:
            event = self._event = _event_of(self.op, self.t, self._raw)
        return event


def _event_of(op: int, t: str | None, raw: _Buffer) -> Any:
    if op != DISPATCH:
        raise DecodeError(f"op {op} is not a dispatch; it has no event")
    if t is None:
        raise DecodeError("dispatch frame without an event name (t)", path="$.t")
    return decode_event(t, raw)


# The private fields of a one-pass frame are typed ``None`` for msgspec, so the wire can only
# ever set them to their default; the code stores its caches in them (mypy sees ``Any``).
# Its ``shard_id`` is typed ``Literal[0]`` the same way (the shard driver sets it after).
if TYPE_CHECKING:
    _NullOnTheWire = Any
    _ZeroOnTheWire = int
else:
    _NullOnTheWire = None
    _ZeroOnTheWire = Literal[0]


class _DispatchFrame(Frame, kw_only=True, gc=False):
    """A dispatch decoded in one pass: ``event`` is the typed ``d`` already."""

    ordinary_dispatch: ClassVar[bool] = True
    # the typed ``d``, stored as ``event`` itself: a field read costs a quarter of a property
    event: Any = msgspec.field(name="d")
    _message: _NullOnTheWire = msgspec.field(default=None, name=_PRIVATE.format("message"))
    _raw_d: _NullOnTheWire = msgspec.field(default=None, name=_PRIVATE.format("raw"))
    _data: _NullOnTheWire = msgspec.field(default=None, name=_PRIVATE.format("data"))

    @property
    def has_d(self) -> bool:
        return True

    def _raw_json(self) -> _Buffer:
        raw = self._raw_d
        if raw is None:
            # cut ``d`` out of the kept message; it decoded once, so it decodes again
            try:
                env = _envelope_decoder(self._message)
            except _DECODE_FAILURES as exc:
                raise _decode_error(exc, self.t) from None
            raw = self._raw_d = env.d
        return raw  # type: ignore[no-any-return]  # a Raw of valid JSON

    @property
    def raw_d(self) -> bytes:
        return _as_bytes(self._raw_json())

    @property
    def data(self) -> Any:
        data = self._data
        if data is None:  # typed payloads are JSON objects, so None means "not yet"
            # The typed pass skipped the keys its model does not know without reading
            # their values; reading all of ``d`` can still fail (``1e400``, bad UTF-8).
            try:
                data = self._data = _any_decoder(self._raw_json())
            except _DECODE_FAILURES as exc:
                raise _decode_error(exc, self.t) from None
        return data



_FRAME_TYPES: Final[dict[type[Any], type[msgspec.Struct]]] = {}
_NAME_OF: Final[dict[type[Any], str]] = {cls: name for name, cls in EVENT_TYPES.items()}


def _dispatch_frame_type(cls: type[Any]) -> type[msgspec.Struct]:
    """The one-pass frame class of event class ``cls`` (a :class:`_DispatchFrame`).

    It accepts only ``op`` 0, ``t`` the event's name and no ``shard_id`` other than 0 on
    the wire: msgspec checks these while it decodes (in C, for less than a comparison in
    Python costs), so whatever it returns is the dispatch its decoder was chosen for."""
    frame_type = _FRAME_TYPES.get(cls)
    if frame_type is None:
        name = Literal.__getitem__(_NAME_OF[cls])
        fields: list[tuple[str, Any] | tuple[str, Any, Any]] = [
            ("event", cls, msgspec.field(name="d")),
            ("op", Literal[0]),
            ("t", name),
            ("shard_id", _ZeroOnTheWire, msgspec.field(default=0, name=_SHARD_ID)),
        ]
        frame_type = _FRAME_TYPES[cls] = msgspec.defstruct(
            f"_{cls.__name__}Frame", fields, bases=(_DispatchFrame,), kw_only=True, gc=False
        )
    return frame_type


def _dispatch_frame_decoder(cls: type[Any]) -> _Decode:
    return msgspec.json.Decoder(_dispatch_frame_type(cls)).decode


# One pass for the hot path. The gateway writes sorted keys, so a dispatch ends with
# ``"t":"NAME"}``; that tail only *suggests* which decoder to try. The chosen decoder reads
# the whole message, envelope and typed ``d`` together, straight into the Frame (``d`` is
# parsed once, not once to skip it and again to type it), and its frame class accepts only
# op 0 with that ``t`` (see :func:`_dispatch_frame_type`). Anything else (other ops,
# unknown or special event names, other key orders, any error) takes the general path,
# which reports errors exactly as the lazy decoder does.
#
# The decoder of each event type is built the first time a message of that type arrives
# (building them all costs about 20 ms at import): until then its entries hold a
# function that builds it, puts it in their place and decodes.
_Entry = tuple[_Decode, str]
"""A decoder and the event name it decodes (the recording-line tables use these)."""
_Tables = list[tuple[dict[Any, _Decode], Any]]
_ONE_PASS: Final[dict[bytes | str, _Decode]] = {}
_T_KEY_BYTES: Final = b'"t":"'
_T_KEY_STR: Final = '"t":"'
_T_KEY_LEN: Final = len(_T_KEY_STR)
_TAIL_WINDOW: Final = 80
# Cheaper still than searching the tail for ``"t":"``: the last bytes of a compact message,
# ``EVENT_NAME"}``, picked so that they tell the event names apart. A tail shared by two
# names (or a message with other spacing) falls back to the search.
# Bytes and str keys live in separate tables: ``b"x"`` and ``"x"`` hash alike, so in one
# table a lookup would first compare against the key of the other type.
_TAIL_LEN: Final = 13
_BY_TAIL: Final[dict[bytes, _Decode]] = {}
_BY_TAIL_STR: Final[dict[str, _Decode]] = {}


def _built_on_first_use(cls: type[Any], keys: _Tables) -> _Decode:
    """The decoder of ``cls`` until its first message: it builds the one-pass decoder of
    ``cls``, stores it under ``keys`` and decodes."""

    def first_use(data: _Buffer) -> Any:
        built = _dispatch_frame_decoder(cls)
        for table, key in keys:
            table[key] = built
        return built(data)

    return first_use


def _one_pass_tables() -> None:
    tails: dict[str, set[str]] = {}
    for name in EVENT_TYPES:
        if name not in _SPECIAL_DECODERS:
            tails.setdefault(f',"t":"{name}"}}'[-_TAIL_LEN:], set()).add(name)
    unique = {names.pop(): tail for tail, names in tails.items() if len(names) == 1}
    for name, cls in EVENT_TYPES.items():
        if name in _SPECIAL_DECODERS:
            continue
        keys: _Tables = [(_ONE_PASS, name), (_ONE_PASS, name.encode())]
        tail = unique.get(name)
        if tail is not None:
            keys += [(_BY_TAIL_STR, tail), (_BY_TAIL, tail.encode())]
        decoder = _built_on_first_use(cls, keys)
        for table, key in keys:
            table[key] = decoder


_one_pass_tables()


ONE_PASS_BY_TAIL: Final[Mapping[bytes, Callable[[bytes], Any]]] = _BY_TAIL
"""The hot path of :func:`decode_frame` as a table, for a driver that writes it out
inline (the shard's receive callback, where a call per message costs as much as the
bookkeeping around the decode). The inline form, which must be kept exactly::

    try:
        frame = ONE_PASS_BY_TAIL[message[-ONE_PASS_TAIL_LEN:]](message)
    except ONE_PASS_MISSES:
        frame = decode_frame(message)  # the general way: same result, same errors
    else:
        frame._message = message  # what raw_d and data read; decode_frame sets it too

A frame the table's decoder returns is a one-pass dispatch (``ordinary_dispatch``: op 0
and the ``t`` its class accepts, checked by msgspec while decoding), the same object
:func:`decode_frame` would return for ``message``."""
ONE_PASS_TAIL_LEN: Final = _TAIL_LEN
"""How many bytes of a message's end key :data:`ONE_PASS_BY_TAIL`."""
ONE_PASS_MISSES: Final = (KeyError, TypeError, *_DECODE_FAILURES)
"""What the inline form raises when the table does not take a message (no entry for its
tail, not bytes, or it does not decode as the event its tail suggests)."""


def decode_frame(data: bytes | str, *, lazy: bool = False) -> Frame:
    """Read one gateway message (text or binary JSON) into a :class:`Frame`.

    Raises :class:`DecodeError` for bad JSON, a top level that is not an object, or a
    missing or non-integer ``op`` (also for ``s`` not int/null or ``t`` not str/null).
    An unknown opcode still returns a :class:`Frame`.

    A dispatch of a known event type is decoded in one pass, envelope and typed payload
    together (the client reads every dispatch's ``event`` anyway, and one parse is about
    twice as fast as two). With ``lazy=True``, or whenever that pass fails, only the
    envelope is read and ``d`` stays raw until ``data`` or ``event`` is accessed; a bad
    payload then raises from ``event``, never from here.
    """
    if not lazy:
        # The hot path, a bytes message whose tail names its type, in as few bytecodes as
        # it can be (each costs 15-25 ns here): a miss raises KeyError (TypeError for
        # what is not bytes) and tries the slower ways below.
        try:
            frame: Any = _BY_TAIL[data[-_TAIL_LEN:]](data)  # type: ignore[index]
        except (KeyError, TypeError):
            frame = _one_pass_frame(data)
            if frame is not None:
                return frame  # type: ignore[no-any-return]  # a _DispatchFrame
        except _DECODE_FAILURES:
            pass
        else:  # op 0 with the name the tail suggested: its class checked both
            frame._message = data
            return frame  # type: ignore[no-any-return]  # a _DispatchFrame
    return _lazy_frame(data)


def _one_pass_frame(data: bytes | str) -> Frame | None:
    """``data`` decoded in one pass when its ``t`` is found near its end and it decodes as
    that event's frame; else ``None``."""
    decode: _Decode | None = None
    if type(data) is bytes:
        start = data.rfind(_T_KEY_BYTES, -_TAIL_WINDOW)
        decode = _ONE_PASS.get(data[start + _T_KEY_LEN : -2]) if start >= 0 else None
    elif type(data) is str:
        decode = _BY_TAIL_STR.get(data[-_TAIL_LEN:])
        if decode is None:
            start = data.rfind(_T_KEY_STR, -_TAIL_WINDOW)
            decode = _ONE_PASS.get(data[start + _T_KEY_LEN : -2]) if start >= 0 else None
    if decode is None:
        return None
    try:
        frame: Any = decode(data)
    except _DECODE_FAILURES:
        return None
    frame._message = data
    return frame  # type: ignore[no-any-return]  # a _DispatchFrame


def _lazy_frame(data: bytes | str) -> Frame:
    """``data``'s envelope, with ``d`` kept raw (see :func:`decode_frame`)."""
    try:
        envelope = _envelope_decoder(data)
    except _DECODE_FAILURES as exc:
        raise _decode_error(exc, None) from None
    except TypeError:
        raise DecodeError(f"a frame is bytes or str, not {type(data).__name__}") from None
    d = envelope.d
    return _LazyFrame(
        op=envelope.op,
        s=envelope.s,
        t=envelope.t,
        _raw=_NULL if d is msgspec.UNSET else d,
        _present=d is not msgspec.UNSET,
    )


def encode_frame(op: int, d: Any) -> bytes:
    """Compact JSON of ``{"op": op, "d": d}``; ``d`` may hold models, dicts, lists, scalars.

    Raises ``TypeError`` for a value msgspec cannot encode.
    """
    return _encoder.encode({"op": op, "d": d})
