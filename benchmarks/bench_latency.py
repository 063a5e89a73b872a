"""Receive -> handler latency at a paced 10 k events/s: p50 / p90 / p99 / p99.9 / max.

A sandbox in a child process (so the sender never shares the receiver's event loop)
writes MESSAGE_CREATE dispatches to one session at ``--rate`` events/s, in ticks of about
1 ms (asyncio's timer resolution: ~10 events per tick at 10 k/s). Each frame carries the
time it was written (``time.monotonic_ns()``, one clock for both processes on Linux) in
its ``content``, stamped just before the write. The receivers, alternated in rounds:

* ``raw reader``: aiohttp + ``json.loads``, the time taken when the dict is decoded (the
  baseline: what any client pays before a handler could run);
* ``fluxer_rx[<transport>]``: a logged-in client; the time is taken in a
  ``@client.listen(MessageCreate)`` handler, after decode, protocol, cache fold and
  routing, i.e. what a bot's handler sees.

The first 500 events of a run are a warm-up and not counted. Percentiles are computed per
run; the medians over the runs are printed, with the worst run's max.

    python benchmarks/bench_latency.py [--rate 10000] [--seconds 2] [--runs 5]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from functools import partial
from multiprocessing.connection import Connection

import aiohttp

from fluxer_rx import Client, ClientOptions, GatewayOptions, RestOptions
from fluxer_rx.gateway.transport import TRANSPORT_NAMES
from fluxer_rx.models import MessageCreate
from fluxer_rx.options import Transport
from fluxer_rx.sandbox import Sandbox
from fluxer_rx.sandbox.firehose import build_frames

_PROPERTIES = {"os": "linux", "browser": "bench", "device": "bench"}
COMMAND = "python benchmarks/bench_latency.py"
DEFAULT_TRANSPORT = ClientOptions().gateway.transport
WARM_UP = 500
PLACEHOLDER = b"T" + b"0" * 19
TARGET_P99_MS = 0.5
PERCENTILES = (("p50", 0.50), ("p90", 0.90), ("p99", 0.99), ("p99.9", 0.999))

# ------------------------------------------------------------------ the sender (child)


def _stamped_templates(sb: Sandbox, count: int, first_seq: int) -> list[bytes]:
    """``count`` firehose frames (websocket header included) whose ``content`` is the
    fixed-width ``PLACEHOLDER``, so stamping keeps every frame's length."""
    frames = []
    for frame in build_frames(sb.world, count, first_seq):
        start = frame.index(b'"content":"') + len(b'"content":"')
        end = frame.index(b'"', start)
        frames.append(_reframed(frame[:start] + PLACEHOLDER + frame[end:]))
    return frames


def _reframed(frame: bytes) -> bytes:
    """``frame`` (an unmasked text frame whose payload was edited) with its length field
    rewritten."""
    length = frame[1] & 0x7F
    offset = 2 if length < 126 else (4 if length == 126 else 10)
    payload = frame[offset:]
    n = len(payload)
    if n < 126:
        header = bytes((0x81, n))
    elif n < 65536:
        header = bytes((0x81, 126)) + n.to_bytes(2, "big")
    else:
        header = bytes((0x81, 127)) + n.to_bytes(8, "big")
    return header + payload


async def _paced(sb: Sandbox, rate: float, count: int) -> int:
    """Write ``count`` stamped MESSAGE_CREATE frames at ``rate`` per second to the first
    session; return how many were written."""
    await sb.wait_for_session()
    # the newest connection's session: the receiver that just identified
    session = max(sb.gateway.attached_sessions, key=lambda s: s.conn.number if s.conn else 0)
    conn = session.conn
    assert conn is not None
    templates = _stamped_templates(sb, count, session.seq + 1)
    session.seq += count
    clock = time.monotonic_ns
    start = clock()
    sent = 0
    while sent < count:
        due = min(count, int((clock() - start) * rate / 1e9) + 1)
        while sent < due:
            stamp = b"T%019d" % clock()
            if not conn.write_raw(templates[sent].replace(PLACEHOLDER, stamp, 1)):
                return sent
            sent += 1
        next_due = start + sent * 1e9 / rate
        await asyncio.sleep(max(0.0, (next_due - clock()) / 1e9))
    return sent


async def _serve(pipe: Connection) -> None:
    loop = asyncio.get_running_loop()
    async with Sandbox(members_per_guild=20, messages_per_channel=0) as sb:
        pipe.send((sb.gateway_url, sb.api_url, sb.token))
        while (command := await loop.run_in_executor(None, pipe.recv)) is not None:
            rate, count = command
            pipe.send(await _paced(sb, rate, count))


def _sender_main(pipe: Connection) -> None:
    asyncio.run(_serve(pipe))


# ------------------------------------------------------------------ the receivers


class Sender:
    """The child process and how to ask it for a paced run."""

    def __init__(self) -> None:
        context = multiprocessing.get_context("spawn")
        self._pipe, child = context.Pipe()
        self._process = context.Process(target=_sender_main, args=(child,), daemon=True)
        self._process.start()
        self.gateway_url, self.api_url, self.token = self._pipe.recv()

    async def pace(self, rate: float, count: int) -> int:
        self._pipe.send((rate, count))
        sent: int = await asyncio.get_running_loop().run_in_executor(None, self._pipe.recv)
        return sent

    def stop(self) -> None:
        self._pipe.send(None)
        self._process.join(10)


