"""The latency GC policy (:mod:`fluxer_rx.gc_policy`): the heap is frozen when the client
becomes ready, again after a reconnect, never once the policy is disposed, and events are
delivered as before."""

from __future__ import annotations

import asyncio
import gc
import weakref
from collections.abc import Iterator

import pytest

from fluxer_rx import Client, ClientOptions, RestOptions
from fluxer_rx.diagnostics import Kind
from fluxer_rx.gc_policy import freeze_heap, freeze_when_ready, unfreeze_heap
from fluxer_rx.lifecycle import ClientState
from fluxer_rx.models import MessageCreate
from fluxer_rx.sandbox import Sandbox
from tests.util import wait_until


@pytest.fixture(autouse=True)
def unfrozen() -> Iterator[None]:
    gc.unfreeze()
    yield
    gc.unfreeze()


class _Node:
    def __init__(self) -> None:
        self.me = self  # a reference cycle: only the cyclic collector frees it


def test_freeze_heap_collects_garbage_first_then_freezes_what_lives() -> None:
    garbage, alive = _Node(), _Node()
    gone = weakref.ref(garbage)
    del garbage
    frozen = freeze_heap()
    assert gone() is None  # collected, not frozen
    assert frozen == gc.get_freeze_count() > 0
    assert not any(o is alive for o in gc.get_objects())  # frozen: no generation holds it
    unfreeze_heap()
    assert gc.get_freeze_count() == 0
    assert any(o is alive for o in gc.get_objects())


async def test_frozen_when_ready_again_after_a_reconnect_and_events_still_arrive() -> None:
    async with Sandbox(guilds=1) as sb:
        client = Client(ClientOptions(rest=RestOptions(api_url=sb.api_url, max_retries=0)))
        freeze_when_ready(client)
        seen: list[str] = []
        client.listen(MessageCreate, lambda m: seen.append(m.content or ""))
        states: list[ClientState] = []
        client.diagnostics.subscribe(
            lambda d: states.append(d.data[1]) if d.kind == Kind.CLIENT_STATE else None
        )
        assert gc.get_freeze_count() == 0
        login = asyncio.create_task(client.login(sb.token))
        try:
            await client.wait_until_ready(timeout=10)
            await wait_until(lambda: gc.get_freeze_count() > 0, what="frozen at ready")
            unfreeze_heap()
            assert sb.drop_connections() == 1
            await wait_until(lambda: gc.get_freeze_count() > 0, what="frozen after resume")
            assert states[-2:] == [ClientState.RECONNECTING, ClientState.READY]
            for text in ("one", "two", "three"):
                await sb.post_message(sb.channel_ids[0], text)
            await wait_until(lambda: len(seen) >= 3)
            assert seen == ["one", "two", "three"]
        finally:
            await client.destroy()
            await login


async def test_a_disposed_policy_freezes_nothing() -> None:
    async with Sandbox(guilds=1) as sb:
        client = Client(ClientOptions(rest=RestOptions(api_url=sb.api_url, max_retries=0)))
        freeze_when_ready(client).dispose()
        login = asyncio.create_task(client.login(sb.token))
        try:
            await client.wait_until_ready(timeout=10)
            assert client.state is ClientState.READY
            assert gc.get_freeze_count() == 0
        finally:
            await client.destroy()
            await login
