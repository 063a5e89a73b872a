"""Every Python snippet of docs/MIGRATING.md runs, against the sandbox.

A snippet defines ``async def`` functions; each is called with the arguments its
parameter names ask for: ``client`` (logged in and ready, or, when the function also
takes ``token``, a fresh client it logs in itself), ``token``, ``api_url``, ``guild_id``,
``channel_id`` (the sandbox's first) and ``sandbox``. The Rust and JavaScript snippets
are the other libraries' code, shown for comparison: they are not run, and each is
announced as such.
"""

from __future__ import annotations

import asyncio
import inspect
import re
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

import pytest

from fluxer_rx import Client
from fluxer_rx.sandbox import Sandbox
from tests.seed.harness import logged_in, options_for

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "MIGRATING.md"
FENCE = re.compile(r"^```(\w*)\n(.*?)^```$", re.S | re.M)
ARGUMENTS = {"client", "token", "api_url", "guild_id", "channel_id", "sandbox"}

AsyncFunction = Callable[..., Coroutine[Any, Any, None]]


def _blocks() -> list[tuple[str, str, int]]:
    """(language, code, line number) of every fenced block of the guide."""
    text = GUIDE.read_text(encoding="utf-8")
    return [(m[1], m[2], text.count("\n", 0, m.start()) + 1) for m in FENCE.finditer(text)]


PYTHON = [(code, line) for lang, code, line in _blocks() if lang == "python"]


def _functions(code: str, line: int) -> list[AsyncFunction]:
    namespace: dict[str, Any] = {}
    exec(compile("\n" * line + code, str(GUIDE), "exec"), namespace)
    return [
        value
        for value in namespace.values()
        if inspect.iscoroutinefunction(value) and value.__code__.co_filename == str(GUIDE)
    ]


async def _call(function: AsyncFunction, sb: Sandbox) -> None:
    wanted = list(inspect.signature(function).parameters)
    assert set(wanted) <= ARGUMENTS, f"{function.__name__}: unknown parameters {wanted}"
    given: dict[str, Any] = {
        "token": sb.token,
        "api_url": sb.api_url,
        "guild_id": sb.guild_ids[0],
        "channel_id": sb.channel_ids[0],
        "sandbox": sb,
    }
    if "client" in wanted and "token" in wanted:
        fresh = Client(options_for(sb))
        try:
            await asyncio.wait_for(function(**{k: given.get(k, fresh) for k in wanted}), 20)
        finally:
            await fresh.destroy()
    elif "client" in wanted:
        async with logged_in(sb) as run:
            given["client"] = run.client
            await asyncio.wait_for(function(**{k: given[k] for k in wanted}), 20)
    else:
        await asyncio.wait_for(function(**{k: given[k] for k in wanted}), 20)


def test_the_guide_has_python_snippets_and_marks_the_others_as_not_run() -> None:
    assert len(PYTHON) >= 4
    text = GUIDE.read_text(encoding="utf-8")
    for lang, _, line in _blocks():
        if lang != "python":
            before = text.splitlines()[max(0, line - 4) : line - 1]
            assert any("not run" in b for b in before), f"line {line}: {lang} block unmarked"


@pytest.mark.parametrize(("code", "line"), PYTHON, ids=[f"line{line}" for _, line in PYTHON])
async def test_the_python_snippet_runs(code: str, line: int) -> None:
    functions = _functions(code, line)
    assert functions, f"the snippet at line {line} defines no async function to run"
    for function in functions:
        async with Sandbox(guilds=1) as sb:
            await _call(function, sb)
