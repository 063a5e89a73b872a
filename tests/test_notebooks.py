"""The notebooks under ``notebooks/`` run, top to bottom, and compute what they claim.

Every code cell of a notebook is compiled with ``ast.PyCF_ALLOW_TOP_LEVEL_AWAIT`` and run in
order, in one namespace, in one fresh event loop, as Jupyter runs them on its kernel's
loop; no Jupyter kernel is needed. Then the named results the notebook leaves behind are
checked (a notebook without checks here fails, so a new notebook needs some). The
notebooks talk to their own in-process sandbox on 127.0.0.1 only.

The notebooks are committed with their outputs (``python notebooks/run.py`` writes them),
so a repository browser shows the tables and plots. The outputs must be fresh: each
notebook is executed again on a real Jupyter kernel (nbclient, ipykernel) and its outputs
must have the committed shape: the same cells producing output of the same kinds, images
where images were, tables with the same columns. Values (counts, timings, ids) may differ
from run to run, so they are not compared.
"""

from __future__ import annotations

import ast
import asyncio
import base64
import inspect
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import nbclient
import nbformat
import pytest

from tests.analytics.hour_notebook_checks import check_an_hour_in_ten_seconds

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
NOTEBOOK_TIMEOUT = 60.0  # seconds; each notebook takes a few
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"

Namespace = dict[str, Any]


def _load(path: Path) -> dict[str, Any]:
    notebook: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    assert notebook["nbformat"] == 4, f"{path.name}: not nbformat 4"
    return notebook


def _source(cell: dict[str, Any]) -> str:
    source = cell["source"]
    return source if isinstance(source, str) else "".join(source)


