"""Argument types and the parser class of the ``fluxer-rx`` command line.

Every value is checked when it is parsed, so a command never starts with one it cannot
use. A bad value ends the process with exit code 2 and ONE line on stderr,
``fluxer-rx <command>: error: <what is wrong>`` (no usage block, no traceback): see
:class:`OneLineErrorParser`.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
from collections.abc import Callable
from typing import NoReturn
from urllib.parse import urlsplit

__all__ = [
    "OneLineErrorParser",
    "at_least",
    "existing_file",
    "fail",
    "new_file",
    "port",
    "positive",
    "url_of",
]

USAGE_ERROR = 2


class OneLineErrorParser(argparse.ArgumentParser):
    """An :class:`argparse.ArgumentParser` whose errors are one line on stderr, exit 2."""

    def error(self, message: str) -> NoReturn:
        line = " ".join(message.split())
        self.exit(USAGE_ERROR, f"{self.prog}: error: {line}\n")


def positive(value: str) -> float:
    """A finite number > 0 (seconds, rates, speeds)."""
    try:
        number = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {value!r}") from None
    if not number > 0 or math.isinf(number):
        raise argparse.ArgumentTypeError(f"must be a finite number > 0, not {value}")
    return number


def at_least(low: int, high: int) -> Callable[[str], int]:
    """An integer in ``low..high`` (counts of guilds, channels, members)."""

    def check(value: str) -> int:
        try:
            number = int(value)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not an integer: {value!r}") from None
        if not low <= number <= high:
            raise argparse.ArgumentTypeError(f"must be in {low}..{high}, not {value}")
        return number

    check.__name__ = f"integer in {low}..{high}"
    return check


def port(value: str) -> int:
    """A TCP port, 1..65535, or 0 for a free one the system picks."""
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a port number: {value!r}") from None
    if not 0 <= number <= 65535:
        raise argparse.ArgumentTypeError(
            f"must be a port in 1..65535 (or 0: a free one), not {value}"
        )
    return number


def url_of(*schemes: str) -> Callable[[str], str]:
    """A URL with one of ``schemes`` and a host, e.g. ``url_of("http", "https")``."""

    def check(value: str) -> str:
        try:
            parts = urlsplit(value)
            parts.port  # noqa: B018 - raises ValueError for a port out of range or not a number
        except ValueError as exc:
            raise argparse.ArgumentTypeError(f"not a valid URL: {value!r} ({exc})") from None
        if parts.scheme not in schemes or not parts.hostname:
            wanted = " or ".join(f"{scheme}://HOST[:PORT]/..." for scheme in schemes)
            raise argparse.ArgumentTypeError(f"must be a URL {wanted}, not {value!r}")
        return value

    return check


def existing_file(value: str) -> str:
    """A path to a readable regular file."""
    if not os.path.exists(value):
        raise argparse.ArgumentTypeError(f"no such file: {value}")
    if not os.path.isfile(value):
        raise argparse.ArgumentTypeError(f"not a regular file: {value}")
    if not os.access(value, os.R_OK):
        raise argparse.ArgumentTypeError(f"cannot read {value}: permission denied")
    return value


def new_file(value: str) -> str:
    """A path a file can be created at (or replaced): its directory exists and is writable,
    and the path is not a directory."""
    if not value:
        raise argparse.ArgumentTypeError("the path is empty")
    if os.path.isdir(value):
        raise argparse.ArgumentTypeError(f"{value} is a directory")
    parent = os.path.dirname(os.path.abspath(value))
    if not os.path.isdir(parent):
        raise argparse.ArgumentTypeError(f"cannot create {value}: no directory {parent}")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise argparse.ArgumentTypeError(f"cannot create {value}: {parent} is not writable")
    return value


def fail(prog: str, message: str, code: int) -> int:
    """Print ``<prog>: error: <message>`` as one line on stderr; return ``code``."""
    line = " ".join(message.split())
    print(f"{prog}: error: {line}", file=sys.stderr)
    return code
