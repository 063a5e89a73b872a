"""Ping: answers ``!ping`` with ``pong`` and the gateway's heartbeat latency, and greets
members who join.

    fluxer-rx sandbox --port 8765        # prints a token
    FLUXER_API=http://127.0.0.1:8765/v1 FLUXER_TOKEN=... python examples/ping.py

On fluxer.app, only ``FLUXER_TOKEN`` is needed. Ctrl-C stops it (exit code 0).
"""

from __future__ import annotations

import os

from fluxer_rx import Client, ClientOptions, RestOptions
from fluxer_rx.commands import Commands, Context
from fluxer_rx.models import GuildMemberAdd


async def setup(client: Client) -> None:
    """Register the ``!ping`` command and the welcome handler on ``client``."""
    bot = Commands(client, prefix="!")

    @bot.command(help="Answer pong, with the heartbeat latency.")
    async def ping(ctx: Context) -> None:
        latency = client.latency
        measured = f"{latency * 1000:.0f} ms" if latency is not None else "not measured yet"
        await ctx.reply(f"pong (heartbeat {measured})")

    @client.listen(GuildMemberAdd)
    async def welcome(member: GuildMemberAdd) -> None:
        guild = client.guilds.get(member.guild_id)
        channel = next(
            (c for c in client.channels.values() if c.guild_id == member.guild_id and c.type == 0),
            None,
        )
        if guild is not None and channel is not None and member.user is not None:
            await client.channels.send(channel, f"welcome to {guild.name}, <@{member.user.id}>!")


def main() -> None:
    api = os.environ.get("FLUXER_API", "https://api.fluxer.app/v1")
    client = Client(ClientOptions(rest=RestOptions(api_url=api)))
    client.run(os.environ["FLUXER_TOKEN"], setup=setup)


if __name__ == "__main__":
    main()
