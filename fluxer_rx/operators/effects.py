"""``run_async``: asynchronous side effects as an operator, with tracked, bounded tasks.

``run_async(fn)`` calls ``fn(value)`` for each value and runs the awaitable it returns as
a task on the running loop; the operator emits each successful result::

    ---a-----b--c--------|->
    [ run_async(fn, concurrency=1) ]     fn(x) takes 3 time units and returns X
    ------A-----B--C-----|->

Guarantees, per subscription:

* **Bounded.** At most ``concurrency`` tasks run at once. A value that arrives while they
  all run waits in a FIFO queue of at most ``max_pending`` values; past that, ``overflow``
  picks the value that is dropped (``drop_oldest``: the one waiting longest,
  ``drop_newest``: the new one). ``fn`` is never called for a dropped value. Drops are
  reported to ``on_overflow`` as an :class:`EffectOverflow` with the running total: at
  the first drop, then at most once per second while drops go on, and once more within a
  second after the last one.
* **Order.** Values start in arrival order (minus drops). With ``ordered=True`` results
  are emitted in that same order (a result waits for the results of values that started
  before it); with ``ordered=False`` as soon as each task finishes.
* **Errors are reported, never fatal.** An exception raised by ``fn`` or by its task
  goes to ``on_error`` (by default: logged on ``fluxer_rx.operators``); nothing is
  emitted for that value and the stream goes on. So does an exception raised by a
  downstream ``on_next``.
* **Tracked.** Disposing the subscription cancels its running tasks and forgets the
  waiting values. A subscription made with a ``scope`` is also cleared by
  :meth:`EffectScope.close` (what a client does when its run ends): running tasks are
  cancelled and awaited, waiting values forgotten, and the subscription stays usable.
  A cancelled task emits nothing and is not an error.
* **Completion and errors of the source.** On completion the output completes once every
  started and waiting value has been handled. On error, running tasks are cancelled,
  waiting values forgotten, and the error is passed on.

Values must arrive on the loop's thread (``client.events`` and the loop-bound streams
derived from it do); the loop is the one running when the first value arrives.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Final, Generic, Literal, TypeVar

from reactivex import Observable, abc
from reactivex.disposable import CompositeDisposable, Disposable

__all__ = ["EffectOverflow", "EffectScope", "OverflowPolicy", "run_async"]

T = TypeVar("T")
R = TypeVar("R")

OverflowPolicy = Literal["drop_oldest", "drop_newest"]

REPORT_INTERVAL: Final = 1.0
"""Seconds between two overflow reports of one subscription while its drops go on."""

log = logging.getLogger("fluxer_rx.operators")


@dataclass(frozen=True, slots=True)
class EffectOverflow:
    """What ``on_overflow`` receives: ``fn``'s queue was full and a value was dropped.

    ``dropped`` is the running total of drops of that subscription (not the drops since
    the last report); ``policy`` and ``max_pending`` are the options in force.
    """

    fn: Callable[..., Awaitable[Any]]
    policy: OverflowPolicy
    dropped: int
    max_pending: int


def _log_error(exc: Exception) -> None:
    log.error("run_async effect failed: %r", exc, exc_info=exc)


def _log_overflow(overflow: EffectOverflow) -> None:
    log.warning(
        "run_async effect is behind: %d value(s) dropped so far (%s, queue of %d)",
        overflow.dropped,
        overflow.policy,
        overflow.max_pending,
    )


class EffectScope:
    """The run_async subscriptions of one owner; :meth:`close` clears them all.

    A subscription joins the scope when made and leaves it when disposed, completed or
    failed, so the scope holds only live subscriptions.
    """

    def __init__(self) -> None:
        self._runs: set[_Run[Any, Any]] = set()

    @property
    def running(self) -> int:
        """How many tasks run now, over every subscription of the scope."""
        return sum(len(run.tasks) for run in self._runs)

    async def close(self) -> None:
        """Cancel every running task of the scope's subscriptions, forget their waiting
        values, and return once the cancelled tasks have ended."""
        tasks: list[asyncio.Future[Any]] = []
        for run in list(self._runs):
            tasks.extend(run.clear())
        if tasks:
            await asyncio.wait(tasks)


class _Run(Generic[T, R]):
    """The state of one subscription of :func:`run_async`."""

    def __init__(
        self,
        observer: abc.ObserverBase[R],
        fn: Callable[[T], Awaitable[R]],
        *,
        concurrency: int,
        ordered: bool,
        max_pending: int,
        overflow: OverflowPolicy,
        on_error: Callable[[Exception], None],
        on_overflow: Callable[[EffectOverflow], None],
        scope: EffectScope | None,
    ) -> None:
        self._observer = observer
        self._fn = fn
        self._concurrency = concurrency
        self._ordered = ordered
        self._max_pending = max_pending
        self._overflow = overflow
        self._on_error = on_error
        self._on_overflow = on_overflow
        self._scope = scope
        self.tasks: dict[asyncio.Future[R], int] = {}  # running task -> its start number
        self._waiting: deque[T] = deque()
        self._started = 0
        self._next_out = 0  # ordered: the start number whose result is emitted next
        self._finished: dict[int, tuple[bool, R | None]] = {}  # ordered: (has result, result)
        self._completed = False
        self._stopped = False
        self._dropped = 0
        self._reported = 0
        self._summary: asyncio.TimerHandle | None = None
        if scope is not None:
            scope._runs.add(self)

    # -- source side ----------------------------------------------------------------

    def on_next(self, value: T) -> None:
        if self._stopped:
            return
        if len(self.tasks) < self._concurrency:
            self._start(value)
        elif len(self._waiting) < self._max_pending:
            self._waiting.append(value)
        elif self._overflow == "drop_oldest" and self._waiting:
            self._waiting.popleft()
            self._waiting.append(value)
            self._drop()
        else:
            self._drop()

    def on_error(self, error: Exception) -> None:
        if self._stopped:
            return
        self._stop()
        self._observer.on_error(error)

    def on_completed(self) -> None:
        self._completed = True
        self._maybe_complete()

    # -- tasks ----------------------------------------------------------------------

    def _start(self, value: T) -> None:
        number = self._started
        self._started += 1
        try:
            task = asyncio.ensure_future(self._fn(value))
        except Exception as exc:  # fn failed before returning an awaitable
            self._report(exc)
            self._finish(number, False, None)
            return
        self.tasks[task] = number
        task.add_done_callback(self._done)

    def _done(self, task: asyncio.Future[R]) -> None:
        number = self.tasks.pop(task, None)
        if number is None:  # cleared (disposed or scope closed): already forgotten
            return
        if task.cancelled():
            self._finish(number, False, None)
        else:
            exc = task.exception()
            if exc is None:
                self._finish(number, True, task.result())
            else:
                if isinstance(exc, Exception):
                    self._report(exc)
                self._finish(number, False, None)
        while self._waiting and len(self.tasks) < self._concurrency and not self._stopped:
            self._start(self._waiting.popleft())
        self._maybe_complete()

    def _finish(self, number: int, ok: bool, result: R | None) -> None:
        if not self._ordered:
            if ok:
                self._emit(result)
            return
        self._finished[number] = (ok, result)
        while self._next_out in self._finished:
            ok, result = self._finished.pop(self._next_out)
            self._next_out += 1
            if ok:
                self._emit(result)

    def _emit(self, result: R | None) -> None:
        try:
            self._observer.on_next(result)  # type: ignore[arg-type]  # ok: a real result
        except Exception as exc:  # a failing subscriber must not break the effects
            self._report(exc)

    def _report(self, exc: Exception) -> None:
        try:
            self._on_error(exc)
        except Exception:  # the error sink itself failed: keep it in the log
            log.exception("run_async on_error failed while reporting %r", exc)

    def _maybe_complete(self) -> None:
        if self._completed and not self._stopped and not self.tasks and not self._waiting:
            self._stop()
            self._observer.on_completed()

    # -- drops ----------------------------------------------------------------------

    def _drop(self) -> None:
        self._dropped += 1
        if self._summary is None:
            self._report_overflow()
            self._summary = asyncio.get_running_loop().call_later(REPORT_INTERVAL, self._summarise)

    def _summarise(self) -> None:
        self._summary = None
        if self._dropped > self._reported:
            self._report_overflow()
            self._summary = asyncio.get_running_loop().call_later(REPORT_INTERVAL, self._summarise)

    def _report_overflow(self) -> None:
        self._reported = self._dropped
        report = EffectOverflow(self._fn, self._overflow, self._dropped, self._max_pending)
        try:
            self._on_overflow(report)
        except Exception:  # the sink failed: keep the report in the log
            log.exception("run_async on_overflow failed")

    # -- ending ---------------------------------------------------------------------

    def clear(self) -> list[asyncio.Future[Any]]:
        """Cancel the running tasks and forget the waiting values; the cancelled tasks."""
        tasks = list(self.tasks)
        self.tasks.clear()
        self._waiting.clear()
        self._finished.clear()
        self._next_out = self._started
        for task in tasks:
            task.cancel()
        if self._summary is not None:
            self._summary.cancel()
            self._summary = None
            if self._dropped > self._reported:
                self._report_overflow()
        self._maybe_complete()
        return tasks

    def _stop(self) -> None:
        self._stopped = True
        self.clear()
        if self._scope is not None:
            self._scope._runs.discard(self)


def run_async(
    fn: Callable[[T], Awaitable[R]],
    *,
    concurrency: int = 1,
    ordered: bool = True,
    max_pending: int = 1000,
    overflow: OverflowPolicy = "drop_oldest",
    on_error: Callable[[Exception], None] | None = None,
    on_overflow: Callable[[EffectOverflow], None] | None = None,
    scope: EffectScope | None = None,
) -> Callable[[Observable[T]], Observable[R]]:
    """Run ``fn(value)`` as a task for each value; emit the results (see the module).

    ::

        async def pong(m: MessageCreate) -> Message:
            return await client.channels.send(m.channel_id, "pong")

        client.events.pipe(of_type(MessageCreate), run_async(pong, concurrency=4)).subscribe()

    ``client.run_async(fn, ...)`` is this operator with errors and drops reported on
    ``client.diagnostics`` and its tasks cancelled when the client's run ends. Raises
    ``ValueError`` at once for ``concurrency < 1``, ``max_pending < 0`` or an unknown
    ``overflow``.
    """
    if isinstance(concurrency, bool) or not isinstance(concurrency, int) or concurrency < 1:
        raise ValueError(f"concurrency must be an int >= 1, not {concurrency!r}")
    if isinstance(max_pending, bool) or not isinstance(max_pending, int) or max_pending < 0:
        raise ValueError(f"max_pending must be an int >= 0, not {max_pending!r}")
    if overflow not in ("drop_oldest", "drop_newest"):
        raise ValueError(f"overflow must be 'drop_oldest' or 'drop_newest', not {overflow!r}")
    error_sink = on_error if on_error is not None else _log_error
    overflow_sink = on_overflow if on_overflow is not None else _log_overflow

    def operator(source: Observable[T]) -> Observable[R]:
        def subscribe(
            observer: abc.ObserverBase[R], scheduler: abc.SchedulerBase | None = None
        ) -> abc.DisposableBase:
            run: _Run[T, R] = _Run(
                observer,
                fn,
                concurrency=concurrency,
                ordered=ordered,
                max_pending=max_pending,
                overflow=overflow,
                on_error=error_sink,
                on_overflow=overflow_sink,
                scope=scope,
            )
            upstream = source.subscribe(
                run.on_next, run.on_error, run.on_completed, scheduler=scheduler
            )

            def stop() -> None:
                with contextlib.suppress(
                    RuntimeError
                ):  # the loop is closed: nothing left to cancel
                    run._stop()

            return CompositeDisposable(upstream, Disposable(stop))

        return Observable(subscribe)

    return operator