async def _run_cells(path: Path, namespace: Namespace) -> None:
    """Run every code cell of ``path`` in ``namespace``; close its client and sandbox even
    when a cell fails."""
    try:
        for index, cell in enumerate(_load(path)["cells"]):
            if cell["cell_type"] != "code":
                continue
            name = f"<{path.name} cell {index}>"
            code = compile(_source(cell), name, "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT)
            result = eval(code, namespace)  # a cell with top-level await gives a coroutine
            if inspect.iscoroutine(result):
                await result
    finally:
        client, sandbox = namespace.get("client"), namespace.get("sb")
        if client is not None:
            await client.destroy()
        if sandbox is not None:
            await sandbox.close()


def _run_notebook(path: Path) -> Namespace:
    namespace: Namespace = {"__name__": "__notebook__"}

    async def main() -> None:
        async with asyncio.timeout(NOTEBOOK_TIMEOUT):
            await _run_cells(path, namespace)

    asyncio.run(main())  # a fresh event loop per notebook
    return namespace


def _check_figures(ns: Namespace, names: set[str]) -> None:
    figures: dict[str, bytes] = ns["figures"]
    assert set(figures) == names
    for png in figures.values():
        assert png.startswith(PNG_MAGIC) and len(png) > 10_000  # rendered, with content


def _check_live_activity(ns: Namespace) -> None:
    assert ns["exactly_once"] is True
    # the notebook's accounting, redone here on its raw material: received = sent - lost
    assert ns["got_names"] == ns["sent_names"] and ns["got_ids"] == ns["sent_ids"]
    assert ns["readies_match"] is True  # READY is compared apart (held for the guild burst)
    readies = sum(record.t == "READY" for record in ns["sb"].dispatch_log)
    assert len(ns["got_names"]) + readies + len(ns["lost"]) == len(ns["sb"].dispatch_log)
    # the reaction sent while the bot was away is never replayed, and reported as a gap
    assert ns["wave_lost"] is True and ns["gaps"]
    assert set(ns["lost_kinds"]) <= {"MESSAGE_REACTION_ADD", "MESSAGE_REACTION_REMOVE"}
    messages = len(ns["got_ids"])
    assert messages > 100 and len(set(ns["got_ids"])) == messages
    assert ns["resumes"] >= 2  # the drop and the RECONNECT were resumed (a stall may add one)
    assert "ready -> disconnected" in set(ns["states"]["transition"])
    assert len(ns["faults"]) == 2

    rates = ns["rates"]
    assert list(rates.columns) == ["t", "channel", "messages_per_s"]
    assert round(rates["messages_per_s"].sum() * ns["WINDOW"]) == messages
    seeded = {ns["channel_name"](c) for c in ns["sb"].channel_ids}
    assert len(seeded) == 6 and seeded <= set(ns["rate_table"].columns)  # names from the cache
    # named at arrival: the cache had every channel a message arrived in, even new ones
    assert not rates["channel"].str.startswith("unknown channel").any()
    top = ns["top_authors"]
    assert list(top.columns) == ["author", "messages"]
    assert top["messages"].sum() == messages and top["messages"].is_monotonic_decreasing
    assert (top["messages"] > 0).all()
    since_pipelines = len(ns["received"]) - ns["events_before_pipelines"]
    assert ns["event_mix"].to_numpy().sum() == since_pipelines
    assert not ns["reactions"].empty and ns["typing"].sum() > 0
    assert len(ns["latency"]) >= 2 and (ns["latency"]["latency_ms"] > 0).all()
    _check_figures(ns, {"activity", "latency_typing"})


def _check_moderation_signals(ns: Namespace) -> None:
    spammer, worried = ns["spammer"], ns["worried"]
    spam_ids = [m["id"] for m in ns["spam"]]
    assert len(spam_ids) == 25

    signals = ns["signals"]
    assert list(signals.columns) == [
        "messages",
        "peak_per_window",
        "keyword_hits",
        "name",
        "bursty",
        "suspect",
    ]
    assert ns["suspects"] == [spammer] and ns["keyword_only"] == [worried]
    limit = ns["BURST_LIMIT"]
    assert signals.loc[spammer, "peak_per_window"] >= limit
    assert (signals.drop(index=spammer)["peak_per_window"] < limit).all()
    assert signals.loc[spammer, "keyword_hits"] == 25 and signals.loc[worried, "keyword_hits"] == 1
    # every guild message of the run counted once; the windows saw all of them
    assert signals["messages"].sum() == sum(ns["per_author"].values()) > 25
    assert signals.loc[spammer, "messages"] >= 25
    assert len(ns["window_ends"]) >= 8
    first = ns["first"]
    assert first.author.id == spammer and first.id == spam_ids[0]

    vote = ns["vote"]
    assert vote.reason == "limit" and len(vote.items) == 3
    assert list(ns["ballots"]["vote"]) == ["ban", "ban", "mute"] and ns["decision"] == "ban"

    assert sorted(ns["deleted_ids"]) == sorted(spam_ids)
    kinds = [type(e).__name__ for e in ns["outcome"]]
    assert kinds[: len(ns["spam_ids_by_channel"])] == ["MessageDeleteBulk"] * 3
    assert sorted(kinds[3:]) == ["GuildBanAdd", "GuildMemberRemove"]
    assert ns["banned"] is True and ns["suspect_cached_after"] is False
    assert spammer in ns["sb"].world.get_guild(ns["guild_id"]).bans  # keyed by user id
    _check_figures(ns, {"signals"})


CHECKS: dict[str, Callable[[Namespace], None]] = {
    "01_live_activity.ipynb": _check_live_activity,
    "02_moderation_signals.ipynb": _check_moderation_signals,
    "03_an_hour_in_ten_seconds.ipynb": check_an_hour_in_ten_seconds,
}


def _notebooks() -> list[Path]:
    return sorted(NOTEBOOKS.glob("*.ipynb"))


def test_there_are_notebooks() -> None:
    assert len(_notebooks()) >= 2


Shape = list[tuple[int, list[tuple[str, ...]]]]
TABLE_HEAD = re.compile(r"<thead>(.*?)</thead>", re.S)
HEADER_CELL = re.compile(r"<th[^>]*>(.*?)</th>", re.S)


def _text(value: str | list[str]) -> str:
    return value if isinstance(value, str) else "".join(value)


def _output_shape(output: dict[str, Any]) -> tuple[str, ...]:
    """What a reader sees of one output, without its values: its kind, its MIME types
    and, for a table, its column headers."""
    kind = output["output_type"]
    if kind == "stream":
        return (kind, output["name"])
    data: dict[str, Any] = output.get("data", {})
    head = TABLE_HEAD.search(_text(data.get("text/html", "")))
    columns = HEADER_CELL.findall(head.group(1)) if head else []
    return (kind, *sorted(data), *(f"column {c.strip()}" for c in columns))


def _shape(notebook: dict[str, Any]) -> Shape:
    return [
        (index, [_output_shape(output) for output in cell["outputs"]])
        for index, cell in enumerate(notebook["cells"])
        if cell["cell_type"] == "code" and cell["outputs"]
    ]


@pytest.mark.parametrize("path", _notebooks(), ids=lambda p: p.name)
def test_notebook_is_committed_with_clean_outputs(path: Path) -> None:
    notebook = _load(path)
    code = [cell for cell in notebook["cells"] if cell["cell_type"] == "code"]
    assert all(cell["execution_count"] is not None for cell in code), "run notebooks/run.py"
    outputs = [output for cell in code for output in cell["outputs"]]
    assert any("image/png" in output.get("data", {}) for output in outputs), "no plot"
    for output in outputs:
        assert output["output_type"] != "error"
        assert output.get("name") != "stderr", _text(output.get("text", ""))
        plain = _text(output.get("data", {}).get("text/plain", ""))
        assert "Disposable" not in plain, f"a stray repr: {plain}"
    for output in outputs:
        png = output.get("data", {}).get("image/png")
        assert png is None or base64.b64decode(png).startswith(PNG_MAGIC)


@pytest.mark.parametrize("path", _notebooks(), ids=lambda p: p.name)
def test_committed_outputs_are_fresh(path: Path, tmp_path: Path) -> None:
    """Executed again on a real kernel, the notebook gives outputs of the committed shape
    (run ``python notebooks/run.py`` after changing a notebook or the code it shows)."""
    notebook = nbformat.read(path, as_version=4)
    nbclient.NotebookClient(
        notebook,
        timeout=int(NOTEBOOK_TIMEOUT),
        kernel_name="python3",
        resources={"metadata": {"path": str(tmp_path)}},
    ).execute()
    assert _shape(json.loads(nbformat.writes(notebook))) == _shape(_load(path))


@pytest.mark.parametrize("path", _notebooks(), ids=lambda p: p.name)
def test_notebook_runs_and_computes_its_results(path: Path) -> None:
    assert path.name in CHECKS, f"add checks for {path.name} to CHECKS"
    namespace = _run_notebook(path)
    CHECKS[path.name](namespace)
