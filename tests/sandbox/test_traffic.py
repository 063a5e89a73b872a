"""Seeded traffic: deterministic, covers every kind, honours rate and kinds, can inject faults."""

from __future__ import annotations

import time

import aiohttp
import pytest

from fluxer_rx.sandbox import TRAFFIC_KINDS, Sandbox, TrafficGenerator, World
from tests.sandbox.gateway_client import RawGateway


def run_steps(seed: int, steps: int) -> list[tuple[str, object]]:
    world = World(seed=seed, clock=lambda: 1_767_225_600.0)
    events: list[tuple[str, object]] = []
    world.add_listener(lambda t, d, guild_id, users: events.append((t, d)))
    generator = TrafficGenerator(world, seed=seed)
    for _ in range(steps):
        generator.step()
    return events


def test_same_seed_same_traffic() -> None:
    assert run_steps(7, 400) == run_steps(7, 400)
    assert run_steps(7, 50) != run_steps(8, 50)


def test_every_kind_happens_and_every_step_dispatches() -> None:
    # a small world, so the same user often reacts twice with the same emoji
    world = World(seed=1, guilds=1, channels_per_guild=1, members_per_guild=2)
    events: list[str] = []
    world.add_listener(lambda t, d, guild_id, users: events.append(t))
    generator = TrafficGenerator(world, seed=1)
    for _ in range(1500):
        before = len(events)
        generator.step()
        assert len(events) > before
    assert set(generator.counts) == set(TRAFFIC_KINDS)
    assert generator.steps == 1500
    assert "MESSAGE_REACTION_REMOVE" in events


def test_kinds_filter() -> None:
    world = World(seed=1)
    events: list[str] = []
    world.add_listener(lambda t, d, guild_id, users: events.append(t))
    generator = TrafficGenerator(world, seed=1)
    for _ in range(50):
        generator.step(("typing",))
    assert set(events) == {"TYPING_START"}


async def test_rate_limits_the_pace() -> None:
    async with Sandbox(guilds=1) as sb:
        start = time.monotonic()
        assert await sb.generate(10, rate=100.0) == 10
        assert time.monotonic() - start >= 0.09
        with pytest.raises(ValueError):
            await sb.generate(1, rate=0)
        with pytest.raises(ValueError):
            await sb.generate(1, kinds=("nope",))  # type: ignore[arg-type]


async def test_background_traffic_reaches_a_client_and_stops() -> None:
    async with Sandbox(guilds=1, seed=4) as sb, aiohttp.ClientSession() as http:
        gw = RawGateway(sb, http)
        await gw.connect()
        await gw.identify()
        sb.start_traffic(rate=200.0, kinds=("message",))
        for _ in range(5):
            await gw.dispatch("MESSAGE_CREATE")
        steps = await sb.stop_traffic()
        assert steps >= 5
        await gw.close()


async def test_seeded_random_malformed_frames() -> None:
    async with Sandbox(guilds=1) as sb, aiohttp.ClientSession() as http:
        gw = RawGateway(sb, http)
        await gw.connect()
        await gw.identify()
        await sb.generate(200, kinds=("typing",), fault_rate=0.2)
        kinds = {r.t for r in sb.dispatch_log}
        assert {"TYPING_START", "SANDBOX_UNKNOWN_EVENT", "MESSAGE_CREATE"} <= kinds
        await gw.close()


async def test_bursty_traffic_built_into_the_sandbox_starts_with_it() -> None:
    sandbox = Sandbox(guilds=1, seed=4, traffic_rate=100.0, traffic_bursts=True)
    assert not sandbox.traffic.running
    async with sandbox as sb, aiohttp.ClientSession() as http:
        assert sb.traffic.running
        gw = RawGateway(sb, http)
        await gw.connect()
        await gw.identify()
        for _ in range(3):
            await gw.dispatch()
        with pytest.raises(RuntimeError, match="already running"):
            sb.start_traffic(rate=1.0)
        assert await sb.stop_traffic() >= 3
        await gw.close()


async def test_bursts_keep_the_seeded_sequence_of_actions() -> None:
    steady, bursty = World(seed=9, clock=lambda: 1.8e9), World(seed=9, clock=lambda: 1.8e9)
    events: dict[str, list[object]] = {"steady": [], "bursty": []}
    steady.add_listener(lambda t, d, g, u: events["steady"].append((t, d)))
    bursty.add_listener(lambda t, d, g, u: events["bursty"].append((t, d)))
    await TrafficGenerator(steady, seed=9).run(40, rate=4000.0)
    await TrafficGenerator(bursty, seed=9).run(40, rate=4000.0, bursts=True)
    assert events["steady"] == events["bursty"] and len(events["steady"]) >= 40
