"""Seeding: the sandbox world's initial guilds, roles, emojis, channels, members and
message history, drawn from one seeded ``random.Random`` so the same seed gives the same
names, contents and shape. Seeding emits nothing.
"""

from __future__ import annotations

import random
from typing import TYPE_CHECKING, Final

from fluxer_rx.sandbox.snowflakes import iso_timestamp
from fluxer_rx.sandbox.world_entities import (
    Channel,
    Emoji,
    Guild,
    Member,
    Message,
    Reaction,
    Role,
    User,
)

if TYPE_CHECKING:
    from fluxer_rx.sandbox.world import World

__all__ = [
    "EVERYONE_PERMISSIONS",
    "SEEDED_HISTORY_MS",
    "STATUSES",
    "random_username",
    "seed_guild",
    "seed_messages",
    "seed_other_user",
    "seed_world",
]

WORDS: Final = [
    "alpha",
    "bravo",
    "charlie",
    "delta",
    "echo",
    "foxtrot",
    "golf",
    "hotel",
    "india",
    "juliet",
    "kilo",
    "lima",
    "mike",
    "november",
    "oscar",
    "papa",
    "quebec",
    "romeo",
    "sierra",
    "tango",
    "uniform",
    "victor",
    "whiskey",
    "xray",
    "yankee",
    "zulu",
    "river",
    "stone",
    "cloud",
    "ember",
    "frost",
    "glade",
    "harbor",
    "island",
    "jungle",
    "lantern",
    "meadow",
    "nebula",
    "orchard",
    "prairie",
    "quartz",
]
SEEDED_HISTORY_MS: Final = 3_600_000
"""How long before the world's construction its seeded history starts: one hour. Seeded
ids are made 1 ms apart from then on, so a seeded world stays in the past unless it
makes more than 3.6 million ids (later ids then follow the newest seeded one)."""

UNICODE_EMOJIS: Final = ("👍", "🎉", "🔥", "❤️", "😂", "👀")
STATUSES: Final = ("online", "idle", "dnd", "offline")

EVERYONE_PERMISSIONS: Final = (
    (1 << 0) | (1 << 6) | (1 << 10) | (1 << 11) | (1 << 14) | (1 << 15) | (1 << 16) | (1 << 26)
)
"""Default @everyone permissions: invite, react, view, send, embed, attach, history, nick."""


def random_username(rng: random.Random, number: int) -> str:
    """A seeded username ``<word>_<number:04d>``."""
    return f"{rng.choice(WORDS)}_{number:04d}"


def seed_world(
    world: World,
    rng: random.Random,
    *,
    guilds: int,
    channels_per_guild: int,
    members_per_guild: int,
    messages_per_channel: int,
) -> None:
    """Add ``guilds`` seeded guilds to ``world``, then each text channel's history."""
    for g in range(guilds):
        seed_guild(world, rng, g, channels_per_guild, members_per_guild)
    for guild in world.guilds.values():
        for cid in guild.channel_ids:
            seed_messages(world, rng, guild, world.channels[cid], messages_per_channel)


def seed_other_user(world: World) -> User:
    """Add ``sandbox-user``, a human user who is online and a member (no roles) of every
    guild of ``world``, and return it."""
    user = world.create_user(username="sandbox-user")
    user.status = "online"
    for guild in world.guilds.values():
        world.new_id()
        guild.members[user.id] = Member(
            user_id=user.id, guild_id=guild.id, joined_at_ms=world.now_ms()
        )
    return user


def seed_guild(
    world: World, rng: random.Random, index: int, n_channels: int, n_members: int
) -> None:
    """Add guild number ``index`` (0-based) owned by the bot: @everyone, Moderator and
    Regular roles, two custom emojis, ``n_channels`` text channels (the first is the
    system channel), the bot as a Moderator and ``n_members`` new users as members."""
    gid = world.new_id()
    name = f"{rng.choice(WORDS).title()} {rng.choice(WORDS).title()} {index + 1}"
    guild = Guild(id=gid, name=name, owner_id=world.bot.id)
    world.guilds[gid] = guild
    guild.roles[gid] = Role(id=gid, name="@everyone", permissions=EVERYONE_PERMISSIONS)
    moderator = Role(
        id=world.new_id(),
        name="Moderator",
        color=0x3498DB,
        position=2,
        hoist=True,
        permissions=EVERYONE_PERMISSIONS | (1 << 1) | (1 << 2) | (1 << 13) | (1 << 28),
        mentionable=True,
    )
    regular = Role(id=world.new_id(), name="Regular", color=0x2ECC71, position=1)
    guild.roles[moderator.id] = moderator
    guild.roles[regular.id] = regular
    for emoji_name, animated in (("sandbox_wave", False), ("sandbox_party", True)):
        emoji = Emoji(id=world.new_id(), name=emoji_name, animated=animated)
        guild.emojis[emoji.id] = emoji
    for c in range(n_channels):
        cname = ("general", "random", "dev")[c] if c < 3 else f"channel-{c + 1}"
        channel = Channel(
            id=world.new_id(),
            guild_id=gid,
            name=cname,
            position=c,
            topic=f"The {cname} channel",
        )
        world.channels[channel.id] = channel
        guild.channel_ids.append(channel.id)
    guild.system_channel_id = guild.channel_ids[0] if guild.channel_ids else None
    world.new_id()
    guild.members[world.bot.id] = Member(
        user_id=world.bot.id, guild_id=gid, joined_at_ms=world.now_ms(), roles=[moderator.id]
    )
    for _ in range(n_members):
        user = world.create_user()
        user.status = rng.choice(STATUSES)
        roles = [regular.id] if rng.random() < 0.5 else []
        if rng.random() < 0.1:
            roles.append(moderator.id)
        world.new_id()
        guild.members[user.id] = Member(
            user_id=user.id,
            guild_id=gid,
            joined_at_ms=world.now_ms(),
            roles=roles,
            nick=f"nick-{user.username}" if rng.random() < 0.3 else None,
        )


def seed_messages(
    world: World, rng: random.Random, guild: Guild, channel: Channel, count: int
) -> None:
    """Add ``count`` messages by the guild's members to ``channel``, some with reactions;
    the oldest message of the guild's first channel is pinned."""
    authors = list(guild.members)
    emojis = [*UNICODE_EMOJIS, *(f"{e.name}:{e.id}" for e in guild.emojis.values())]
    for i in range(count):
        words = " ".join(rng.choice(WORDS) for _ in range(rng.randint(2, 9)))
        message = Message(
            id=world.new_id(),
            channel_id=channel.id,
            guild_id=guild.id,
            author_id=rng.choice(authors),
            content=words.capitalize(),
        )
        channel.messages[message.id] = message
        channel.last_message_id = message.id
        if rng.random() < 0.4:
            for _ in range(rng.randint(1, 3)):
                parsed = world.parse_emoji(rng.choice(emojis))
                reaction = message.reactions.setdefault(
                    world.emoji_key(parsed), Reaction(emoji=parsed)
                )
                who = rng.choice(authors)
                if who not in reaction.user_ids:
                    reaction.user_ids.append(who)
        if i == 0 and channel.id == guild.channel_ids[0]:
            message.pinned = True
            world.new_id()
            channel.pins[message.id] = world.now_ms()
            channel.last_pin_timestamp = iso_timestamp(world.now_ms())
