"""A :class:`Command`: a named async function with its parameters, checks and cooldown,
and :func:`command`, the decorator that makes one."""

from __future__ import annotations

import inspect
import time
from collections.abc import Awaitable, Callable, Iterable, Mapping
from typing import Any

from fluxer_rx.commands.checks import CHECKS_ATTRIBUTE, Check, run_checks
from fluxer_rx.commands.context import Context
from fluxer_rx.commands.converters import BUILTIN_CONVERTERS, Converter
from fluxer_rx.commands.cooldowns import COOLDOWN_ATTRIBUTE, Cooldown, CooldownTable
from fluxer_rx.commands.signature import Param, bind_arguments, params_of, usage_of

__all__ = ["Callback", "Command", "command"]

Callback = Callable[..., Awaitable[Any]]
"""An ``async def name(ctx, ...)`` command function."""


class Command:
    """A prefix command.

    ``name`` and ``aliases`` are what follows the prefix; ``help`` is the full help text
    (the function's docstring by default) and :attr:`brief` its first line; ``hidden``
    keeps it out of the help list. ``params`` come from the signature (see
    :mod:`fluxer_rx.commands.signature`); a signature the layer cannot fill raises
    ``TypeError`` here. ``checks`` run in list order; ``cooldown`` is optional.
    """

    def __init__(
        self,
        callback: Callback,
        *,
        name: str | None = None,
        aliases: Iterable[str] = (),
        help: str | None = None,
        hidden: bool = False,
        converters: Mapping[Any, Converter] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if not inspect.iscoroutinefunction(callback):
            raise TypeError(f"a command must be an async function, not {callback!r}")
        self.callback = callback
        self.name = name or callback.__name__
        self.aliases = tuple(aliases)
        for label in (self.name, *self.aliases):
            if not label or any(c.isspace() for c in label):
                raise ValueError(f"a command name must be non-empty without spaces: {label!r}")
        self.help = inspect.cleandoc(help or callback.__doc__ or "")
        self.hidden = hidden
        self.params: tuple[Param, ...] = params_of(
            callback, {**BUILTIN_CONVERTERS, **(converters or {})}
        )
        self.checks: list[Check] = list(getattr(callback, CHECKS_ATTRIBUTE, []))
        self._clock = clock
        self.cooldown: CooldownTable | None = None
        spec: Cooldown | None = getattr(callback, COOLDOWN_ATTRIBUTE, None)
        if spec is not None:
            self.set_cooldown(spec)

    def __repr__(self) -> str:
        return f"<Command {self.name} {self.usage}>".replace(" >", ">")

    @property
    def brief(self) -> str:
        """The first line of the help text."""
        return self.help.split("\n", 1)[0]

    @property
    def usage(self) -> str:
        """The parameters as help shows them (``<user> [reason…]``)."""
        return usage_of(self.params)

    def set_cooldown(self, cooldown: Cooldown) -> None:
        """Replace the command's cooldown (fresh windows)."""
        self.cooldown = CooldownTable(cooldown, self._clock)

    async def invoke(self, ctx: Context) -> Any:
        """Run the checks, count the cooldown, convert ``ctx.text`` into ``ctx.args`` /
        ``ctx.kwargs`` and call the function; returns what it returns.

        Raises the command layer's errors (checks, cooldown, arguments); whatever the
        function raises propagates unchanged."""
        await run_checks(self.checks, ctx)
        if self.cooldown is not None:
            self.cooldown.hit(ctx)
        ctx.args, ctx.kwargs = await bind_arguments(ctx, self.params, ctx.text)
        return await self.callback(ctx, *ctx.args, **ctx.kwargs)


def command(
    name: str | None = None,
    *,
    aliases: Iterable[str] = (),
    help: str | None = None,
    hidden: bool = False,
    converters: Mapping[Any, Converter] | None = None,
) -> Callable[[Callback], Command]:
    """A decorator turning an ``async def f(ctx, ...)`` into a :class:`Command` (named
    ``f`` unless ``name``); add it with ``Commands.add``, or use ``Commands.command``."""

    def decorate(callback: Callback) -> Command:
        return Command(
            callback, name=name, aliases=aliases, help=help, hidden=hidden, converters=converters
        )

    return decorate
