"""``fluxer-rx sandbox`` prints a second token for ``sandbox-user`` and logs connections and
posts; ``fluxer-rx say`` posts as that user, so a bot under development can be driven from
a shell. Both run as a user runs them: child processes, real sockets on 127.0.0.1."""

from __future__ import annotations

import asyncio
import signal
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest

from fluxer_rx import Client, ClientOptions, RestOptions
from fluxer_rx.models import MessageCreate
from tests.cli_util import closed_port, run_cli


@dataclass(frozen=True)
class Served:
    api: str
    token: str
    channels: list[str]
    user_id: str
    user_token: str
    proc: asyncio.subprocess.Process


@pytest.fixture
async def served() -> AsyncIterator[Served]:
    """``fluxer-rx sandbox --port 0 --guilds 1`` with steady traffic, running, its printed
    values parsed."""
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "fluxer_rx.cli",
        "sandbox",
        "--port",
        "0",
        "--guilds",
        "1",
        "--traffic-rate",
        "20",
        "--steady",
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    assert proc.stdout is not None
    printed: dict[str, str] = {}
    try:
        async with asyncio.timeout(30):
            while "user token" not in printed:
                line = (await proc.stdout.readline()).decode()
                assert line, "the sandbox ended before printing the other user's token"
                key, _, value = line.partition(":")
                printed[key.strip()] = value.strip()
        yield Served(
            api=printed["api"],
            token=printed["token"],
            channels=printed["channels"].split(", "),
            user_id=printed["user"].split()[-1],
            user_token=printed["user token"],
            proc=proc,
        )
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()


async def test_say_posts_as_the_other_user_and_the_bot_sees_it(served: Served) -> None:
    assert served.user_token.startswith("flx_") and served.user_token != served.token
    client = Client(ClientOptions(rest=RestOptions(api_url=served.api)))
    seen: asyncio.Future[MessageCreate] = asyncio.get_running_loop().create_future()

    def on_message(event: object) -> None:
        if isinstance(event, MessageCreate) and event.content == "!ping" and not seen.done():
            seen.set_result(event)

    client.events.subscribe(on_message)
    login = asyncio.create_task(client.login(served.token))
    try:
        await client.wait_until_ready(timeout=15)
        channel = served.channels[0]
        env = {"FLUXER_USER_TOKEN": served.user_token}
        code, out, err = await run_cli("say", channel, "!ping", "--api", served.api, env=env)
        assert (code, err) == (0, ""), err
        assert out.startswith("posted message ") and out.endswith(f" to channel {channel}\n")
        message = await asyncio.wait_for(seen, 10)
        assert message.author.id == served.user_id and message.channel_id == channel
        assert out.split()[2] == message.id

        code, out, err = await run_cli(
            "say", channel, "hi", env={"FLUXER_API": served.api, "FLUXER_USER_TOKEN": "flx_no"}
        )
        assert code == 1 and out == ""
        assert err.startswith("fluxer-rx say: error: ") and err.count("\n") == 1
        assert "flx_no" not in err
    finally:
        await client.destroy()
        await login

    served.proc.send_signal(signal.SIGINT)
    async with asyncio.timeout(15):
        assert await served.proc.wait() == 0
    assert served.proc.stderr is not None
    log = (await served.proc.stderr.read()).decode()
    assert "gateway connection #1 opened" in log
    assert message.id in log and served.user_id in log  # the post, logged
    assert served.token not in log and served.user_token not in log


async def test_say_needs_an_api_and_a_token() -> None:
    no_env = {"FLUXER_API": "", "FLUXER_USER_TOKEN": ""}
    code, _, err = await run_cli("say", "1", "hi", env=no_env)
    assert code == 2
    assert err == "fluxer-rx say: error: give --api URL or set FLUXER_API (the sandbox prints it)\n"
    code, _, err = await run_cli("say", "1", "hi", "--api", "http://127.0.0.1:1/v1", env=no_env)
    assert code == 2
    assert err == (
        "fluxer-rx say: error: set the user's token in FLUXER_USER_TOKEN (the sandbox prints it)\n"
    )
    code, _, err = await run_cli("say", "1", "hi", env={"FLUXER_API": "localhost:1"})
    assert code == 2
    assert err.startswith("fluxer-rx say: error: FLUXER_API: must be a URL http://")
    url = f"http://127.0.0.1:{closed_port()}/v1"
    code, _, err = await run_cli("say", "1", "hi", "--api", url, env={"FLUXER_USER_TOKEN": "flx_x"})
    assert code == 1
    assert err == f"fluxer-rx say: error: cannot reach {url}: connection refused\n"
