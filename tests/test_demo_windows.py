"""The demo's counting over time (fluxer_rx/demo/windows.py) and line fitting, on a fake clock."""

from __future__ import annotations

import pytest
from rich.cells import cell_len

from fluxer_rx.demo.plain import fit
from fluxer_rx.demo.windows import RateHistory, SlidingCounter, sparkline


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_sparkline_scales_to_the_largest_value_and_has_no_holes() -> None:
    assert sparkline([]) == ""
    assert sparkline([0, 0]) == "▁▁"
    assert sparkline([0, 4, 8]) == "▁▅█"
    assert sparkline([1, 2], ceiling=8) == "▂▃"
    assert sparkline([16], ceiling=8) == "█"


def test_sliding_counter_forgets_what_left_the_window() -> None:
    clock = Clock()
    counter: SlidingCounter[str] = SlidingCounter(3.0, clock)
    counter.add("a")
    counter.add("a")
    counter.add("b")
    clock.now += 1.0
    counter.add("b", 2)
    assert counter.most_common(2) == [("b", 3), ("a", 2)]
    clock.now += 2.0  # the first bucket started 3 s ago: out of the window
    assert counter.counts() == {"b": 2}
    assert counter.count("a") == 0
    clock.now += 10.0
    assert counter.counts() == {}
    assert counter.most_common(3) == []


def test_sliding_counter_rejects_empty_windows() -> None:
    with pytest.raises(ValueError):
        SlidingCounter(0.0, Clock())


def test_rate_history_counts_whole_seconds_and_skips_idle_ones() -> None:
    clock = Clock()
    rates = RateHistory(clock, keep=4)
    rates.add(3)
    clock.now += 0.5
    rates.add(2)
    assert rates.completed() == []  # the first second is not over
    clock.now += 0.6
    rates.add()
    assert rates.completed() == [5]
    clock.now += 3.0  # two idle seconds in between
    assert rates.completed() == [5, 1, 0, 0]
    assert rates.seconds_done() == 4
    clock.now += 100.0
    assert rates.completed() == [0, 0, 0, 0]  # only the last `keep` seconds are kept
    assert rates.seconds_done() == 104
    assert (rates.total, rates.peak) == (6, 5)


def test_fit_cuts_by_terminal_cells() -> None:
    assert fit("short") == "short"
    long = "👍" * 50  # 100 cells
    cut = fit(long)
    assert cell_len(cut) <= 80
    assert cut.endswith("...")
