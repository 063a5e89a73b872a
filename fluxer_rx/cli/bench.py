"""``fluxer-rx bench``: run ``benchmarks/suite.py`` of the source checkout this package is in.

The benchmarks are not part of the installed package (they need the sandbox, scratch
files and minutes of CPU), so the command finds them next to the package: it works from
a clone (``pip install -e .``) and says so, exit 2, anywhere else.
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
from pathlib import Path
from types import ModuleType

from fluxer_rx.cli.arguments import fail

__all__ = ["find_suite", "run_bench"]

_PROG = "fluxer-rx bench"


def find_suite() -> Path | None:
    """``benchmarks/suite.py`` of the checkout holding this package, if there is one."""
    suite = Path(__file__).resolve().parents[2] / "benchmarks" / "suite.py"
    return suite if suite.is_file() else None


def _load(path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location("fluxer_rx_benchmark_suite", path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def run_bench(args: argparse.Namespace) -> int:
    """Run the suite (quick, or ``--full``), print its table; ``--write`` regenerates
    ``benchmarks/RESULTS.md``."""
    path = find_suite()
    if path is None:
        return fail(
            _PROG, "the benchmarks live in a source checkout (benchmarks/suite.py): run it there", 2
        )
    suite = _load(path)
    argv = ["--full"] if args.full else []
    if args.write is not None:
        argv += ["--write"] if args.write is True else ["--write", args.write]
    try:
        suite.settings_for(args.full)
    except ValueError as exc:  # a bad FLUXER_RX_BENCH_SCALE
        return fail(_PROG, str(exc), 2)
    try:
        code: int = suite.main(argv)
    except ModuleNotFoundError as exc:  # a benchmark needs a test extra (picows, zstandard...)
        return fail(
            _PROG,
            f"the benchmarks need the test extras (pip install -e '.[test]'): {exc}",
            2,
        )
    return code
