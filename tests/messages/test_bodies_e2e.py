"""Embeds, allowed_mentions and replies sent through the client's managers, the commands'
context and the REST layer, as the sandbox stores them."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from fluxer_rx import AllowedMentions, Client, Embed
from fluxer_rx.messages import message_body
from fluxer_rx.models import MessageCreate
from fluxer_rx.sandbox import Sandbox
from fluxer_rx.sandbox.world import Message as StoredMessage
from tests.util import logged_in_client, wait_until


@pytest.fixture
async def logged_in() -> AsyncIterator[tuple[Sandbox, Client]]:
    async with Sandbox(guilds=1) as sb, logged_in_client(sb) as client:
        yield sb, client


EMBED = (
    Embed(title="Poll", description="Pizza?", color=0x3498DB, url="https://fluxer.app")
    .add_field("👍", "2", inline=True)
    .set_footer("closed")
    .set_author("bot", icon_url="https://fluxerusercontent.com/avatars/1/h.png")
    .set_image("https://x/i.png")
    .set_thumbnail("https://x/t.png", description="thumb")
)


def stored_form(embed: dict[str, object]) -> dict[str, object]:
    """The sandbox stores a sent embed as the API does: with ``type`` "rich"."""
    return {"type": "rich", **embed}


def stored(sb: Sandbox, channel_id: str, message_id: str) -> StoredMessage:
    [message] = [m for m in sb.world.list_messages(channel_id) if m.id == message_id]
    return message


async def received(seen: list[MessageCreate], message_id: str) -> MessageCreate:
    await wait_until(lambda: any(m.id == message_id for m in seen))
    return next(m for m in seen if m.id == message_id)


async def test_send_stores_the_embed_and_the_event_carries_it(
    logged_in: tuple[Sandbox, Client],
) -> None:
    sb, client = logged_in
    channel_id = sb.channel_ids[0]
    seen: list[MessageCreate] = []
    client.listen(MessageCreate, seen.append)
    sent = await client.channels.send(
        channel_id, "results", embeds=[EMBED], allowed_mentions=AllowedMentions.none()
    )
    assert stored(sb, channel_id, sent.id).content == "results"
    assert stored(sb, channel_id, sent.id).embeds == [stored_form(EMBED.to_dict())]
    assert sent.embeds is not None and sent.embeds[0].title == "Poll"
    event = await received(seen, sent.id)
    assert event.embeds is not None
    embed = event.embeds[0]
    assert embed.fields is not None and embed.fields[0].name == "👍"
    assert embed.footer is not None and embed.footer.text == "closed"

    only_embed = await client.channels.send(channel_id, embeds=[Embed(description="just this")])
    bare = stored(sb, channel_id, only_embed.id)
    assert bare.content in ("", None)
    assert bare.embeds == [stored_form({"description": "just this"})]


async def test_reply_with_an_embed_references_the_message(
    logged_in: tuple[Sandbox, Client],
) -> None:
    sb, client = logged_in
    channel_id = sb.channel_ids[0]
    seen: list[MessageCreate] = []
    client.listen(MessageCreate, seen.append)
    posted = await sb.post_message(channel_id, "!stats")
    asked = await received(seen, posted["id"])

    reply = await client.messages.reply(
        asked, embeds=[EMBED], allowed_mentions=AllowedMentions.users(asked.author.id)
    )
    answer = stored(sb, channel_id, reply.id)
    assert answer.message_reference is not None
    assert answer.message_reference["message_id"] == posted["id"]
    assert answer.embeds == [stored_form(EMBED.to_dict())]
    assert reply.type == 19


async def test_message_body_through_the_rest_layer(logged_in: tuple[Sandbox, Client]) -> None:
    sb, client = logged_in
    channel_id = sb.channel_ids[0]
    first = await client.channels.send(channel_id, "first")
    body = message_body(
        "see above",
        embeds=[EMBED, {"title": "raw"}],
        allowed_mentions=AllowedMentions.none(),
        reply_to=first,
    )
    assert body["message_reference"] == {"message_id": first.id, "channel_id": channel_id}
    assert body["allowed_mentions"] == {"parse": [], "replied_user": False}
    created = await client.rest.create_message(channel_id, body)
    message = stored(sb, channel_id, created.id)
    assert message.embeds == [stored_form(EMBED.to_dict()), stored_form({"title": "raw"})]
    assert message.message_reference is not None
    assert message.message_reference["message_id"] == first.id
