"""The fuzz properties, shared by the hypothesis tests and ``benchmarks/fuzz.py``.

Each ``fuzz_*`` function takes one ``random.Random`` (every choice comes from it) and a
``note`` callback (called only when the property fails, with what reproduces it), builds
an input with :mod:`tests.fuzz.generators`, runs it, and raises when the contract breaks:
``AssertionError`` for a broken invariant, or whatever untyped exception escaped.

Contracts (issue 11, "every rejection typed, no hang, no state corruption"):

* decoder: ``decode_frame`` and every ``Frame`` attribute raise only ``DecodeError``,
  return values of the documented types, answer in bounded time, and the one-pass
  (eager) and lazy decoders agree on everything they return or raise;
* protocol: driven as ``shard.py`` drives it, ``GatewayProtocol`` raises nothing from
  socket inputs and ticks, only the documented errors from ``send``; after every step the
  invariants in :class:`ProtocolRun` hold;
* recording: ``open_recording`` and iteration raise only ``MalformedRecording`` (with
  the number of a line the file has) or ``UnsupportedRecordingVersion``, in bounded time.
"""

from __future__ import annotations

import contextlib
import math
import time
from collections import deque
from collections.abc import Callable
from pathlib import Path
from random import Random
from typing import Any, Final

import msgspec

from fluxer_rx.errors import DecodeError, GatewayError, InvalidToken, PayloadTooLarge
from fluxer_rx.gateway.actions import (
    Close,
    ConnectionState,
    Diagnostic,
    EmitDispatch,
    EmitFrame,
    Fatal,
    GapDetected,
    HeartbeatLatency,
    Reconnect,
    SendFrame,
    SessionLost,
    StateChanged,
)
from fluxer_rx.gateway.protocol import TRANSITIONS, GatewayProtocol, ProtocolMisuse
from fluxer_rx.models.frame import Frame, decode_frame
from fluxer_rx.replay.format import (
    MalformedRecording,
    RecordingHeader,
    UnsupportedRecordingVersion,
)
from fluxer_rx.replay.reader import RecordedFrame, open_recording

from .generators import frame_input, protocol_frame, recording_file, user_command

__all__ = [
    "MAX_CALL_SECONDS",
    "Note",
    "ProtocolRun",
    "check_decode",
    "check_eager_matches_lazy",
    "check_recording",
    "fuzz_decoder",
    "fuzz_protocol",
    "fuzz_recording",
    "touch_frame",
]

Note = Callable[[str], None]

MAX_CALL_SECONDS: Final = 2.0
"""Bounded time: one decode, one protocol run or one recording never takes longer."""

_ACTION_TYPES: Final = (
    SendFrame,
    Close,
    Reconnect,
    EmitFrame,
    StateChanged,
    SessionLost,
    GapDetected,
    Fatal,
    HeartbeatLatency,
    Diagnostic,
)


def _shown(value: object, limit: int = 2000) -> str:
    text = repr(value)
    return text if len(text) <= limit else f"{text[:limit]}... ({len(text)} chars)"


def _check_time(started: float, what: str) -> None:
    spent = time.perf_counter() - started
    assert spent < MAX_CALL_SECONDS, f"{what} took {spent:.2f} s"


# --- decoder --------------------------------------------------------------------------


def touch_frame(frame: Frame) -> None:
    """Read every attribute of ``frame`` twice; only ``DecodeError`` may come out, and what
    comes out has the documented type."""
    assert isinstance(frame, Frame), type(frame)
    assert type(frame.op) is int, frame.op
    assert frame.s is None or type(frame.s) is int, frame.s
    assert frame.t is None or type(frame.t) is str, frame.t
    assert type(frame.shard_id) is int
    assert type(frame.has_d) is bool
    for _ in range(2):  # the second access is served from the cache, or raises again
        assert type(frame.raw_d) is bytes
        for name in ("data", "event"):
            with contextlib.suppress(DecodeError):
                getattr(frame, name)
    repr(frame)


def check_decode(data: bytes | str, *, lazy: bool) -> None:
    """``decode_frame(data, lazy=lazy)`` and every attribute of its frame: only
    ``DecodeError``, in bounded time."""
    started = time.perf_counter()
    try:
        frame = decode_frame(data, lazy=lazy)
    except DecodeError as exc:
        assert exc.path is None or isinstance(exc.path, str)
    else:
        touch_frame(frame)
    _check_time(started, f"decode_frame(lazy={lazy})")


