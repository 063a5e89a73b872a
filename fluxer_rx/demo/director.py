"""The demo's script: other users poke the bot, and the bot's connection is cut once a cycle.

:class:`Director` acts through the sandbox's helpers as the guild's (non-bot) members
would, on a repeating cycle of ``cycle`` seconds; each act happens at a fixed fraction of
the cycle, so a short run still shows every act and the poll closes inside the cycle:

====  ====================================================================
0.05  ``!ping`` in the first channel
0.10  ``!poll`` (open for 0.3 of a cycle); members vote 👍 / 👎 once it is up
0.45  a message with a banned word (the bot deletes it)
0.55  the bot's gateway socket is aborted (no close frame); the client resumes
0.70  one member posts the same line 6 times (the bot times them out)
0.85  ``!ping`` in the last channel
====  ====================================================================

Commands (``!ping``, ``!poll``) are posted over the sandbox's REST API with the member's
own user token (``World.user_token``), as a person's client would; the spam burst, the
banned word and the votes go through the sandbox's in-process helpers (as the traffic
generator does), so the REST rate limits do not spread the burst out. Who acts and how
they vote comes from a ``random.Random`` seeded with the demo's seed. An act whose user
left meanwhile (the traffic generator churns members) is skipped.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
from typing import Final

from fluxer_rx.client import Client
from fluxer_rx.demo.actions import Timeline
from fluxer_rx.demo.bot import SPAM_REPEATS
from fluxer_rx.demo.delivery import Delivery
from fluxer_rx.errors import FluxerError
from fluxer_rx.models import MessageCreate
from fluxer_rx.options import RestOptions
from fluxer_rx.rest import Rest
from fluxer_rx.sandbox import Sandbox, WorldError

__all__ = ["Director"]

QUESTIONS: Final = ("Pizza for lunch?", "Ship it on Friday?", "Tabs over spaces?")
SPAM_LINE: Final = "buy followers cheap"
_SPAM_COUNT: Final = SPAM_REPEATS + 1
_REST_CLIENTS: Final = 4  # members' REST clients kept open, the most recently used


class Director:
    """Runs the script against ``sandbox`` while ``client`` (the bot) watches."""

    def __init__(
        self,
        sandbox: Sandbox,
        client: Client,
        delivery: Delivery,
        timeline: Timeline,
        *,
        cycle: float,
        seed: int,
    ) -> None:
        if not cycle > 0:
            raise ValueError("cycle must be > 0")
        self.sandbox = sandbox
        self.client = client
        self.delivery = delivery
        self.timeline = timeline
        self.cycle = cycle
        self.rng = random.Random(f"fluxer-rx-demo:{seed}")
        self.cycles = 0
        self._running: set[asyncio.Task[None]] = set()
        self._rests: dict[str, Rest] = {}

    # -- helpers ---------------------------------------------------------------------------

    def _member(self, channel_id: str) -> str | None:
        world = self.sandbox.world
        guild = world.get_guild(world.get_channel(channel_id).guild_id)
        others = sorted(u for u in guild.members if u != self.sandbox.bot_id)
        return self.rng.choice(others) if others else None

    async def _say(self, channel_id: str, content: str, author_id: str | None = None) -> None:
        author = author_id if author_id is not None else self._member(channel_id)
        if author is None:
            return
        with contextlib.suppress(WorldError):
            await self.sandbox.post_message(channel_id, content, author_id=author)

    async def _command(self, channel_id: str, content: str) -> None:
        """Post ``content`` over REST as a member, with that member's user token."""
        author = self._member(channel_id)
        if author is None:
            return
        rest = self._rests.pop(author, None)
        if rest is None:
            token = self.sandbox.world.user_token(author)
            rest = Rest(token, RestOptions(api_url=self.sandbox.api_url, max_retries=1))
        self._rests[author] = rest  # the most recent last
        if len(self._rests) > _REST_CLIENTS:
            await self._rests.pop(next(iter(self._rests))).close()
        with contextlib.suppress(FluxerError):  # e.g. the member left meanwhile
            await rest.create_message(channel_id, content)

    # -- acts --------------------------------------------------------------------------------

    async def _poll(self, channel_id: str) -> None:
        seconds = round(0.3 * self.cycle, 1)
        question = QUESTIONS[self.cycles % len(QUESTIONS)]
        bot_id = self.sandbox.bot_id

        def is_poll(message: MessageCreate) -> bool:
            return message.author.id == bot_id and message.content.startswith(f"📊 {question}")

        opened = asyncio.ensure_future(self.client.wait_for(MessageCreate, is_poll, seconds))
        await self._command(channel_id, f"!poll {seconds:g} {question}")
        try:
            poll = await opened
        except TimeoutError:
            return
        voters = sorted(
            u for u in self.sandbox.world.get_guild(poll.guild_id or "").members if u != bot_id
        )
        for voter in self.rng.sample(voters, min(5, len(voters))):
            await asyncio.sleep(self.rng.uniform(0.02, 0.1) * seconds)
            emoji = "👍" if self.rng.random() < 0.6 else "👎"
            with contextlib.suppress(WorldError):
                await self.sandbox.add_reaction(poll.channel_id, poll.id, emoji, voter)

    async def _cut(self) -> None:
        sockets = self.sandbox.drop_connections()
        outage = self.delivery.cut(sockets)
        if outage is None:
            return
        self.timeline.add("link", f"cut the bot's gateway socket ({sockets} aborted)")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(outage.restored.wait(), timeout=max(5.0, self.cycle))
        if outage.downtime is not None:
            how = "resumed (RESUME, session kept)" if outage.resumed else "new session"
            self.timeline.add("link", f"{how} after {outage.downtime * 1000:.0f} ms")

    async def _spam(self, channel_id: str) -> None:
        author = self._member(channel_id)
        for _ in range(_SPAM_COUNT):
            await self._say(channel_id, SPAM_LINE, author)
            await asyncio.sleep(0.02)

    async def _act(self, index: int, channels: list[str]) -> None:
        first, last = channels[0], channels[-1]
        if index == 0:
            await self._command(first, "!ping")
        elif index == 1:
            await self._poll(first)
        elif index == 2:
            await self._say(first, "free airdrop for everyone, click the link")
        elif index == 3:
            await self._cut()
        elif index == 4:
            await self._spam(first)
        else:
            await self._command(last, "!ping")

    async def run(self) -> None:
        """Play the script cycle after cycle until cancelled; acts already started go on
        (end them with :meth:`finish`)."""
        loop = asyncio.get_running_loop()
        start = loop.time()
        marks = (0.05, 0.10, 0.45, 0.55, 0.70, 0.85)
        channels = self.sandbox.channel_ids
        while True:
            base = start + self.cycles * self.cycle
            for index, mark in enumerate(marks):
                await asyncio.sleep(max(0.0, base + mark * self.cycle - loop.time()))
                task = asyncio.ensure_future(self._act(index, channels))
                self._running.add(task)
                task.add_done_callback(self._running.discard)
            self.cycles += 1
            await asyncio.sleep(max(0.0, base + self.cycle - loop.time()))

    async def settle(self) -> None:
        """Return once the acts started so far have ended (bound it with a timeout)."""
        running = set(self._running)
        if running:
            await asyncio.wait(running)

    async def finish(self) -> None:
        """Cancel the acts still running and close the members' REST clients."""
        running = set(self._running)
        for task in running:
            task.cancel()
        await asyncio.gather(*running, return_exceptions=True)
        rests, self._rests = self._rests, {}
        for rest in rests.values():
            await rest.close()
