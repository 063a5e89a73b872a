"""``notebooks/03_an_hour_in_ten_seconds.ipynb``: an hour of a simulated community,
written, replayed on recorded time and analysed well within a minute, with per-minute
counts, top users, the raid and the polls equal to the generator's ground truth."""

from __future__ import annotations

import time
from pathlib import Path

from tests.analytics.hour_notebook_checks import check_an_hour_in_ten_seconds
from tests.test_notebooks import NOTEBOOKS, _run_notebook

NOTEBOOK = NOTEBOOKS / "03_an_hour_in_ten_seconds.ipynb"
BUDGET = 30.0
"""Seconds: "well under a minute" (it takes about 5 s on a loaded 2-core machine). A
bound on a regression that would make the notebook unusable, not a benchmark."""


def test_the_notebook_computes_the_generators_truth_well_within_a_minute() -> None:
    began = time.monotonic()
    namespace = _run_notebook(Path(NOTEBOOK))
    elapsed = time.monotonic() - began
    check_an_hour_in_ten_seconds(namespace)
    assert elapsed < BUDGET, f"the notebook took {elapsed:.1f} s"
