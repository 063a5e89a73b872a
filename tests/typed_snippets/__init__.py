"""Modules that only mypy reads: each states the public types of one API with
``typing.assert_type`` and marks the calls that must be type errors with a
``# type: ignore[code]`` (under ``--strict`` an ignore that ignores nothing is itself an
error). Checked by :func:`tests.typed_snippets.mypy_errors` from the tests of that API."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

__all__ = ["mypy_errors"]

ROOT = Path(__file__).resolve().parents[2]


def mypy_errors(module: str) -> list[str]:
    """What ``mypy --strict`` reports about ``tests/typed_snippets/<module>.py`` itself
    (errors in other files are not this snippet's business)."""
    path = Path(__file__).resolve().parent / f"{module}.py"
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-error-summary", str(path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode in (0, 1), result.stdout + result.stderr
    mine = re.compile(rf"(^|/){re.escape(module)}\.py:\d+: ")
    return [line for line in result.stdout.splitlines() if mine.search(line)]
