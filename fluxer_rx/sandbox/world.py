"""The sandbox's world: one consistent, seeded state of users, guilds, channels and messages.

Everything the sandbox serves (REST responses, gateway dispatches, GUILD_CREATE bursts) is
built from this state by the ``*_wire`` builders, which return plain JSON-ready dicts in
Fluxer's shapes (``../shared/PROTOCOL.md`` §2.2 and §3; the digest
``tests/data/fluxer-api-digest.json``). The sandbox never imports the client's models: a
model mistake must not be mirrored into the server that tests it.

Mutations (``create_message``, ``add_reaction``, ``add_member``, ...) are the single way to
change the world. Each one updates the state, emits the matching dispatch through
:meth:`World.emit` (which fans out to every registered listener, normally the gateway hub)
and returns the wire dict of its result, so the REST routes, the test helpers and the
traffic generator all produce identical effects. Mutations raise :class:`WorldError`
(with a Fluxer error ``code`` such as ``UNKNOWN_CHANNEL``) on bad input and change nothing
in that case.

The world is built in layers, one module each: :mod:`~fluxer_rx.sandbox.world_entities`
(the dataclasses), :mod:`~fluxer_rx.sandbox.world_state` (maps, clock, ids, listeners,
lookups), :mod:`~fluxer_rx.sandbox.world_wire` (the ``*_wire`` builders),
:mod:`~fluxer_rx.sandbox.world_messages` and :mod:`~fluxer_rx.sandbox.world_guilds` (the
mutations) and :mod:`~fluxer_rx.sandbox.world_seeding` (the initial state). This module
joins them into :class:`World` and re-exports the names other modules import from it.

Guarantees:

* Time: the world has a wall clock (``clock``, Unix seconds; :func:`time.time` unless
  one is injected, e.g. a simulation's). Every id the world makes is a snowflake stamped
  with the clock's time when it was made, so a simulated world's ids carry simulated
  time; ids strictly increase. The seeded state is laid out before the clock's time at
  construction: its ids are made 1 ms apart from :data:`SEEDED_HISTORY_MS` earlier.
  Timestamps on the wire (``joined_at``, ``edited_timestamp``, pins, bans) come from the
  same clock, so snowflake and ISO timestamps agree.
* Deterministic: the same constructor arguments and clock readings give the same ids,
  names, contents and tokens; names and contents depend on the seed only.
* Ids are decimal-string snowflakes (Fluxer epoch 1420070400000); the @everyone role id
  equals its guild id; consecutive seeded guild ids differ in their timestamp bits, so
  guilds spread over shards by ``(guild_id >> 22) % shard_count``.
* Quiet: building the world emits nothing.
"""

from __future__ import annotations

import time

from fluxer_rx.sandbox.arguments import check_world_arguments
from fluxer_rx.sandbox.snowflakes import (
    FLUXER_EPOCH_MS,
    Clock,
    SnowflakeMinter,
    iso_timestamp,
    snowflake_ms,
)
from fluxer_rx.sandbox.world_entities import (
    UNSET,
    Ban,
    Channel,
    Emoji,
    Guild,
    Json,
    Member,
    Message,
    Overwrite,
    Reaction,
    Role,
    User,
    WorldError,
)
from fluxer_rx.sandbox.world_guilds import GuildMutations
from fluxer_rx.sandbox.world_messages import MessageMutations
from fluxer_rx.sandbox.world_seeding import (
    EVERYONE_PERMISSIONS,
    SEEDED_HISTORY_MS,
    seed_other_user,
    seed_world,
)
from fluxer_rx.sandbox.world_state import WorldListener

__all__ = [
    "EVERYONE_PERMISSIONS",
    "FLUXER_EPOCH_MS",
    "SEEDED_HISTORY_MS",
    "UNSET",
    "Ban",
    "Channel",
    "Clock",
    "Emoji",
    "Guild",
    "Json",
    "Member",
    "Message",
    "Overwrite",
    "Reaction",
    "Role",
    "User",
    "World",
    "WorldError",
    "WorldListener",
    "iso_timestamp",
    "snowflake_ms",
]


class World(MessageMutations, GuildMutations):
    """The seeded sandbox state plus its mutations; see the module docstring.

    Construction arguments:

    * ``seed``: seeds names, contents and the token secrets.
    * ``clock``: the world's wall clock in Unix seconds (default :func:`time.time`).
    * ``guilds``, ``channels_per_guild`` (text channels, type 0), ``members_per_guild``
      (non-bot members; the bot is a member of every guild on top of them),
      ``messages_per_channel`` (seeded history, some with reactions; the oldest message
      of each guild's first channel is pinned).
    * ``other_user``: also seed ``sandbox-user``, a human member of every seeded guild
      (online) to act as from a shell: its token is ``user_token(other_user.id)``.

    Public attributes (read them, change them only through mutations):

    * ``bot``: the bot :class:`User`; ``token``: its valid bot token ``<bot.id>.<secret>``.
    * ``other_user``: the seeded ``sandbox-user`` :class:`User`, or ``None``.
    * ``users``: id -> :class:`User`; ``guilds``: id -> :class:`Guild` (seed order);
      ``channels``: id -> :class:`Channel` (every guild channel).
    * ``faults``: the shared :class:`~fluxer_rx.sandbox.faults.Faults` switches.
    * ``guild_ids``, ``channel_ids``: the seeded guild ids / text channel ids in order
      (snapshots taken at construction; later mutations don't change these lists).
    """

    def __init__(
        self,
        *,
        seed: int = 0,
        guilds: int = 2,
        channels_per_guild: int = 3,
        members_per_guild: int = 10,
        messages_per_channel: int = 5,
        other_user: bool = False,
        clock: Clock = time.time,
    ) -> None:
        check_world_arguments(
            guilds=guilds,
            channels_per_guild=channels_per_guild,
            members_per_guild=members_per_guild,
            messages=messages_per_channel,
        )
        ids = SnowflakeMinter(clock)
        with ids.history(ids.now_ms() - SEEDED_HISTORY_MS):
            super().__init__(seed=seed, ids=ids)
            seed_world(
                self,
                self._rng,
                guilds=guilds,
                channels_per_guild=channels_per_guild,
                members_per_guild=members_per_guild,
                messages_per_channel=messages_per_channel,
            )
            self.other_user: User | None = seed_other_user(self) if other_user else None
        self.guild_ids: list[str] = list(self.guilds)
        self.channel_ids: list[str] = [cid for cid, ch in self.channels.items() if ch.type == 0]
