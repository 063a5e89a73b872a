"""Plain-text output for when stdout is not a terminal: one line per second and per action.

No ANSI escapes, no cursor movement, every line at most :data:`WIDTH` terminal cells
(longer text is cut with ``...``), so a log file or a pipe reads well::

      3.0 s    176 ev/s █▃▇        | 10 s: #general CH1 31 ev, Tango 0012 9 msg
      3.2 s  bot: !ping from Oscar 0010: pong, 2.1 ms
"""

from __future__ import annotations

from typing import Final

from rich.cells import cell_len, set_cell_size
from rich.console import Console

from fluxer_rx.demo.actions import Action
from fluxer_rx.demo.activity import Activity
from fluxer_rx.demo.windows import sparkline

__all__ = ["TYPES_EVERY", "WIDTH", "PlainReporter", "fit"]

WIDTH: Final = 80
TYPES_EVERY: Final = 5
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
        """For each whole second completed since the last call, print its events/s with
        the sparkline of the last seconds and the busiest channel and user of the window;
        every :data:`TYPES_EVERY` seconds, also the totals of the busiest event types."""
        rates = self.activity.rates
        done = rates.seconds_done()
        if done <= self._seconds:
            return
        seconds = rates.completed()
        new = seconds[-min(done - self._seconds, len(seconds)) :]
        spark = sparkline(seconds[-_SPARK:])
        busiest = self._busiest()
        for at, count in enumerate(new, start=done - len(new) + 1):
            self.line(f"{at:5.1f} s  {count:5,} ev/s {spark:<{_SPARK}} {busiest}")
            if at % TYPES_EVERY == 0:
                types = ", ".join(f"{n} {c:,}" for n, c in self.activity.by_type.most_common(3))
                self.line(f"{at:5.1f} s  types so far: {types}")
        self._seconds = done

    def _busiest(self) -> str:
        window = f"{self.activity.window:g} s"
        parts = [f"{name} {count} ev" for name, count in self.activity.top_channels(1)]
        parts += [f"{name} {count} msg" for name, count in self.activity.top_users(1)]
        return f"| {window}: " + ", ".join(parts) if parts else ""
