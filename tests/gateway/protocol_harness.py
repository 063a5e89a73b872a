"""A fake clock and frame builders for driving GatewayProtocol in tests (no network)."""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fluxer_rx.gateway.actions import (
    Action,
    Close,
    EmitDispatch,
    EmitFrame,
    Reconnect,
    SendFrame,
)
from fluxer_rx.gateway.protocol import GatewayProtocol

TRANSCRIPTS = Path(__file__).resolve().parent.parent / "data" / "real-gateway"
TOKEN = "1000000000000000007.fake-secret-not-real"
INTERVAL = 41.25


@dataclass(frozen=True)
class FakeFrame:
    """The FrameLike shape, built directly from a decoded frame dict."""

    op: int
    d: Any = None
    s: int | None = None
    t: str | None = None

    @property
    def data(self) -> Any:
        return self.d

    @classmethod
    def of(cls, obj: dict[str, Any]) -> FakeFrame:
        return cls(obj["op"], obj.get("d"), obj.get("s"), obj.get("t"))


def hello(interval_ms: int = 41250) -> FakeFrame:
    return FakeFrame(10, {"heartbeat_interval": interval_ms})


def ready(session_id: str = "4F9FB3B39F87FDCACACE7A21053DF3B4", s: int = 1) -> FakeFrame:
    user = {"id": "1000000000000000007", "username": "probe", "bot": True}
    return FakeFrame(0, {"session_id": session_id, "user": user, "guilds": []}, s, "READY")


def dispatch(s: int, t: str = "USER_UPDATE") -> FakeFrame:
    return FakeFrame(0, {"n": s}, s, t)


def resumed(s: int | None) -> FakeFrame:
    return FakeFrame(0, None, s, "RESUMED")


def load_transcript(name: str) -> list[dict[str, Any]]:
    lines = (TRANSCRIPTS / f"{name}.jsonl").read_text().splitlines()
    return [json.loads(line) for line in lines[1:] if line.strip()]


@dataclass
class Harness:
    """A GatewayProtocol plus a fake clock and a log of every action it produced."""

    proto: GatewayProtocol
    now: float = 1000.0
    auto_ack: bool = False
    log: list[Action] = field(default_factory=list)

    @classmethod
    def make(cls, seed: int = 1, **kwargs: Any) -> Harness:
        kwargs.setdefault("rng", random.Random(seed))
        return cls(GatewayProtocol(TOKEN, **kwargs))

    def _keep(self, actions: list[Action]) -> list[Action]:
        self.log.extend(actions)
        return actions

    def open(self) -> list[Action]:
        return self._keep(self.proto.connection_opened(self.now))

    def recv(self, frame: FakeFrame) -> list[Action]:
        return self._keep(self.proto.receive_frame(frame, self.now))

    def closed(self, code: int, reason: str = "", *, by_server: bool = True) -> list[Action]:
        return self._keep(self.proto.connection_closed(code, reason, self.now, by_server=by_server))

    def advance(self, seconds: float) -> list[Action]:
        """Move the clock, ticking at every deadline on the way (like a real driver)."""
        target = self.now + seconds
        out: list[Action] = []
        while True:
            deadline = self.proto.next_deadline()
            if deadline is None or deadline > target:
                break
            self.now = max(self.now, deadline)
            out += self._tick()
        self.now = target
        out += self._tick()
        return out

    def _tick(self) -> list[Action]:
        actions = self._keep(self.proto.tick(self.now))
        if self.auto_ack and any(isinstance(a, SendFrame) and a.op == 1 for a in actions):
            self.recv(FakeFrame(11))
        return actions

    def send(self, op: int, d: Any) -> list[Action]:
        return self._keep(self.proto.send(op, d, now=self.now))

    def connect_ready(self, session_id: str = "4F9FB3B39F87FDCACACE7A21053DF3B4") -> None:
        self.open()
        self.recv(hello())
        self.recv(ready(session_id))


def sent(actions: list[Action]) -> list[dict[str, Any]]:
    """The decoded payloads of every SendFrame in ``actions``."""
    return [json.loads(a.payload) for a in actions if isinstance(a, SendFrame)]


def of_type(actions: list[Action], kind: type) -> list[Any]:
    return [a for a in actions if isinstance(a, kind)]


def emitted_seqs(actions: list[Action]) -> list[int | None]:
    return [a.frame.s for a in actions if isinstance(a, EmitDispatch)]


def raw_count(actions: list[Action]) -> int:
    return sum(1 for a in actions if isinstance(a, EmitFrame))


def only(actions: list[Action], kind: type) -> Any:
    found = of_type(actions, kind)
    assert len(found) == 1, actions
    return found[0]


__all__ = [
    "INTERVAL",
    "TOKEN",
    "Close",
    "FakeFrame",
    "Harness",
    "Reconnect",
    "dispatch",
    "emitted_seqs",
    "hello",
    "load_transcript",
    "of_type",
    "only",
    "raw_count",
    "ready",
    "resumed",
    "sent",
]
