"""The README's reliability example runs as written, against the sandbox."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from fluxer_rx import Client, ClientOptions, RestOptions
from fluxer_rx.sandbox import Sandbox

README = Path(__file__).resolve().parent.parent / "README.md"


def _block_under(heading: str) -> str:
    text = README.read_text(encoding="utf-8")
    section = text.split(heading, 1)[1]
    match = re.search(r"```python\n(.*?)```", section, re.S)
    assert match is not None, f"no python block under {heading!r}"
    return match.group(1)


async def test_the_reliability_example_runs(capsys: pytest.CaptureFixture[str]) -> None:
    namespace: dict[str, Any] = {}
    exec(compile(_block_under("## Reliability"), "README.md", "exec"), namespace)
    async with Sandbox(guilds=1) as sb:
        client = Client(ClientOptions(rest=RestOptions(api_url=sb.api_url)))
        await namespace["run"](client, sb.token)
    printed = capsys.readouterr().out.splitlines()
    assert [line for line in printed if line.startswith("[client_state]")] == [
        "[client_state] idle -> discovering",
        "[client_state] discovering -> connecting",
        "[client_state] connecting -> ready",
        "[client_state] ready -> closing",
        "[client_state] closing -> closed",
    ]
    assert "[closed] closed by the client with 1000: 'client closing'; next: stop" in printed
