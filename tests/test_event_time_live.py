"""Live, through the sandbox: a connection cut and resumed mid-stream (the missed
messages arrive in one burst on RESUME) leaves event-time per-second counts identical to
the counts of the messages the world created, second by second."""

from __future__ import annotations

from collections import Counter

from fluxer_rx.models import MessageCreate
from fluxer_rx.models.snowflake import snowflake_timestamp_ms
from fluxer_rx.operators import (
    EventWindow,
    LateEvent,
    in_channel,
    of_type,
    window_by_event_time,
)
from fluxer_rx.sandbox import Sandbox
from tests.util import logged_in_client, wait_until

BASE = 1_800_000_000.0  # the world's clock starts here (an exact second)
PER_SECOND = [12, 7, 15, 9, 11, 5]


async def test_a_cut_and_resume_leaves_per_second_counts_as_created() -> None:
    now = [BASE]
    async with (
        Sandbox(seed=18, world_clock=lambda: now[0]) as sb,
        logged_in_client(sb) as client,
    ):
        channel = sb.channel_ids[0]
        windows: list[EventWindow[MessageCreate]] = []
        late: list[LateEvent] = []
        client.events.pipe(
            of_type(MessageCreate),
            in_channel(channel),
            window_by_event_time(1.0, on_late=late.append),
        ).subscribe(windows.append)
        delivered: list[MessageCreate] = []
        client.events.pipe(of_type(MessageCreate), in_channel(channel)).subscribe(delivered.append)
        posted: list[str] = []
        for second, count in enumerate(PER_SECOND):
            for i in range(count):
                now[0] = BASE + 10 + second + (i + 0.5) / (count + 1)
                posted.append((await sb.post_message(channel, f"{second}.{i}"))["id"])
                if second == 2 and i == 3:
                    assert sb.drop_connections() == 1  # the rest of 2 and 3 are missed
            if second == 3:
                await wait_until(lambda: len(delivered) == len(posted), what="the resumed burst")
        now[0] = BASE + 10 + len(PER_SECOND) + 0.5  # moves the watermark past the end
        posted.append((await sb.post_message(channel, "last"))["id"])
        await wait_until(lambda: len(delivered) == len(posted), what="every message")

    created = Counter(int(snowflake_timestamp_ms(i) / 1000 - BASE - 10) for i in posted[:-1])
    counted = {int(w.start.timestamp() - BASE - 10): w.count for w in windows}
    assert counted == dict(created) == dict(enumerate(PER_SECOND))
    assert late == []
    assert [m.id for m in delivered] == posted  # exactly once, in order, across the cut
