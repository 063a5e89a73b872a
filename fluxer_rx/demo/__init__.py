"""``fluxer-rx demo``: a live look at the library against an embedded sandbox.

``await run_demo(duration=10, rate=200, seed=0)`` starts a local Fluxer sandbox with
seeded traffic, logs a client in and runs a small bot on it (``!ping`` with its latency,
a reaction poll, moderation), cuts the bot's connection once a cycle to show the resume,
and shows it all on a live terminal dashboard (plain lines when stdout is not a
terminal), then prints and returns a :class:`DemoSummary`.

Modules: ``run`` (the coroutine), ``bot`` (the demo bot), ``director`` (the scripted
other users), ``activity`` and ``windows`` (analytics over sliding windows), ``delivery``
(exactly-once accounting), ``dashboard`` (rich), ``plain`` (text fallback), ``summary``.
"""

from __future__ import annotations

from fluxer_rx.demo.actions import PollResult
from fluxer_rx.demo.run import run_demo
from fluxer_rx.demo.summary import DemoSummary

__all__ = ["DemoSummary", "PollResult", "run_demo"]
