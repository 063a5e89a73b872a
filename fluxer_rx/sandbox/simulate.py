"""Long recordings in seconds: an hour of a seeded community written on a simulated clock.

:func:`simulate_recording` runs a sandbox :class:`~fluxer_rx.sandbox.World` whose clock is
simulated (so every id it makes carries the simulated time), drives it with seeded
traffic, and writes what the world's bot would have received as a recording (format
version 1, see ``fluxer_rx.replay.format``): READY and a GUILD_CREATE per guild at
``at = 0``, then every dispatch the bot sees, with a heartbeat ACK every 41.25 s as a live
recording has. An hour takes seconds to write and replays on recorded time
(``client.replay(path, clock="recorded")``) in seconds too.

The traffic, all seeded (the same arguments write the same file):

* a **daily rhythm**: steps arrive as a Poisson process whose rate follows the time of day
  of the simulated clock (``rate`` on average, lowest at 06:00 UTC, highest at 18:00);
* **bursts**: every few minutes the rate triples for 20 to 60 s;
* background actions of :class:`~fluxer_rx.sandbox.TrafficGenerator`: messages, edits,
  deletes, reactions, typing, **joins and leaves**, member and channel updates;
* a **raid** in the middle third: ``raiders`` new accounts join within 20 s and each posts
  five to ten messages in one channel within a minute;
* **reaction polls**: a few times an hour a member posts ``poll: ...`` and members vote
  👍 or 👎 on it over the next two minutes.

:class:`SimulationTruth` is the ground truth: what the bot was sent, counted by the
generator (messages per minute, per channel and minute, per user; joins, leaves; the raid;
each poll's final votes), for checking what a replay computes.

The sandbox never imports the client: the recording's lines are written here, by the
format's documented shape.
"""

from __future__ import annotations

import math
import os
import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, BinaryIO, Final

import msgspec

from fluxer_rx.sandbox.traffic import TRAFFIC_KINDS, TrafficBounds, TrafficGenerator, TrafficKind
from fluxer_rx.sandbox.world import World

__all__ = ["PollTruth", "RaidTruth", "SimulationTruth", "simulate_recording"]

HEARTBEAT_INTERVAL: Final = 41.25
"""Seconds between the heartbeat ACKs written into the recording (Fluxer's interval)."""

DEFAULT_START: Final = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
"""When a simulation starts unless told otherwise."""

_BACKGROUND: Final[tuple[TrafficKind, ...]] = tuple(
    kind for kind in TRAFFIC_KINDS if kind not in ("presence", "channel_create", "channel_delete")
)
"""The traffic kinds of the background (presence needs subscriptions a recording of the
bot does not have; channels come and go in the world, not in an hour of chat)."""
_VOTES: Final = ("👍", "👎")
_RAID_TEXT: Final = ("JOIN NOW", "free nitro here", "raid raid raid", "@everyone look", "lol")
_TOPICS: Final = ("pizza tonight", "move the meetup", "new logo", "ban gifs", "game night")
_encoder: Final = msgspec.json.Encoder()


@dataclass(frozen=True, slots=True)
class RaidTruth:
    """The raid: ``start``/``end`` seconds after the start (first join, last message),
    the ``channel_id`` it hit, the raiders' user ids and how many messages they sent."""

    start: float
    end: float
    channel_id: str
    raiders: tuple[str, ...]
    messages: int


@dataclass(frozen=True, slots=True)
class PollTruth:
    """A reaction poll: its message, channel, when it was posted (seconds after the start)
    and the final count of each vote emoji."""

    message_id: str
    channel_id: str
    at: float
    votes: dict[str, int]


@dataclass(slots=True)
class SimulationTruth:
    """What the simulated bot was sent, as the generator counted it (a message counts in
    the minute of its id's time, its event time, which is whole milliseconds)."""

    started_at: datetime
    seconds: float
    frames: int = 0
    dispatches: Counter[str] = field(default_factory=Counter)
    messages_per_minute: list[int] = field(default_factory=list)
    messages_by_channel_minute: dict[str, list[int]] = field(default_factory=dict)
    messages_by_user: Counter[str] = field(default_factory=Counter)
    joins: int = 0
    leaves: int = 0
    raid: RaidTruth | None = None
    polls: list[PollTruth] = field(default_factory=list)


