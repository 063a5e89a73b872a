"""Fixtures of the REST tests."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.rest.http_server import Server


@pytest.fixture
async def server() -> AsyncIterator[Server]:
    async with Server() as srv:
        yield srv
