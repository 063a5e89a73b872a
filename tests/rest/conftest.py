"""Fixtures of the REST tests."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from fluxer_rx.sandbox import Sandbox
from fluxer_rx.sandbox.rest_faults import RestFaults
from tests.rest.http_server import Server


@pytest.fixture
async def server() -> AsyncIterator[Server]:
    async with Server() as srv:
        yield srv


@pytest.fixture(params=["N", "S"])
async def sandbox(request: pytest.FixtureRequest) -> AsyncIterator[Sandbox]:
    """A one-guild sandbox in each rate-limit header style."""
    async with Sandbox(guilds=1, rate_limit_headers=request.param) as sb:
        yield sb


def faults(sb: Sandbox) -> RestFaults:
    """The sandbox's REST fault switches."""
    assert sb.rest is not None
    return sb.rest.faults
