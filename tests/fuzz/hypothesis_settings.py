"""Hypothesis settings for the fuzz tests: few examples, a generous deadline, and the same
examples on every run (``derandomize``, no example database), so CI is deterministic.

``FLUXER_FUZZ_EXAMPLES`` overrides the number of examples per test (e.g. 5000 for a
longer local run), ``FLUXER_FUZZ_SHRINK=1`` turns shrinking on; ``benchmarks/fuzz.py``
runs the same properties on 10^5 inputs.
"""

from __future__ import annotations

import os
from datetime import timedelta
from random import Random
from typing import Final

from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st

__all__ = ["FUZZ", "RANDOMS"]

_SHRINK: Final = os.environ.get("FLUXER_FUZZ_SHRINK") == "1"

FUZZ: Final = settings(
    max_examples=int(os.environ.get("FLUXER_FUZZ_EXAMPLES", "300")),
    deadline=timedelta(seconds=2),
    derandomize=True,
    database=None,
    # A failure notes its whole input, which reproduces it; shrinking a known failure
    # (an xfail) would cost CI half a minute per test.
    phases=[Phase.explicit, Phase.generate, *([Phase.shrink] if _SHRINK else [])],
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

RANDOMS: Final[st.SearchStrategy[Random]] = st.randoms(use_true_random=False)
"""The one input of every fuzz property: a ``Random`` whose every choice hypothesis makes
(and shrinks)."""
