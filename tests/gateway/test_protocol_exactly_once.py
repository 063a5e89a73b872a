"""Exactly once, in order, across drops, zombies, op 7 and op 9 (seeded random faults).

A tiny fake server keeps a session log, replays after RESUME (with overlap, so duplicates
arrive, and with unbuffered events skipped, as in transcript 07), expires sessions (op 9)
and drops connections with random resumable codes. The machine's deliveries are checked
against the log: every event of a session is delivered once and in ``s`` order, unless
it was never sent again, in which case a GapDetected covers it.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field

import pytest

from fluxer_rx.gateway.actions import (
    Action,
    Close,
    EmitDispatch,
    GapDetected,
    Reconnect,
    SendFrame,
    SessionLost,
)
from fluxer_rx.gateway.protocol import GatewayProtocol

from .protocol_harness import TOKEN, FakeFrame, hello

RESUMABLE_CLOSES = [1000, 1001, 1006, 1011, 4000, 4001, 4002, 4005, 4009]


@dataclass
class Session:
    sid: str
    log: list[int] = field(default_factory=list)  # s values sent (or buffered) so far
    unbuffered: set[int] = field(default_factory=set)


class World:
    def __init__(self, seed: int, *, fast_path: bool = False) -> None:
        self.fast_path = fast_path  # receive as the shard does: accept_next_dispatch first
        self.rng = random.Random(seed)
        self.proto = GatewayProtocol(TOKEN, rng=random.Random(seed + 1))
        self.now = 0.0
        self.session: Session | None = None
        self.sessions: dict[str, Session] = {}
        self.delivered: dict[str, list[int]] = {}
        self.gaps: dict[str, list[tuple[int, int | None]]] = {}
        self.current_sid: str | None = None  # the session the machine delivers into
        self.n_sessions = 0

    def handle(self, actions: list[Action]) -> list[dict[str, object]]:
        sends = []
        for a in actions:
            if isinstance(a, EmitDispatch) and a.frame.t not in ("READY", "RESUMED"):
                assert self.current_sid is not None
                assert a.frame.s is not None
                self.delivered[self.current_sid].append(a.frame.s)
            elif isinstance(a, EmitDispatch) and a.frame.t == "READY":
                self.current_sid = self.proto.session_id
            elif isinstance(a, GapDetected):
                sid = self.current_sid
                assert sid is not None
                self.gaps[sid].append((a.first_missing, a.last_missing))
            elif isinstance(a, SessionLost):
                assert a.session_id == self.current_sid
            elif isinstance(a, SendFrame):
                sends.append(json.loads(a.payload))
        return sends

    def recv(self, frame: FakeFrame) -> list[dict[str, object]]:
        if self.fast_path and self.proto.accept_next_dispatch(frame):
            return self.handle([EmitDispatch(frame)])
        return self.handle(self.proto.receive_frame(frame, self.now))

    def new_session(self) -> None:
        self.n_sessions += 1
        sid = f"S{self.n_sessions:04d}"
        self.session = Session(sid, [1])
        self.sessions[sid] = self.session
        self.delivered[sid] = []
        self.gaps[sid] = []
        self.recv(FakeFrame(0, {"session_id": sid, "user": {"id": "1"}}, 1, "READY"))
        self.delivered[sid].append(1)

    def push(self, n: int) -> None:
        assert self.session is not None
        for _ in range(n):
            s = self.session.log[-1] + 1
            self.session.log.append(s)
            if self.rng.random() < 0.1:
                self.session.unbuffered.add(s)  # like MESSAGE_REACTION_ADD in [S]
            self.recv(FakeFrame(0, {"n": s}, s, "MESSAGE_CREATE"))
            if self.rng.random() < 0.05:  # a stray duplicate on the wire
                self.recv(FakeFrame(0, {"n": s}, s, "MESSAGE_CREATE"))

    def connect(self) -> None:
        self.handle(self.proto.connection_opened(self.now))
        (first,) = [p for p in self.recv(hello()) if p["op"] != 1]
        if first["op"] == 2:
            self.new_session()
            return
        assert first["op"] == 6
        d = first["d"]
        assert isinstance(d, dict)
        session = self.sessions.get(str(d["session_id"]))
        if session is None or session is not self.session or self.rng.random() < 0.15:
            self.session = None
            self.recv(FakeFrame(9, False))
            while True:  # op 9 wait, then IDENTIFY on the same socket
                deadline = self.proto.next_deadline()
                assert deadline is not None
                self.now = deadline
                sends = self.handle(self.proto.tick(self.now))
                if any(p["op"] == 2 for p in sends):
                    break
            self.new_session()
            return
        seq = int(d["seq"])  # type: ignore[call-overload]
        overlap = self.rng.randint(0, 3)
        for s in session.log:
            if s > seq - overlap and s not in session.unbuffered:
                self.recv(FakeFrame(0, {"n": s}, s, "MESSAGE_CREATE"))
        self.recv(FakeFrame(0, None, seq, "RESUMED"))

    def drop(self) -> None:
        choice = self.rng.random()
        if choice < 0.2:
            actions = self.proto.receive_frame(FakeFrame(7), self.now)
            (close,) = [a for a in actions if isinstance(a, Close)]
            self.handle(actions)
            actions = self.proto.connection_closed(close.code, "", self.now, by_server=False)
        elif choice < 0.3:
            self.session = None if self.rng.random() < 0.5 else self.session
            actions = self.proto.connection_closed(4007, "Invalid sequence", self.now)
        else:
            code = self.rng.choice(RESUMABLE_CLOSES)
            actions = self.proto.connection_closed(code, "", self.now)
        self.handle(actions)
        (reconnect,) = [a for a in actions if isinstance(a, Reconnect)]
        self.now += reconnect.delay + 0.01


@pytest.mark.parametrize("fast_path", [False, True], ids=["receive_frame", "fast_path"])
@pytest.mark.parametrize("seed", range(40))
def test_each_dispatch_delivered_once_in_order_or_reported(seed: int, fast_path: bool) -> None:
    world = World(seed, fast_path=fast_path)
    world.connect()
    for _ in range(12):
        world.push(world.rng.randint(0, 8))
        world.drop()
        world.connect()
    world.push(3)
    for sid, delivered in world.delivered.items():
        assert delivered == sorted(set(delivered)), f"{sid}: not once and in order"
        missing = set(world.sessions[sid].log) - set(delivered)
        for s in missing:
            assert any(
                first <= s and (last is None or s <= last) for first, last in world.gaps[sid]
            ), f"{sid}: s={s} lost without a GapDetected"
