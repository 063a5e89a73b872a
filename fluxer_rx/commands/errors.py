"""The errors of the command layer (defined in :mod:`fluxer_rx.errors`, with every other
public exception, and re-exported here). ``str(error)`` is the sentence the invoker is told.

Every error raised while a command is prepared or run is a :class:`CommandError`:
argument errors (:class:`MissingArgument`, :class:`BadArgument`,
:class:`TooManyArguments`), check failures (:class:`CheckFailure` and its kinds),
:class:`OnCooldown`, and :class:`CommandRaised` wrapping whatever the command itself
raised.
"""

from __future__ import annotations

from fluxer_rx.errors import (
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
    "ArgumentError",
    "BadArgument",
    "CheckFailure",
    "CommandError",
    "CommandRaised",
    "GuildOnly",
    "MissingArgument",
    "MissingPermissions",
    "NotOwner",
    "OnCooldown",
    "TooManyArguments",
]
