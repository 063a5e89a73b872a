"""The ``collect`` operator: a stream cut short by item, processed-count and time limits.

It is the plain reactivex composition behind the collectors of
:mod:`fluxer_rx.operators.collectors` (``take`` / ``filter`` / ``take`` / ``timeout`` /
``take_until(timer)``), for any observable; the collectors add end events, removal on
delete, end reasons and ``await``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import reactivex
from reactivex import Observable, abc
from reactivex.disposable import Disposable

from fluxer_rx.streams import loop_scheduler

__all__ = ["check_limits", "collect"]

T = TypeVar("T")


def check_limits(**limits: float | None) -> None:
    """Raise ``ValueError``/``TypeError`` unless every given limit is ``None`` or > 0.

    Counts (``max``, ``max_*``) must be ints; ``time``/``idle`` are seconds (int or float).
    """
    for name, value in limits.items():
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise TypeError(f"{name} must be a number, not {type(value).__name__}")
        if name.startswith("max") and not isinstance(value, int):
            raise TypeError(f"{name} must be an int, not {type(value).__name__}")
        if not value > 0:
            raise ValueError(f"{name} must be > 0, got {value!r}")


def collect(
    *,
    filter: Callable[[T], bool] | None = None,
    max: int | None = None,
    max_processed: int | None = None,
    time: float | None = None,
    idle: float | None = None,
    scheduler: abc.SchedulerBase | None = None,
) -> Callable[[Observable[T]], Observable[T]]:
    """Emit the source values that pass ``filter`` until a limit is reached, then complete.

    * ``max``: complete after that many values were emitted;
    * ``max_processed``: complete after that many source values were seen (the last one is
      still emitted if it passes ``filter``);
    * ``time``: complete ``time`` seconds after subscription;
    * ``idle``: complete when no value was emitted for ``idle`` seconds (counted from
      subscription, restarted by each emitted value).

    ::

        ---a--b--c--d--e--|->    filter: not b
        [ collect(max=3) ]
        ---a-----c--d|

        ---a--b-------------c-->
        [ collect(idle=5) ]     (one dash = 1 s)
        ---a--b-----|

    Timers run on ``scheduler``, else on the subscription's scheduler, else on the running
    loop's; with none of them (and ``time``/``idle`` set) the subscriber gets a
    ``RuntimeError``. Errors of the source and of ``filter`` are passed on; source
    completion completes the result.
    """
    check_limits(max=max, max_processed=max_processed, time=time, idle=idle)

    def operator(source: Observable[T]) -> Observable[T]:
        def build(subscribe_scheduler: abc.SchedulerBase | None) -> Observable[T]:
            # reactivex's operators are imported by the first collection (once per
            # subscription), not with fluxer_rx.operators, which the client imports
            from reactivex import operators as ops

            steps: list[Callable[[Any], Any]] = []
            if max_processed is not None:
                steps.append(ops.take(max_processed))
            if filter is not None:
                steps.append(ops.filter(filter))
            if max is not None:
                steps.append(ops.take(max))
            if time is not None or idle is not None:
                timers = scheduler or subscribe_scheduler or loop_scheduler()
                if timers is None:
                    raise RuntimeError(
                        "collect(time=/idle=) needs a running event loop or scheduler="
                    )
                if idle is not None:
                    steps.append(ops.timeout(idle, other=reactivex.empty(), scheduler=timers))
                if time is not None:
                    steps.append(ops.take_until(reactivex.timer(time, scheduler=timers)))
            result: Observable[T] = source.pipe(*steps)
            return result

        def subscribe(
            observer: abc.ObserverBase[T], scheduler_: abc.SchedulerBase | None = None
        ) -> abc.DisposableBase:
            try:
                pipeline = build(scheduler_)
            except RuntimeError as exc:
                observer.on_error(exc)
                return Disposable()
            return pipeline.subscribe(observer, scheduler=scheduler_)

        return Observable(subscribe)

    return operator
