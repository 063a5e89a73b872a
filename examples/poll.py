"""Reaction poll: ``!poll 30 Lunch? | pizza | sushi | salad`` posts the question with
one numbered reaction per option, collects the members' reactions for 30 seconds with a
reaction collector, and answers with the tally (one vote per member: their last
reaction counts; the bot's own reactions do not).

    FLUXER_API=http://127.0.0.1:8765/v1 FLUXER_TOKEN=... python examples/poll.py
"""

from __future__ import annotations

import os
from collections import Counter

from fluxer_rx import Client, ClientOptions, RestOptions
from fluxer_rx.commands import BadArgument, Commands, Context

NUMBERS = ("1️⃣", "2️⃣", "3️⃣", "4️⃣", "5️⃣")
MAX_SECONDS = 600.0


def tally(options: list[str], votes: dict[str, str]) -> str:
    """The result line: each option with its votes, most first (``votes``: user -> emoji)."""
    counts = Counter(votes.values())
    ranked = sorted(zip(NUMBERS, options, strict=False), key=lambda pair: -counts[pair[0]])
    return " · ".join(f"{option} {counts[number]}" for number, option in ranked)


async def setup(client: Client) -> None:
    """Register ``!poll`` on ``client``."""
    bot = Commands(client, prefix="!")

    @bot.command(help="!poll SECONDS QUESTION | OPTION | OPTION ... (2 to 5 options)")
    async def poll(ctx: Context, seconds: float, *, text: str) -> None:
        question, *options = [part.strip() for part in text.split("|")]
        if not 2 <= len(options) <= len(NUMBERS) or not 0 < seconds <= MAX_SECONDS:
            reason = f"2 to {len(NUMBERS)} options, for 0 to {MAX_SECONDS:.0f} s"
            raise BadArgument("text", text, reason)
        lines = [f"📊 {question} ({seconds:g} s)"]
        lines += [f"{n} {option}" for n, option in zip(NUMBERS, options, strict=False)]
        message = await ctx.send("\n".join(lines))
        # the collector starts before the bot's reactions exist: no vote can be missed
        collector = client.create_reaction_collector(
            message.channel_id,
            message.id,
            filter=lambda r: r.user_id != message.author.id and r.emoji.name in NUMBERS,
            time=seconds,
        )
        for number in NUMBERS[: len(options)]:
            await client.messages.react(message, number)
        result = await collector
        votes = {r.user_id: r.emoji.name or "" for r in result.items}  # last reaction wins
        await ctx.reply(f"{question} {tally(options, votes)} ({len(votes)} voters)")


def main() -> None:
    api = os.environ.get("FLUXER_API", "https://api.fluxer.app/v1")
    client = Client(ClientOptions(rest=RestOptions(api_url=api)))
    client.run(os.environ["FLUXER_TOKEN"], setup=setup)


if __name__ == "__main__":
    main()
