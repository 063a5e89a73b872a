"""``fluxer-rx bench``: the suite at a tiny size (``FLUXER_RX_BENCH_SCALE``) prints one table
(figure, value, baseline, ratio, target, met) and ``--write`` writes it as Markdown with
the machine and the date. Only the shape is checked, never a speed."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import sys
from pathlib import Path

COLUMNS = ["figure", "value", "baseline", "ratio", "target", "met"]
END_TO_END = "end to end MESSAGE_CREATE, fluxer_rx["  # one row per client contender
FLOOR = "receive + typed decode alone, "  # one row per transport with a floor measured
FIGURES = [
    "typed decode, MESSAGE_CREATE",
    "protocol machine per dispatch",
    END_TO_END,
    FLOOR,
    "sandbox firehose, raw reader (no decoding), ",
    "end to end MESSAGE_CREATE, 100 subscribers",
    "end to end MESSAGE_CREATE, 1,000 guilds, warm",
    "end to end MESSAGE_CREATE, 1,000 guilds, cold",
    "bytes per cached member",
    "bytes per cached member + user",
    "cache fold per MESSAGE_CREATE",
    "filter/map/filter pipeline overhead",
    "end to end with 1,000 live collectors",
    "offline replay (file -> decode -> fold -> emit)",
    "concurrent sends, proactive limits",
    "import fluxer_rx, fresh interpreter",
    "from fluxer_rx import Client, fresh interpreter",
    "receive -> handler p99 at 10,000/s, fluxer_rx[",
    "receive -> handler p99 at 10,000/s, fluxer_rx[",
]
NUMBER = r"-?[\d,]+(\.\d+)?(e[-+]\d+)?"  # a difference (overhead) can dip below 0 under load


def cells(line: str, spans: list[tuple[int, int]]) -> list[str]:
    return [line[start:end].strip() for start, end in spans]


def check_row(row: list[str]) -> None:
    _figure, value, baseline, ratio, target, met = row
    assert re.fullmatch(rf"{NUMBER} \S+", value), row
    assert re.fullmatch(rf"{NUMBER} \S+ \(.+\)", baseline), row
    assert re.fullmatch(rf"{NUMBER} [\w -]+", ratio), row
    assert (target == "-") == (met == "-"), row  # a verdict exactly where there is a target
    assert met in ("yes", "no", "-"), row


async def test_bench_prints_one_table_and_writes_results(tmp_path: Path) -> None:
    results = tmp_path / "RESULTS.md"
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "fluxer_rx.cli",
        "bench",
        "--write",
        str(results),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env={**os.environ, "FLUXER_RX_BENCH_SCALE": "0.02"},
    )
    async with asyncio.timeout(300):
        out, err = await proc.communicate()
    assert proc.returncode == 0, err.decode()
    lines = out.decode().splitlines()
    assert lines[0].split() == COLUMNS
    rule = lines[1]
    assert set(rule) <= {"-", " "}
    spans = [(m.start(), m.end()) for m in re.finditer(r"-+", rule)]
    spans[-1] = (spans[-1][0], max(len(line) for line in lines))
    rows = [cells(line, spans) for line in lines[2:]]
    names = [row[0] for row in rows]
    contenders = [name for name in names if name.startswith(END_TO_END)]
    assert "end to end MESSAGE_CREATE, fluxer_rx[aiohttp]" in contenders
    assert "end to end MESSAGE_CREATE, fluxer_rx[websockets]" in contenders
    at = names.index(contenders[0])
    assert names[at : at + len(contenders)] == contenders  # together, in one block
    floors = [name for name in names if name.startswith(FLOOR)]
    assert floors[0] == f"{FLOOR}picows (the floor of a typed client)"
    assert floors[-1] == f"{FLOOR}aiohttp (the floor of a typed client)"
    after = at + len(contenders)
    assert names[after : after + len(floors)] == floors  # right after the contenders
    kinds = [*names[:at], END_TO_END, FLOOR, *names[after + len(floors) :]]
    assert len(kinds) == len(FIGURES)
    for name, figure in zip(kinds, FIGURES, strict=True):
        assert figure in name
    for row in rows:
        check_row(row)
    targets = {row[0]: row[4] for row in rows if row[0] in contenders}
    assert list(targets.values()).count(">= 2.5x (fastest)") == 1
    assert targets[f"{END_TO_END}aiohttp]"] in (">= 2x", ">= 2.5x (fastest)")
    assert targets[f"{END_TO_END}websockets]"] in ("-", ">= 2.5x (fastest)")
    assert list(targets.values()).count("-") >= len(targets) - 3  # default, aiohttp, fastest

    text = results.read_text()
    assert text.startswith("# Benchmark results\n")
    assert re.search(r"^- date: \d{4}-\d\d-\d\d \d\d:\d\d UTC$", text, re.M)
    for key in ("CPU", "cores", "Python", "OS", r"load average \(1, 5, 15 min\)"):
        assert re.search(rf"^- {key}: \S", text, re.M), key
    table = [line for line in text.splitlines() if line.startswith("|")]
    assert table[0] == "| " + " | ".join(COLUMNS) + " |"
    assert len(table) == 2 + len(rows)
    for line, row in zip(table[2:], rows, strict=True):
        assert [cell.strip() for cell in line.strip("|").split(" | ")] == row
    assert "    python benchmarks/bench_decode.py --frames " in text


async def test_ctrl_c_ends_the_bench_with_one_line() -> None:
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "fluxer_rx.cli",
        "bench",
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    assert proc.stderr is not None
    async with asyncio.timeout(60):
        while not (line := await proc.stderr.readline()).startswith(b"running "):
            assert line, "the bench ended before running anything"
        proc.send_signal(signal.SIGINT)
        out, err = await proc.communicate()
    assert proc.returncode == 130
    assert out == b""
    assert err.decode() == "fluxer-rx bench: interrupted\n"


def test_write_keeps_the_hand_written_sections_after_the_marker() -> None:
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "bench_suite", Path(__file__).parents[1] / "benchmarks" / "suite.py"
    )
    assert spec is not None and spec.loader is not None
    suite = importlib.util.module_from_spec(spec)
    sys.modules["bench_suite"] = suite
    spec.loader.exec_module(suite)
    previous = f"# old table\n\n{suite.KEPT_MARKER}\n\n## Scale-out\n\nmeasured by hand\n"
    assert suite.kept_sections(previous) == "## Scale-out\n\nmeasured by hand\n"
    assert suite.kept_sections("# a file without the marker\n") == ""
    committed = (Path(__file__).parents[1] / "benchmarks" / "RESULTS.md").read_text()
    assert "## Scale-out" in suite.kept_sections(committed)


def test_write_without_a_path_means_the_default_results_file() -> None:
    from collections import defaultdict

    from fluxer_rx.cli.parser import build_parser

    parser = build_parser(defaultdict(lambda: None))
    assert parser.parse_args(["bench", "--full", "--write"]).write is True
    assert parser.parse_args(["bench", "--write", "out.md"]).write == "out.md"
    assert parser.parse_args(["bench"]).write is None
