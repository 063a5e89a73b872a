"""MkDocs hook: the docstrings' Sphinx roles shown as plain code in the API reference.

The package's docstrings use Sphinx cross-reference roles (``:class:`~fluxer_rx.Client```,
``:meth:`login```), which Markdown renders as the role's name followed by code. This hook
drops the role and, for a ``~`` target, keeps the last component, as Sphinx shows it.
"""

from __future__ import annotations

import re
from typing import Any

ROLE = re.compile(
    r":(?:py:)?(?:attr|class|meth|func|mod|data|exc|obj|const|term):<code>(~?)([^<]+)</code>"
)


def _plain(match: re.Match[str]) -> str:
    short, target = match[1], match[2]
    return f"<code>{target.rsplit('.', 1)[-1] if short else target}</code>"


def on_page_content(html: str, **_: Any) -> str:
    """Replace every ``:role:<code>target</code>`` of a page by ``<code>target</code>``."""
    return ROLE.sub(_plain, html)