class _Writer:
    """Writes the recording and counts the truth from what the bot is sent."""

    def __init__(self, file: BinaryIO, world: World, truth: SimulationTruth, start: float):
        self.file = file
        self.world = world
        self.truth = truth
        self.start = start
        self.now = start
        self.seq = 0
        self.next_ack = HEARTBEAT_INTERVAL
        minutes = math.ceil(truth.seconds / 60)
        truth.messages_per_minute = [0] * minutes
        self.minutes = minutes
        self.votes: dict[str, dict[str, int]] = {}  # poll message id -> emoji -> count

    def line(self, op: int, event: str | None, d: Any, at: float | None = None) -> None:
        offset = (self.now - self.start) if at is None else at
        entry: dict[str, Any] = {"at": round(offset, 6), "shard": 0, "op": op}
        if op == 0:
            self.seq += 1
            entry.update(s=self.seq, t=event, d=d)
        else:
            entry.update(s=None, t=None)
        self.file.write(_encoder.encode(entry) + b"\n")
        self.truth.frames += 1

    def heartbeats_until(self, offset: float) -> None:
        while self.next_ack <= offset:
            self.line(11, None, None, at=self.next_ack)
            self.next_ack += HEARTBEAT_INTERVAL

    def __call__(
        self, event: str, d: Any, guild_id: str | None, user_ids: frozenset[str] | None
    ) -> None:
        bot = self.world.bot.id
        if guild_id is not None:
            guild = self.world.guilds.get(guild_id)
            audience = user_ids if user_ids is not None else (guild.members if guild else {})
            if bot not in audience:
                return
        elif user_ids is not None and bot not in user_ids:
            return
        self.line(0, event, d)
        truth = self.truth
        truth.dispatches[event] += 1
        if event == "MESSAGE_CREATE":
            # the minute of the message's id (its event time: the world's clock in whole ms)
            since_ms = self.world.now_ms() - round(self.start * 1000)
            minute = min(since_ms // 60_000, self.minutes - 1)
            truth.messages_per_minute[minute] += 1
            channel = str(d["channel_id"])
            per_channel = truth.messages_by_channel_minute.setdefault(channel, [0] * self.minutes)
            per_channel[minute] += 1
            truth.messages_by_user[str(d["author"]["id"])] += 1
        elif event == "GUILD_MEMBER_ADD":
            truth.joins += 1
        elif event == "GUILD_MEMBER_REMOVE":
            truth.leaves += 1
        elif event in ("MESSAGE_REACTION_ADD", "MESSAGE_REACTION_REMOVE"):
            votes = self.votes.get(str(d["message_id"]))
            name = d["emoji"].get("name")
            if votes is not None and name in votes:
                votes[name] += 1 if event == "MESSAGE_REACTION_ADD" else -1


def _rhythm(unix_seconds: float) -> float:
    """The daily rate factor: 1 on average, 0.5 at 06:00 UTC, 1.5 at 18:00 UTC."""
    hour = (unix_seconds % 86400) / 3600
    return 1.0 + 0.5 * math.sin(2 * math.pi * (hour - 12) / 24)


def _bursts(rng: random.Random, seconds: float) -> list[tuple[float, float]]:
    spans: list[tuple[float, float]] = []
    at = rng.uniform(60, 300)
    while at < seconds:
        length = rng.uniform(20, 60)
        spans.append((at, at + length))
        at += length + rng.uniform(180, 480)
    return spans


def simulate_recording(
    path: str | os.PathLike[str],
    *,
    seconds: float = 3600,
    seed: int = 0,
    rate: float = 4.0,
    start: datetime = DEFAULT_START,
    raiders: int = 25,
    polls: int = 3,
    guilds: int = 1,
) -> SimulationTruth:
    """Write ``seconds`` of seeded traffic (see the module) to the recording ``path``;
    return the ground truth.

    ``rate``: mean traffic steps per second before bursts; ``raiders``: accounts in the
    raid (0: no raid); ``polls``: reaction polls; ``guilds``: guilds in the world (the
    raid and polls happen in the first). Raises ``ValueError`` for ``seconds`` under 60 or
    a negative count, and ``OSError`` when ``path`` cannot be written.
    """
    if not seconds >= 60 or not math.isfinite(seconds):
        raise ValueError(f"seconds must be a finite number >= 60, not {seconds!r}")
    if not rate > 0 or raiders < 0 or polls < 0:
        raise ValueError("rate must be > 0, raiders and polls >= 0")
    if start.tzinfo is None:
        start = start.replace(tzinfo=UTC)
    begin = start.timestamp()
    clock = [begin]
    world = World(seed=seed, guilds=guilds, members_per_guild=30, clock=lambda: clock[0])
    rng = random.Random(f"fluxer-sandbox-simulate:{seed}")
    traffic = TrafficGenerator(
        world, seed=seed, bounds=TrafficBounds(messages_per_channel=200, members_per_guild=60)
    )
    truth = SimulationTruth(started_at=start, seconds=float(seconds))
    guild = next(iter(world.guilds.values()))
    channels = [c for c in guild.channel_ids if world.channels[c].type == 0]
    raid_at = rng.uniform(seconds / 3, 2 * seconds / 3) if raiders else math.inf
    poll_times = sorted(rng.uniform(60, seconds - 180) for _ in range(polls))
    bursts = _bursts(rng, seconds)
    with open(path, "wb") as file:
        header = {
            "format": "fluxer_rx.recording",
            "version": 1,
            "gateway_version": "1",
            "started_at": start.isoformat(),
            "library": f"fluxer_rx.sandbox.simulate seed={seed}",
        }
        file.write(_encoder.encode(header) + b"\n")
        writer = _Writer(file, world, truth, begin)
        bot = world.bot.id
        ready = {
            "guilds": [],
            "session_id": f"simulated-{seed}",
            "user": world.private_user_wire(bot),
            "version": 1,
        }
        writer.line(0, "READY", ready)
        for each in world.guilds_of(bot):
            writer.line(0, "GUILD_CREATE", world.guild_create_wire(each, bot))
        world.add_listener(writer)
        events = _schedule(rng, seconds, rate, begin, bursts, raid_at, raiders, poll_times)
        raid: list[str] = []
        raid_messages, raid_end = 0, raid_at
        posted: list[PollTruth] = []
        for offset, action, index in events:
            clock[0] = writer.now = begin + offset
            writer.heartbeats_until(offset)
            if action == "step":
                traffic.step(_BACKGROUND)
            elif action == "raid_join":
                raid.append(str(world.add_member(guild.id)["user"]["id"]))
            elif action == "raid_message":
                world.create_message(channels[0], rng.choice(raid), rng.choice(_RAID_TEXT))
                raid_messages, raid_end = raid_messages + 1, offset
            elif action == "poll":
                author = rng.choice([u for u in guild.members if u != bot])
                channel = rng.choice(channels)
                message = world.create_message(channel, author, f"poll: {rng.choice(_TOPICS)}?")
                votes = writer.votes[str(message["id"])] = dict.fromkeys(_VOTES, 0)
                posted.append(PollTruth(str(message["id"]), channel, offset, votes))
            elif action == "vote":
                _vote(world, rng, posted[index], bot)
        writer.heartbeats_until(seconds)
        world.remove_listener(writer)
    if raiders:
        truth.raid = RaidTruth(raid_at, raid_end, channels[0], tuple(raid), raid_messages)
    truth.polls = posted
    return truth


def _vote(world: World, rng: random.Random, poll: PollTruth, bot: str) -> None:
    """One member who has not voted yet votes on ``poll`` (65 % 👍), if it still exists."""
    message = world.channels[poll.channel_id].messages.get(poll.message_id)
    if message is None:
        return
    guild = world.guilds[world.channels[poll.channel_id].guild_id]
    voted = {u for r in message.reactions.values() for u in r.user_ids}
    voters = [u for u in guild.members if u != bot and u not in voted]
    if voters:
        emoji = _VOTES[0] if rng.random() < 0.65 else _VOTES[1]
        world.add_reaction(poll.channel_id, poll.message_id, emoji, rng.choice(voters))


def _schedule(
    rng: random.Random,
    seconds: float,
    rate: float,
    begin: float,
    bursts: list[tuple[float, float]],
    raid_at: float,
    raiders: int,
    poll_times: list[float],
) -> list[tuple[float, str, int]]:
    """Every action as ``(offset, kind, poll index)``, in time order: a thinned Poisson
    process for the background steps, fixed shapes for the raid and the polls."""
    events: list[tuple[float, str, int]] = []
    peak = rate * 1.5 * 3
    at = 0.0
    while True:
        at += rng.expovariate(peak)
        if at >= seconds:
            break
        factor = _rhythm(begin + at) * (3.0 if any(a <= at < b for a, b in bursts) else 1.0)
        if rng.random() < rate * factor / peak:
            events.append((at, "step", 0))
    if raid_at < seconds:
        joins = sorted(raid_at + rng.uniform(0, 20) for _ in range(raiders))
        events += [(t, "raid_join", 0) for t in joins]
        for _ in range(raiders * rng.randint(5, 10)):
            at = min(seconds - 1e-3, joins[-1] + rng.uniform(0.1, 60))
            events.append((at, "raid_message", 0))
    for index, poll_at in enumerate(poll_times):
        events.append((poll_at, "poll", index))
        votes = rng.randint(8, 20)
        events += [(poll_at + rng.uniform(1, 120), "vote", index) for _ in range(votes)]
    events.sort(key=lambda e: e[0])
    return events
