"""An hour of a simulated community, written and replayed on recorded time in seconds:
event-time counts, the raid and the polls a client computes equal the generator's truth."""

from __future__ import annotations

import hashlib
from itertools import pairwise
from pathlib import Path

import pytest

from fluxer_rx import Client
from fluxer_rx.models import (
    GuildMemberAdd,
    GuildMemberRemove,
    MessageCreate,
    MessageReactionAdd,
    MessageReactionRemove,
)
from fluxer_rx.operators import KeyedCounts, TopK, count_by, of_type, top_k
from fluxer_rx.replay import open_recording
from fluxer_rx.sandbox.simulate import HEARTBEAT_INTERVAL, simulate_recording


async def test_an_hour_replays_to_the_generators_truth(tmp_path: Path) -> None:
    path = tmp_path / "hour.jsonl"
    truth = simulate_recording(path, seconds=3600, seed=7)
    start = truth.started_at.timestamp()

    client = Client()
    created = client.events.pipe(of_type(MessageCreate))
    per_minute: list[KeyedCounts[str | None]] = []
    created.pipe(count_by("channel_id", 60.0, idle=60.0)).subscribe(per_minute.append)
    raids: list[TopK[str | None]] = []
    created.pipe(top_k(1, "channel_id", window=60, every=10, idle=60.0)).subscribe(raids.append)
    members = {"joins": 0, "leaves": 0}
    client.events.pipe(of_type(GuildMemberAdd)).subscribe(
        lambda _e: members.__setitem__("joins", members["joins"] + 1)
    )
    client.events.pipe(of_type(GuildMemberRemove)).subscribe(
        lambda _e: members.__setitem__("leaves", members["leaves"] + 1)
    )
    polls = {poll.message_id: {"👍": 0, "👎": 0} for poll in truth.polls}

    def vote(event: MessageReactionAdd | MessageReactionRemove) -> None:
        counts = polls.get(event.message_id)
        if counts is not None and event.emoji.name in counts:
            counts[event.emoji.name] += 1 if isinstance(event, MessageReactionAdd) else -1

    client.events.pipe(of_type(MessageReactionAdd, MessageReactionRemove)).subscribe(vote)
    summary = await client.replay(path, clock="recorded")

    assert summary.frames == truth.frames and summary.completed
    minutes = {int((c.start.timestamp() - start) // 60): c.counts for c in per_minute}
    assert [sum(minutes.get(m, {}).values()) for m in range(60)] == truth.messages_per_minute
    for channel, counts in truth.messages_by_channel_minute.items():
        assert [minutes.get(m, {}).get(channel, 0) for m in range(60)] == counts
    assert members == {"joins": truth.joins, "leaves": truth.leaves}
    assert polls == {poll.message_id: poll.votes for poll in truth.polls}
    assert sum(poll.votes["👍"] + poll.votes["👎"] for poll in truth.polls) > 0

    raid = truth.raid
    assert raid is not None and raid.messages >= 5 * len(raid.raiders)
    busiest = max(raids, key=lambda t: t.top[0][1])
    assert busiest.top[0][0] == raid.channel_id
    assert start + raid.start <= busiest.end.timestamp() <= start + raid.end + 60


def test_the_same_seed_writes_the_same_file_and_the_file_is_a_recording(tmp_path: Path) -> None:
    first = simulate_recording(tmp_path / "a.jsonl", seconds=300, seed=3, raiders=5)
    simulate_recording(tmp_path / "b.jsonl", seconds=300, seed=3, raiders=5)
    other = simulate_recording(tmp_path / "c.jsonl", seconds=300, seed=4, raiders=5)

    def digest(name: str) -> str:
        return hashlib.sha256((tmp_path / name).read_bytes()).hexdigest()

    assert digest("a.jsonl") == digest("b.jsonl") != digest("c.jsonl")
    assert other.messages_per_minute != first.messages_per_minute
    with open_recording(tmp_path / "a.jsonl") as reader:
        frames = list(reader)
    assert reader.header.started_at == first.started_at.isoformat()
    assert len(frames) == first.frames
    assert frames[0].frame.t == "READY" and frames[1].frame.t == "GUILD_CREATE"
    acks = [f.at for f in frames if f.frame.op == 11]
    assert acks[:2] == [HEARTBEAT_INTERVAL, 2 * HEARTBEAT_INTERVAL]
    times = [f.at for f in frames]
    assert all(later - earlier <= HEARTBEAT_INTERVAL for earlier, later in pairwise(times))


def test_arguments_are_checked(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="seconds"):
        simulate_recording(tmp_path / "x.jsonl", seconds=10)
    with pytest.raises(ValueError, match="rate"):
        simulate_recording(tmp_path / "x.jsonl", rate=0)
