"""``to_frame``: a stream into a typed pandas DataFrame; pandas imported only when used."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import reactivex
from reactivex.subject import Subject

from fluxer_rx import Client
from fluxer_rx.analytics import to_frame
from fluxer_rx.models import MessageCreate
from fluxer_rx.operators import count_by, of_type, window_by_event_time
from tests.synthetic_recordings import STARTED_AT, Sent, snowflake, steady, write_recording


def test_importing_the_package_and_analytics_does_not_import_pandas() -> None:
    code = (
        "import sys, fluxer_rx, fluxer_rx.analytics, fluxer_rx.operators, fluxer_rx.replay\n"
        "assert 'pandas' not in sys.modules, 'pandas imported on import'\n"
        "import asyncio, reactivex\n"
        "frame = asyncio.run(fluxer_rx.analytics.to_frame(reactivex.of(1, 2), ['real']))\n"
        "assert 'pandas' in sys.modules and len(frame) == 2\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)


async def test_a_replayed_recording_becomes_a_typed_frame(tmp_path: Path) -> None:
    messages = [
        Sent(0.25 + 0.1 * i, 0.25 + 0.1 * i, channel=f"{10 + i % 3}", user=f"{20 + i % 2}")
        for i in range(30)
    ]
    path = write_recording(tmp_path / "r.jsonl", messages)
    client = Client()
    frame = await to_frame(
        client.events.pipe(of_type(MessageCreate)),
        until=client.replay(path, clock="recorded"),
    )
    assert list(frame.columns) == ["time", "type", "id", "channel_id", "guild_id", "user_id"]
    assert len(frame) == 30
    assert str(frame["time"].dtype) == "datetime64[ns, UTC]"
    assert str(frame["id"].dtype) == "string" and str(frame["user_id"].dtype) == "string"
    assert frame["type"].dtype == "category" and list(frame["type"].cat.categories) == [
        "MessageCreate"
    ]
    assert frame["id"].iloc[0] == snowflake(0.25, 1)  # all 19 digits, as sent
    assert frame["time"].iloc[0].timestamp() == STARTED_AT.timestamp() + 0.25
    per_channel = frame.groupby("channel_id", observed=True).size().to_dict()
    assert per_channel == {"10": 10, "11": 10, "12": 10}


async def test_windows_become_rows_with_their_fields_and_count(tmp_path: Path) -> None:
    path = write_recording(tmp_path / "w.jsonl", steady(4, 10))
    client = Client()
    windows = client.events.pipe(of_type(MessageCreate), window_by_event_time(1.0, idle=1.0))
    replay = client.replay(path, clock="recorded")
    frame = await to_frame(windows, ["start", "end", "count"], until=replay)
    assert list(frame["count"]) == [10, 10, 10, 10]
    assert str(frame["start"].dtype) == "datetime64[ns, UTC]"
    seconds = (frame["start"] - frame["start"].iloc[0]).dt.total_seconds().tolist()
    assert seconds == [0.0, 1.0, 2.0, 3.0]

    counts_client = Client()
    counts = counts_client.events.pipe(
        of_type(MessageCreate), count_by("channel_id", 2.0, idle=1.0)
    )
    replay = counts_client.replay(path, clock="recorded")
    by_default = await to_frame(counts, until=replay)
    assert list(by_default.columns) == ["start", "end", "counts"]
    assert list(by_default["counts"]) == [{"5": 20}, {"5": 20}]


async def test_limit_columns_by_function_and_mapping_rows() -> None:
    subject: Subject[dict[str, Any]] = Subject()

    async def feed() -> None:
        for i in range(10):
            subject.on_next({"n": i, "guild_id": 7 * i})
            await asyncio.sleep(0)

    feeding = asyncio.ensure_future(feed())
    frame = await to_frame(subject, limit=3)
    await feeding
    assert frame.to_dict("list") == {"n": [0, 1, 2], "guild_id": ["0", "7", "14"]}

    doubled = await to_frame(reactivex.of(1, 2, 3), {"twice": lambda v: 2 * v})
    assert list(doubled["twice"]) == [2, 4, 6]


async def test_errors_and_arguments() -> None:
    with pytest.raises(RuntimeError, match="boom"):
        await to_frame(reactivex.throw(RuntimeError("boom")))
    with pytest.raises(ValueError, match="limit"):
        await to_frame(reactivex.of(1), limit=-1)
    with pytest.raises(ValueError, match="twice"):
        await to_frame(reactivex.of(1), ["a", "a"])

    async def failing() -> None:
        raise LookupError("until failed")

    with pytest.raises(LookupError):
        await to_frame(reactivex.never(), until=failing())

    stream: Subject[int] = Subject()

    async def failing_with_the_stream() -> None:
        stream.on_error(KeyError("the stream failed"))
        raise LookupError("until failed")

    with pytest.raises(KeyError, match="the stream failed") as both:
        await to_frame(stream, until=failing_with_the_stream())
    assert both.value.__notes__ == ["until failed too: LookupError('until failed')"]
    empty = await to_frame(reactivex.empty())
    assert len(empty) == 0 and str(empty["time"].dtype) == "datetime64[ns, UTC]"


async def test_a_refused_call_closes_the_until_coroutine_it_was_given(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import inspect

    from fluxer_rx.analytics import frames

    def no_pandas() -> None:
        raise ModuleNotFoundError("pandas is not installed: pip install 'fluxer_rx[analytics]'")

    async def replay() -> None:
        return None

    monkeypatch.setattr(frames, "_pandas", no_pandas)
    until = replay()
    with pytest.raises(ModuleNotFoundError):
        await frames.to_frame(Subject(), until=until)
    assert inspect.getcoroutinestate(until) == inspect.CORO_CLOSED  # no "never awaited"
