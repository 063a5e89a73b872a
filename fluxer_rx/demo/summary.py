"""The demo's result: :class:`DemoSummary` and the table printed at the end of a run.

``DemoSummary`` is also a read-only mapping of the events received per type (wire names),
so ``sum(summary.values())`` is the number of events received.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

from rich import box
from rich.table import Table

from fluxer_rx.demo.actions import PollResult

__all__ = ["DemoSummary", "summary_table"]


@dataclass(frozen=True, slots=True)
class DemoSummary(Mapping[str, int]):
    """What one demo run did.

    * ``seconds``: how long the traffic ran; ``interrupted``: ended by SIGINT/SIGTERM
      (or the caller's ``stop``) before ``duration``.
    * ``by_type``: events received per type (the login's READY and guilds included);
      ``mean_rate`` and ``peak_rate``: events per second while the traffic ran, on
      average and in the busiest whole second.
    * ``ping_latencies`` (seconds), ``polls``, ``deleted``, ``timed_out``: the bot's work.
    * ``cuts`` and ``resumes``: connection cuts made and sessions resumed after them.
    * ``sent``, ``received``, ``duplicated``, ``gap_reported``, ``lost``: the exactly-once
      count against the sandbox's dispatch log (see :mod:`fluxer_rx.demo.delivery`);
      ``lost`` counts dispatches neither received nor reported once the run's last marker
      arrived.
    """

    seconds: float
    interrupted: bool
    by_type: Mapping[str, int] = field(default_factory=dict)
    mean_rate: float = 0.0
    peak_rate: int = 0
    ping_latencies: tuple[float, ...] = ()
    polls: tuple[PollResult, ...] = ()
    deleted: int = 0
    timed_out: int = 0
    cuts: int = 0
    resumes: int = 0
    sent: int = 0
    received: int = 0
    duplicated: int = 0
    gap_reported: int = 0
    lost: int = 0

    def __getitem__(self, key: str) -> int:
        return self.by_type[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self.by_type)

    def __len__(self) -> int:
        return len(self.by_type)

    @property
    def events(self) -> int:
        """Events received in all."""
        return sum(self.by_type.values())


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def _rows(summary: DemoSummary) -> list[tuple[str, str]]:
    rows = [
        ("ran", f"{summary.seconds:.1f} s" + (" (interrupted)" if summary.interrupted else "")),
        ("client.events", f"{summary.events:,} typed events"),
        ("events/s", f"mean {summary.mean_rate:,.0f}, peak {summary.peak_rate:,}"),
    ]
    top = sorted(summary.by_type.items(), key=lambda item: (-item[1], item[0]))[:3]
    rows.append(("busiest types", ", ".join(f"{name} {n:,}" for name, n in top) or "-"))
    latencies = summary.ping_latencies
    median = f", median {_ms(statistics.median(latencies))}" if latencies else ""
    rows.append(("!ping answered", f"{len(latencies)}{median}"))
    last = summary.polls[-1:]
    polls = "".join(f', last "{p.question}" yes {p.yes} no {p.no}' for p in last)
    rows.append(("polls closed", f"{len(summary.polls)}{polls}"))
    rows.append(("moderation", f"{summary.deleted} deleted, {summary.timed_out} timed out"))
    rows.append(("connection cuts", f"{summary.cuts}, resumed {summary.resumes}"))
    rows.append(
        (
            "exactly once",
            f"sent {summary.sent:,}, received {summary.received:,}, lost {summary.lost},"
            f" duplicated {summary.duplicated}",
        )
    )
    if summary.gap_reported:
        rows.append(
            ("reported gaps", f"{summary.gap_reported} (reactions during a cut, not buffered)")
        )
    return rows


def summary_table(summary: DemoSummary, *, plain: bool = False) -> Table:
    """The end-of-run table (two columns, fits in 80 columns); ``plain`` uses ASCII rules
    and no styles."""
    table = Table(
        title="fluxer-rx demo: summary",
        box=box.ASCII if plain else box.ROUNDED,
        show_header=False,
        title_style="" if plain else "bold",
        expand=False,
    )
    table.add_column("what", style="" if plain else "cyan", no_wrap=True)
    table.add_column("value", overflow="fold", max_width=58)
    for name, value in _rows(summary):
        table.add_row(name, value)
    return table
