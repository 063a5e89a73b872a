"""Benchmark: the protocol machine's cost per dispatch, against stage-1 frame decoding.

Times, in the same process on the same pre-built frames:

* protocol: ``GatewayProtocol.receive_frame(frame, now)`` for N in-order MESSAGE_CREATE
  dispatches (sequence check, de-duplication, one ``EmitDispatch`` action each);
* baseline: ``decode_frame(message)`` -- the envelope decode every message needs anyway.

Each is repeated; medians are reported with the ratio protocol / baseline (lower is better:
the share the machine adds on top of decoding).

Run:  python benchmarks/bench_protocol.py [--frames 200000] [--repeats 5]
"""

from __future__ import annotations

import argparse
import gc
import random
import statistics
import sys
import time

from fluxer_rx.gateway.protocol import GatewayProtocol
from fluxer_rx.models import Frame, decode_frame


def message(s: int) -> bytes:
    d = f'{{"channel_id":"1","content":"hello","id":"{1000 + s}"}}'
    return f'{{"d":{d},"op":0,"s":{s},"t":"MESSAGE_CREATE"}}'.encode()


def ready_machine() -> GatewayProtocol:
    proto = GatewayProtocol("1000.bench-token", rng=random.Random(1))
    proto.connection_opened(0.0)
    proto.receive_frame(decode_frame(b'{"d":{"heartbeat_interval":41250},"op":10}'), 0.0)
    proto.receive_frame(
        decode_frame(b'{"d":{"session_id":"AB","user":{"id":"1"}},"op":0,"s":1,"t":"READY"}'),
        0.0,
    )
    return proto


def time_protocol(frames: list[Frame]) -> float:
    proto = ready_machine()
    receive = proto.receive_frame
    gc.disable()
    start = time.perf_counter()
    for frame in frames:
        receive(frame, 1.0)
    elapsed = time.perf_counter() - start
    gc.enable()
    assert proto.seq == frames[-1].s
    return elapsed


def time_decode(messages: list[bytes]) -> float:
    gc.disable()
    start = time.perf_counter()
    for raw in messages:
        decode_frame(raw)
    elapsed = time.perf_counter() - start
    gc.enable()
    return elapsed


def measure(count: int, repeats: int) -> tuple[float, float]:
    """Median seconds for ``count`` frames: the protocol machine, and the baseline decode."""
    messages = [message(s) for s in range(2, count + 2)]
    frames = [decode_frame(m) for m in messages]
    proto_runs = []
    base_runs = []
    for _ in range(repeats):
        base_runs.append(time_decode(messages))
        proto_runs.append(time_protocol(frames))
    return statistics.median(proto_runs), statistics.median(base_runs)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=200_000)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args(argv)
    proto, base = measure(args.frames, args.repeats)
    n = args.frames
    print(f"frames: {n}, repeats: {args.repeats}, python {sys.version.split()[0]}")
    print(f"protocol receive_frame: {n / proto / 1e3:8.0f} k/s  ({proto / n * 1e9:6.0f} ns/frame)")
    print(f"baseline decode_frame:  {n / base / 1e3:8.0f} k/s  ({base / n * 1e9:6.0f} ns/frame)")
    print(f"ratio protocol/baseline time: {proto / base:.2f} (medians)")
    print(f"reproduce: python benchmarks/bench_protocol.py --frames {n} --repeats {args.repeats}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
