"""``fluxer-rx gateway`` (a real child process) and ``run_gateway`` against the sandbox and a
redis-server: a worker client reads what they publish; SIGINT/SIGTERM end them with exit
0 and one summary line; bad arguments are one line and exit 2; the token stays secret."""

from __future__ import annotations

import asyncio
import os
import signal
import sys

import pytest

from fluxer_rx import Client, ClientOptions, RestOptions
from fluxer_rx.bus.bus_options import RedisBus
from fluxer_rx.bus.gateway_run import run_gateway
from fluxer_rx.bus.redis_broker import RedisBrokerOptions
from fluxer_rx.cli import main
from fluxer_rx.gateway.options import GatewayOptions
from fluxer_rx.models import MessageCreate
from fluxer_rx.sandbox import Sandbox
from tests.bus.children import ROOT
from tests.redis_server import RedisServer
from tests.util import wait_until

pytestmark = pytest.mark.fluxer_sandbox(guilds=2)


async def read_through_a_worker(sb: Sandbox, bus: RedisBus) -> None:
    """A worker client on ``bus`` gets ready with the sandbox's guilds and sees a message."""
    client = Client(ClientOptions(rest=RestOptions(api_url=sb.api_url), bus=bus))
    login = asyncio.create_task(client.login(sb.token))
    try:
        await client.wait_until_ready(timeout=20)
        assert set(client.cache.guilds) == set(sb.guild_ids)
        seen: list[str] = []
        client.events.stream(MessageCreate).subscribe(lambda e: seen.append(e.content))
        await sb.post_message(sb.channel_ids[0], "through the gateway process")
        await wait_until(lambda: seen == ["through the gateway process"], within=10, what="msg")
    finally:
        await client.close()
        await login


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
async def test_the_gateway_command_runs_until_a_signal(
    fluxer_sandbox: Sandbox, redis_server: RedisServer, sig: signal.Signals
) -> None:
    sb = fluxer_sandbox
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "fluxer_rx.cli", "gateway",
        "--redis", redis_server.url, "--shard-count", "1", "--shards", "0",
        "--gateway", sb.gateway_url, "--api", sb.api_url, "--prefix", "cli", "--lease-ttl", "2",
        cwd=ROOT,
        env={**os.environ, "FLUXER_TOKEN": sb.token},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    try:
        bus = RedisBus(redis_server.url, broker=RedisBrokerOptions(prefix="cli"), lease_ttl=2.0)
        await read_through_a_worker(sb, bus)
        process.send_signal(sig)
        out, err = await asyncio.wait_for(process.communicate(), 15)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    assert process.returncode == 0, err.decode()
    lines = out.decode().splitlines()
    assert len(lines) == 1 and lines[0].startswith("fluxer-rx gateway: ran shards 0; published ")
    assert sb.token not in out.decode() + err.decode()


async def test_run_gateway_from_python_until_stop(
    fluxer_sandbox: Sandbox, redis_server: RedisServer
) -> None:
    sb = fluxer_sandbox
    bus = RedisBus(redis_server.url, broker=RedisBrokerOptions(prefix="py"), lease_ttl=2.0)
    stop = asyncio.Event()
    running = asyncio.create_task(
        run_gateway(
            sb.token,
            bus,
            gateway=GatewayOptions(url=sb.gateway_url),
            rest=RestOptions(api_url=sb.api_url),
            stop=stop,
        )
    )
    try:
        await read_through_a_worker(sb, bus)
    finally:
        stop.set()
        summary = await asyncio.wait_for(running, 10)
    assert summary.shards == (0,)
    assert summary.frames >= len(sb.dispatch_log)


@pytest.mark.parametrize(
    ("argv", "env", "message"),
    [
        (["--redis", "redis://127.0.0.1:1"], {}, "set the bot token in the FLUXER_TOKEN"),
        (["--redis", "http://x"], {"FLUXER_TOKEN": "t"}, "--redis: must be a URL redis://"),
        (
            ["--redis", "redis://h", "--shard-count", "2", "--shards", "1-2"],
            {"FLUXER_TOKEN": "t"},
            "shards must be ids in 0..1",
        ),
        (["--redis", "redis://h", "--shards", "3-1"], {"FLUXER_TOKEN": "t"}, "not a shard range"),
        (["--redis", "redis://h", "--shard-count", "0"], {"FLUXER_TOKEN": "t"}, "must be in 1.."),
    ],
)
def test_bad_arguments_are_one_line_and_exit_2(
    argv: list[str],
    env: dict[str, str],
    message: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.delenv("FLUXER_TOKEN", raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    try:
        code = main(["gateway", *argv])
    except SystemExit as exc:  # argparse's own checks
        code = int(exc.code or 0)
    err = capsys.readouterr().err
    assert code == 2
    assert len(err.strip().splitlines()) == 1 and err.startswith("fluxer-rx gateway: error: ")
    assert message in err, err
