"""The command layer against the sandbox over real sockets: other users post commands
(``sb.post_message(..., author_id=...)``), the bot answers through REST."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest

from fluxer_rx import Client, ClientOptions, Permissions, RestOptions
from fluxer_rx.commands import (
    COMMAND_ERROR,
    BucketType,
    CommandFailure,
    CommandRaised,
    Commands,
    Context,
    MissingPermissions,
    OnCooldown,
    cooldown,
    has_permissions,
    owner_only,
)
from fluxer_rx.diagnostics import Diagnostic
from fluxer_rx.models import PartialUser
from fluxer_rx.sandbox import Sandbox
from fluxer_rx.sandbox.world import Message
from tests.util import wait_until


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@dataclass
class Bot:
    sb: Sandbox
    client: Client
    commands: Commands
    clock: FakeClock
    failures: list[CommandFailure]
    channel_id: str
    guild_id: str
    user_id: str  # a member without roles
    target_id: str  # another member
    seeded: frozenset[str]

    def replies(self) -> list[Message]:
        """The bot's messages in the channel, the seeded history left out."""
        channel = self.sb.world.channels[self.channel_id]
        return [
            m
            for m in channel.messages.values()
            if m.author_id == self.sb.bot_id and m.id not in self.seeded
        ]

    def reply_texts(self) -> list[str]:
        return [m.content for m in self.replies()]

    async def say(self, text: str, author_id: str | None = None) -> str:
        posted = await self.sb.post_message(self.channel_id, text, author_id or self.user_id)
        return str(posted["id"])

    async def reply_to(self, text: str, author_id: str | None = None) -> str:
        """Post ``text`` and return the bot's reply to it."""
        message_id = await self.say(text, author_id)

        def answered() -> Message | None:
            for m in self.replies():
                ref = m.message_reference
                if ref is not None and ref["message_id"] == message_id:
                    return m
            return None

        await wait_until(lambda: answered() is not None)
        found = answered()
        assert found is not None
        return found.content


@pytest.fixture
async def bot() -> AsyncIterator[Bot]:
    async with Sandbox(guilds=1, members_per_guild=4) as sb:
        client = Client(ClientOptions(rest=RestOptions(api_url=sb.api_url, max_retries=0)))
        clock = FakeClock()
        guild_id = sb.guild_ids[0]
        members = [u for u in sb.world.guilds[guild_id].members if u != sb.bot_id]
        user_id, target_id = members[0], members[1]
        sb.world.update_member(guild_id, user_id, roles=[])
        commands = Commands(client, prefix="!", owner_ids=[target_id], clock=clock)
        failures: list[CommandFailure] = []

        def collect(d: Diagnostic) -> None:
            if d.kind == COMMAND_ERROR and isinstance(d.data, CommandFailure):
                failures.append(d.data)

        client.diagnostics.subscribe(collect)
        register(commands)
        task = asyncio.create_task(client.login(sb.token))
        await client.wait_until_ready(timeout=10)
        await wait_until(lambda: guild_id in client.guilds)
        try:
            yield Bot(
                sb,
                client,
                commands,
                clock,
                failures,
                sb.channel_ids[0],
                guild_id,
                user_id,
                target_id,
                frozenset(sb.world.channels[sb.channel_ids[0]].messages),
            )
        finally:
            await client.destroy()
            await task
            await commands.close()


def register(commands: Commands) -> None:
    @commands.command()
    async def add(ctx: Context, a: int, b: int) -> None:
        """Add two whole numbers."""
        await ctx.reply(str(a + b))

    @commands.command(aliases=["say"])
    async def echo(ctx: Context, text: str) -> None:
        """Say the text back."""
        await ctx.reply(text)

    @commands.command()
    @has_permissions(Permissions.BAN_MEMBERS)
    async def ban(ctx: Context, user: PartialUser, reason: str = "") -> None:
        """Ban a member."""
        assert ctx.guild_id is not None
        await ctx.client.rest.ban_member(ctx.guild_id, user.id, reason=reason or None)
        await ctx.reply(f"banned {user.username} ({reason})")

    @commands.command(hidden=True)
    async def boom(ctx: Context) -> None:
        raise RuntimeError("kaboom")

    @cooldown(1, 10, BucketType.USER)
    @commands.command()
    async def slow(ctx: Context) -> None:
        """Once per 10 s."""
        await ctx.reply("slow done")

    @commands.command()
    @owner_only()
    async def secret(ctx: Context) -> None:
        await ctx.reply("owner ok")


async def test_typed_arguments_and_replies(bot: Bot) -> None:
    assert await bot.reply_to("!add 2 3") == "5"
    assert await bot.reply_to('!echo hello "big" world') == 'hello "big" world'
    assert await bot.reply_to("!say alias works") == "alias works"
    reply = bot.replies()[-1]
    assert reply.type == 19  # a reply, pointing at the invoking message


