""":class:`Commands`: prefix commands on a client's MESSAGE_CREATE stream.

``bot = Commands(client, prefix="!")`` routes ``client.events``' MESSAGE_CREATE events
(a routed subscription: no filter runs for other events) through a synchronous match
that spawns nothing unless a message names a command. Guarantees:

* **Who is heard.** The bot's own messages are always ignored; other bots' too unless
  ``ignore_bots=False``. A message is a command when its content starts with a prefix
  immediately followed by a registered name or alias (``case_insensitive`` to match
  names in any case); other messages cost one ``startswith``.
* **Tracked tasks.** Each invocation runs as one task, kept in :attr:`Commands.tasks`,
  at most ``max_running`` at once (an invocation beyond that is dropped and reported as
  ``command_overflow``). When the client's run ends (its state moves to ``closing``)
  every running invocation is cancelled; :meth:`Commands.close` also stops listening
  and awaits them. No task outlives its run or goes unobserved.
* **Errors reach the invoker and the diagnostics.** A
  :class:`~fluxer_rx.commands.errors.CommandError` (bad or missing argument, check
  failed, on cooldown, or :class:`~fluxer_rx.commands.errors.CommandRaised` around what
  the function raised) is reported on ``client.diagnostics`` as ``command_error`` with
  a :class:`CommandFailure`, logged, and answered with a reply to the invoking message
  (``str(error)``; only the first refusal of a cooldown window is answered). An
  ``on_error(ctx, error)`` handler replaces the reply. A reply that fails is reported as
  ``command_error`` too, never raised.
* **Help.** With ``help_command=True`` a ``help`` command lists the visible commands,
  and ``help <name>`` shows one.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

from reactivex import abc

from fluxer_rx.commands.command import Callback, Command
from fluxer_rx.commands.context import Context
from fluxer_rx.commands.converters import Converter
from fluxer_rx.commands.errors import CommandError, CommandRaised, OnCooldown
from fluxer_rx.commands.help import command_help, help_list
from fluxer_rx.diagnostics import Diagnostic, Kind
from fluxer_rx.lifecycle import ClientState
from fluxer_rx.models import MessageCreate

if TYPE_CHECKING:
    from fluxer_rx.client import Client

__all__ = ["COMMAND_ERROR", "COMMAND_OVERFLOW", "CommandFailure", "Commands", "ErrorHandler"]

log = logging.getLogger("fluxer_rx.commands")

COMMAND_ERROR: Final = "command_error"
"""Diagnostic kind: an invocation failed; ``data`` is a :class:`CommandFailure`."""
COMMAND_OVERFLOW: Final = "command_overflow"
"""Diagnostic kind: ``max_running`` invocations were running; ``data`` is the message."""

ErrorHandler = Callable[[Context, CommandError], Awaitable[None]]
"""``on_error(ctx, error)``: tells the invoker instead of the default reply."""


@dataclass(frozen=True, slots=True)
class CommandFailure:
    """The ``data`` of a ``command_error`` diagnostic: the invocation and its error."""

    context: Context
    error: CommandError


class Commands:
    """The prefix commands of one client (see the module docstring).

    ``prefix``: one string or several. ``owner_ids``: the users ``owner_only()`` admits.
    ``converters``: extra annotation -> converter entries for commands made with
    :meth:`command`. ``clock``: the cooldowns' time source.
    """

    def __init__(
        self,
        client: Client,
        prefix: str | Iterable[str] = "!",
        *,
        owner_ids: Iterable[str] = (),
        ignore_bots: bool = True,
        case_insensitive: bool = False,
        help_command: bool = True,
        max_running: int = 100,
        on_error: ErrorHandler | None = None,
        converters: Mapping[Any, Converter] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        prefixes = (prefix,) if isinstance(prefix, str) else tuple(prefix)
        if not prefixes or not all(prefixes):
            raise ValueError("a prefix must be a non-empty string")
        if max_running < 1:
            raise ValueError(f"max_running must be >= 1, not {max_running}")
        self.client = client
        # longest first, so "!!" wins over "!"
        self.prefixes: tuple[str, ...] = tuple(sorted(prefixes, key=len, reverse=True))
        self.owner_ids = frozenset(str(o) for o in owner_ids)
        self.ignore_bots = ignore_bots
        self.case_insensitive = case_insensitive
        self.max_running = max_running
        self.on_error = on_error
        self.converters = dict(converters or {})
        self._clock = clock
        self._commands: dict[str, Command] = {}
        self._names: dict[str, Command] = {}
        self.tasks: set[asyncio.Task[None]] = set()
        """The invocations running now."""
        if help_command:
            self.add(Command(self._help, name="help", help="Show the commands, or one command."))
        self._subscriptions: list[abc.DisposableBase] = [
            client.events.stream(MessageCreate).route(self._on_message),
            client.diagnostics.subscribe(self._on_diagnostic),
        ]

    # -- registry ------------------------------------------------------------------------

    def command(
        self,
        name: str | None = None,
        *,
        aliases: Iterable[str] = (),
        help: str | None = None,
        hidden: bool = False,
    ) -> Callable[[Callback], Command]:
        """A decorator registering ``async def f(ctx, ...)`` as a command (see
        :class:`~fluxer_rx.commands.Command`); returns the command."""

        def decorate(callback: Callback) -> Command:
            made = Command(
                callback,
                name=name,
                aliases=aliases,
                help=help,
                hidden=hidden,
                converters=self.converters,
                clock=self._clock,
            )
            self.add(made)
            return made

        return decorate

    def add(self, command: Command) -> None:
        """Register ``command``; ``ValueError`` when a name or alias is taken."""
        labels = [self._key(label) for label in (command.name, *command.aliases)]
        taken = [label for label in labels if label in self._names]
        if taken or len(set(labels)) != len(labels):
            raise ValueError(f"command name(s) already registered: {taken or labels}")
        self._commands[command.name] = command
        for label in labels:
            self._names[label] = command

    def remove(self, name: str) -> Command | None:
        """Unregister the command named ``name``; returns it (``None`` if unknown)."""
        command = self._commands.pop(name, None)
        if command is not None:
            self._names = {k: c for k, c in self._names.items() if c is not command}
        return command

    def get(self, name: str) -> Command | None:
        """The command a name or alias invokes, or ``None``."""
        return self._names.get(self._key(name))

    def __iter__(self) -> Iterator[Command]:
        return iter(list(self._commands.values()))

    def __len__(self) -> int:
        return len(self._commands)

    def _key(self, label: str) -> str:
        return label.lower() if self.case_insensitive else label

    # -- dispatch ------------------------------------------------------------------------

    def _self_id(self) -> str | None:
        user = self.client.user
        if user is not None:
            return user.id
        cached = self.client.cache.self_user
        return cached.id if cached is not None else None

    def parse(self, message: MessageCreate) -> Context | None:
        """The invocation ``message`` asks for, or ``None`` (not a command, an unknown
        name, or an author who is ignored). Pure: runs nothing."""
        content = message.content
        if not content:
            return None
        prefix = next((p for p in self.prefixes if content.startswith(p)), None)
        if prefix is None:
            return None
        author = message.author
        if author.id == self._self_id() or (self.ignore_bots and author.bot):
            return None
        body = content[len(prefix) :]
        parts = body.split(None, 1)
        if not parts or not body[:1].strip():
            return None  # "! ping": no name right after the prefix
        invoked_with = parts[0]
        command = self.get(invoked_with)
        if command is None:
            return None
        return Context(
            self.client,
            message,
            command,
            prefix=prefix,
            invoked_with=invoked_with,
            text=parts[1] if len(parts) > 1 else "",
            owner_ids=self.owner_ids,
        )

    def _on_message(self, message: MessageCreate) -> None:
        ctx = self.parse(message)
        if ctx is None:
            return
        if len(self.tasks) >= self.max_running:
            detail = (
                f"{ctx.prefix}{ctx.invoked_with} by {ctx.author_id} dropped: "
                f"{self.max_running} command(s) already running"
            )
            log.warning("%s", detail)
            self._report(COMMAND_OVERFLOW, detail, message)
            return
        task = asyncio.get_running_loop().create_task(self.run(ctx))
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def run(self, ctx: Context) -> None:
        """Invoke ``ctx.command`` and report its error (module docstring); never raises
        but ``CancelledError``."""
        try:
            await ctx.command.invoke(ctx)
        except CommandError as error:
            await self._failed(ctx, error)
        except Exception as exc:  # the command's own error: reported, never fatal
            await self._failed(ctx, CommandRaised(exc))

    async def _failed(self, ctx: Context, error: CommandError) -> None:
        where = f"{ctx.prefix}{ctx.invoked_with} by {ctx.author_id} in {ctx.channel_id}"
        detail = f"{where}: {type(error).__name__}: {error}"
        if isinstance(error, CommandRaised):
            detail += f" ({error.original!r})"
            log.error("%s", detail, exc_info=error.original)
        else:
            log.info("%s", detail)
        self._report(COMMAND_ERROR, detail, CommandFailure(ctx, error))
        try:
            if self.on_error is not None:
                await self.on_error(ctx, error)
            elif not isinstance(error, OnCooldown) or error.first:
                await ctx.reply(str(error))
        except Exception as exc:  # telling the invoker must not fail the run
            log.warning("%s: the error reply failed: %r", where, exc)
            self._report(COMMAND_ERROR, f"{where}: the error reply failed: {exc!r}", exc)

    def _report(self, kind: str, detail: str, data: object) -> None:
        self.client.diagnostics.on_next(Diagnostic(kind, None, detail, data))

    def _on_diagnostic(self, diagnostic: Diagnostic) -> None:
        data = diagnostic.data
        closing = isinstance(data, tuple) and data[1] is ClientState.CLOSING
        if diagnostic.kind == Kind.CLIENT_STATE and closing:
            self.cancel()

    def cancel(self) -> int:
        """Cancel every running invocation; returns how many were asked to stop."""
        running = [t for t in self.tasks if not t.done()]
        for task in running:
            task.cancel()
        return len(running)

    async def idle(self) -> None:
        """Return once no invocation is running (those started meanwhile included)."""
        while self.tasks:
            await asyncio.wait(list(self.tasks))

    async def close(self) -> None:
        """Stop listening, cancel the running invocations and wait for them to end."""
        for subscription in self._subscriptions:
            subscription.dispose()
        self._subscriptions.clear()
        self.cancel()
        while self.tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.wait(list(self.tasks))

    # -- help ----------------------------------------------------------------------------

    async def _help(self, ctx: Context, name: str = "") -> None:
        """Show the commands, or one command: `help <name>`."""
        if not name:
            await ctx.reply(help_list(ctx.prefix, self))
            return
        command = self.get(name.removeprefix(ctx.prefix))
        if command is None or command.hidden:
            await ctx.reply(f"No command named `{name}`.")
            return
        await ctx.reply(command_help(ctx.prefix, command))
