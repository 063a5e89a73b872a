"""The errors of the command layer. ``str(error)`` is the sentence the invoker is told.

Every error raised while a command is prepared or run is a :class:`CommandError`:
argument errors (:class:`MissingArgument`, :class:`BadArgument`,
:class:`TooManyArguments`), check failures (:class:`CheckFailure` and its kinds),
:class:`OnCooldown`, and :class:`CommandRaised` wrapping whatever the command itself
raised.
"""

from __future__ import annotations

from fluxer_rx.errors import FluxerError
from fluxer_rx.permissions import Permissions

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


class CommandError(FluxerError):
    """A command could not be run, or failed; ``str()`` is meant for the invoker."""


class ArgumentError(CommandError):
    """The arguments do not fit the command's signature."""


class MissingArgument(ArgumentError):
    """A required parameter got no argument; ``param`` names it."""

    def __init__(self, param: str) -> None:
        super().__init__(f"missing argument `{param}`")
        self.param = param


class BadArgument(ArgumentError):
    """An argument could not be converted: ``param``, the ``value`` given, and why."""

    def __init__(self, param: str, value: str, reason: str) -> None:
        super().__init__(f"bad argument `{param}`: {reason}")
        self.param = param
        self.value = value
        self.reason = reason


class TooManyArguments(ArgumentError):
    """More arguments than parameters; ``extra`` is the text left over."""

    def __init__(self, extra: str) -> None:
        super().__init__(f"too many arguments (unexpected `{extra}`)")
        self.extra = extra


class CheckFailure(CommandError):
    """A check refused the invocation."""


class GuildOnly(CheckFailure):
    """The command works only in a guild channel."""

    def __init__(self) -> None:
        super().__init__("this command works only in a server channel")


class NotOwner(CheckFailure):
    """The command is for the bot's owners only."""

    def __init__(self) -> None:
        super().__init__("this command is for the bot's owners only")


class MissingPermissions(CheckFailure):
    """The invoker lacks ``missing`` in the channel (``None``: it could not be computed
    from the cache, and the check fails closed)."""

    def __init__(self, missing: Permissions | None) -> None:
        if missing is None:
            text = "your permissions could not be checked; try again in a moment"
        else:
            text = "you need the permission(s) " + ", ".join(missing.names or [str(missing)])
        super().__init__(text)
        self.missing = missing


class OnCooldown(CommandError):
    """The invocation came too soon: ``retry_after`` seconds to wait. ``first`` is true
    for the first refusal in a cooldown window (only that one is answered by default)."""

    def __init__(self, retry_after: float, *, first: bool) -> None:
        super().__init__(f"slow down: try again in {max(retry_after, 0.1):.1f} s")
        self.retry_after = retry_after
        self.first = first


class CommandRaised(CommandError):
    """The command's function raised ``original`` (also the ``__cause__``)."""

    def __init__(self, original: BaseException) -> None:
        super().__init__("the command failed")
        self.original = original
        self.__cause__ = original
