"""Fuzz the frame decoder, the gateway protocol machine and the recording reader at scale.

The same properties and generators as ``tests/fuzz`` (``tests/fuzz/properties.py``), run
on many seeded inputs instead of hypothesis's few hundred. Input ``i`` of target ``T``
under seed ``S`` is generated from ``random.Random(f"{T}:{S}:{i}")`` alone, so any
failure is reproduced by its index, on any machine. An input running longer than
``--timeout`` seconds counts as a failure (a hang).

Prints, per target, the number of inputs, the failures grouped by kind (exception type and
where it was raised, or the broken invariant) with the first failing input, the time, and
the commands that reproduce them. Exits 1 on any failure.

Run:  python benchmarks/fuzz.py --inputs 100000 --seed 1 [--target decoder|protocol|recording|all]
      python benchmarks/fuzz.py --target protocol --seed 1 --index 1234   (one input, in full)
"""

from __future__ import annotations

import argparse
import signal
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from random import Random
from types import FrameType

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.fuzz.properties import (  # noqa: E402  # needs the repository root on sys.path
    Note,
    fuzz_decoder,
    fuzz_protocol,
    fuzz_recording,
)

Target = Callable[[Random, Note, Path], None]

TARGETS: dict[str, Target] = {
    "decoder": lambda rng, note, directory: fuzz_decoder(rng, note),
    "protocol": lambda rng, note, directory: fuzz_protocol(rng, note),
    "recording": lambda rng, note, directory: fuzz_recording(rng, note, directory),
}


class InputTimeout(Exception):
    """One input ran longer than ``--timeout`` seconds."""


@dataclass
class FailureKind:
    """Failures with one signature: how many, and the first one in full."""

    signature: str
    first_index: int
    message: str
    notes: list[str]
    trace: str
    count: int = 0


@dataclass
class TargetResult:
    name: str
    inputs: int = 0
    seconds: float = 0.0
    kinds: dict[str, FailureKind] = field(default_factory=dict)

    @property
    def failures(self) -> int:
        return sum(kind.count for kind in self.kinds.values())


def input_rng(target: str, seed: int, index: int) -> Random:
    """The only source of input ``index`` of ``target`` under ``seed``."""
    return Random(f"{target}:{seed}:{index}")


def signature(exc: BaseException) -> str:
    """What kind of failure ``exc`` is: the broken invariant (first line of the assertion
    with its numbers blanked), or the exception type and where the library raised it."""
    frames = traceback.extract_tb(exc.__traceback__)
    if isinstance(exc, AssertionError):
        words = str(exc).splitlines()[0] if str(exc) else ""
        shape = "".join("#" if ch.isdigit() else ch for ch in words)[:90]
        where = frames[-1] if frames else None
        location = f"{Path(where.filename).name}:{where.lineno}" if where else "?"
        return f"AssertionError at {location}: {shape}"
    library = [f for f in frames if "/fluxer_rx/" in Path(f.filename).as_posix()]
    where = (library or frames)[-1] if frames else None
    location = f"{_relative(where.filename)}:{where.lineno} in {where.name}" if where else "?"
    return f"{type(exc).__module__}.{type(exc).__qualname__} at {location}"


def _relative(filename: str) -> str:
    path = Path(filename)
    return str(path.relative_to(ROOT)) if ROOT in path.parents else filename


def _on_alarm(signum: int, frame: FrameType | None) -> None:
    raise InputTimeout("input still running at the timeout")


def run_one(
    target: str, seed: int, index: int, timeout: float, directory: Path
) -> tuple[BaseException, list[str]] | None:
    """Run one input; the exception it raised (with its notes), or ``None`` if it held."""
    notes: list[str] = []
    signal.setitimer(signal.ITIMER_REAL, timeout)
    try:
        TARGETS[target](input_rng(target, seed, index), notes.append, directory)
    except Exception as exc:
        return exc, notes
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
    return None


