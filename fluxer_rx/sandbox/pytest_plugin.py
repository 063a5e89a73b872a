"""pytest plugin (entry point ``fluxer_rx_sandbox``): the ``fluxer_sandbox`` fixture.

Test your own bot offline::

    async def test_my_bot_replies(fluxer_sandbox):
        bot = MyBot(token=fluxer_sandbox.token, api_url=fluxer_sandbox.api_url,
                    gateway_url=fluxer_sandbox.gateway_url)
        ...
        await fluxer_sandbox.post_message(fluxer_sandbox.channel_ids[0], "!ping")

Each test gets a fresh, started :class:`~fluxer_rx.sandbox.Sandbox` on 127.0.0.1, closed
after the test. Pass ``Sandbox`` keyword arguments with the marker
``@pytest.mark.fluxer_sandbox(seed=3, guilds=1, heartbeat_interval=0.5)``. The fixture is
async and needs pytest-asyncio; without it, using the fixture fails with that message
(and the plugin never breaks test sessions that do not use it).
"""

from __future__ import annotations

import importlib.util
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from fluxer_rx.sandbox.server import Sandbox

__all__ = ["fluxer_sandbox"]


def pytest_configure(config: pytest.Config) -> None:
    """Register the ``fluxer_sandbox`` marker."""
    config.addinivalue_line(
        "markers",
        "fluxer_sandbox(**options): keyword arguments for the fluxer_sandbox fixture's Sandbox",
    )


if importlib.util.find_spec("pytest_asyncio") is not None:
    import pytest_asyncio

    @pytest_asyncio.fixture
    async def fluxer_sandbox(request: pytest.FixtureRequest) -> AsyncIterator[Sandbox]:
        """A started sandbox for one test (options from the ``fluxer_sandbox`` marker)."""
        # imported here so that merely loading the plugin stays cheap and safe
        from fluxer_rx.sandbox.server import Sandbox

        marker = request.node.get_closest_marker("fluxer_sandbox")
        options = dict(marker.kwargs) if marker is not None else {}
        async with Sandbox(**options) as sandbox:
            yield sandbox

else:

    @pytest.fixture(name="fluxer_sandbox")
    def _fluxer_sandbox_unavailable() -> None:
        """Placeholder that explains the missing dependency."""
        pytest.fail("the fluxer_sandbox fixture needs pytest-asyncio (pip install pytest-asyncio)")
