"""Import time of fluxer_rx: wall time of fresh interpreters, against ``import json``.

Each statement runs in a fresh ``python -c`` (no bytecode cache cleared: the installed
state a user has), alternated with the baseline ``import json`` run in the same round, so
the interpreter's own start-up is measured beside it. Reported: the median wall time of
each statement, the median of the paired differences to the baseline (the import's own
cost), and the ``-X importtime`` cumulative figure of the top-level module (median).

* ``import fluxer_rx``: the package (the public names are imported on first read);
* ``from fluxer_rx import Client``: what a bot pays before it can build a client.

    python benchmarks/bench_import.py [--runs 9]
"""

from __future__ import annotations

import argparse
import re
import statistics
import subprocess
import sys
import time

COMMAND = "python benchmarks/bench_import.py"
BASELINE = "import json"
STATEMENTS = ("import fluxer_rx", "from fluxer_rx import Client")
# the top-level entries of fluxer_rx modules (a lazily imported one appears at top level)
_CUMULATIVE = re.compile(r"import time:\s+\d+ \|\s+(\d+) \| fluxer_rx\S*$", re.MULTILINE)


def wall(statement: str) -> float:
    """Seconds of one fresh interpreter running ``statement``."""
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", statement], check=True)
    return time.perf_counter() - start


def importtime(statement: str) -> float:
    """Seconds ``-X importtime`` gives the fluxer_rx modules imported at top level (the
    package, and each module its public names imported on first read), cumulative."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", statement],
        check=True,
        capture_output=True,
        text=True,
    )
    found = _CUMULATIVE.findall(done.stderr)
    if not found:
        raise RuntimeError(f"no fluxer_rx line in -X importtime of {statement!r}")
    return sum(map(int, found)) / 1e6


def measure(runs: int) -> dict[str, dict[str, float]]:
    """Per statement: ``wall`` and ``baseline`` (medians, s), ``own`` (median of the paired
    differences, s) and ``importtime`` (median, s)."""
    samples: dict[str, dict[str, list[float]]] = {
        s: {"wall": [], "baseline": [], "own": [], "importtime": []} for s in STATEMENTS
    }
    for _ in range(runs):
        for statement in STATEMENTS:
            base = wall(BASELINE)
            took = wall(statement)
            figures = samples[statement]
            figures["wall"].append(took)
            figures["baseline"].append(base)
            figures["own"].append(took - base)
            figures["importtime"].append(importtime(statement))
    return {
        s: {name: statistics.median(values) for name, values in figures.items()}
        for s, figures in samples.items()
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args()
    results = measure(args.runs)
    print(f"fresh interpreters, medians of {args.runs} alternated runs ({sys.executable}):")
    for statement, figures in results.items():
        print(
            f"  {statement:32s} {figures['wall'] * 1e3:6.0f} ms wall   "
            f"baseline '{BASELINE}' {figures['baseline'] * 1e3:4.0f} ms   "
            f"own {figures['own'] * 1e3:6.0f} ms   "
            f"-X importtime fluxer_rx {figures['importtime'] * 1e3:6.0f} ms"
        )
    print(f"reproduce: {COMMAND} --runs {args.runs}")


if __name__ == "__main__":
    main()
