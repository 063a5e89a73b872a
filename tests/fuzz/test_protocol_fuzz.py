"""Fuzzing the gateway protocol machine (``fluxer_rx/gateway/protocol.py``) through a
driver that calls it exactly as ``shard.py`` does; see ``properties.ProtocolRun`` for the
invariants checked after every step."""

from __future__ import annotations

from random import Random

import pytest
from hypothesis import given, note, settings

from .generators import to_json
from .hypothesis_settings import FUZZ, RANDOMS
from .properties import ProtocolRun, fuzz_protocol


@settings(FUZZ, max_examples=max(1, FUZZ.max_examples // 2))  # a run is up to 60 steps
@given(RANDOMS)
def test_random_driver_runs_keep_the_invariants(rng: Random) -> None:
    fuzz_protocol(rng, note)


def _hello(interval: object) -> bytes:
    return to_json({"op": 10, "d": {"heartbeat_interval": interval}})


_READY = b'{"d":{"session_id":"S1","user":{"id":"1"}},"op":0,"s":1,"t":"READY"}'

# The inputs behind the known failures, each followed through ticks and a reconnect.
SCRIPTS = [
    pytest.param([b'{"d":false,"op":9}', _hello(41250)], id="op9-before-hello"),
    pytest.param([b'{"op":9}', b'{"op":9}', _hello(41250), _READY], id="op9-twice-before-hello"),
    pytest.param([_hello(0)], id="hello-interval-0"),
    pytest.param([_hello(-1)], id="hello-interval-negative"),
    pytest.param([_hello(1)], id="hello-interval-1ms"),
    pytest.param([_hello(1e300), _READY], id="hello-interval-1e300"),
    pytest.param([_hello(10**30), _READY], id="hello-interval-huge-int"),
    pytest.param(
        [b'{"d":{"heartbeat_interval":-' + b"9" * 400 + b'},"op":10}'],
        id="hello-interval-huge-negative-int",
    ),
    pytest.param([b'{"d":{"heartbeat_interval":1e400},"op":10}'], id="hello-interval-1e400"),
    pytest.param([_hello("41250")], id="hello-interval-string"),
    pytest.param([b'{"op":10}'], id="hello-without-d"),
    pytest.param([_hello(41250), b'{"d":{"user":{}},"op":0,"s":1,"t":"READY"}'], id="ready-no-sid"),
    pytest.param([_hello(41250), b'{"d":null,"op":0,"s":5,"t":"RESUMED"}'], id="resumed-anywhere"),
    pytest.param([_hello(41250), _READY, b'{"op":7}', b'{"op":11}'], id="op7-then-ack"),
    pytest.param([b'{"d":null,"op":2147483648}', _hello(41250)], id="unknown-op"),
]


@pytest.mark.parametrize("messages", SCRIPTS)
def test_known_inputs_keep_the_invariants(messages: list[bytes]) -> None:
    run = ProtocolRun(Random(7))
    run.open()
    for message in messages:
        if run.socket_open:
            run.deliver(message)
    for _ in range(40):  # ticks, and reconnects when asked, with the same invariants
        if run.may_connect:
            run.open()
            run.deliver(_hello(41250))
        run.tick()
