"""The ``fluxer_sandbox`` fixture of the pytest plugin (loaded through its entry point)."""

from __future__ import annotations

import json

import aiohttp
import pytest

from fluxer_rx.sandbox import Sandbox


def test_plugin_is_registered_through_the_entry_point(pytestconfig: pytest.Config) -> None:
    assert pytestconfig.pluginmanager.has_plugin("fluxer_rx_sandbox")


async def test_fixture_gives_a_running_sandbox(fluxer_sandbox: Sandbox) -> None:
    async with aiohttp.ClientSession() as http:
        headers = {"Authorization": f"Bot {fluxer_sandbox.token}"}
        async with http.get(f"{fluxer_sandbox.api_url}/users/@me", headers=headers) as resp:
            assert resp.status == 200
            assert (await resp.json())["id"] == fluxer_sandbox.bot_id
        ws = await http.ws_connect(f"{fluxer_sandbox.gateway_url}/?v=1&encoding=json")
        assert json.loads(await ws.receive_str(timeout=5))["op"] == 10
        await ws.close()
    assert len(fluxer_sandbox.guild_ids) == 2


@pytest.mark.fluxer_sandbox(seed=9, guilds=1, channels_per_guild=2, heartbeat_interval=0.5)
async def test_marker_passes_sandbox_options(fluxer_sandbox: Sandbox) -> None:
    assert fluxer_sandbox.seed == 9
    assert len(fluxer_sandbox.guild_ids) == 1 and len(fluxer_sandbox.channel_ids) == 2
    assert fluxer_sandbox.config.heartbeat_interval_ms == 500
