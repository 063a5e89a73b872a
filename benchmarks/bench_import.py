"""Import time of fluxer_rx: wall time of fresh interpreters, against ``import json``.

Each statement runs in a fresh ``python -c`` (no bytecode cache cleared: the installed
state a user has), alternated with the baseline ``import json`` run in the same round, so
the interpreter's own start-up is measured beside it. Reported: the median wall time of
each statement, the median of the paired differences to the baseline (the import's own
cost), and the ``-X importtime`` cumulative figure of the top-level module (median).
With ``--before TREE`` the statement also runs from that source tree in the same round
(the two trees in alternating order), and the median of the paired differences
this tree - that tree is reported too.

* ``import fluxer_rx``: the package (the public names are imported on first read);
* ``from fluxer_rx import Client``: what a bot pays before it can build a client (the
  REST client, aiohttp and the transports' libraries are imported by ``login()``; the
  report lists which of them the statement imported).

    python benchmarks/bench_import.py [--runs 9] [--before OTHER_SOURCE_TREE]
"""

from __future__ import annotations

import argparse
import os
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


def _env(tree: str | None) -> dict[str, str] | None:
    """The environment that imports fluxer_rx from source ``tree`` (``None``: as installed)."""
    return None if tree is None else {**os.environ, "PYTHONPATH": tree}


def wall(statement: str, tree: str | None = None) -> float:
    """Seconds of one fresh interpreter running ``statement``."""
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", statement], check=True, env=_env(tree), cwd=tree)
    return time.perf_counter() - start


def importtime(statement: str, tree: str | None = None) -> float:
    """Seconds ``-X importtime`` gives the fluxer_rx modules imported at top level (the
    package, and each module its public names imported on first read), cumulative."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", statement],
        check=True,
        capture_output=True,
        text=True,
        env=_env(tree),
        cwd=tree,
    )
    found = _CUMULATIVE.findall(done.stderr)
    if not found:
        raise RuntimeError(f"no fluxer_rx line in -X importtime of {statement!r}")
    return sum(map(int, found)) / 1e6


DEFERRED = ("aiohttp", "websockets", "picows", "fluxer_rx.rest.client")
"""What ``from fluxer_rx import Client`` should leave to ``login()``."""


def imported(statement: str, tree: str | None = None) -> list[str]:
    """Which of :data:`DEFERRED` a fresh interpreter has imported after ``statement``."""
    probe = f"import sys\n{statement}\nprint(*[m for m in {DEFERRED!r} if m in sys.modules])"
    done = subprocess.run(
        [sys.executable, "-c", probe],
        check=True,
        capture_output=True,
        text=True,
        env=_env(tree),
        cwd=tree,
    )
    return done.stdout.split()


def measure(runs: int, before: str | None = None) -> dict[str, dict[str, float]]:
    """Per statement: ``wall`` and ``baseline`` (medians, s), ``own`` (median of the paired
    differences, s) and ``importtime`` (median, s); with ``before`` (another source tree
    of fluxer_rx) also ``before wall``, ``before own`` and ``before importtime``, run in
    the same rounds (which tree runs first alternates), and ``change`` (median of the
    paired differences this tree - ``before``, s)."""
    samples: dict[str, dict[str, list[float]]] = {
        s: {"wall": [], "baseline": [], "own": [], "importtime": []} for s in STATEMENTS
    }
    for round_ in range(runs):
        for statement in STATEMENTS:
            figures = samples[statement]
            base = wall(BASELINE)
            if before is not None and round_ % 2:
                earlier = wall(statement, before)
                took = wall(statement)
            else:
                took = wall(statement)
                earlier = wall(statement, before) if before is not None else 0.0
            figures["wall"].append(took)
            figures["baseline"].append(base)
            figures["own"].append(took - base)
            figures["importtime"].append(importtime(statement))
            if before is not None:
                figures.setdefault("before wall", []).append(earlier)
                figures.setdefault("before own", []).append(earlier - base)
                figures.setdefault("change", []).append(took - earlier)
                figures.setdefault("before importtime", []).append(importtime(statement, before))
    return {
        s: {name: statistics.median(values) for name, values in figures.items()}
        for s, figures in samples.items()
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument(
        "--before", metavar="TREE", help="also time the fluxer_rx of this source tree"
    )
    args = parser.parse_args()
    results = measure(args.runs, args.before)
    print(f"fresh interpreters, medians of {args.runs} alternated runs ({sys.executable}):")
    for statement, figures in results.items():
        print(
            f"  {statement:32s} {figures['wall'] * 1e3:6.0f} ms wall   "
            f"baseline '{BASELINE}' {figures['baseline'] * 1e3:4.0f} ms   "
            f"own {figures['own'] * 1e3:6.0f} ms   "
            f"-X importtime fluxer_rx {figures['importtime'] * 1e3:6.0f} ms"
        )
        if "before wall" in figures:
            print(
                f"  {'':32s} {figures['before wall'] * 1e3:6.0f} ms wall from {args.before}"
                f"{'':13s} own {figures['before own'] * 1e3:6.0f} ms   "
                f"-X importtime {figures['before importtime'] * 1e3:6.0f} ms   "
                f"this tree - that one, paired: {figures['change'] * 1e3:+.0f} ms"
            )
        for tree, label in ((None, "imports"), (args.before, f"from {args.before} imports")):
            if label == "imports" or tree is not None:
                found = ", ".join(imported(statement, tree)) or "none"
                print(f"  {'':32s} {label} of {', '.join(DEFERRED)}: {found}")
    before = f" --before {args.before}" if args.before else ""
    print(f"reproduce: {COMMAND} --runs {args.runs}{before}")


if __name__ == "__main__":
    main()
