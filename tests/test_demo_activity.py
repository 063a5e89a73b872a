"""The demo's analytics over client.events (fluxer_rx/demo/activity.py), on a fake clock."""

from __future__ import annotations

import json

from fluxer_rx import Client
from fluxer_rx.demo.activity import Activity
from fluxer_rx.models.frame import decode_frame
from tests.test_demo_windows import Clock


def event(t: str, d: dict[str, object]) -> object:
    return decode_frame(json.dumps({"op": 0, "s": 1, "t": t, "d": d})).event


def message(channel_id: str, user_id: str, name: str) -> object:
    return event(
        "MESSAGE_CREATE",
        {
            "id": "900",
            "channel_id": channel_id,
            "guild_id": "1",
            "content": "hi",
            "timestamp": "2026-01-01T00:00:00.000Z",
            "author": {"id": user_id, "username": name.lower(), "global_name": name},
        },
    )


async def test_types_channels_and_users_are_counted_over_the_window() -> None:
    clock = Clock()
    client = Client()
    activity = Activity(client, clock, window=10.0)
    typing = event("TYPING_START", {"channel_id": "20", "user_id": "7", "timestamp": 1})
    for item in [message("10", "7", "Ann"), message("10", "8", "Bob"), typing]:
        client.events.on_next(item)
    clock.now += 5.0
    client.events.on_next(message("20", "8", "Bob"))
    assert activity.by_type == {"MESSAGE_CREATE": 3, "TYPING_START": 1}
    assert activity.top_channels(2) == [("#10", 2), ("#20", 2)]  # not cached: the id
    assert activity.top_users(1) == [("Bob", 2)]
    clock.now += 6.0  # the first second left the window
    assert activity.top_channels(5) == [("#20", 1)]
    assert activity.top_users(5) == [("Bob", 1)]
    assert activity.rates.total == 4
    assert activity.rates.completed()[0] == 3  # the first second's events
    activity.close()
    client.events.on_next(typing)
    assert activity.by_type["TYPING_START"] == 1  # no longer counting