async def test_argument_errors_are_answered_and_reported(bot: Bot) -> None:
    assert await bot.reply_to("!add 2 x") == ("bad argument `b`: expected a whole number")
    assert await bot.reply_to("!add") == "missing argument `a`"
    assert await bot.reply_to("!add 1 2 3") == "too many arguments (unexpected `3`)"
    assert [type(f.error).__name__ for f in bot.failures] == [
        "BadArgument",
        "MissingArgument",
        "TooManyArguments",
    ]
    assert bot.failures[0].context.author_id == bot.user_id


async def test_permission_check_refuses_then_allows(bot: Bot) -> None:
    world, guild = bot.sb.world, bot.sb.world.guilds[bot.guild_id]
    answer = await bot.reply_to(f"!ban <@{bot.target_id}> spam")
    assert answer == "you need the permission(s) BAN_MEMBERS"
    assert bot.target_id not in guild.bans
    failure = bot.failures[-1].error
    assert isinstance(failure, MissingPermissions) and failure.missing == Permissions.BAN_MEMBERS

    moderator = next(r for r in guild.roles.values() if r.name == "Moderator")
    world.update_member(bot.guild_id, bot.user_id, roles=[moderator.id])
    username = world.users[bot.target_id].username
    answer = await bot.reply_to(f"!ban <@{bot.target_id}> spam and more")
    assert answer == f"banned {username} (spam and more)"
    assert guild.bans[bot.target_id].reason == "spam and more"

    # a channel overwrite denying the moderator role is honoured
    world.set_permission_overwrite(
        bot.channel_id, moderator.id, type=0, deny=int(Permissions.BAN_MEMBERS)
    )
    await wait_until(lambda: len(bot.client.channels[bot.channel_id].permission_overwrites) == 1)
    other = next(u for u in guild.members if u not in (bot.sb.bot_id, bot.user_id))
    assert await bot.reply_to(f"!ban {other}") == "you need the permission(s) BAN_MEMBERS"
    assert other not in guild.bans


async def test_command_errors_and_owner_check(bot: Bot) -> None:
    assert await bot.reply_to("!boom") == "the command failed"
    error = bot.failures[-1].error
    assert isinstance(error, CommandRaised) and isinstance(error.original, RuntimeError)
    assert await bot.reply_to("!secret") == "this command is for the bot's owners only"
    assert await bot.reply_to("!secret", author_id=bot.target_id) == "owner ok"


async def test_cooldown_answers_once_per_window(bot: Bot) -> None:
    assert await bot.reply_to("!slow") == "slow done"
    assert (await bot.reply_to("!slow")).startswith("slow down: try again in 10.0 s")
    await bot.say("!slow")  # refused again, silently
    await wait_until(lambda: len(bot.failures) == 2)
    third = bot.failures[1].error
    assert isinstance(third, OnCooldown) and not third.first
    # another user has their own window
    assert await bot.reply_to("!slow", author_id=bot.target_id) == "slow done"
    bot.clock.now += 10
    assert await bot.reply_to("!slow") == "slow done"
    assert bot.reply_texts().count("slow done") == 3 and len(bot.replies()) == 4


async def test_help_lists_visible_commands_and_one_command(bot: Bot) -> None:
    listing = await bot.reply_to("!help")
    assert "`!add <a> <b>` — Add two whole numbers." in listing
    assert "`!ban <user> [reason…]` — Ban a member." in listing
    assert "boom" not in listing and "`!help [name…]`" in listing
    one = await bot.reply_to("!help echo")
    assert one.splitlines() == ["Usage: `!echo <text…>`", "Aliases: `say`", "Say the text back."]
    assert await bot.reply_to("!help nope") == "No command named `nope`."


async def test_bots_and_own_messages_and_unknown_names_are_ignored(bot: Bot) -> None:
    other_bot = bot.sb.world.create_user("helper_bot", bot=True)
    bot.sb.world.add_member(bot.guild_id, other_bot.id)
    await bot.say("!echo from a bot", author_id=other_bot.id)
    await bot.client.channels.send(bot.channel_id, "!echo from myself")
    await bot.say("!nosuchcommand hi")
    await bot.say("! echo spaced")
    assert await bot.reply_to("!echo marker") == "marker"
    assert bot.reply_texts() == ["!echo from myself", "marker"]
    assert bot.failures == []


async def test_running_commands_are_cancelled_when_the_run_ends(bot: Bot) -> None:
    started = asyncio.Event()
    outcome: list[str] = []

    @bot.commands.command()
    async def hang(ctx: Context) -> None:
        started.set()
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            outcome.append("cancelled")
            raise

    await bot.say("!hang")
    await asyncio.wait_for(started.wait(), 5)
    assert len(bot.commands.tasks) == 1
    await bot.client.destroy()
    await wait_until(lambda: not bot.commands.tasks)
    assert outcome == ["cancelled"] and bot.failures == []
