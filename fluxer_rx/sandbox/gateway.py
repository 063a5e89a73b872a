"""The sandbox gateway: Fluxer's websocket protocol as the real d4c392c gateway speaks it.

:class:`GatewayHub` owns the sessions and connections. Its :meth:`GatewayHub.handle` is
the aiohttp handler for ``/``; it listens to the world (:meth:`World.emit`) and fans each
dispatch out to the sessions that should see it. Behaviour follows the transcripts in
``tests/data/real-gateway`` (and ``PROTOCOL.md`` §1 where they are silent):

* ``v`` must be 1, else close 4012 before HELLO; ``encoding`` is ignored and frames are
  JSON with sorted keys, uncompressed text unless ``compress=zstd-stream`` asks for zstd
  (binary frames; per message, or one stream with ``stream=1``:
  :mod:`fluxer_rx.sandbox.zstd_framing`).
* HELLO first; op 1 gets ``{"op":11}``; the server checks every interval/3, sends
  ``{"d":null,"op":1}`` once 0.9 x interval passed since the last client heartbeat and
  closes 4009 once 45/41.25 x interval passed while waiting (so ~1.0x and ~1.33x).
* Close codes: 4001 unknown op or missing ``d``; 4002 bad JSON / not an object / no op /
  over 4096 bytes / bad IDENTIFY; 4003 command before IDENTIFY; 4004 bad token; 4005
  second IDENTIFY; 4007 bad heartbeat or RESUME seq; 4008 payload 121 within the
  (scaled) 60 s window; 4009 heartbeat timeout; 4010 bad shard; 4012 bad version; 1011
  for the inputs that crash the real handler (IDENTIFY ``d:null``, RESUME missing
  fields, op 3 without ``status``).
* Sessions: READY (s 1) with ``guilds: []``, then one GUILD_CREATE per guild of the
  session's shard; ``s`` per session; a replay buffer (default 4096) trimmed by heartbeat
  acks; RESUME replays with original ``s`` then RESUMED ``{d:null, s:<client seq>}``;
  MESSAGE_REACTION_ADD/REMOVE consume a seq but are never buffered, nor are READY, the
  guild burst and GUILD_MEMBERS_CHUNK; ``ignored_events`` drop events without a seq.
  A detached session stays resumable for ``resume_window`` seconds; a RESUME from a new
  socket moves the session and the old socket silently stops receiving dispatches.

Deviations from d4c392c, all taken from [N]: ``shard`` is honoured, RECONNECT (op 7) can
be injected, and REQUEST_GUILD_MEMBERS is answered for bots without a permission check.

Time: every reading and every timer (heartbeat checks, session expiry, the client rate
limit) goes through the hub's :class:`~fluxer_rx.sandbox.gateway_clock.GatewayClock`,
real by default; a :class:`~fluxer_rx.sandbox.gateway_clock.ManualGatewayClock` makes them
move only when a test says so.

Logging (logger ``fluxer_rx.sandbox.gateway``, under ``fluxer_rx.sandbox``): at INFO,
every connection opened, identified or resumed (with its shard and session), and closed
(with its close code, shard, and whether it had identified or resumed). Never the token.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
from collections import deque
from collections.abc import Coroutine, Iterable
from dataclasses import dataclass, field
from typing import Any, Final, Literal

import msgspec
from aiohttp import WSMsgType, web

from fluxer_rx.sandbox.config import HELLO_INTERVAL_S, SandboxConfig
from fluxer_rx.sandbox.gateway_clock import GatewayClock, LoopClock, Timer
from fluxer_rx.sandbox.world import Json, Message, World
from fluxer_rx.sandbox.zstd_framing import ServerCompression, server_compression

__all__ = [
    "DispatchRecord",
    "GatewayHub",
    "MalformedKind",
    "Session",
    "encode_text_frame",
]

log = logging.getLogger("fluxer_rx.sandbox.gateway")

MAX_PAYLOAD: Final = 4096
NEVER_BUFFERED: Final = frozenset(
    {"MESSAGE_REACTION_ADD", "MESSAGE_REACTION_REMOVE", "GUILD_MEMBERS_CHUNK"}
)
CLIENT_OPS: Final = frozenset({1, 2, 3, 4, 6, 8, 13, 14, 15, 16, 28})
AUTH_OPS: Final = frozenset({3, 4, 8, 13, 14, 15, 16, 28})
STATUSES: Final = frozenset({"online", "idle", "dnd", "invisible", "offline"})
TIMEOUT_FACTOR: Final = 45.0 / HELLO_INTERVAL_S
MEMBER_CHUNK: Final = 1000

ACK_FRAME: Final = b'{"op":11}'
HEARTBEAT_REQUEST_FRAME: Final = b'{"d":null,"op":1}'
INVALID_SESSION_FRAME: Final = b'{"d":false,"op":9}'
RECONNECT_FRAME: Final = b'{"op":7}'

MalformedKind = Literal[
    "bad_json",
    "unknown_op",
    "unknown_event",
    "wrong_types",
    "missing_fields",
    "number_out_of_range",
    "invalid_utf8",
]

_encoder = msgspec.json.Encoder(order="sorted")


def encode_text_frame(payload: bytes) -> bytes:
    """Wrap ``payload`` in one unmasked, final websocket text frame (RFC 6455 §5.2)."""
    n = len(payload)
    if n < 126:
        header = bytes((0x81, n))
    elif n < 65536:
        header = bytes((0x81, 126)) + n.to_bytes(2, "big")
    else:
        header = bytes((0x81, 127)) + n.to_bytes(8, "big")
    return header + payload


def dispatch_frame(t: str, seq: int, d_json: bytes) -> bytes:
    """The JSON bytes of dispatch ``t`` at ``seq`` (keys sorted, as the real server sends)."""
    return b'{"d":%b,"op":0,"s":%d,"t":%b}' % (d_json, seq, _encoder.encode(t))


@dataclass(frozen=True, slots=True)
class DispatchRecord:
    """One dispatch the gateway sent or buffered for a session.

    ``seq`` is the frame's ``s``; ``t`` the event name; ``d`` the payload (shared, do not
    mutate). RESUMED is recorded too, with the ``s`` it was sent with (the client's seq).
    """

    session_id: str
    seq: int
    t: str
    d: Any


@dataclass(slots=True, eq=False)
class Session:
    """A gateway session: identity, sequence, replay buffer, routing filters."""

    session_id: str
    user_id: str
    token: str
    ignored: frozenset[str]
    shard: tuple[int, int] | None
    buffer: deque[tuple[int, bytes]]
    seq: int = 0
    acked_seq: int = 0
    status: str = "online"
    afk: bool = False
    mobile: bool = False
    conn: _Connection | None = None
    expiry: Timer | None = None
    alive: bool = True
    presence_members: dict[str, frozenset[str]] = field(default_factory=dict)
    """Per guild, the users whose presences this session subscribed to (op 14)."""

    def sees_guild(self, guild_id: str) -> bool:
        """Whether this session's shard owns ``guild_id``."""
        if self.shard is None:
            return True
        shard_id, count = self.shard
        return (int(guild_id) >> 22) % count == shard_id

    def __repr__(self) -> str:
        return f"Session(session_id={self.session_id!r}, user_id={self.user_id!r}, seq={self.seq})"


@dataclass(slots=True, eq=False)
class _Connection:
    ws: web.WebSocketResponse
    request: web.Request
    number: int
    opened: float
    last_heartbeat: float
    session: Session | None = None
    waiting: bool = False
    closing: bool = False
    payload_times: deque[float] = field(default_factory=deque)
    heartbeat_check: Timer | None = None
    how: str = ""
    """``"identified"`` or ``"resumed"`` once a session is attached, for the log."""
    compression: ServerCompression | None = None

    def describe(self) -> str:
        """``#n`` with the shard and the session, for the log (never the token)."""
        session = self.session
        if session is None:
            return f"#{self.number}"
        if session.shard is None:
            shard = "unsharded"
        else:
            shard = f"shard {session.shard[0]}/{session.shard[1]}"
        return f"#{self.number} ({shard}, session {session.session_id})"

    def write(self, frame_json: bytes) -> bool:
        """Write one text frame now; False when the socket is gone or closing."""
        transport = self.request.transport
        if self.closing or transport is None or transport.is_closing():
            return False
        if self.compression is not None:
            transport.write(self.compression.frame(frame_json))
        else:
            transport.write(encode_text_frame(frame_json))
        return True

    def write_raw(self, data: bytes) -> bool:
        """Write pre-framed websocket bytes; False when the socket is gone or closing."""
        transport = self.request.transport
        if self.closing or transport is None or transport.is_closing():
            return False
        transport.write(data if self.compression is None else self.compression.reframe(data))
        return True


class GatewayHub:
    """Sessions, connections and dispatch fan-out of one sandbox gateway.

    ``dispatch_log`` is the list of :class:`DispatchRecord` (when
    ``config.record_dispatches``); ``sessions`` maps live session ids to sessions.
    ``clock`` gives every time and timer (default: real time on the running loop).
    """

    def __init__(
        self, world: World, config: SandboxConfig, clock: GatewayClock | None = None
    ) -> None:
        self.world = world
        self.config = config
        self.clock: GatewayClock = clock if clock is not None else LoopClock()
        self._connection_numbers = 0
        self.sessions: dict[str, Session] = {}
        self.dispatch_log: list[DispatchRecord] = []
        self._connections: set[_Connection] = set()
        self._tasks: set[asyncio.Task[None]] = set()
        self._session_waiters: list[asyncio.Future[Session]] = []
        world.add_listener(self._on_world_event)

    # -- public queries ----------------------------------------------------------------

    @property
    def attached_sessions(self) -> list[Session]:
        """Sessions that currently have a socket, in creation order."""
        return [s for s in self.sessions.values() if s.conn is not None]

    @property
    def connection_count(self) -> int:
        """Open websocket connections (identified or not)."""
        return len(self._connections)

    async def wait_for_session(self) -> Session:
        """Return an attached session, waiting for an IDENTIFY if there is none yet.

        Bound the wait with ``asyncio.timeout``."""
        attached = self.attached_sessions
        if attached:
            return attached[0]
        fut: asyncio.Future[Session] = asyncio.get_running_loop().create_future()
        self._session_waiters.append(fut)
        try:
            return await fut
        finally:
            if fut in self._session_waiters:
                self._session_waiters.remove(fut)

    def write_buffer_size(self) -> int:
        """Total bytes queued in every connection's transport (for flow control)."""
        total = 0
        for conn in self._connections:
            transport = conn.request.transport
            if transport is not None:
                total += transport.get_write_buffer_size()
        return total

    # -- dispatching -------------------------------------------------------------------

    def _on_world_event(
        self, event: str, d: Json, guild_id: str | None, user_ids: frozenset[str] | None
    ) -> None:
        if guild_id is not None:
            guild = self.world.guilds.get(guild_id)
            members = guild.members if guild is not None else {}
        encoded: bytes | None = None
        presence_user: str | None = None
        if event == "PRESENCE_UPDATE" and self.config.presence_subscriptions:
            presence_user = str(d.get("user", {}).get("id"))
        for session in list(self.sessions.values()):
            if guild_id is not None:
                if user_ids is not None:
                    if session.user_id not in user_ids:
                        continue
                elif session.user_id not in members:
                    continue
                if not session.sees_guild(guild_id):
                    continue
            else:
                if user_ids is not None and session.user_id not in user_ids:
                    continue
                if session.shard is not None and session.shard[0] != 0:
                    continue
            if event in session.ignored:
                continue
            if (
                presence_user is not None
                and guild_id is not None
                and presence_user not in session.presence_members.get(guild_id, ())
            ):
                continue
            if encoded is None:
                encoded = _encoder.encode(d)
            self._dispatch_encoded(session, event, d, encoded, buffer=True)

    def dispatch(self, session: Session, event: str, d: Any, *, buffer: bool = True) -> int | None:
        """Send (or buffer) one dispatch to ``session``; return its ``s``.

        Returns ``None`` when the session ignores ``event`` (no seq is consumed).
        """
        if event in session.ignored:
            return None
        return self._dispatch_encoded(session, event, d, _encoder.encode(d), buffer=buffer)

    def _dispatch_encoded(
        self, session: Session, event: str, d: Any, encoded: bytes, *, buffer: bool
    ) -> int:
        session.seq += 1
        seq = session.seq
        frame = dispatch_frame(event, seq, encoded)
        if buffer and event not in NEVER_BUFFERED:
            session.buffer.append((seq, frame))
        if self.config.record_dispatches:
            self.dispatch_log.append(DispatchRecord(session.session_id, seq, event, d))
        if session.conn is not None:
            session.conn.write(frame)
        return seq

    def _record(self, session: Session, seq: int, event: str, d: Any) -> None:
        if self.config.record_dispatches:
            self.dispatch_log.append(DispatchRecord(session.session_id, seq, event, d))

    # -- faults ------------------------------------------------------------------------

    def drop_connections(self) -> int:
        """Abort every socket without a close frame; return how many were dropped."""
        dropped = 0
        for conn in list(self._connections):
            transport = conn.request.transport
            conn.closing = True
            if transport is not None:
                transport.abort()
                dropped += 1
        return dropped

    def invalidate_sessions(self) -> int:
        """Send ``{"d":false,"op":9}`` to every attached session and end it.

        The sockets stay open and may IDENTIFY again. Returns the count.
        """
        count = 0
        for session in self.attached_sessions:
            conn = session.conn
            assert conn is not None
            self._kill_session(session)
            conn.session = None
            conn.write(INVALID_SESSION_FRAME)
            count += 1
        return count

    def expire_sessions(self) -> int:
        """End every detached session (a later RESUME gets op 9); return the count."""
        expired = [s for s in self.sessions.values() if s.conn is None]
        for session in expired:
            self._kill_session(session)
        return len(expired)

    async def request_reconnect(self) -> int:
        """Send op 7 RECONNECT to every attached session, then close its socket with
        4000 "Session drain requested; reconnect to continue" ([N]); the sessions stay
        resumable. Returns the count."""
        conns = [s.conn for s in self.attached_sessions if s.conn is not None]
        for conn in conns:
            conn.write(RECONNECT_FRAME)
        await asyncio.gather(
            *(self._close(c, 4000, "Session drain requested; reconnect to continue") for c in conns)
        )
        return len(conns)

    def send_malformed(self, kind: MalformedKind, session: Session | None = None) -> int:
        """Send one malformed frame of ``kind`` to ``session`` (default: every attached one).

        ``bad_json`` and ``unknown_op`` (op 42) consume no seq; ``unknown_event``
        (``SANDBOX_UNKNOWN_EVENT``), ``wrong_types`` and ``missing_fields`` (both
        MESSAGE_CREATE) are dispatches with the next seq, buffered and logged.
        ``number_out_of_range`` and ``invalid_utf8`` are valid MESSAGE_CREATEs of one
        message the world then holds (in the first channel, by the bot, ``content`` the
        kind), sent to every target with one extra key no client knows,
        ``"sandbox_extra"``, whose value JSON rejects only when it is read: the number
        ``1e400``, or a string holding the bytes ``FF FE`` (not UTF-8); they too take the
        next seq and are buffered and logged (the log's ``d`` without that key). A typed
        decoder skipping unknown keys accepts them; decoding the whole ``d`` fails.
        Returns the number of frames written or buffered.
        """
        targets = [session] if session is not None else self.attached_sessions
        channel_id = self.world.channel_ids[0] if self.world.channel_ids else "0"
        garbled: tuple[Json, bytes] | None = None
        for target in targets:
            conn = target.conn
            if kind == "bad_json":
                if conn is not None:
                    conn.write(b'{"op":0,"d":{"broken":')
            elif kind == "unknown_op":
                if conn is not None:
                    conn.write(b'{"d":null,"op":42}')
            elif kind == "unknown_event":
                self.dispatch(target, "SANDBOX_UNKNOWN_EVENT", {"hello": "world"})
            elif kind == "wrong_types":
                bad = {
                    "id": 12345,
                    "channel_id": int(channel_id),
                    "author": "not-an-object",
                    "content": 42,
                    "timestamp": False,
                    "type": "zero",
                    "flags": None,
                    "mentions": {},
                }
                self.dispatch(target, "MESSAGE_CREATE", bad)
            elif kind == "missing_fields":
                self.dispatch(target, "MESSAGE_CREATE", {"id": self.world.new_id()})
            elif kind == "number_out_of_range" or kind == "invalid_utf8":
                if garbled is None:
                    garbled = self._garbled_message(kind, channel_id)
                message, encoded = garbled
                self._dispatch_encoded(target, "MESSAGE_CREATE", message, encoded, buffer=True)
            else:
                raise ValueError(f"unknown malformed kind {kind!r}")
        return len(targets)

    def _garbled_message(self, kind: str, channel_id: str) -> tuple[Json, bytes]:
        """A real message of the world (the client's fold of it must match the world), as
        a dispatch ``d`` and its encoding with one extra key whose value JSON rejects only
        when it is read (``1e400``, or the bytes FF FE in a string)."""
        stored = Message(
            id=self.world.new_id(),
            channel_id=channel_id,
            guild_id=self.world.get_channel(channel_id).guild_id,
            author_id=self.world.bot.id,
            content=kind,
        )
        self.world.store_message(stored)
        message = self.world.message_dispatch_wire(stored, "MESSAGE_CREATE")
        extra = b"1e400" if kind == "number_out_of_range" else b'"\xff\xfe"'
        return message, _encoder.encode(message)[:-1] + b',"sandbox_extra":' + extra + b"}"

    # -- lifecycle ---------------------------------------------------------------------

    async def close_all(self) -> None:
        """Close every socket with 1001 and cancel timers (sandbox shutdown)."""
        for session in list(self.sessions.values()):
            if session.expiry is not None:
                session.expiry.cancel()
        conns = list(self._connections)
        closing = asyncio.gather(
            *(self._close(c, 1001, "Server shutting down") for c in conns),
            return_exceptions=True,
        )
        try:
            # a client that does not read never echoes the close: do not wait for it
            await asyncio.wait_for(closing, 1.0)
        except TimeoutError:
            for conn in conns:
                transport = conn.request.transport
                if transport is not None:
                    transport.abort()
        for task in list(self._tasks):
            task.cancel()
        self.world.remove_listener(self._on_world_event)

    def _kill_session(self, session: Session) -> None:
        session.alive = False
        if session.expiry is not None:
            session.expiry.cancel()
            session.expiry = None
        if session.conn is not None and session.conn.session is session:
            session.conn.session = None
        session.conn = None
        self.sessions.pop(session.session_id, None)

    def _detach(self, conn: _Connection) -> None:
        session = conn.session
        if session is None or session.conn is not conn:
            return
        session.conn = None
        if session.alive:
            session.expiry = self.clock.call_later(
                self.config.resume_window, lambda: self._kill_session(session)
            )

    async def _close(self, conn: _Connection, code: int, reason: str) -> None:
        if conn.closing:
            return
        conn.closing = True
        log.debug("closing a gateway socket with %d %s", code, reason)
        with contextlib.suppress(ConnectionError, RuntimeError):
            await conn.ws.close(code=code, message=reason.encode())

    # -- the websocket handler ---------------------------------------------------------

    async def handle(self, request: web.Request) -> web.WebSocketResponse:
        """aiohttp handler for the gateway path."""
        ws = web.WebSocketResponse(max_msg_size=1 << 20, compress=False, autoping=True, timeout=5.0)
        await ws.prepare(request)
        now = self.clock.monotonic()
        self._connection_numbers += 1
        number = self._connection_numbers
        conn = _Connection(ws=ws, request=request, number=number, opened=now, last_heartbeat=now)
        conn.compression = server_compression(request.query)
        log.info("gateway connection #%d opened from %s", number, request.remote)
        if request.query.get("v") != "1":
            await self._close(conn, 4012, "Invalid API version")
            self._log_closed(conn)
            return ws
        self._connections.add(conn)
        hello = b'{"d":{"heartbeat_interval":%d},"op":10}' % self.config.heartbeat_interval_ms
        conn.write(hello)
        self._schedule_heartbeat_check(conn)
        try:
            async for msg in ws:
                if msg.type == WSMsgType.TEXT:
                    data: bytes = msg.data.encode("utf-8", "surrogatepass")
                elif msg.type == WSMsgType.BINARY:
                    data = msg.data
                else:
                    break
                compression = conn.compression
                if compression is None:
                    await self._on_frame(conn, data)
                elif (plain := compression.client_message(msg.type is WSMsgType.BINARY, data)):
                    await self._on_frame(conn, plain)
                else:
                    await self._close(conn, 4002, "Decode failed")
                if conn.closing:
                    break
        except (ConnectionError, asyncio.CancelledError):
            pass
        finally:
            if conn.heartbeat_check is not None:
                conn.heartbeat_check.cancel()
                conn.heartbeat_check = None
            self._connections.discard(conn)
            self._log_closed(conn)
            self._detach(conn)
        return ws

    def _log_closed(self, conn: _Connection) -> None:
        code = conn.ws.close_code
        how = conn.how or "never identified"
        log.info(
            "gateway connection %s closed with %s; %s",
            conn.describe(),
            code if code is not None else "1006 (no close frame)",
            how,
        )

    def _schedule_heartbeat_check(self, conn: _Connection) -> None:
        interval = self.config.heartbeat_interval
        conn.heartbeat_check = self.clock.call_later(
            interval / 3, lambda: self._check_heartbeat(conn)
        )

    def _check_heartbeat(self, conn: _Connection) -> None:
        """The real gateway's timer, every interval/3: ask for a heartbeat once 0.9 x the
        interval passed since the last one, close 4009 once 45/41.25 x passed since."""
        conn.heartbeat_check = None
        if conn.closing:
            return
        interval = self.config.heartbeat_interval
        elapsed = self.clock.monotonic() - conn.last_heartbeat
        if conn.waiting and elapsed > TIMEOUT_FACTOR * interval:
            self._spawn(self._close(conn, 4009, "Heartbeat timeout"))
            return
        if not conn.waiting and elapsed >= 0.9 * interval:
            conn.waiting = True
            conn.write(HEARTBEAT_REQUEST_FRAME)
        self._schedule_heartbeat_check(conn)

    def _spawn(self, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.get_running_loop().create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _rate_limited(self, conn: _Connection) -> bool:
        limit, window = self.config.client_rate_limit
        now = self.clock.monotonic()
        times = conn.payload_times
        times.append(now)
        while times and times[0] <= now - window:
            times.popleft()
        return len(times) > limit

    async def _on_frame(self, conn: _Connection, data: bytes) -> None:
        if len(data) > MAX_PAYLOAD:
            await self._close(conn, 4002, "Payload too large")
            return
        try:
            payload = msgspec.json.decode(data)
        except (msgspec.DecodeError, UnicodeDecodeError):
            await self._close(conn, 4002, "Decode failed")
            return
        if self._rate_limited(conn):
            await self._close(conn, 4008, "Rate limited")
            return
        if not isinstance(payload, dict) or "op" not in payload:
            await self._close(conn, 4002, "Invalid payload")
            return
        op = payload["op"]
        if not isinstance(op, int) or isinstance(op, bool) or op not in CLIENT_OPS:
            await self._close(conn, 4001, "Unknown opcode")
            return
        if "d" not in payload:
            await self._close(conn, 4001, "Unknown opcode")
            return
        d = payload["d"]
        if op in AUTH_OPS and conn.session is None:
            await self._close(conn, 4003, "Not authenticated")
            return
        if op == 1:
            await self._on_heartbeat(conn, d)
        elif op == 2:
            await self._on_identify(conn, d)
        elif op == 3:
            await self._on_presence(conn, d)
        elif op == 6:
            await self._on_resume(conn, d)
        elif op == 8:
            await self._on_request_members(conn, d)
        elif op == 14:
            self._on_lazy_request(conn, d)
        # ops 4, 13, 15, 16, 28: accepted and ignored (voice, calls, counts)

    async def _on_heartbeat(self, conn: _Connection, d: Any) -> None:
        session = conn.session
        if session is not None and d is not None:
            if not isinstance(d, int) or isinstance(d, bool) or d < session.acked_seq:
                await self._close(conn, 4007, "Invalid sequence")
                return
            session.acked_seq = d
            buffer = session.buffer
            while buffer and buffer[0][0] <= d:
                buffer.popleft()
        conn.last_heartbeat = self.clock.monotonic()
        conn.waiting = False
        if self.world.faults.ack_heartbeats:
            conn.write(ACK_FRAME)

    async def _on_identify(self, conn: _Connection, d: Any) -> None:
        if conn.session is not None:
            await self._close(conn, 4005, "Already authenticated")
            return
        if not isinstance(d, dict):
            await self._close(conn, 1011, "")
            return
        token = d.get("token")
        props = d.get("properties")
        ignored = d.get("ignored_events", [])
        valid = (
            isinstance(token, str)
            and isinstance(props, dict)
            and all(isinstance(props.get(k), str) for k in ("os", "browser", "device"))
            and isinstance(ignored, list)
            and len(ignored) <= 256
            and all(isinstance(e, str) for e in ignored)
        )
        if not valid:
            await self._close(conn, 4002, "Invalid identify payload")
            return
        assert isinstance(token, str)
        failure = self.world.faults.identify_failure
        if failure == "rate_limited":
            await self._close(conn, 4008, "Rate limited")
            return
        if failure == "server_error":
            await self._close(conn, 4000, "Failed to start session")
            return
        user_id = self.world.user_id_for_token(token)
        if user_id is None:
            await self._close(conn, 4004, "Invalid token")
            return
        shard = d.get("shard")
        shard_pair: tuple[int, int] | None = None
        if shard is not None:
            if not _valid_shard(shard):
                await self._close(conn, 4010, "Invalid shard")
                return
            shard_pair = (shard[0], shard[1])
        presence = d.get("presence")
        status = "online"
        if isinstance(presence, dict) and presence.get("status") in STATUSES:
            status = "invisible" if presence["status"] == "offline" else presence["status"]
        session_id = secrets.token_hex(16).upper()
        session = Session(
            session_id=session_id,
            user_id=user_id,
            token=token,
            ignored=frozenset(e.upper() for e in ignored),
            shard=shard_pair,
            buffer=deque(maxlen=self.config.replay_buffer_size),
            status=status,
            conn=conn,
        )
        self.sessions[session_id] = session
        conn.session = session
        conn.how = "identified"
        log.info("gateway connection %s identified", conn.describe())
        ready: Json = {
            "guilds": [],
            "presences": [],
            "private_channels": [],
            "relationships": [],
            "session_id": session_id,
            "sessions": self._sessions_list(session),
            "user": self.world.private_user_wire(user_id),
            "users": [],
            "version": 1,
        }
        if shard_pair is not None:
            ready["shard"] = list(shard_pair)
        self.dispatch(session, "READY", ready, buffer=False)
        for guild in self.world.guilds_of(user_id):
            if session.sees_guild(guild.id):
                self.dispatch(
                    session,
                    "GUILD_CREATE",
                    self.world.guild_create_wire(guild, user_id),
                    buffer=False,
                )
        for waiter in self._session_waiters:
            if not waiter.done():
                waiter.set_result(session)

    @staticmethod
    def _sessions_list(session: Session) -> list[Json]:
        return [
            {
                "afk": session.afk,
                "mobile": session.mobile,
                "session_id": sid,
                "status": session.status,
            }
            for sid in ("all", session.session_id)
        ]

    async def _on_presence(self, conn: _Connection, d: Any) -> None:
        session = conn.session
        assert session is not None
        if not isinstance(d, dict) or d.get("status") not in STATUSES:
            await self._close(conn, 1011, "")
            return
        status = d["status"]
        session.status = "invisible" if status == "offline" else status
        if isinstance(d.get("afk"), bool):
            session.afk = d["afk"]
        if isinstance(d.get("mobile"), bool):
            session.mobile = d["mobile"]
        self.dispatch(session, "SESSIONS_REPLACE", self._sessions_list(session))

    async def _on_resume(self, conn: _Connection, d: Any) -> None:
        if conn.session is not None:
            await self._close(conn, 4005, "Already authenticated")
            return
        if not isinstance(d, dict) or not {"token", "session_id", "seq"} <= d.keys():
            await self._close(conn, 1011, "")
            return
        token, session_id, seq = d["token"], d["session_id"], d["seq"]
        if (
            not isinstance(token, str)
            or not isinstance(session_id, str)
            or not isinstance(seq, int)
            or isinstance(seq, bool)
        ):
            await self._close(conn, 4002, "Invalid resume payload")
            return
        session = self.sessions.get(session_id)
        if session is None or not session.alive:
            conn.write(INVALID_SESSION_FRAME)
            return
        if token != session.token:
            await self._close(conn, 4004, "Invalid token")
            return
        if seq > session.seq:
            await self._close(conn, 4007, "Invalid sequence")
            return
        if session.expiry is not None:
            session.expiry.cancel()
            session.expiry = None
        session.conn = conn
        conn.session = session
        conn.how = "resumed"
        replay = b"".join(encode_text_frame(f) for s, f in session.buffer if s > seq)
        log.info(
            "gateway connection %s resumed at seq %d (%d replayed)",
            conn.describe(),
            seq,
            sum(1 for s, _ in session.buffer if s > seq),
        )
        if replay:
            conn.write_raw(replay)
        self._record(session, seq, "RESUMED", None)
        conn.write(b'{"d":null,"op":0,"s":%d,"t":"RESUMED"}' % seq)

    async def _on_request_members(self, conn: _Connection, d: Any) -> None:
        session = conn.session
        assert session is not None
        if not isinstance(d, dict):
            await self._close(conn, 4002, "Invalid payload")
            return
        guild_id = d.get("guild_id")
        if guild_id is None and isinstance(d.get("guild_ids"), list) and d["guild_ids"]:
            guild_id = d["guild_ids"][0]
        guild = self.world.guilds.get(str(guild_id)) if guild_id is not None else None
        if guild is None or session.user_id not in guild.members:
            return  # the real gateway drops requests it will not answer
        if not session.sees_guild(guild.id):
            return
        query = d.get("query") or ""
        limit = d.get("limit") or 0
        user_ids = d.get("user_ids")
        nonce = d.get("nonce")
        if not isinstance(nonce, str) or len(nonce.encode()) > 32:
            nonce = None
        members = list(guild.members.values())
        if isinstance(user_ids, list):
            wanted = {str(u) for u in user_ids[:100]}
            members = [m for m in members if m.user_id in wanted]
        elif isinstance(query, str) and query:
            q = query.lower()
            members = [m for m in members if self._member_matches(m.user_id, m.nick, q)]
        if isinstance(limit, int) and limit > 0:
            members = members[:limit]
        members = members[:100_000]
        chunks = [members[i : i + MEMBER_CHUNK] for i in range(0, len(members), MEMBER_CHUNK)]
        chunks = chunks or [[]]
        for index, chunk in enumerate(chunks):
            out: Json = {
                "guild_id": guild.id,
                "members": [self.world.member_wire(m) for m in chunk],
                "chunk_index": index,
                "chunk_count": len(chunks),
            }
            if d.get("presences") is True:
                out["presences"] = [
                    self.world.presence_wire(self.world.users[m.user_id])
                    for m in chunk
                    if self.world.users[m.user_id].status != "offline"
                ]
            if nonce is not None:
                out["nonce"] = nonce
            self.dispatch(session, "GUILD_MEMBERS_CHUNK", out)

    def _on_lazy_request(self, conn: _Connection, d: Any) -> None:
        session = conn.session
        assert session is not None
        subscriptions = d.get("subscriptions") if isinstance(d, dict) else None
        if not isinstance(subscriptions, dict):
            return
        for guild_id, sub in subscriptions.items():
            if isinstance(sub, dict) and isinstance(sub.get("members"), list):
                members = frozenset(str(m) for m in sub["members"])
                session.presence_members[str(guild_id)] = members

    def _member_matches(self, user_id: str, nick: str | None, query: str) -> bool:
        user = self.world.users[user_id]
        names: Iterable[str | None] = (nick, user.global_name, user.username)
        return any(n is not None and n.lower().startswith(query) for n in names)


def _valid_shard(shard: Any) -> bool:
    if not isinstance(shard, list) or len(shard) != 2:
        return False
    shard_id, count = shard
    if not all(isinstance(v, int) and not isinstance(v, bool) for v in (shard_id, count)):
        return False
    return bool(1 <= count <= 16384 and 0 <= shard_id < count)
