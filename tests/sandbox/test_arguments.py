"""The sandbox's Python API refuses bad arguments when built, with one-line messages."""

from __future__ import annotations

import asyncio
import io
import math
import socket
from typing import Any

import pytest

from fluxer_rx.sandbox import Sandbox, TrafficGenerator, World
from fluxer_rx.sandbox.standalone import serve


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"port": 99999}, "port must be an integer in 0..65535, got 99999"),
        ({"port": -1}, "port must be an integer in 0..65535, got -1"),
        ({"heartbeat_interval": 0}, "heartbeat_interval must be a finite number > 0, got 0"),
        ({"heartbeat_interval": math.nan}, "heartbeat_interval must be a finite number > 0"),
        ({"guilds": -1}, "guilds must be an integer >= 0, got -1"),
        ({"channels_per_guild": -2}, "channels_per_guild must be an integer >= 0, got -2"),
        ({"members_per_guild": 1.5}, "members_per_guild must be an integer >= 0, got 1.5"),
        ({"messages_per_channel": -1}, "messages_per_channel must be an integer >= 0"),
        ({"traffic_rate": -1}, "traffic_rate must be a finite number >= 0, got -1"),
        ({"traffic_rate": math.inf}, "traffic_rate must be a finite number >= 0, got inf"),
        ({"resume_window": -0.5}, "resume_window must be a finite number >= 0, got -0.5"),
        ({"rate_limit_headers": "X"}, "rate_limit_headers must be 'S' or 'N', got 'X'"),
        ({"rest_window_scale": 0}, "rest_window_scale must be a finite number > 0, got 0"),
        ({"rest_global_limit": 0}, "rest_global_limit must be an integer >= 1, got 0"),
        ({"rest_bucket_limits": {"nope": (1, 1.0)}}, "unknown bucket rule 'nope'"),
        ({"client_rate_limit": (0, 60.0)}, "client_rate_limit payloads must be an integer >= 1"),
        ({"replay_buffer_size": -1}, "replay_buffer_size must be an integer >= 0, got -1"),
        ({"host": ""}, "host must be a non-empty string, got ''"),
    ],
)
def test_bad_arguments_raise_a_one_line_value_error_at_construction(
    arguments: dict[str, Any], message: str
) -> None:
    with pytest.raises(ValueError) as info:
        Sandbox(**arguments)
    text = str(info.value)
    assert text.startswith(message) and "\n" not in text


def test_the_world_checks_its_own_shape() -> None:
    with pytest.raises(ValueError, match=r"^guilds must be an integer >= 0, got -1$"):
        World(guilds=-1)
    with pytest.raises(ValueError, match=r"^messages_per_channel must be an integer >= 0"):
        World(messages_per_channel=-1)


async def test_bad_traffic_arguments_fail_when_asked_not_at_shutdown() -> None:
    traffic = TrafficGenerator(World(guilds=1))
    for bad in (
        {"rate": -1.0},
        {"rate": 0.0},
        {"bursts": True},  # bursts around what rate?
        {"kinds": ("nope",)},
        {"fault_rate": 2.0},
    ):
        with pytest.raises(ValueError):
            traffic.start(**bad)
        assert not traffic.running
    assert await traffic.stop() == 0


async def test_serve_refuses_a_negative_traffic_rate_before_serving() -> None:
    out = io.StringIO()
    sandbox = Sandbox(guilds=1)
    with pytest.raises(ValueError, match=r"^traffic_rate must be a finite number >= 0, got -1"):
        await serve(sandbox, traffic_rate=-1, out=out, stop=asyncio.Event())
    assert out.getvalue() == ""


async def test_a_port_in_use_is_an_os_error_naming_the_address() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        sandbox = Sandbox(port=port)
        with pytest.raises(OSError, match=rf"^\[Errno \d+\] cannot listen on 127.0.0.1:{port}: "):
            await sandbox.start()
    await sandbox.close()