_Outcome = tuple[str, Any]


def _canonical(value: Any) -> Any:
    try:
        return msgspec.json.encode(value)  # NaN-safe, Struct-aware equality
    except Exception:  # not encodable: compare the shape
        return repr(value)


def _outcome(read: Callable[[], Any]) -> _Outcome:
    try:
        return ("value", _canonical(read()))
    except DecodeError:
        return ("DecodeError", None)


def check_eager_matches_lazy(data: bytes | str) -> None:
    """The one-pass decoder changes only the cost: ``decode_frame(data)`` and
    ``decode_frame(data, lazy=True)`` return and raise the same things (Frame docstring)."""
    eager = _outcome(lambda: decode_frame(data))
    lazy = _outcome(lambda: decode_frame(data, lazy=True))
    assert eager[0] == lazy[0], f"decode_frame: eager {eager[0]}, lazy {lazy[0]}"
    if eager[0] != "value":
        return
    one, two = decode_frame(data), decode_frame(data, lazy=True)
    for name in ("op", "s", "t", "has_d", "raw_d", "data", "event"):
        a = _outcome(lambda frame=one, attr=name: getattr(frame, attr))  # type: ignore[misc]
        b = _outcome(lambda frame=two, attr=name: getattr(frame, attr))  # type: ignore[misc]
        assert a == b, f"frame.{name}: eager {a!r} != lazy {b!r}"


def fuzz_decoder(
    rng: Random,
    note: Note,
    *,
    checks: tuple[str, ...] = ("eager", "lazy", "same"),
    surrogates: bool = True,
) -> None:
    """One message (arbitrary, or a mutated real frame), decoded eagerly, lazily, and
    both compared, as ``checks`` says."""
    data = frame_input(rng, surrogates=surrogates)
    try:
        for check in checks:
            if check == "same":
                check_eager_matches_lazy(data)
            else:
                check_decode(data, lazy=check == "lazy")
    except BaseException:
        note(f"decode_frame input: {_shown(data, 4000)}")
        raise


# --- protocol machine -----------------------------------------------------------------

TOKEN: Final = "1000000000000000007.fake-secret-not-real"
MAX_TIMER: Final = 120.0
"""Seconds: no timer may be set further ahead (heartbeats at most 60 s apart once HELLO's
interval is clamped, HELLO timeout 30 s, op 9 wait 5 s, the send budget's window 60 s)."""
HEARTBEAT_BOUNDS: Final = (0.5, 120.0)
"""Seconds: a sane heartbeat interval, whatever HELLO said (no beat storm, no endless wait)."""
MAX_RECONNECT_DELAY: Final = 600.0
SEND_LIMIT: Final = (120, 60.0)
"""The server closes with 4008 past 120 payloads in a sliding 60 s window (PROTOCOL §1.11)."""
MAX_PAYLOAD: Final = 4096

_S = ConnectionState
_OPEN_STATES: Final = frozenset(
    {_S.AWAITING_HELLO, _S.IDENTIFYING, _S.RESUMING, _S.READY, _S.INVALID_SESSION}
)
_MACHINE_OPS: Final = frozenset({1, 2, 6})
_EXPECTING: Final = {
    _S.AWAITING_HELLO: "hello",
    _S.IDENTIFYING: "ready",
    _S.RESUMING: "resumed",
    _S.READY: "dispatch",
}
_CLOSE_CODES: Final = (
    *(1000, 1001, 1006, 1011, 4000, 4001, 4002, 4003, 4004, 4005, 4007, 4008, 4009),
    *(4010, 4011, 4012, 4013, 4014, 3999, 0, 65535),
)
_PAUSES: Final = (0.0, 0.0, 0.0, 0.001, 0.25, 2.0, 10.0, 45.0, 130.0)


