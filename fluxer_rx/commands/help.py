"""The text of the built-in ``help`` command."""

from __future__ import annotations

from collections.abc import Iterable

from fluxer_rx.commands.command import Command

__all__ = ["command_help", "help_list"]


def _line(prefix: str, command: Command) -> str:
    usage = f" {command.usage}" if command.usage else ""
    brief = f" — {command.brief}" if command.brief else ""
    return f"`{prefix}{command.name}{usage}`{brief}"


def help_list(prefix: str, commands: Iterable[Command]) -> str:
    """One line per visible command, by name: ``prefix name usage — brief``."""
    visible = sorted((c for c in commands if not c.hidden), key=lambda c: c.name)
    lines = ["Commands:", *(_line(prefix, c) for c in visible)]
    lines.append(f"Type `{prefix}help <command>` for more about one.")
    return "\n".join(lines)


def command_help(prefix: str, command: Command) -> str:
    """The usage line, the aliases and the full help of one command."""
    usage = f" {command.usage}" if command.usage else ""
    lines = [f"Usage: `{prefix}{command.name}{usage}`"]
    if command.aliases:
        lines.append("Aliases: " + ", ".join(f"`{a}`" for a in command.aliases))
    if command.help:
        lines.append(command.help)
    return "\n".join(lines)
