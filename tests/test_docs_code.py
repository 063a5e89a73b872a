"""Every ```python block of README.md and docs/**/*.md runs, as written.

A block runs as a script (``python block.py`` in an empty folder, its line numbers those
of the document): the docs' blocks start their own embedded sandbox, so they need no
account and no network. The line before a block may say how else it is run, in an HTML
comment that the rendered page does not show:

* ``<!-- pytest -->``: the block is a test file; it is written to an empty folder (no
  pytest configuration, as in a user's fresh project) and run with a real ``pytest``;
  every test in it must pass.
* ``<!-- run-by: tests/FILE.py -->``: another test runs it (the README's bot as
  ``python bot.py``, the reliability example with the arguments it takes); that file
  must exist and read the block from the same document.
* ``<!-- not-run: REASON -->``: deliberately not run (a real fluxer.app token, a fragment
  of a larger program); the reason is required, and the count of such blocks is pinned
  below, so a new one is a visible decision.

``docs/MIGRATING.md`` has a harness of its own (``tests/seed/test_migration_guide.py``:
its blocks define async functions that the harness calls with a logged-in client); this
test checks that the harness still covers it.
"""

from __future__ import annotations

import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
MIGRATING = ROOT / "docs" / "MIGRATING.md"
FENCE = re.compile(r"^```(\w*)[^\n]*\n(.*?)^```[ \t]*$", re.S | re.M)
DIRECTIVE = re.compile(r"<!--\s*(pytest|run-by|not-run)\s*(?::\s*(.*?))?\s*-->")
NOT_RUN = {"docs/guides/fluxer-app.md": 2}  # the blocks that need a real account
BLOCK_TIMEOUT = 60.0  # seconds; each block takes a few


@dataclass(frozen=True)
class Block:
    path: str  # relative to the repository
    line: int  # of the opening fence
    code: str
    how: str  # "script", "pytest", "run-by" or "not-run"
    note: str  # the run-by file or the not-run reason

    @property
    def id(self) -> str:
        return f"{self.path}:{self.line}"


def _documents() -> list[Path]:
    docs = sorted((ROOT / "docs").rglob("*.md"))
    return [ROOT / "README.md", *(p for p in docs if p != MIGRATING)]


def _blocks() -> list[Block]:
    blocks = []
    for document in _documents():
        text = document.read_text(encoding="utf-8")
        for match in FENCE.finditer(text):
            if match[1] != "python":
                continue
            before = text[: match.start()].rstrip().rsplit("\n", 1)[-1]
            directive = DIRECTIVE.fullmatch(before.strip())
            how, note = (directive[1], directive[2] or "") if directive else ("script", "")
            line = text.count("\n", 0, match.start()) + 1
            path = str(document.relative_to(ROOT))
            blocks.append(Block(path, line, match[2], how, note))
    return blocks


BLOCKS = _blocks()


def _of(how: str) -> list[Block]:
    return [b for b in BLOCKS if b.how == how]


def test_every_block_is_run_or_marked_with_a_reason(capsys: pytest.CaptureFixture[str]) -> None:
    counts = {how: len(_of(how)) for how in ("script", "pytest", "run-by", "not-run")}
    with capsys.disabled():
        print(f"\npython blocks in README.md and docs/: {counts}")
        for block in _of("not-run"):
            print(f"  not run: {block.id}: {block.note}")
    assert counts["script"] >= 10 and counts["pytest"] >= 2
    assert all(block.note for block in _of("not-run") + _of("run-by"))
    marked: dict[str, int] = {}
    for block in _of("not-run"):
        marked[block.path] = marked.get(block.path, 0) + 1
    assert marked == NOT_RUN


@pytest.mark.parametrize("block", _of("run-by"), ids=lambda b: b.id)
def test_a_block_run_elsewhere_is_read_from_its_document_there(block: Block) -> None:
    runner = ROOT / block.note
    assert runner.is_file(), f"{block.id}: {block.note} does not exist"
    assert Path(block.path).stem in runner.read_text(encoding="utf-8")


def test_the_migration_guide_has_its_own_harness() -> None:
    harness = (ROOT / "tests" / "seed" / "test_migration_guide.py").read_text(encoding="utf-8")
    assert '"docs" / "MIGRATING.md"' in harness


@pytest.mark.parametrize("block", _of("script"), ids=lambda b: b.id)
def test_the_block_runs_as_a_script(block: Block, tmp_path: Path) -> None:
    """``python block.py`` in an empty folder: the block is a whole program (its imports,
    its own loop), and what it does to the process (logging set up) stays there."""
    script = tmp_path / "block.py"
    script.write_text("\n" * block.line + block.code, encoding="utf-8")  # the doc's lines
    result = subprocess.run(
        [sys.executable, str(script)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=BLOCK_TIMEOUT,
    )
    assert result.returncode == 0, f"{block.id}\n{result.stdout}{result.stderr}"
    assert "Traceback" not in result.stderr, f"{block.id}\n{result.stderr}"


@pytest.mark.parametrize("block", _of("pytest"), ids=lambda b: b.id)
def test_the_block_passes_under_a_real_pytest(block: Block, tmp_path: Path) -> None:
    (tmp_path / "test_from_docs.py").write_text(block.code, encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_from_docs.py"],
        cwd=tmp_path,  # no pytest configuration here: pytest-asyncio in its strict mode
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert re.search(r"\b[1-9]\d* passed\b", result.stdout), result.stdout
    assert "warning" not in result.stdout.lower(), result.stdout


def test_every_block_passes_ruff(tmp_path: Path) -> None:
    """The blocks are code people copy: the project's lint rules hold for them too (no
    unused import, sorted imports, lines of at most 100 characters)."""
    for index, block in enumerate(BLOCKS):
        (tmp_path / f"block_{index:02d}.py").write_text(block.code, encoding="utf-8")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "ruff",
            "check",
            "--isolated",
            "--target-version=py311",
            "--line-length=100",
            "--select=E,F,W,I,B,UP,SIM,RUF",
            "--config=lint.isort.known-first-party=['fluxer_rx']",
            "--output-format=concise",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    where = {f"block_{i:02d}.py": b.id for i, b in enumerate(BLOCKS)}
    report = re.sub(r"\S*(block_\d\d\.py)", lambda m: where[m[1]], result.stdout)
    assert result.returncode == 0, report
