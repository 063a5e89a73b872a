"""Checks: decorators that decide whether an invocation may run.

A check is ``predicate(ctx) -> bool`` (sync or async). ``False`` refuses with a generic
:class:`~fluxer_rx.commands.errors.CheckFailure`; a predicate may raise a
``CheckFailure`` of its own to say why. Checks run in the order they are written (top
to bottom), before the cooldown and before the arguments are parsed; the first refusal
stops the invocation. The decorators work above or below ``@commands.command()``.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from fluxer_rx.commands.context import Context
from fluxer_rx.commands.errors import CheckFailure, GuildOnly, MissingPermissions, NotOwner
from fluxer_rx.permissions import Permissions, PermissionsUnknown

__all__ = [
    "CHECKS_ATTRIBUTE",
    "Check",
    "check",
    "guild_only",
    "has_permissions",
    "owner_only",
    "run_checks",
]

Check = Callable[[Context], bool | Awaitable[bool]]
"""``predicate(ctx)``: true to allow (sync or async); may raise ``CheckFailure``."""

F = TypeVar("F")

CHECKS_ATTRIBUTE = "__fluxer_command_checks__"
"""Where checks wait on a function until ``command()`` turns it into a ``Command``."""


def check(predicate: Check) -> Callable[[F], F]:
    """A decorator adding ``predicate`` to a command (or to a function that becomes one)."""

    def decorate(target: F) -> F:
        checks = getattr(target, "checks", None)
        if isinstance(checks, list):  # a Command already
            checks.insert(0, predicate)
        else:
            pending: list[Check] = getattr(target, CHECKS_ATTRIBUTE, [])
            pending.insert(0, predicate)
            setattr(target, CHECKS_ATTRIBUTE, pending)
        return target

    return decorate


def guild_only() -> Callable[[F], F]:
    """Refuse invocations outside a guild channel (:class:`GuildOnly`)."""

    def predicate(ctx: Context) -> bool:
        if ctx.guild_id is None:
            raise GuildOnly()
        return True

    return check(predicate)


def owner_only() -> Callable[[F], F]:
    """Allow only the bot's owners (``Commands(owner_ids=...)``; :class:`NotOwner`).
    With no owner configured, nobody may run the command."""

    def predicate(ctx: Context) -> bool:
        if ctx.author_id not in ctx.owner_ids:
            raise NotOwner()
        return True

    return check(predicate)


def has_permissions(*required: Permissions) -> Callable[[F], F]:
    """Allow only invokers who have every one of ``required`` in the invoking channel,
    computed from the cache as Fluxer computes it (:mod:`fluxer_rx.permissions`), with the
    roles the message's ``member`` carries. Refuses in DMs (:class:`GuildOnly`), when a
    bit is missing (:class:`MissingPermissions` naming them) and when the cache cannot
    tell (``MissingPermissions(None)``: fails closed)."""
    needed = Permissions(0)
    for flag in required:
        needed |= flag

    def predicate(ctx: Context) -> bool:
        if ctx.guild_id is None:
            raise GuildOnly()
        member = ctx.member
        try:
            have = ctx.client.permissions_for(
                ctx.author_id,
                channel_id=ctx.channel_id,
                roles=member.roles if member is not None else None,
            )
        except PermissionsUnknown:
            raise MissingPermissions(None) from None
        missing = have.missing(needed)
        if missing:
            raise MissingPermissions(missing)
        return True

    return check(predicate)


async def run_checks(checks: list[Check], ctx: Context) -> None:
    """Run ``checks`` in order; raise the first refusal (a ``CheckFailure``)."""
    for predicate in checks:
        result: Any = predicate(ctx)
        if inspect.isawaitable(result):
            result = await result
        if not result:
            raise CheckFailure("you cannot use this command here")