class ProtocolRun:
    """A ``GatewayProtocol`` driven the way ``shard.py`` drives it, with random inputs.

    The driver connects at start and afterwards only after a :class:`Reconnect` (waiting
    its delay); delivers frames (through ``accept_next_dispatch`` first, as the shard
    does, or straight to ``receive_frame``) only while a socket is open; calls
    ``connection_closed`` once per socket (``by_server=False`` after a :class:`Close`);
    ticks at the deadline or at random times; sends and closes at any time.

    Invariants checked after every step: no exception but the documented ones; every
    received frame yields exactly one EmitFrame/EmitDispatch and other steps none; each
    dispatch ``s`` is delivered at most once per session and in increasing order;
    StateChanged follows ``TRANSITIONS`` and the machine's own state; Reconnect has a
    finite delay in [0, 600] s and comes exactly when the machine is left DISCONNECTED;
    ``next_deadline()`` is finite, at most 120 s ahead and set whenever a socket waits on
    the server; the heartbeat interval stays within 0.5-120 s; SendFrame and Close only on
    an open socket not yet closed by us; payloads at most 4096 bytes and within the server's
    120 per 60 s; Fatal only from a server close, with InvalidToken or GatewayError; after
    the user's close(), never another connection.
    """

    def __init__(self, rng: Random) -> None:
        self.rng = rng
        self.proto = GatewayProtocol(TOKEN, rng=Random(rng.getrandbits(32)))
        self.now = 1000.0 + rng.random()
        self.state = self.proto.state
        self.may_connect = True  # the driver connects once at start
        self.reconnect_at = self.now
        self.socket_open = False
        self.close_sent: Close | None = None
        self.user_closed = False
        self.last_s = 0  # the last dispatch s delivered in this session
        self.sent_at: deque[float] = deque()  # payloads on this socket
        self.log: list[str] = []

    # -- the driver

    def play(self, steps: int) -> None:
        try:
            for _ in range(steps):
                self.step()
        except BaseException:
            self.log.append(f"   machine: {self.proto!r}, next_deadline={self._deadline()}")
            raise

    def _deadline(self) -> float | None:
        try:
            return self.proto.next_deadline()
        except Exception:  # reported by the invariant check; here only for the log
            return float("nan")

    def step(self) -> None:
        rng = self.rng
        choices = ["tick"] * 4 + ["send"] + ["close"] * (rng.random() < 0.05)
        if self.may_connect:
            choices += ["open"] * 8 + ["fail"] * 2
        if self.socket_open:
            choices += ["frame"] * 16 + ["server_close"]
            if self.close_sent is not None:
                choices += ["closed"] * 6
        kind = rng.choice(choices)
        self.now += rng.choice(_PAUSES) if kind != "tick" else 0.0
        steps: dict[str, Callable[[], None]] = {
            "tick": self.tick,
            "send": self._send,
            "close": self._close,
            "open": self.open,
            "fail": self._fail,
            "frame": self._frame,
            "server_close": self._server_close,
            "closed": self._closed,
        }
        steps[kind]()

    def _record(self, kind: str, detail: str, actions: list[Any]) -> None:
        self.log.append(f"{self.now:14.6f} {kind:12} {detail} -> {actions!r}")

    def open(self) -> None:
        """Open a socket (after the pending Reconnect's delay)."""
        self.now = max(self.now, self.reconnect_at)
        self.may_connect = False
        self.socket_open = True
        self.close_sent = None
        self.sent_at.clear()
        actions = self.proto.connection_opened(self.now)
        self._record("open", "", actions)
        self._check("open", actions)

    def _fail(self) -> None:
        self.now = max(self.now, self.reconnect_at)
        self.may_connect = False
        actions = self.proto.connection_failed(self.now)
        self._record("fail", "", actions)
        self._check("fail", actions)

    def _frame(self) -> None:
        expecting = _EXPECTING.get(self.proto.state)
        self.deliver(protocol_frame(self.rng, self.proto.seq, expecting))

    def deliver(self, message: bytes) -> None:
        """Decode ``message`` and hand it to the machine, as the shard does."""
        try:
            frame = decode_frame(message)
        except DecodeError:
            self._record("frame", f"{message[:200]!r} undecodable: dropped", [])
            return
        if self.rng.random() < 0.7 and self.proto.accept_next_dispatch(frame):
            actions: list[Any] = [EmitDispatch(frame)]
            path = "fast path"
        else:
            actions = self.proto.receive_frame(frame, self.now)
            path = "receive_frame"
        self._record("frame", f"{message[:300]!r} ({path})", actions)
        self._check("frame", actions, frame)

    def _server_close(self) -> None:
        self._closed(any_code=True)

    def _closed(self, *, any_code: bool = False) -> None:
        if any_code or self.close_sent is None:
            code = self.rng.choice(_CLOSE_CODES)
        else:
            code = self.rng.choice((self.close_sent.code, 1006))
        by_server = self.close_sent is None  # as the shard says: not after our own Close
        self.socket_open = False
        self.close_sent = None
        actions = self.proto.connection_closed(code, "fuzz", self.now, by_server=by_server)
        self._record("closed", f"code={code} by_server={by_server}", actions)
        self._check("closed" if not by_server else "server_close", actions)

    def tick(self) -> None:
        """Tick at the deadline (give or take) or at some other time."""
        if self.state is _S.STOPPED:
            return  # the shard's timer does nothing once stopped
        deadline = self.proto.next_deadline()
        if deadline is not None and self.rng.random() < 0.7:
            self.now = max(self.now, deadline + self.rng.choice((0.0, 0.0, 0.001, 0.5, 3.0)))
        else:
            self.now += self.rng.choice(_PAUSES)
        actions = self.proto.tick(self.now)
        self._record("tick", "", actions)
        self._check("tick", actions)

    def _send(self) -> None:
        op, d = user_command(self.rng)
        expected: type[Exception] | None = None
        if op in _MACHINE_OPS:
            expected = ValueError
        elif self.state is _S.STOPPED:
            expected = ProtocolMisuse
        else:
            try:
                size = len(msgspec.json.encode({"op": op, "d": d}))
            except (TypeError, msgspec.EncodeError):
                expected = TypeError
            else:
                expected = PayloadTooLarge if size > MAX_PAYLOAD else None
        try:
            actions = self.proto.send(op, d, self.now)
        except Exception as exc:
            self._record("send", f"op={op} d={_shown(d, 100)}", [exc])
            if type(exc) is not expected:
                raise
            return
        self._record("send", f"op={op} d={_shown(d, 100)}", actions)
        assert expected is None, f"send(op={op}) should have raised {expected.__name__}"
        self._check("send", actions)

    def _close(self) -> None:
        self.user_closed = True
        self.may_connect = False  # the shard stops; a pending Reconnect is dropped
        actions = self.proto.close(self.now)
        self._record("close", "", actions)
        self._check("close", actions)

    # -- the invariants

    def _check(self, kind: str, actions: list[Any], frame: Frame | None = None) -> None:
        proto = self.proto
        emitted = [a for a in actions if isinstance(a, EmitFrame)]
        if frame is not None:
            assert len(emitted) == 1, f"a frame gave {len(emitted)} EmitFrame/EmitDispatch"
            assert emitted[0].frame is frame, "EmitFrame carries another frame"
        else:
            assert not emitted, f"{kind} emitted a frame"
        reconnects = 0
        for action in actions:
            assert isinstance(action, _ACTION_TYPES), f"not an action: {action!r}"
            if isinstance(action, StateChanged):
                assert action.old is self.state, f"{action} but the state was {self.state}"
                assert action.new in TRANSITIONS[action.old], f"illegal {action}"
                self.state = action.new
            elif isinstance(action, Reconnect):
                reconnects += 1
                delay = action.delay
                assert math.isfinite(delay) and 0 <= delay <= MAX_RECONNECT_DELAY, action
                self.reconnect_at = self.now + delay
            elif isinstance(action, SendFrame):
                self._check_send(kind, action, frame)
            elif isinstance(action, Close):
                assert self.socket_open, "Close without an open socket"
                assert self.close_sent is None, "a second Close on the same socket"
                self.close_sent = action
            elif isinstance(action, Fatal):
                assert kind == "server_close", f"Fatal from {kind}"
                assert isinstance(action.error, InvalidToken | GatewayError), action
            elif isinstance(action, SessionLost):
                self.last_s = 0
            elif isinstance(action, EmitDispatch):
                self._check_delivery(action.frame)
        state = proto.state
        assert self.state is state, f"StateChanged says {self.state}, the machine says {state}"
        assert reconnects <= 1, f"{reconnects} Reconnects in one step"
        if reconnects:
            assert state is _S.DISCONNECTED, f"Reconnect while {state}"
            assert not self.user_closed, "Reconnect after close()"
            self.may_connect = True
        if state is _S.DISCONNECTED:
            assert self.may_connect or self.user_closed, "DISCONNECTED with no Reconnect: stuck"
        if state is _S.STOPPED:
            self.may_connect = False
        if self.user_closed and kind in ("closed", "server_close"):
            assert state is _S.STOPPED, f"close() then the socket closed, but {state}"
        self._check_timers(state)

    def _check_timers(self, state: ConnectionState) -> None:
        deadline = self.proto.next_deadline()
        if deadline is not None:
            assert math.isfinite(deadline), f"next_deadline() = {deadline}"
            ahead = deadline - self.now
            assert ahead <= MAX_TIMER, f"next_deadline() is {ahead:.6g} s ahead"
        if state in _OPEN_STATES:
            assert deadline is not None, f"{state} without a timer: a silent server hangs it"
        interval = self.proto.heartbeat_interval
        if interval is not None:
            low, high = HEARTBEAT_BOUNDS
            assert low <= interval <= high, f"heartbeat interval {interval!r} s"

    def _check_send(self, kind: str, action: SendFrame, frame: Frame | None) -> None:
        assert self.socket_open, f"SendFrame(op={action.op}) without an open socket"
        assert self.close_sent is None, f"SendFrame(op={action.op}) after our Close"
        assert len(action.payload) <= MAX_PAYLOAD, f"payload of {len(action.payload)} bytes"
        assert msgspec.json.decode(action.payload)["op"] == action.op
        if action.op == 2:
            self.last_s = 0  # IDENTIFY starts a new session
        if action.op == 1 and frame is not None and frame.op == 1:
            return  # the server asked for this one; it does not count against us
        limit, window = SEND_LIMIT
        sent = self.sent_at
        sent.append(self.now)
        while sent and sent[0] <= self.now - window:
            sent.popleft()
        assert len(sent) <= limit, f"{len(sent)} payloads within {window:g} s"

    def _check_delivery(self, frame: Any) -> None:
        t, s = frame.t, frame.s
        if t == "READY":
            self.last_s = s if s is not None else 0
        elif t != "RESUMED" and s is not None:
            assert s > self.last_s, f"{t} s={s} delivered after s={self.last_s} in one session"
            self.last_s = s


