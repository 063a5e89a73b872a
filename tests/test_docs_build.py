"""The documentation site builds with ``mkdocs build --strict``: a broken link, a missing
page, an unknown anchor or an API reference (``::: fluxer_rx....``) that no longer
resolves fails the build, and so this test. The site goes to a temporary folder."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"


def test_the_site_builds_strict(tmp_path: Path) -> None:
    site = tmp_path / "site"
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
    )
    assert result.returncode == 0, result.stdout + result.stderr
    # every page of the nav was rendered, the API reference with the documented names
    assert (site / "index.html").is_file()
    reference = (site / "reference" / "client" / "index.html").read_text(encoding="utf-8")
    assert "wait_until_ready" in reference and "create_message_collector" in reference
    assert not re.search(r":(attr|class|meth|func|mod):<code>", reference)  # roles rendered
    changelog = (site / "changelog" / "index.html").read_text(encoding="utf-8")
    assert "Changelog" in changelog and "#15" in changelog  # CHANGELOG.md, included


def test_every_page_is_in_the_nav() -> None:
    """mkdocs only warns (``omitted_files: warn``, strict) about pages left out of the
    nav; this names them."""
    nav = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    pages = sorted(str(p.relative_to(DOCS)) for p in DOCS.rglob("*.md"))
    assert [p for p in pages if p not in nav] == []


REPO_PATH = re.compile(r"`((?:fluxer_rx|tests|benchmarks|examples|notebooks|docs)/[\w./-]*)`")


def test_every_repository_path_named_in_the_docs_exists() -> None:
    """Paths in backticks (``examples/ping.py``, ``benchmarks/bench_cache.py``) are not
    links, so mkdocs cannot check them; this does."""
    documents = [ROOT / "README.md", ROOT / "CHANGELOG.md", *sorted(DOCS.rglob("*.md"))]
    missing = [
        f"{document.relative_to(ROOT)}: {path}"
        for document in documents
        for path in REPO_PATH.findall(document.read_text(encoding="utf-8"))
        if not (ROOT / path).exists()
    ]
    assert missing == []