def _latency_of(content: str, now: int) -> float:
    return (now - int(content[1:])) / 1e6  # ms


async def raw_run(sender: Sender, rate: float, count: int) -> list[float]:
    """Latencies (ms) seen by aiohttp + ``json.loads``."""
    latencies: list[float] = []
    clock = time.monotonic_ns
    async with aiohttp.ClientSession() as http:
        ws = await http.ws_connect(sender.gateway_url + "/?v=1&encoding=json", max_msg_size=0)
        await ws.receive()  # HELLO
        identify = {"op": 2, "d": {"token": sender.token, "properties": _PROPERTIES}}
        await ws.send_str(json.dumps(identify))
        while '"READY"' not in (await ws.receive()).data:
            pass

        async def read() -> None:
            async for msg in ws:
                frame = json.loads(msg.data)
                if frame.get("t") == "MESSAGE_CREATE":
                    latencies.append(_latency_of(frame["d"]["content"], clock()))
                    if len(latencies) == count:
                        return

        reading = asyncio.create_task(read())
        await sender.pace(rate, count)
        await asyncio.wait_for(reading, 60)
        await ws.close()
    return latencies


async def client_run(
    sender: Sender, rate: float, count: int, transport: Transport
) -> list[float]:
    """Latencies (ms) seen by a ``@client.listen(MessageCreate)`` handler."""
    latencies: list[float] = []
    clock = time.monotonic_ns
    gateway = GatewayOptions(transport=transport)
    client = Client(ClientOptions(rest=RestOptions(api_url=sender.api_url), gateway=gateway))
    all_in: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    @client.listen(MessageCreate)
    def on_message(event: MessageCreate) -> None:
        latencies.append(_latency_of(event.content or "", clock()))
        if len(latencies) == count:
            all_in.set_result(None)

    login = asyncio.create_task(client.login(sender.token))
    await client.wait_until_ready(timeout=10)
    await sender.pace(rate, count)
    await asyncio.wait_for(all_in, 60)
    await client.destroy()
    await login
    return latencies


def percentiles(latencies: list[float]) -> dict[str, float]:
    """p50 ... p99.9 and max (ms) of ``latencies`` past the warm-up."""
    counted = sorted(latencies[WARM_UP:])
    out = {name: counted[min(len(counted) - 1, int(q * len(counted)))] for name, q in PERCENTILES}
    out["max"] = counted[-1]
    return out


async def measure(
    rate: float, seconds: float, runs: int, transports: tuple[Transport, ...]
) -> dict[str, list[dict[str, float]]]:
    """Per contender, the percentiles of each run (rounds alternate the contenders)."""
    count = int(rate * seconds) + WARM_UP
    sender = Sender()
    contenders: dict[str, Callable[[], Awaitable[list[float]]]] = {
        "raw reader (aiohttp + json.loads)": partial(raw_run, sender, rate, count)
    }
    for transport in transports:
        contenders[f"fluxer_rx[{transport}] @client.listen"] = partial(
            client_run, sender, rate, count, transport
        )
    results: dict[str, list[dict[str, float]]] = {name: [] for name in contenders}
    try:
        for _ in range(runs):
            for name, run in contenders.items():
                results[name].append(percentiles(await run()))
    finally:
        sender.stop()
    return results


async def main(rate: float, seconds: float, runs: int) -> None:
    transports = tuple(t for t in TRANSPORT_NAMES if t != "websockets")
    results = await measure(rate, seconds, runs, transports)
    print(
        f"receive -> handler latency at {rate:,.0f} events/s, {seconds:g} s x {runs} "
        f"alternated runs (ms; median of the runs' percentiles, max: the worst run):"
    )
    names = [name for name, _ in PERCENTILES] + ["max"]
    print(f"  {'':42s}" + "".join(f"{n:>9s}" for n in names))
    for contender, runs_ in results.items():
        row = [statistics.median(r[n] for r in runs_) for n, _ in PERCENTILES]
        row.append(max(r["max"] for r in runs_))
        print(f"  {contender:42s}" + "".join(f"{v:9.3f}" for v in row))
    default = results[f"fluxer_rx[{DEFAULT_TRANSPORT}] @client.listen"]
    p99 = statistics.median(r["p99"] for r in default)
    baseline = statistics.median(r["p99"] for r in results["raw reader (aiohttp + json.loads)"])
    verdict = "met" if p99 <= TARGET_P99_MS else "NOT met"
    print(
        f"default transport ({DEFAULT_TRANSPORT}) p99 {p99:.3f} ms vs raw reader p99 "
        f"{baseline:.3f} ms (x{p99 / baseline:.2f}); target p99 <= {TARGET_P99_MS} ms: {verdict}"
    )
    print(f"reproduce: {COMMAND} --rate {rate:g} --seconds {seconds:g} --runs {runs}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=10_000)
    parser.add_argument("--seconds", type=float, default=2.0)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    asyncio.run(main(args.rate, args.seconds, args.runs))
    sys.exit(0)