def fuzz_protocol(rng: Random, note: Note, *, steps: int = 60) -> None:
    """A random run of up to ``steps`` driver steps; see :class:`ProtocolRun`."""
    started = time.perf_counter()
    run = ProtocolRun(rng)
    try:
        run.play(rng.randint(1, steps))
        _check_time(started, "a protocol run")
    except BaseException:
        note("protocol run (time, step, input -> actions):\n" + "\n".join(run.log))
        raise


# --- recording reader -----------------------------------------------------------------


def check_recording(path: Path, content: bytes, *, touch: bool = True) -> None:
    """Open and read the recording at ``path`` (holding ``content``) to its end; with
    ``touch``, read every attribute of every frame too (see :func:`touch_frame`)."""
    started = time.perf_counter()
    lines = content.count(b"\n") + 1
    try:
        reader = open_recording(path)
    except MalformedRecording as exc:
        assert exc.line == 1, f"header error on line {exc.line}"
        assert exc.path == str(path)
        return
    except UnsupportedRecordingVersion:
        return
    with reader:
        assert isinstance(reader.header, RecordingHeader)
        last_line, previous_at = reader.line, 0.0
        assert last_line >= 1
        try:
            for entry in reader:
                assert isinstance(entry, RecordedFrame), entry
                at = entry.at
                assert type(at) is float and math.isfinite(at) and at >= previous_at, at
                assert isinstance(entry.frame, Frame) and entry.frame.shard_id >= 0
                if touch:
                    touch_frame(entry.frame)
                assert reader.line > last_line
                last_line, previous_at = reader.line, at
        except MalformedRecording as exc:
            assert last_line < exc.line <= lines, f"line {exc.line} (last good {last_line})"
            assert exc.path == str(path)
    _check_time(started, "reading a recording")


def fuzz_recording(rng: Random, note: Note, directory: Path, *, touch: bool = True) -> None:
    """A mutated recording file (written into ``directory``) read to its end."""
    content = recording_file(rng)
    path = directory / "fuzz-recording.jsonl"
    path.write_bytes(content)
    try:
        check_recording(path, content, touch=touch)
    except BaseException:
        note(f"recording file content: {_shown(content, 6000)}")
        raise
