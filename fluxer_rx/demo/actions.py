"""What the demo shows happening: the bot's actions and the connection's events, in order.

:class:`Timeline` is an append-only record shared by the demo's parts: each
:class:`Action` has the time it happened (seconds since the demo started), who acted
(``bot`` or ``link``) and one line of text; the tallies the summary needs (ping
latencies, poll results, moderation actions) are kept beside it. Listeners registered with
:meth:`Timeline.subscribe` are called with each new action (the plain-text output prints
them as they happen).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

__all__ = ["Action", "PollResult", "Timeline"]

Actor = Literal["bot", "link"]


@dataclass(frozen=True, slots=True)
class Action:
    """One thing that happened: ``at`` seconds after the start, by ``actor``."""

    at: float
    actor: Actor
    text: str


@dataclass(frozen=True, slots=True)
class PollResult:
    """A closed poll: its question and the votes counted by the reaction collector
    (the bot's own reactions excluded)."""

    question: str
    yes: int
    no: int


@dataclass(slots=True)
class Timeline:
    """The demo's record of actions and tallies; ``clock()`` is seconds since the start."""

    clock: Callable[[], float]
    actions: list[Action] = field(default_factory=list)
    ping_latencies: list[float] = field(default_factory=list)
    polls: list[PollResult] = field(default_factory=list)
    deleted: int = 0
    timed_out: int = 0
    _listeners: list[Callable[[Action], None]] = field(default_factory=list)

    def add(self, actor: Actor, text: str) -> Action:
        """Record ``text`` now and tell the listeners; return the action."""
        action = Action(self.clock(), actor, text)
        self.actions.append(action)
        for listener in tuple(self._listeners):
            listener(action)
        return action

    def subscribe(self, listener: Callable[[Action], None]) -> None:
        """Call ``listener`` with every action added from now on."""
        self._listeners.append(listener)

    def latest(self, n: int) -> list[Action]:
        """The last ``n`` actions, oldest first."""
        return self.actions[-n:] if n > 0 else []
