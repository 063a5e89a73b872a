"""From a stream to a pandas ``DataFrame``: :func:`to_frame` and the column readers.

A row per value of the stream; columns are read from each value by name (see
:data:`EVENT_COLUMNS` and :func:`column_reader`) or by a function, and typed from their
name and values:

* a column whose values are ``datetime`` (or ``None``) is ``datetime64[ns, UTC]``;
* ``id`` and every ``*_id`` column holds strings (pandas' ``string`` dtype), so a
  snowflake never becomes a float or loses digits;
* ``type`` is a ``category``;
* anything else is what pandas infers.

pandas is imported the first time :func:`to_frame` builds a frame, never on import of
:mod:`fluxer_rx` or :mod:`fluxer_rx.analytics` (install it with the ``analytics`` extra).
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import importlib
import inspect
from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, Final

from reactivex import Observable

from fluxer_rx.operators.event_time import snowflake_seconds
from fluxer_rx.routing import EVENT_KEYS

__all__ = ["EVENT_COLUMNS", "Columns", "column_reader", "to_frame"]

Columns = Sequence[str] | Mapping[str, Callable[[Any], Any]]
"""Column names (read by :func:`column_reader`), or names mapped to reading functions."""

EVENT_COLUMNS: Final = ("time", "type", "id", "channel_id", "guild_id", "user_id")
"""The default columns for events: when it happened (its snowflake's time), the event
class, its id, and the channel, guild and user it belongs to (read as
:mod:`fluxer_rx.routing` reads them)."""


def _event_time(value: object) -> datetime | None:
    try:
        return datetime.fromtimestamp(snowflake_seconds(value), UTC)
    except (ValueError, TypeError):
        return None


def _type_name(value: object) -> str:
    name = getattr(value, "name", None)  # a raw event keeps its gateway name
    if type(value).__name__ == "RawEvent" and isinstance(name, str):
        return name
    return type(value).__name__


def column_reader(name: str) -> Callable[[Any], Any]:
    """How column ``name`` is read from a value.

    ``"time"``: the creation time of the value's snowflake (``None`` without one);
    ``"type"``: the value's class name (a raw event's gateway name); ``"channel_id"``,
    ``"guild_id"``, ``"user_id"``, ``"message_id"``: as :mod:`fluxer_rx.routing` reads
    them; any other name: that attribute (``None`` when absent). From a mapping, every
    name but ``"time"`` and ``"type"`` reads that key.
    """
    if name == "time":
        return _event_time
    if name == "type":
        return _type_name
    key = EVENT_KEYS.get(name)

    def read(value: Any) -> Any:
        if isinstance(value, Mapping):
            return value.get(name)
        if key is not None:
            return key(value)
        return getattr(value, name, None)

    return read


def _default_columns(first: object) -> tuple[str, ...]:
    if dataclasses.is_dataclass(first) and not isinstance(first, type):
        names = tuple(f.name for f in dataclasses.fields(first))
        return names + (("count",) if hasattr(first, "count") else ())
    if isinstance(first, Mapping):
        return tuple(str(k) for k in first)
    return EVENT_COLUMNS


def _readers(columns: Columns | None, first: object) -> dict[str, Callable[[Any], Any]]:
    if isinstance(columns, Mapping):
        return dict(columns)
    names = _default_columns(first) if columns is None else tuple(columns)
    if len(set(names)) != len(names):
        raise ValueError(f"a column is named twice in {list(names)}")
    return {name: column_reader(name) for name in names}


def _typed(pd: Any, name: str, values: list[Any]) -> Any:
    present = [v for v in values if v is not None]
    if name == "id" or name.endswith("_id"):
        return pd.array([None if v is None else str(v) for v in values], dtype="string")
    if name == "type":
        return pd.Categorical(values)
    if name == "time" or (present and all(isinstance(v, datetime) for v in present)):
        return pd.to_datetime(values, utc=True).as_unit("ns")
    return values


async def to_frame(
    stream: Observable[Any],
    columns: Columns | None = None,
    *,
    limit: int | None = None,
    until: Awaitable[Any] | None = None,
) -> Any:
    """Collect ``stream`` into a pandas ``DataFrame``, a row per value, in order.

    Collects until the stream completes, ``limit`` rows have arrived, or ``until`` (an
    awaitable, e.g. ``client.replay(path, clock="recorded")``, started here after the
    subscription) is done, whichever comes first; then disposes its subscription (and
    cancels ``until`` if it is still running) and builds the frame.
    ``columns``: names (see :func:`column_reader`) or a mapping of names to functions;
    by default :data:`EVENT_COLUMNS`, or the fields of dataclass rows (windows, counts),
    or the keys of mapping rows. Columns are typed as the module says.

    Raises the stream's error or the error of ``until`` (when both fail, the stream's,
    with a note naming the other), ``ValueError`` for ``limit < 0`` or a repeated column
    name, and ``ModuleNotFoundError`` (naming the extra) when pandas
    is not installed. A stream that never completes, given neither ``limit`` nor
    ``until``, waits for ever (cancel it to stop).
    """
    try:
        if limit is not None and (isinstance(limit, bool) or limit < 0):
            raise ValueError(f"limit must be an int >= 0 or None, not {limit!r}")
        pd = _pandas()
    except BaseException:
        if inspect.iscoroutine(until):
            until.close()  # never started: no "coroutine was never awaited" warning
        raise
    rows: list[Any] = []
    done: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    def on_next(value: Any) -> None:
        if done.done():
            return
        rows.append(value)
        if limit is not None and len(rows) >= limit:
            done.set_result(None)

    def on_error(error: Exception) -> None:
        if not done.done():
            done.set_exception(error)

    def on_completed() -> None:
        if not done.done():
            done.set_result(None)

    if limit == 0:
        done.set_result(None)
        subscription = None
    else:
        subscription = stream.subscribe(on_next, on_error, on_completed)
    task = asyncio.ensure_future(until) if until is not None else None
    try:
        if task is not None:
            await asyncio.wait({done, task}, return_when=asyncio.FIRST_COMPLETED)
            if not done.done():
                task.result()  # its error, if it failed
                done.set_result(None)
        await done
    except BaseException as exc:
        if task is not None and task.done() and not task.cancelled():
            other = task.exception()  # read, so asyncio does not log it as never retrieved
            if other is not None and other is not exc:
                exc.add_note(f"until failed too: {other!r}")
        raise
    finally:
        if subscription is not None:
            subscription.dispose()
        if task is not None and not task.done():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
    readers = _readers(columns, rows[0] if rows else None)
    data = {name: _typed(pd, name, [read(row) for row in rows]) for name, read in readers.items()}
    return pd.DataFrame(data, columns=list(readers))


def _pandas() -> Any:
    try:
        return importlib.import_module("pandas")
    except ModuleNotFoundError as exc:
        raise ModuleNotFoundError(
            "fluxer_rx.analytics needs pandas: pip install 'fluxer_rx[analytics]'", name="pandas"
        ) from exc
