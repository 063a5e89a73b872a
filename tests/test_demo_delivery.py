"""The demo's exactly-once accounting (fluxer_rx/demo/delivery.py): against the sandbox's
dispatch log through a real socket cut, and fed duplicate frames directly."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

from fluxer_rx import Client, ClientOptions, RestOptions
from fluxer_rx.demo.delivery import Delivery
from fluxer_rx.models import MessageCreate
from fluxer_rx.models.frame import decode_frame
from fluxer_rx.sandbox import Sandbox
from tests.util import wait_until


@contextlib.asynccontextmanager
async def accounted(sb: Sandbox) -> AsyncIterator[tuple[Client, Delivery]]:
    """A client logged in to ``sb``, its deliveries accounted from before its READY."""
    client = Client(ClientOptions(rest=RestOptions(api_url=sb.api_url)))
    delivery = Delivery(client, sb, asyncio.get_running_loop().time)
    login = asyncio.create_task(client.login(sb.token))
    try:
        await client.wait_until_ready(timeout=10)
        yield client, delivery
    finally:
        delivery.close()
        await client.destroy()
        await login


async def test_every_dispatch_is_received_once_across_a_socket_cut() -> None:
    async with Sandbox(guilds=2) as sb, accounted(sb) as (client, delivery):
        await sb.generate(150)
        outage = delivery.cut(sb.drop_connections())
        assert outage is not None
        # messages only while the bot is away: all of them are buffered and replayed
        await sb.generate(100, kinds=("message", "edit", "typing"))
        await asyncio.wait_for(outage.restored.wait(), timeout=10)
        await sb.generate(150)
        marker = asyncio.ensure_future(
            client.wait_for(MessageCreate, lambda m: m.content == "marker", 10)
        )
        await sb.post_message(sb.channel_ids[0], "marker")
        cutoff = len(sb.dispatch_log)
        await marker
        await sb.generate(50)  # after the cut-off: arriving or not, not counted
        sent = [r for r in sb.dispatch_log[:cutoff] if r.t != "RESUMED"]
        later = sb.dispatch_log[cutoff:]
        delivery.sync(upto=cutoff)

        assert sb.dispatch_log == later  # what was counted is consumed
        assert delivery.sent == len(sent) > 400
        assert delivery.received + delivery.gap_reported == delivery.sent
        assert (delivery.in_flight, delivery.duplicated) == (0, 0)
        assert outage.resumed and outage.downtime is not None
        assert outage.noticed_at is not None and outage.cut_at <= outage.noticed_at


async def test_a_dispatch_seen_twice_is_counted_as_duplicated() -> None:
    client = Client()
    delivery = Delivery(client, Sandbox(), asyncio.get_running_loop().time)
    frames = [
        b'{"op":0,"s":1,"t":"READY","d":{"session_id":"s1","user":{"id":"1"}}}',
        b'{"op":0,"s":2,"t":"TYPING_START","d":{"channel_id":"5","user_id":"7"}}',
        b'{"op":0,"s":2,"t":"TYPING_START","d":{"channel_id":"5","user_id":"7"}}',
        b'{"op":0,"s":3,"t":"TYPING_START","d":{"channel_id":"5","user_id":"7"}}',
    ]
    for data in frames:
        client.raw.on_next(decode_frame(data))
    await wait_until(lambda: delivery.duplicated == 1, what="the second seq 2 counted")
    assert delivery.received == 0  # the sandbox sent none of them
    delivery.close()


async def test_a_reaction_sent_during_a_cut_is_counted_as_reported_not_lost() -> None:
    async with Sandbox(guilds=1) as sb, accounted(sb) as (client, delivery):
        channel_id = sb.channel_ids[0]
        message = await sb.post_message(channel_id, "react to me")
        outage = delivery.cut(sb.drop_connections())
        assert outage is not None
        # Fluxer never buffers reactions for a detached session: the resumed client
        # sees the seq jump and reports the gap
        await sb.add_reaction(channel_id, message["id"], "👋")
        await asyncio.wait_for(outage.restored.wait(), timeout=10)
        marker = asyncio.ensure_future(
            client.wait_for(MessageCreate, lambda m: m.content == "marker", 10)
        )
        await sb.post_message(channel_id, "marker")
        await marker
        delivery.sync()
        assert delivery.gap_reported == 1
        assert delivery.received + 1 == delivery.sent
        assert (delivery.in_flight, delivery.duplicated) == (0, 0)
