"""Seeded traffic for the sandbox: other users chatting, reacting, joining and leaving.

Every step picks one action from a seeded ``random.Random`` and performs it through the
world's mutations, so it produces exactly the dispatches a real server would. The same
seed over the same world gives the same sequence of actions. For long runs,
:class:`TrafficBounds` holds the world (and each step's cost) at a steady size while ids
stay fresh.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final, Literal, get_args

from fluxer_rx.sandbox.traffic_pace import TrafficPace
from fluxer_rx.sandbox.world import World

if TYPE_CHECKING:
    from fluxer_rx.sandbox.gateway import GatewayHub, MalformedKind

__all__ = ["TRAFFIC_KINDS", "TrafficBounds", "TrafficGenerator", "TrafficKind"]

TrafficKind = Literal[
    "message",
    "edit",
    "delete",
    "reaction",
    "typing",
    "member_join",
    "member_leave",
    "member_update",
    "presence",
    "channel_update",
    "channel_create",
    "channel_delete",
]
TRAFFIC_KINDS: Final[tuple[TrafficKind, ...]] = get_args(TrafficKind)

_WEIGHTS: Final[dict[TrafficKind, int]] = {
    "message": 40,
    "edit": 8,
    "delete": 5,
    "reaction": 15,
    "typing": 12,
    "member_join": 3,
    "member_leave": 2,
    "member_update": 3,
    "presence": 8,
    "channel_update": 2,
    "channel_create": 1,
    "channel_delete": 1,
}
_MALFORMED: Final[tuple[MalformedKind, ...]] = (
    "bad_json",
    "unknown_op",
    "unknown_event",
    "wrong_types",
    "missing_fields",
)
_WORDS: Final = ("ok", "nice", "lol", "ship it", "brb", "hmm", "agreed", "see above", "why?")
_EMOJIS: Final = ("👍", "🎉", "🔥", "👀", "😂")
_STATUSES: Final = ("online", "idle", "dnd", "offline")
_BATCH: Final = 256


@dataclass(frozen=True, slots=True)
class TrafficBounds:
    """Caps that hold a long traffic run's world at a steady size; ``None`` is unbounded.

    * ``messages_per_channel``: after a new message, a channel's older messages are
      forgotten without a dispatch (:meth:`World.forget_history`), so edits, deletes and
      reactions act on recent messages and the world stops growing.
    * ``members_per_guild``: joins and leaves hold each guild at about that many members
      (besides the bot): a ``member_join`` into a guild that has them is a
      ``member_leave``, a ``member_leave`` from one below it a ``member_join``; members
      churn and new users keep coming.
    * ``created_channels``: a ``channel_create`` with that many generator-made channels
      alive is a ``channel_delete`` of the oldest instead.
    """

    messages_per_channel: int | None = None
    members_per_guild: int | None = None
    created_channels: int | None = None


class TrafficGenerator:
    """Seeded random actions on a :class:`World` (see :data:`TRAFFIC_KINDS`).

    ``steps`` counts the actions performed so far; ``counts`` per kind. An action that
    has nothing to act on (no message to edit, no member to remove) falls back to posting
    a message, and a ``reaction`` step removes the reaction when that user already
    reacted with that emoji; so every step emits at least one dispatch, and each one
    reaches the bot's sessions (the bot is a member of every guild). The bot and the
    world's ``other_user`` (driven from a shell) never act and are never removed, and
    seeded channels are never deleted (only ones the generator created).

    ``weights`` overrides the relative weight of some kinds (e.g. ``{"message": 60}``);
    ``bounds`` caps the world's growth (see :class:`TrafficBounds`).
    """

    def __init__(
        self,
        world: World,
        *,
        seed: int = 0,
        weights: Mapping[TrafficKind, float] | None = None,
        bounds: TrafficBounds | None = None,
    ) -> None:
        unknown = [k for k in weights or () if k not in TRAFFIC_KINDS]
        if unknown:
            raise ValueError(f"unknown traffic kinds {unknown}")
        if any(w < 0 for w in (weights or {}).values()):
            raise ValueError("traffic weights must be >= 0")
        self.world = world
        self.seed = seed
        self.weights: dict[TrafficKind, float] = {**_WEIGHTS, **(weights or {})}
        self.bounds = bounds if bounds is not None else TrafficBounds()
        self.rng = random.Random(f"fluxer-sandbox-traffic:{seed}")
        self.steps = 0
        self.counts: dict[str, int] = {}
        self._created_channels: list[str] = []
        self._task: asyncio.Task[int] | None = None

    def step(self, kinds: tuple[TrafficKind, ...] | None = None) -> str:
        """Perform one action; return the kind actually performed."""
        pool = kinds or TRAFFIC_KINDS
        kind = self.rng.choices(pool, weights=[self.weights[k] for k in pool])[0]
        done = self._perform(kind)
        self.steps += 1
        self.counts[done] = self.counts.get(done, 0) + 1
        return done

    def _channels(self) -> list[str]:
        return [cid for cid, c in self.world.channels.items() if c.type == 0]

    def _perform(self, kind: TrafficKind) -> str:
        w, rng, bounds = self.world, self.rng, self.bounds
        channels = self._channels()
        if not channels:
            raise RuntimeError("the world has no text channel for traffic")
        channel = w.channels[rng.choice(channels)]
        guild = w.guilds[channel.guild_id]
        quiet = {w.bot.id} if w.other_user is None else {w.bot.id, w.other_user.id}
        others = [u for u in guild.members if u not in quiet]
        messages = list(channel.messages)
        if kind == "edit" and messages:
            w.edit_message(channel.id, rng.choice(messages), content=self._text() + " (edited)")
        elif kind == "delete" and messages:
            w.delete_message(channel.id, rng.choice(messages))
        elif kind == "reaction" and messages and others:
            message_id, emoji = rng.choice(messages), rng.choice(_EMOJIS)
            user_id = rng.choice(others)
            reaction = channel.messages[message_id].reactions.get(emoji)
            if reaction is not None and user_id in reaction.user_ids:
                w.remove_reaction(channel.id, message_id, emoji, user_id)
            else:
                w.add_reaction(channel.id, message_id, emoji, user_id)
        elif kind == "typing" and others:
            w.trigger_typing(channel.id, rng.choice(others))
        elif kind in ("member_join", "member_leave") and bounds.members_per_guild is not None:
            if len(others) < max(bounds.members_per_guild, 2):
                w.add_member(guild.id)
                return "member_join"
            w.remove_member(guild.id, rng.choice(others))
            return "member_leave"
        elif kind == "member_join":
            w.add_member(guild.id)
        elif kind == "member_leave" and len(others) > 1:
            w.remove_member(guild.id, rng.choice(others))
        elif kind == "member_update" and others:
            user_id = rng.choice(others)
            w.update_member(guild.id, user_id, nick=f"{rng.choice(_WORDS)}-{self.steps}")
        elif kind == "presence" and others:
            w.set_presence(rng.choice(others), rng.choice(_STATUSES))
        elif kind == "channel_update":
            w.update_channel(channel.id, topic=f"topic {self.steps}: {self._text()}")
        elif kind == "channel_create":
            cap = bounds.created_channels
            if cap is not None and len(self._created_channels) >= cap:
                w.delete_channel(self._created_channels.pop(0))
                return "channel_delete"
            created = w.create_channel(guild.id, f"traffic-{self.steps}")
            self._created_channels.append(str(created["id"]))
        elif kind == "channel_delete" and self._created_channels:
            w.delete_channel(self._created_channels.pop(0))
        else:
            author = rng.choice(others) if others else w.bot.id
            w.create_message(channel.id, author, self._text())
            if bounds.messages_per_channel is not None:
                w.forget_history(channel.id, bounds.messages_per_channel)
            return "message"
        return kind

    def _text(self) -> str:
        return " ".join(self.rng.choice(_WORDS) for _ in range(self.rng.randint(1, 6)))

    async def run(
        self,
        count: int | None,
        *,
        rate: float | None = None,
        bursts: bool = False,
        kinds: tuple[TrafficKind, ...] | None = None,
        fault_rate: float = 0.0,
        hub: GatewayHub | None = None,
    ) -> int:
        """Perform ``count`` steps (forever when ``None``); return the steps performed.

        ``rate``: mean steps per second (``None``: as fast as possible, yielding to the loop
        every 256 steps and while sockets have over 4 MiB unsent). ``bursts``: vary the
        rate around that mean in seeded bursts and lulls (a :class:`TrafficPace` seeded
        with this generator's seed; ``False``: steady). ``fault_rate``: the probability per
        step of also sending one seeded-random malformed frame through ``hub`` (required
        when ``fault_rate`` > 0). Bad arguments raise ``ValueError`` before any step.
        """
        pace = self._pace(count, rate, bursts, kinds, fault_rate, hub)
        offsets = pace.offsets() if pace is not None else None
        loop = asyncio.get_running_loop()
        start = loop.time()
        done = 0
        while count is None or done < count:
            self.step(kinds)
            if fault_rate and hub is not None and self.rng.random() < fault_rate:
                hub.send_malformed(self.rng.choice(_MALFORMED))
            done += 1
            if offsets is not None:
                delay = start + next(offsets) - loop.time()
                await asyncio.sleep(max(0.0, delay))
            elif done % _BATCH == 0:
                await asyncio.sleep(0)
                # the transports expose no drain event to await; poll their buffers
                while hub is not None and hub.write_buffer_size() > (4 << 20):  # noqa: ASYNC110
                    await asyncio.sleep(0.001)
        return done

    def _pace(
        self,
        count: int | None,
        rate: float | None,
        bursts: bool,
        kinds: tuple[TrafficKind, ...] | None,
        fault_rate: float,
        hub: GatewayHub | None,
    ) -> TrafficPace | None:
        """Check :meth:`run`'s arguments; return its pace (``None``: as fast as possible)."""
        if count is not None and count < 0:
            raise ValueError(f"count must be >= 0, got {count!r}")
        if not 0.0 <= fault_rate <= 1.0:
            raise ValueError(f"fault_rate must be in [0, 1], got {fault_rate!r}")
        if fault_rate and hub is None:
            raise ValueError("fault_rate needs the gateway hub")
        unknown = [k for k in kinds or () if k not in TRAFFIC_KINDS]
        if unknown:
            raise ValueError(f"unknown traffic kinds {unknown}")
        if rate is None:
            if bursts:
                raise ValueError("bursts need a rate")
            return None
        return TrafficPace(rate, bursts=bursts, seed=self.seed)

    def start(
        self,
        *,
        rate: float | None = None,
        bursts: bool = False,
        kinds: tuple[TrafficKind, ...] | None = None,
        fault_rate: float = 0.0,
        hub: GatewayHub | None = None,
    ) -> None:
        """Run steps in a background task until :meth:`stop` (arguments as for
        :meth:`run`; bad ones raise ``ValueError`` here, before the task starts)."""
        if self.running:
            raise RuntimeError("traffic is already running")
        self._pace(None, rate, bursts, kinds, fault_rate, hub)
        self._task = asyncio.get_running_loop().create_task(
            self.run(None, rate=rate, bursts=bursts, kinds=kinds, fault_rate=fault_rate, hub=hub)
        )

    @property
    def running(self) -> bool:
        """Whether background traffic started by :meth:`start` is running."""
        return self._task is not None and not self._task.done()

    async def stop(self) -> int:
        """Stop the background task (if any); return the total steps performed so far."""
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        return self.steps
