"""The demo bot: a small moderation-and-fun bot written with the public bot API only.

* ``!ping``: replies ``pong``, timing the reply's REST round trip (the POST until the
  created message is returned), then edits the reply to carry that latency.
* ``!poll SECONDS QUESTION``: posts the question, reacts 👍 and 👎, counts the other
  users' votes with ``client.create_reaction_collector(..., time=SECONDS)`` and replies
  with the result (posted in the channel instead when the poll message was deleted,
  which ends the collector early with the votes it saw).
* Moderation: a message holding a banned word is deleted (``@client.listen``); a user
  who posts the same text :data:`SPAM_REPEATS` times within :data:`SPAM_WINDOW` seconds is
  timed out for :data:`TIMEOUT_SECONDS`, at most once per :data:`SPAM_COOLDOWN` seconds
  per user (``throttle_by("user_id", ...)``).

Commands and time-outs run through ``client.run_async``, so a slow REST call never holds
up the event stream; every action is recorded on the demo's :class:`Timeline`.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Final

from reactivex import operators as ops
from reactivex.abc import DisposableBase

from fluxer_rx.client import Client
from fluxer_rx.demo.actions import PollResult, Timeline
from fluxer_rx.demo.windows import SlidingCounter
from fluxer_rx.errors import FluxerError
from fluxer_rx.models import MessageCreate
from fluxer_rx.operators import throttle_by

__all__ = [
    "BANNED_WORDS",
    "SPAM_COOLDOWN",
    "SPAM_REPEATS",
    "SPAM_WINDOW",
    "TIMEOUT_SECONDS",
    "DemoBot",
]

BANNED_WORDS: Final = frozenset({"giveaway", "airdrop"})
SPAM_REPEATS: Final = 5
SPAM_WINDOW: Final = 2.0
SPAM_COOLDOWN: Final = 30.0
TIMEOUT_SECONDS: Final = 60
VOTES: Final = ("👍", "👎")


def author_name(message: MessageCreate) -> str:
    """The author's display name (global name, else username, else id)."""
    author = message.author
    return author.global_name or author.username or author.id


def banned_word(content: str) -> str | None:
    """The first banned word in ``content`` (case-insensitive, as a whole word), or None."""
    for word in content.lower().split():
        stripped = word.strip(".,!?:;\"'()")
        if stripped in BANNED_WORDS:
            return stripped
    return None


