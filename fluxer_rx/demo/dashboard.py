"""The live dashboard: one rich renderable built from the demo's state, 80 columns wide.

::

    ╭─ fluxer-rx demo · 127.0.0.1:PORT · seed 0 · 4.2 s of 10 · Ctrl-C ends ──────╮
    │ events/s   197 ▇▃▅█▇▆                          total 1,234 · peak 318        │
    ╰──────────────────────────────────────────────────────────────────────────────╯
    events by type                channels (10 s)         users (10 s)
    ───────────────────────────── ─────────────────────── ────────────────────────
    MESSAGE_CREATE            498 #general CH1        189 Whiskey 0009          20
    ...
    ╭─ bot and connection ─────────────────────────────────────────────────────────╮
    │    3.3 s  cut the bot's gateway socket (1 aborted)                           │
    │    3.3 s  resumed (RESUME, session kept) after 17 ms                         │
    ╰──────────────────────────────────────────────────────────────────────────────╯
    ╭─ exactly once (vs the sandbox's dispatch log) ───────────────────────────────╮
    │ ready · socket cuts 1, resumed 1 · last back after 17 ms                     │
    │ sent 1,238 · received 1,236 · reported gaps 2 · in flight 0 · duplicated 0   │
    ╰──────────────────────────────────────────────────────────────────────────────╯

:func:`dashboard` only reads; the demo's loop calls it a few times a second and hands
the result to ``rich.live.Live``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from rich import box
from rich.console import Group, RenderableType
from rich.constrain import Constrain
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from fluxer_rx.demo.actions import Timeline
from fluxer_rx.demo.activity import Activity
from fluxer_rx.demo.delivery import Delivery
from fluxer_rx.demo.windows import sparkline

__all__ = ["DashboardHeader", "dashboard"]

WIDTH: Final = 80
_SPARK: Final = 30
_ROWS: Final = 6
_LOG: Final = 6


@dataclass(frozen=True, slots=True)
class DashboardHeader:
    """What the title says: where the sandbox listens, the run's seed and its length
    (``None``: until Ctrl-C)."""

    address: str
    seed: int
    duration: float | None = None


def _rate_line(activity: Activity) -> Text:
    seconds = activity.rates.completed()
    current = seconds[-1] if seconds else 0
    line = Text()
    line.append("events/s ", style="bold")
    line.append(f"{current:>5,} ", style="bold green")
    line.append(f"{sparkline(seconds[-_SPARK:]):<{_SPARK}}", style="green")
    line.append(f"  total {activity.rates.total:,} · peak {activity.rates.peak:,}")
    return line


def _column(title: str, rows: list[tuple[str, int]], width: int) -> Table:
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, width=width, padding=(0, 1))
    table.add_column(title, no_wrap=True, overflow="ellipsis", style="cyan")
    table.add_column("", justify="right", no_wrap=True, width=6)
    for name, count in rows[:_ROWS]:
        table.add_row(name, f"{count:,}")
    for _ in range(_ROWS - min(_ROWS, len(rows))):
        table.add_row("", "")
    return table


def _analytics(activity: Activity) -> Table:
    window = f"{activity.window:g} s"
    grid = Table.grid(padding=(0, 1))
    types = activity.by_type.most_common(_ROWS)
    grid.add_row(
        _column("events by type", types, 29),
        _column(f"channels ({window})", activity.top_channels(_ROWS), 23),
        _column(f"users ({window})", activity.top_users(_ROWS), 24),
    )
    return grid


def _bot_log(timeline: Timeline) -> Panel:
    log = Text(no_wrap=True, overflow="ellipsis")
    latest = timeline.latest(_LOG)
    for index, action in enumerate(latest):
        style = "yellow" if action.actor == "link" else ""
        log.append(f"{action.at:6.1f} s  ", style="dim")
        log.append(action.text, style=style)
        if index < len(latest) - 1:
            log.append("\n")
    for _ in range(_LOG - len(latest)):
        log.append("\n")
    return Panel(log, title="bot and connection", title_align="left", box=box.ROUNDED)


def _delivery_lines(delivery: Delivery, state: str) -> Text:
    """The connection (state, cuts, resumes, the last downtime), then the counts."""
    resumed = sum(1 for outage in delivery.outages if outage.resumed)
    lines = Text(no_wrap=True, overflow="ellipsis")
    lines.append(state, style="bold green" if state == "ready" else "bold yellow")
    lines.append(f" · socket cuts {len(delivery.outages)}, resumed {resumed}")
    downtimes = [o.downtime for o in delivery.outages if o.downtime is not None]
    if downtimes:
        lines.append(f" · last back after {downtimes[-1] * 1000:.0f} ms")
    lines.append(f"\nsent {delivery.sent:,} · received {delivery.received:,}")
    if delivery.gap_reported:
        lines.append(f" · reported gaps {delivery.gap_reported:,}")
    lines.append(f" · in flight {delivery.in_flight:,} · duplicated ")
    lines.append(f"{delivery.duplicated}", style="red" if delivery.duplicated else "green")
    return lines


def dashboard(
    header: DashboardHeader,
    elapsed: float,
    activity: Activity,
    timeline: Timeline,
    delivery: Delivery,
    state: str,
) -> RenderableType:
    """The dashboard as it stands; ``state`` is the client's state name (``ready``...)."""
    length = f" of {header.duration:g}" if header.duration is not None else ""
    title = (
        f"fluxer-rx demo · {header.address} · seed {header.seed}"
        f" · {elapsed:.1f} s{length} · Ctrl-C ends"
    )
    body = Group(
        Panel(_rate_line(activity), title=title, title_align="left", box=box.ROUNDED),
        _analytics(activity),
        _bot_log(timeline),
        Panel(
            _delivery_lines(delivery, state),
            title="exactly once (vs the sandbox's dispatch log)",
            title_align="left",
            box=box.ROUNDED,
        ),
    )
    return Constrain(body, WIDTH)
