"""Import time of fluxer_rx: wall time of fresh interpreters, against ``import json``.

Each statement runs in a fresh ``python -c``, alternated with the baseline ``import json``
run in the same round, so the interpreter's own start-up is measured beside it. The
interpreters read compiled bytecode, the state a user has (pip compiles an installed
package's modules at install; an editable tree caches them on first import): they write
it to a cache of their own (``PYTHONPYCACHEPREFIX``, in the temporary directory, so the
source tree stays clean) in a warm-up round, even where the caller's environment says
``PYTHONDONTWRITEBYTECODE`` (this machine's does: there every import of fluxer_rx compiles
its sources, ~2x the time). ``--caller-env`` runs them in the caller's environment as it
is instead.

Reported: the median wall time of each statement, the median of the paired differences
to the baseline (the import's own cost), and the ``-X importtime`` cumulative figure of
what the statement imports (median). With ``--before TREE`` the statement also runs
from that source tree in the same round (the two trees in alternating order), and the
median of the paired differences this tree - that tree is reported too.

* ``import fluxer_rx``: the package (the public names are imported on first read);
* ``from fluxer_rx import Client``: what a bot pays before it can build a client (the
  REST client, aiohttp and the transports' libraries are imported by ``login()``; the
  report lists which of them the statement imported).

    python benchmarks/bench_import.py [--runs 9] [--before OTHER_SOURCE_TREE] [--caller-env]
"""

from __future__ import annotations

import argparse
import functools
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time

COMMAND = "python benchmarks/bench_import.py"
BASELINE = "import json"
STATEMENTS = ("import fluxer_rx", "from fluxer_rx import Client")
# the top-level entries of -X importtime: cumulative microseconds and the module's name
_TOP_LEVEL = re.compile(r"^import time:\s+\d+ \|\s+(\d+) \| (\S+)$", re.MULTILINE)


BYTECODE_CACHE = os.path.join(tempfile.gettempdir(), "fluxer_rx_bench_import_pycache")
"""Where the measured interpreters keep the bytecode they compile (``PYTHONPYCACHEPREFIX``)."""


def _env(tree: str | None, caller_env: bool) -> dict[str, str]:
    """The environment that imports fluxer_rx from source ``tree`` (``None``: as installed),
    with bytecode cached in :data:`BYTECODE_CACHE` unless ``caller_env`` (then the
    caller's environment as it is)."""
    env = dict(os.environ)
    if tree is not None:
        env["PYTHONPATH"] = tree
    if not caller_env:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = BYTECODE_CACHE
    return env


def wall(statement: str, tree: str | None = None, caller_env: bool = False) -> float:
    """Seconds of one fresh interpreter running ``statement``."""
    env = _env(tree, caller_env)
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", statement], check=True, env=env, cwd=tree)
    return time.perf_counter() - start


def warm_up(trees: tuple[str | None, ...]) -> None:
    """Run every statement once from each tree, so the bytecode cache holds all it reads."""
    for tree in trees:
        for statement in (BASELINE, *STATEMENTS):
            wall(statement, tree)


def importtime(statement: str, tree: str | None = None, caller_env: bool = False) -> float:
    """Seconds ``-X importtime`` gives what ``statement`` imports: the cumulative times of
    the top-level entries from the ``fluxer_rx`` package's on (a module imported through
    the package's ``__getattr__`` has no entry of its own: its imports are at top level),
    third-party and standard modules included, the interpreter's start-up excluded."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", statement],
        check=True,
        capture_output=True,
        text=True,
        env=_env(tree, caller_env),
        cwd=tree,
    )
    entries = _TOP_LEVEL.findall(done.stderr)
    names = [name for _, name in entries]
    if "fluxer_rx" not in names:
        raise RuntimeError(f"no fluxer_rx line in -X importtime of {statement!r}")
    return sum(int(took) for took, _ in entries[names.index("fluxer_rx") :]) / 1e6


DEFERRED = ("aiohttp", "websockets", "picows", "fluxer_rx.rest.client")
"""What ``from fluxer_rx import Client`` should leave to ``login()``."""


def imported(statement: str, tree: str | None = None, caller_env: bool = False) -> list[str]:
    """Which of :data:`DEFERRED` a fresh interpreter has imported after ``statement``."""
    probe = f"import sys\n{statement}\nprint(*[m for m in {DEFERRED!r} if m in sys.modules])"
    done = subprocess.run(
        [sys.executable, "-c", probe],
        check=True,
        capture_output=True,
        text=True,
        env=_env(tree, caller_env),
        cwd=tree,
    )
    return done.stdout.split()


def measure(
    runs: int, before: str | None = None, caller_env: bool = False
) -> dict[str, dict[str, float]]:
    """Per statement: ``wall`` and ``baseline`` (medians, s), ``own`` (median of the paired
    differences, s) and ``importtime`` (median, s); with ``before`` (another source tree
    of fluxer_rx) also ``before wall``, ``before own`` and ``before importtime``, run in
    the same rounds (which tree runs first alternates), and ``change`` (median of the
    paired differences this tree - ``before``, s). ``caller_env``: the interpreters run
    in this environment as it is (see the module)."""
    run = functools.partial(wall, caller_env=caller_env)
    timed = functools.partial(importtime, caller_env=caller_env)
    samples: dict[str, dict[str, list[float]]] = {
        s: {"wall": [], "baseline": [], "own": [], "importtime": []} for s in STATEMENTS
    }
    if not caller_env:
        warm_up((None,) if before is None else (None, before))
    for round_ in range(runs):
        for statement in STATEMENTS:
            figures = samples[statement]
            base = run(BASELINE)
            if before is not None and round_ % 2:
                earlier = run(statement, before)
                took = run(statement)
            else:
                took = run(statement)
                earlier = run(statement, before) if before is not None else 0.0
            figures["wall"].append(took)
            figures["baseline"].append(base)
            figures["own"].append(took - base)
            figures["importtime"].append(timed(statement))
            if before is not None:
                figures.setdefault("before wall", []).append(earlier)
                figures.setdefault("before own", []).append(earlier - base)
                figures.setdefault("change", []).append(took - earlier)
                figures.setdefault("before importtime", []).append(timed(statement, before))
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
    parser.add_argument(
        "--caller-env",
        action="store_true",
        help="run the interpreters in this environment as it is (no bytecode cache set up)",
    )
    args = parser.parse_args()
    caller_env = args.caller_env
    results = measure(args.runs, args.before, caller_env)
    state = (
        "the caller's environment as it is"
        + (
            " (PYTHONDONTWRITEBYTECODE: sources compiled every run)"
            if sys.flags.dont_write_bytecode
            else ""
        )
        if caller_env
        else f"bytecode cached in {BYTECODE_CACHE}"
    )
    print(
        f"fresh interpreters, medians of {args.runs} alternated runs ({sys.executable}), {state}:"
    )
    for statement, figures in results.items():
        print(
            f"  {statement:32s} {figures['wall'] * 1e3:6.0f} ms wall   "
            f"baseline '{BASELINE}' {figures['baseline'] * 1e3:4.0f} ms   "
            f"own {figures['own'] * 1e3:6.0f} ms   "
            f"-X importtime {figures['importtime'] * 1e3:6.0f} ms"
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
                found = ", ".join(imported(statement, tree, caller_env)) or "none"
                print(f"  {'':32s} {label} of {', '.join(DEFERRED)}: {found}")
    before = f" --before {args.before}" if args.before else ""
    as_is = " --caller-env" if caller_env else ""
    print(f"reproduce: {COMMAND} --runs {args.runs}{before}{as_is}")


if __name__ == "__main__":
    main()