class DemoBot:
    """The demo's bot on ``client``; ``clock`` is the loop's clock (spam windows).

    Handlers are registered on construction; :meth:`close` removes them (tasks still
    running are cancelled when the client's run ends).
    """

    def __init__(self, client: Client, timeline: Timeline, clock: Callable[[], float]) -> None:
        self.client = client
        self.timeline = timeline
        self._repeats: SlidingCounter[tuple[str, str]] = SlidingCounter(
            SPAM_WINDOW, clock, bucket=0.5
        )
        self._busy = 0
        self.idle = asyncio.Event()
        """Set while no command, deletion or time-out of the bot is under way."""
        self.idle.set()
        self._removers: list[Callable[[], None]] = [client.listen(MessageCreate, self._moderate)]
        messages = client.events.stream(MessageCreate)
        self._subscriptions: list[DisposableBase] = [
            messages.pipe(
                ops.filter(self._is_command),
                client.run_async(self._command, concurrency=4, ordered=False),
            ).subscribe(),
            messages.pipe(
                ops.filter(self._is_spam),
                throttle_by("user_id", SPAM_COOLDOWN),
                client.run_async(self._time_out),
            ).subscribe(),
        ]

    @contextlib.contextmanager
    def _working(self) -> Iterator[None]:
        self._busy += 1
        self.idle.clear()
        try:
            yield
        finally:
            self._busy -= 1
            if self._busy == 0:
                self.idle.set()

    def _mine(self, message: MessageCreate) -> bool:
        user = self.client.user
        return user is not None and message.author.id == user.id

    # -- commands ------------------------------------------------------------------------

    def _is_command(self, message: MessageCreate) -> bool:
        return message.content.startswith("!") and not self._mine(message)

    async def _command(self, message: MessageCreate) -> None:
        name, _, rest = message.content.partition(" ")
        with self._working():
            try:
                if name == "!ping":
                    await self._ping(message)
                elif name == "!poll":
                    await self._poll(message, rest)
            except FluxerError as exc:  # e.g. the message was deleted meanwhile
                self.timeline.add("bot", f"{name} from {author_name(message)} failed: {exc}")

    async def _ping(self, message: MessageCreate) -> None:
        started = time.perf_counter()
        reply = await self.client.messages.reply(message, "pong 🏓")
        latency = time.perf_counter() - started
        self.timeline.ping_latencies.append(latency)
        await self.client.messages.edit(reply, f"pong 🏓 round trip {latency * 1000:.1f} ms")
        self.timeline.add(
            "bot", f"!ping from {author_name(message)}: pong, {latency * 1000:.1f} ms"
        )

    async def _poll(self, message: MessageCreate, rest: str) -> None:
        seconds_text, _, question = rest.partition(" ")
        try:
            seconds = float(seconds_text)
        except ValueError:
            seconds = 0.0
        if not 0 < seconds <= 600 or not question:
            await self.client.messages.reply(message, "usage: !poll SECONDS QUESTION")
            return
        poll = await self.client.messages.reply(message, f"📊 {question} (👍 or 👎)")
        votes = self.client.create_reaction_collector(poll.channel_id, poll.id, time=seconds)
        self.timeline.add("bot", f'poll "{question}" open for {seconds:g} s')
        with contextlib.suppress(FluxerError):  # deleted already: the collector ends
            for emoji in VOTES:
                await self.client.messages.react(poll, emoji)
        result = await votes
        names = [r.emoji.name for r in result.items if r.user_id != poll.author.id]
        tally = PollResult(question, names.count(VOTES[0]), names.count(VOTES[1]))
        self.timeline.polls.append(tally)
        text = f'poll "{question}": yes {tally.yes}, no {tally.no}'
        if result.reason == "message_delete":  # someone deleted it: say so, not a reply
            await self.client.channels.send(poll.channel_id, f"📊 {text} (poll deleted)")
            self.timeline.add("bot", f"{text} (the poll message was deleted)")
            return
        await self.client.messages.reply(poll, f"👍 {tally.yes} · 👎 {tally.no}")
        self.timeline.add("bot", text)

    # -- moderation ----------------------------------------------------------------------

    async def _moderate(self, message: MessageCreate) -> None:
        word = banned_word(message.content)
        if word is None or self._mine(message):
            return
        with self._working():
            try:
                await self.client.messages.delete(message, reason=f"banned word {word!r}")
            except FluxerError as exc:
                self.timeline.add("bot", f"could not delete a message: {exc}")
                return
        self.timeline.deleted += 1
        self.timeline.add(
            "bot", f'deleted a message by {author_name(message)}: banned word "{word}"'
        )

    def _is_spam(self, message: MessageCreate) -> bool:
        if self._mine(message) or message.guild_id is None:
            return False
        key = (message.author.id, message.content)
        self._repeats.add(key)
        return self._repeats.count(key) >= SPAM_REPEATS

    async def _time_out(self, message: MessageCreate) -> None:
        until = datetime.now(UTC) + timedelta(seconds=TIMEOUT_SECONDS)
        guild_id = message.guild_id or ""
        with self._working():
            await self.client.rest.timeout_member(
                guild_id, message.author.id, until, reason="repeated the same message"
            )
        self.timeline.timed_out += 1
        self.timeline.add(
            "bot",
            f"timed out {author_name(message)} for {TIMEOUT_SECONDS} s:"
            f" {SPAM_REPEATS} same messages in {SPAM_WINDOW:g} s",
        )

    def close(self) -> None:
        """Remove the bot's handlers and subscriptions."""
        for remove in self._removers:
            remove()
        for subscription in self._subscriptions:
            subscription.dispose()
