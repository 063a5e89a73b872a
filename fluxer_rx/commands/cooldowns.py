"""Cooldowns: at most ``rate`` invocations per ``per`` seconds, per user, channel, guild,
member or globally.

Each bucket key has a fixed window that opens at its first counted invocation and lasts
``per`` seconds; within it the first ``rate`` invocations pass and the others are
refused with :class:`~fluxer_rx.commands.errors.OnCooldown` (``retry_after`` = the time
left in the window; ``first`` true only for the first refusal of the window, so a
spammer gets one answer, not one per message). Only invocations that pass the checks
reach the cooldown. Time comes from ``clock`` (``time.monotonic`` by default), so tests
drive it without sleeping. Expired windows are swept as the table grows, so memory
follows the keys active within ``per`` seconds.
"""

from __future__ import annotations

import enum
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from fluxer_rx.commands.context import Context
from fluxer_rx.commands.errors import OnCooldown

__all__ = ["COOLDOWN_ATTRIBUTE", "BucketType", "Cooldown", "CooldownTable", "cooldown"]

F = TypeVar("F")

COOLDOWN_ATTRIBUTE = "__fluxer_command_cooldown__"
"""Where a cooldown waits on a function until ``command()`` turns it into a ``Command``."""

_SWEEP_AT = 1024


class BucketType(enum.Enum):
    """What one cooldown window is shared by."""

    USER = "user"
    MEMBER = "member"
    """A user within one guild (in DMs: the user)."""
    CHANNEL = "channel"
    GUILD = "guild"
    """One guild (in DMs: the channel)."""
    GLOBAL = "global"

    def key(self, ctx: Context) -> str:
        """The bucket key of an invocation."""
        if self is BucketType.USER:
            return ctx.author_id
        if self is BucketType.MEMBER:
            return f"{ctx.guild_id or ''}:{ctx.author_id}"
        if self is BucketType.CHANNEL:
            return ctx.channel_id
        if self is BucketType.GUILD:
            return ctx.guild_id or ctx.channel_id
        return ""


@dataclass(frozen=True, slots=True)
class Cooldown:
    """``rate`` invocations per ``per`` seconds per ``bucket``."""

    rate: int
    per: float
    bucket: BucketType = BucketType.USER

    def __post_init__(self) -> None:
        if self.rate < 1 or not self.per > 0:
            raise ValueError(f"a cooldown needs rate >= 1 and per > 0, got {self}")


class CooldownTable:
    """The windows of one command's cooldown (see the module docstring)."""

    __slots__ = ("_clock", "_next_sweep", "_windows", "cooldown")

    def __init__(self, cooldown: Cooldown, clock: Callable[[], float] = time.monotonic) -> None:
        self.cooldown = cooldown
        self._clock = clock
        self._windows: dict[str, list[float]] = {}  # key -> [opened_at, count, refused]
        self._next_sweep = _SWEEP_AT

    def __len__(self) -> int:
        return len(self._windows)

    def hit(self, ctx: Context) -> None:
        """Count one invocation; raise :class:`OnCooldown` when the window is full."""
        now = self._clock()
        per = self.cooldown.per
        key = self.cooldown.bucket.key(ctx)
        window = self._windows.get(key)
        if window is None or now - window[0] >= per:
            self._windows[key] = [now, 1.0, 0.0]
            if len(self._windows) >= self._next_sweep:
                self._sweep(now)
            return
        if window[1] < self.cooldown.rate:
            window[1] += 1
            return
        first = window[2] == 0
        window[2] = 1.0
        raise OnCooldown(window[0] + per - now, first=first)

    def _sweep(self, now: float) -> None:
        per = self.cooldown.per
        self._windows = {k: w for k, w in self._windows.items() if now - w[0] < per}
        self._next_sweep = max(_SWEEP_AT, 2 * len(self._windows))


def cooldown(rate: int, per: float, bucket: BucketType = BucketType.USER) -> Callable[[F], F]:
    """A decorator limiting a command to ``rate`` invocations per ``per`` seconds per
    ``bucket`` (one cooldown per command; works above or below ``command()``)."""
    spec = Cooldown(rate, per, bucket)

    def decorate(target: F) -> F:
        if hasattr(target, "set_cooldown"):  # a Command already
            target.set_cooldown(spec)
        else:
            setattr(target, COOLDOWN_ATTRIBUTE, spec)
        return target

    return decorate
