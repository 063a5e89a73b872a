"""docs/logging.md names every logger the package uses, and only those.

The loggers are found in the source, as a reader would find them (``getLogger("...")``
literals under ``fluxer_rx/``); the page's table lists them in its first column."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PAGE = ROOT / "docs" / "logging.md"
GET_LOGGER = re.compile(r"""getLogger\(\s*["']([\w.]+)["']\s*\)""")
TABLE_ROW = re.compile(r"^\| `([\w.]+)` \|", re.M)


def _loggers_in_source() -> set[str]:
    names: set[str] = set()
    for path in (ROOT / "fluxer_rx").rglob("*.py"):
        names.update(GET_LOGGER.findall(path.read_text(encoding="utf-8")))
    return names


def test_the_source_uses_only_named_loggers() -> None:
    """No ``getLogger(__name__)`` or computed names: every logger can be documented."""
    for path in (ROOT / "fluxer_rx").rglob("*.py"):
        for call in re.findall(r"getLogger\(([^)]*)\)", path.read_text(encoding="utf-8")):
            assert call == "" or GET_LOGGER.fullmatch(f"getLogger({call})"), (path, call)


def test_the_logging_page_lists_exactly_the_package_loggers() -> None:
    documented = set(TABLE_ROW.findall(PAGE.read_text(encoding="utf-8")))
    ours = {name for name in _loggers_in_source() if name.startswith("fluxer_rx")}
    assert documented == ours
    assert all(name.startswith("fluxer_rx.") for name in documented)
