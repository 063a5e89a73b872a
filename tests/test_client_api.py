"""The bot author's API (#14) through a Client logged into the sandbox: ``listen`` and
``on`` as decorators, ``client.run_async``, and the message methods of the managers."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest

from fluxer_rx import Client, ClientOptions, RestOptions
from fluxer_rx.diagnostics import Diagnostic, Kind
from fluxer_rx.models import Events, MessageCreate, TypingStart
from fluxer_rx.operators import EffectOverflow, of_type
from fluxer_rx.sandbox import Sandbox
from tests.util import logged_in_client, wait_until


@pytest.fixture
async def logged_in() -> AsyncIterator[tuple[Sandbox, Client]]:
    async with Sandbox(guilds=1) as sb, logged_in_client(sb) as client:
        yield sb, client


def diagnostics_of(client: Client, kind: str) -> list[Diagnostic]:
    found: list[Diagnostic] = []
    client.diagnostics.subscribe(lambda d: found.append(d) if d.kind == kind else None)
    return found


async def test_listen_and_on_as_decorators_and_as_calls(
    logged_in: tuple[Sandbox, Client],
) -> None:
    sb, client = logged_in
    channel = sb.channel_ids[0]
    decorated: list[str] = []
    called: list[str] = []
    named: list[str] = []
    typing: list[str] = []

    @client.listen(MessageCreate)
    async def on_message(message: MessageCreate) -> None:
        decorated.append(message.content)

    @client.on(Events.MESSAGE_CREATE)
    def on_named(d: dict[str, Any]) -> None:
        named.append(d["content"])

    remove = client.listen(MessageCreate, lambda m: called.append(m.content))
    client.listen(TypingStart, lambda t: typing.append(t.channel_id))
    assert callable(on_message) and on_message.__name__ == "on_message"  # returned unchanged

    await sb.post_message(channel, "one")
    await wait_until(lambda: decorated == ["one"] and called == ["one"] and named == ["one"])
    remove()
    await sb.post_message(channel, "two")
    await wait_until(lambda: decorated == ["one", "two"] and named == ["one", "two"])
    assert called == ["one"]  # removed before "two"
    assert typing == []  # a listener of another class saw none of the messages
    with pytest.raises(TypeError):
        client.listen("MESSAGE_CREATE")  # type: ignore[call-overload]


async def test_listener_errors_go_to_diagnostics(logged_in: tuple[Sandbox, Client]) -> None:
    sb, client = logged_in
    errors = diagnostics_of(client, Kind.HANDLER_ERROR)
    boom = RuntimeError("listener failed")

    @client.listen(MessageCreate)
    async def failing(message: MessageCreate) -> None:
        raise boom

    await sb.post_message(sb.channel_ids[0], "hi")
    await wait_until(lambda: any(d.data is boom for d in errors))


async def test_run_async_reports_errors_and_drops_on_diagnostics(
    logged_in: tuple[Sandbox, Client],
) -> None:
    sb, client = logged_in
    errors = diagnostics_of(client, Kind.HANDLER_ERROR)
    overflows = diagnostics_of(client, Kind.HANDLER_OVERFLOW)
    gate = asyncio.Event()
    handled: list[str] = []

    async def effect(message: MessageCreate) -> str:
        if message.content == "bad":
            raise ValueError("bad message")
        await gate.wait()
        handled.append(message.content)
        return message.content

    results: list[str] = []
    client.events.pipe(
        of_type(MessageCreate), client.run_async(effect, concurrency=1, max_pending=1)
    ).subscribe(results.append)
    channel = sb.channel_ids[0]
    for text in ("a", "b", "c", "d"):  # a runs, b waits, c then d push the oldest out
        await sb.post_message(channel, text)
    await wait_until(lambda: len(overflows) == 1)
    assert isinstance(overflows[0].data, EffectOverflow) and overflows[0].data.dropped == 1
    gate.set()
    await wait_until(lambda: results == ["a", "d"])
    await sb.post_message(channel, "bad")
    await wait_until(lambda: len(errors) == 1)
    assert isinstance(errors[0].data, ValueError)


async def test_run_async_tasks_are_cancelled_when_the_run_ends() -> None:
    async with Sandbox(guilds=1) as sb:
        client = Client(ClientOptions(rest=RestOptions(api_url=sb.api_url)))
        started = asyncio.Event()
        cancelled: list[str] = []

        async def forever(message: MessageCreate) -> None:
            started.set()
            try:
                await asyncio.Event().wait()
            except asyncio.CancelledError:
                cancelled.append(message.content)
                raise

        client.events.pipe(of_type(MessageCreate), client.run_async(forever)).subscribe()
        task = asyncio.create_task(client.login(sb.token))
        await client.wait_until_ready(timeout=10)
        await sb.post_message(sb.channel_ids[0], "slow")
        await asyncio.wait_for(started.wait(), 5)
        await client.destroy()
        await task
        assert cancelled == ["slow"]


async def test_messages_reply_react_edit_delete_and_channels_send(
    logged_in: tuple[Sandbox, Client],
) -> None:
    sb, client = logged_in
    channel_id = sb.channel_ids[0]
    seen: list[MessageCreate] = []
    client.listen(MessageCreate, seen.append)
    posted = await sb.post_message(channel_id, "!ping")
    await wait_until(lambda: any(m.id == posted["id"] for m in seen))
    ping = next(m for m in seen if m.id == posted["id"])

    reply = await client.messages.reply(ping, "pong")
    stored = sb.world.get_message(channel_id, reply.id)
    assert stored.content == "pong"
    assert stored.message_reference is not None
    assert stored.message_reference["message_id"] == ping.id
    assert stored.message_reference["channel_id"] == channel_id

    await client.messages.react(ping, "👍")
    assert [u.id for u in sb.world.reaction_users(channel_id, ping.id, "👍")] == [sb.bot_id]
    await client.messages.unreact(ping, "👍")
    assert sb.world.reaction_users(channel_id, ping.id, "👍") == []

    edited = await client.messages.edit(reply, "pong!")
    assert edited.content == "pong!" == sb.world.get_message(channel_id, reply.id).content
    await client.messages.delete(reply)
    assert all(m.id != reply.id for m in sb.world.list_messages(channel_id))

    channel = client.channels.get(channel_id)
    assert channel is not None
    sent = await client.channels.send(channel, "by object")  # a cached channel, not an id
    assert sent.channel_id == channel_id
    assert sb.world.get_message(channel_id, sent.id).content == "by object"
