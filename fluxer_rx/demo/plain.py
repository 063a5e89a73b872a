"""Plain-text output for when stdout is not a terminal: one line per second and per action.

No ANSI escapes, no cursor movement, every line at most :data:`WIDTH` terminal cells
(longer text is cut with ``...``), so a log file or a pipe reads well::

      1.0 s   212 ev/s ▁▃█ | MESSAGE_CREATE 84, TYPING_START 31, PRESENCE_UP...
      1.2 s  bot: !ping from alice: pong, 2.1 ms
"""

from __future__ import annotations

from typing import Final

from rich.cells import cell_len, set_cell_size
from rich.console import Console

from fluxer_rx.demo.actions import Action
from fluxer_rx.demo.activity import Activity
from fluxer_rx.demo.windows import sparkline

__all__ = ["WIDTH", "PlainReporter", "fit"]

WIDTH: Final = 80
_SPARK: Final = 10


def fit(line: str, width: int = WIDTH) -> str:
    """``line`` cut to ``width`` terminal cells, ending in ``...`` when cut."""
    if cell_len(line) <= width:
        return line
    return set_cell_size(line, width - 3).rstrip() + "..."


class PlainReporter:
    """Prints the demo's progress to ``console`` as plain lines (no markup, no colour)."""

    def __init__(self, console: Console, activity: Activity) -> None:
        self.console = console
        self.activity = activity
        self._seconds = 0

    def line(self, text: str) -> None:
        """Print one line, fitted to the width."""
        self.console.print(fit(text), markup=False, highlight=False, emoji=False, soft_wrap=True)

    def action(self, action: Action) -> None:
        """Print an action as it happens."""
        self.line(f"{action.at:5.1f} s  {action.actor}: {action.text}")

    def tick(self) -> None:
        """Print one line for each whole second completed since the last call."""
        rates = self.activity.rates
        done = rates.seconds_done()
        if done <= self._seconds:
            return
        seconds = rates.completed()
        new = seconds[-min(done - self._seconds, len(seconds)) :]
        types = ", ".join(f"{n} {c}" for n, c in self.activity.by_type.most_common(3))
        spark = sparkline(seconds[-_SPARK:])
        for offset, count in enumerate(new, start=done - len(new) + 1):
            self.line(f"{offset:5.1f} s  {count:5,} ev/s {spark} | {types}")
        self._seconds = done
