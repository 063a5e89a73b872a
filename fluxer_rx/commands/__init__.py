"""Prefix commands as a layer over ``client.events``: typed arguments from the function
signature, checks, cooldowns, help, and errors answered to the invoker.

::

    from fluxer_rx.commands import Commands, Context, has_permissions
    from fluxer_rx.models import PartialUser
    from fluxer_rx.permissions import Permissions

    bot = Commands(client, prefix="!")

    @bot.command()
    @has_permissions(Permissions.KICK_MEMBERS)
    async def kick(ctx: Context, user: PartialUser, reason: str = "") -> None:
        \"\"\"Kick a member.\"\"\"
        ...
        await ctx.reply(f"kicked {user.username}")

Modules: :mod:`.command_set` (:class:`Commands`: matching, tasks, error reporting),
:mod:`.command` (:class:`Command`), :mod:`.signature` (parameters and binding),
:mod:`.converters`, :mod:`.checks`, :mod:`.cooldowns`, :mod:`.help`, :mod:`.errors`.
"""

from __future__ import annotations

from fluxer_rx.commands.checks import Check, check, guild_only, has_permissions, owner_only
from fluxer_rx.commands.command import Command, command
from fluxer_rx.commands.command_set import (
    COMMAND_ERROR,
    COMMAND_OVERFLOW,
    CommandFailure,
    Commands,
    ErrorHandler,
)
from fluxer_rx.commands.context import Context
from fluxer_rx.commands.converters import Converter, split_arguments
from fluxer_rx.commands.cooldowns import BucketType, Cooldown, cooldown
from fluxer_rx.commands.errors import (
    ArgumentError,
    BadArgument,
    CheckFailure,
    CommandError,
    CommandRaised,
    GuildOnly,
    MissingArgument,
    MissingPermissions,
    NotOwner,
    OnCooldown,
    TooManyArguments,
)

__all__ = [
    "COMMAND_ERROR",
    "COMMAND_OVERFLOW",
    "ArgumentError",
    "BadArgument",
    "BucketType",
    "Check",
    "CheckFailure",
    "Command",
    "CommandError",
    "CommandFailure",
    "CommandRaised",
    "Commands",
    "Context",
    "Converter",
    "Cooldown",
    "ErrorHandler",
    "GuildOnly",
    "MissingArgument",
    "MissingPermissions",
    "NotOwner",
    "OnCooldown",
    "TooManyArguments",
    "check",
    "command",
    "cooldown",
    "guild_only",
    "has_permissions",
    "owner_only",
    "split_arguments",
]