def run_target(
    target: str, inputs: int, seed: int, timeout: float, directory: Path
) -> TargetResult:
    result = TargetResult(target, inputs)
    started = time.perf_counter()
    step = max(1, inputs // 10)
    for index in range(inputs):
        failed = run_one(target, seed, index, timeout, directory)
        if failed is not None:
            exc, notes = failed
            key = signature(exc)
            kind = result.kinds.get(key)
            if kind is None:
                trace = "".join(traceback.format_exception(exc))
                kind = result.kinds[key] = FailureKind(key, index, str(exc), notes, trace)
            kind.count += 1
        if (index + 1) % step == 0:
            spent = time.perf_counter() - started
            print(
                f"  {target}: {index + 1}/{inputs} inputs, {result.failures} failures, "
                f"{spent:.1f} s",
                file=sys.stderr,
                flush=True,
            )
    result.seconds = time.perf_counter() - started
    return result


def _command(*args: str) -> str:
    return " ".join(["python", "benchmarks/fuzz.py", *args])


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else f"{text[:limit]}... ({len(text)} chars)"


def report(result: TargetResult, seed: int) -> None:
    name = result.name
    print(
        f"{name:10} {result.inputs:>8} inputs  {result.failures:>6} failures  "
        f"{result.seconds:8.1f} s  ({result.seconds / max(1, result.inputs) * 1e6:.0f} us/input)"
    )
    again = _command("--inputs", str(result.inputs), "--seed", str(seed), "--target", name)
    print(f"  reproduce: {again}")
    for kind in sorted(result.kinds.values(), key=lambda k: -k.count):
        print(f"  FAIL x{kind.count}: {kind.signature}")
        print(f"    message: {_clip(kind.message, 300)}")
        print(
            f"    first input: #{kind.first_index}: "
            f"{_command('--target', name, '--seed', str(seed), '--index', str(kind.first_index))}"
        )
        for note in kind.notes:
            print("    " + _clip(note, 1500).replace("\n", "\n    "))


def replay_one(target: str, seed: int, index: int, timeout: float) -> int:
    """Run one input and show it in full: its notes and the whole traceback."""
    with tempfile.TemporaryDirectory(prefix="fluxer-fuzz-") as tmp:
        failed = run_one(target, seed, index, timeout, Path(tmp))
    if failed is None:
        print(f"{target} input #{index} (seed {seed}): holds")
        return 0
    exc, notes = failed
    print(f"{target} input #{index} (seed {seed}): FAILS: {signature(exc)}")
    for note in notes:
        print(note)
    print("".join(traceback.format_exception(exc)))
    return 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--inputs", type=int, default=100_000, help="inputs per target")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--target", choices=[*TARGETS, "all"], default="all")
    parser.add_argument("--index", type=int, help="run only this input, and show it in full")
    parser.add_argument("--timeout", type=float, default=10.0, help="seconds per input")
    args = parser.parse_args(argv)
    targets = list(TARGETS) if args.target == "all" else [args.target]
    signal.signal(signal.SIGALRM, _on_alarm)
    if args.index is not None:
        return max(replay_one(t, args.seed, args.index, args.timeout) for t in targets)
    command = _command("--inputs", str(args.inputs), "--seed", str(args.seed))
    print(
        f"fuzz: seed {args.seed}, {args.inputs} inputs per target, timeout {args.timeout:g} s"
        f" per input: {command} --target {args.target}"
    )
    results = []
    with tempfile.TemporaryDirectory(prefix="fluxer-fuzz-") as tmp:
        for target in targets:
            result = run_target(target, args.inputs, args.seed, args.timeout, Path(tmp))
            results.append(result)
            report(result, args.seed)
    total = sum(r.failures for r in results)
    print(f"total: {sum(r.inputs for r in results)} inputs, {total} failures")
    return 1 if total else 0


if __name__ == "__main__":
    sys.exit(main())
