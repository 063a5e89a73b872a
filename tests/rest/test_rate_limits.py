"""Client-side limiting against the sandbox's limiter, in both header styles: no 429s."""

from __future__ import annotations

import asyncio

import pytest

from fluxer_rx.options import RestOptions
from fluxer_rx.rest import Rest, Route
from fluxer_rx.sandbox import Sandbox
from tests.util import wait_until

CREATE = "channel:message:create"


def rejections(sb: Sandbox) -> int:
    assert sb.rest is not None
    return sb.rest.limiter.rejections


@pytest.mark.parametrize("style", ["N", "S"])
async def test_buckets_per_channel_are_independent(style: str) -> None:
    async with (
        Sandbox(
            guilds=1,
            channels_per_guild=2,
            rate_limit_headers=style,  # type: ignore[arg-type]
            rest_bucket_limits={CREATE: (2, 30.0)},
        ) as sb,
        # time enough for the 30 s window: the blocked send must wait, not give up
        Rest(sb.token, RestOptions(api_url=sb.api_url, timeout=60.0)) as rest,
    ):
        a, b = sb.channel_ids[:2]
        await rest.create_message(a, "1")
        await rest.create_message(a, "2")
        blocked = asyncio.ensure_future(rest.create_message(a, "3"))
        bucket_a = rest.http.buckets.bucket_for(
            Route("POST", "/channels/{channel_id}/messages", channel_id=a)
        )
        await wait_until(lambda: bucket_a.waiting == 1)
        # Channel b has its own bucket: it is served at once while a waits 30 s.
        sent = await asyncio.wait_for(rest.create_message(b, "other channel"), 5.0)
        assert sent.channel_id == b
        assert not blocked.done()
        assert rejections(sb) == 0
        blocked.cancel()
        with pytest.raises(asyncio.CancelledError):
            await blocked
        assert bucket_a.in_flight == 0


@pytest.mark.parametrize("style", ["N", "S"])
async def test_concurrent_burst_over_several_channels_gets_no_429(style: str) -> None:
    # Bucket 4 per 0.3 s per channel, global 12 per 0.3 s: both bind during the burst.
    async with (
        Sandbox(
            guilds=1,
            channels_per_guild=3,
            rate_limit_headers=style,  # type: ignore[arg-type]
            rest_bucket_limits={CREATE: (4, 3.0)},
            rest_global_limit=12,
            rest_window_scale=0.1,
        ) as sb,
        Rest(sb.token, RestOptions(api_url=sb.api_url, global_rate_limit=12 / 0.3)) as rest,
    ):
        channels = sb.channel_ids[:3]
        sends = [rest.create_message(channels[i % 3], f"burst {i}") for i in range(36)]
        messages = await asyncio.wait_for(asyncio.gather(*sends), 30.0)
        assert len({m.id for m in messages}) == 36
        assert rejections(sb) == 0
        assert rest.stats.rate_limited == 0
        assert rest.stats.requests == 36


async def test_without_proactive_limit_the_server_429s_are_absorbed() -> None:
    # The same burst with the global limiter off: the server refuses some requests, the
    # client waits as told and every send still succeeds.
    async with (
        Sandbox(
            guilds=1,
            channels_per_guild=3,
            rest_bucket_limits={CREATE: (20, 1.0)},
            rest_global_limit=10,
            rest_window_scale=0.1,
        ) as sb,
        Rest(
            sb.token, RestOptions(api_url=sb.api_url, global_rate_limit=None, max_retries=20)
        ) as rest,
    ):
        channels = sb.channel_ids[:3]
        sends = [rest.create_message(channels[i % 3], f"x{i}") for i in range(30)]
        await asyncio.wait_for(asyncio.gather(*sends), 30.0)
        assert rest.stats.global_rate_limited > 0
        assert rest.stats.rate_limited == rejections(sb)


async def test_n_bucket_hash_makes_reaction_routes_share_one_bucket_per_channel() -> None:
    async with (
        # Long windows: nothing leaks back into the buckets while the test runs.
        Sandbox(
            guilds=1, channels_per_guild=2, rate_limit_headers="N", rest_window_scale=100
        ) as sb,
        # time enough for the 30 s window: the blocked send must wait, not give up
        Rest(sb.token, RestOptions(api_url=sb.api_url, timeout=60.0)) as rest,
    ):
        a, b = sb.channel_ids[:2]
        msg_a = await rest.create_message(a, "a")
        msg_b = await rest.create_message(b, "b")
        await rest.add_reaction(a, msg_a.id, "👍")
        await rest.remove_own_reaction(a, msg_a.id, "👍")
        await rest.add_reaction(b, msg_b.id, "👍")
        tpl = "/channels/{channel_id}/messages/{message_id}/reactions/{emoji}/@me"
        buckets = rest.http.buckets
        put_a = buckets.bucket_for(Route("PUT", tpl, channel_id=a, message_id=1, emoji="x"))
        del_a = buckets.bucket_for(Route("DELETE", tpl, channel_id=a, message_id=2, emoji="y"))
        put_b = buckets.bucket_for(Route("PUT", tpl, channel_id=b, message_id=1, emoji="x"))
        assert put_a is del_a
        assert put_b is not put_a
        # The DELETE's first request went through its own, still unknown, bucket; the
        # next answer on the shared bucket reports the server's count for all three.
        await rest.add_reaction(a, msg_a.id, "🔥")
        assert put_a.limit == 30 and put_a.remaining == 27
