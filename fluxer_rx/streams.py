"""Loop-bound observables: the streams the client hands out.

Two guarantees hold for every observable in this module and for every observable derived
from one with ``.pipe(...)`` or a fluent operator method (``.filter(...)``, ...):

* **Loop scheduling.** When ``subscribe`` is called without a scheduler inside a running
  asyncio loop, the subscription uses the loop's
  :class:`~fluxer_rx.schedulers.LoopScheduler`, so time-based operators (``debounce``,
  ``timeout``, ``delay``) fire on the loop's thread instead of reactivex's default timer
  threads, and follow recorded time while a replay runs on a virtual clock (their timers
  move to it: see :mod:`fluxer_rx.schedulers`).
* **Isolation.** :class:`EventSubject` delivers each value to its subscribers in
  subscription order, synchronously, with no task per value. An exception raised by one
  subscriber is handed to the subject's error sink and does not reach the other
  subscribers, the subject, or the producer; that subscriber stays subscribed.

:class:`EventSubject` is loop-only and lock-free: call ``on_next`` from the loop's thread.
"""

from __future__ import annotations

import asyncio
import functools
import weakref
from collections.abc import Callable
from typing import Any, TypeVar, overload

from reactivex import Observable, abc
from reactivex.disposable import Disposable
from reactivex.internal.basic import default_error
from reactivex.observable.mixins import (
    CombinationMixin,
    ConditionalMixin,
    ErrorHandlingMixin,
    FilteringMixin,
    MathematicalMixin,
    MulticastingMixin,
    TestingMixin,
    TimeBasedMixin,
    TransformationMixin,
    UtilityMixin,
    WindowingMixin,
)

from fluxer_rx.schedulers import loop_scheduler, scheduler_override

__all__ = [
    "ErrorSink",
    "EventSubject",
    "LoopObservable",
    "Subscriber",
    "ignore",
    "loop_scheduler",
    "scheduler_override",
    "subscription_callbacks",
]

T = TypeVar("T")
T_co = TypeVar("T_co", covariant=True)
A = TypeVar("A")
B = TypeVar("B")
C = TypeVar("C")
D = TypeVar("D")
E = TypeVar("E")

ErrorSink = Callable[[Exception], None]
"""Receives an exception raised by a subscriber of an :class:`EventSubject`."""


class LoopObservable(Observable[T_co]):
    """An Observable that subscribes on the running loop's scheduler by default.

    Results of ``pipe`` and of the fluent operator methods are wrapped again, so the
    default propagates down any chain built from this observable.
    """

    def subscribe(
        self,
        on_next: abc.ObserverBase[T_co] | abc.OnNext[T_co] | None = None,
        on_error: abc.OnError | None = None,
        on_completed: abc.OnCompleted | None = None,
        *,
        scheduler: abc.SchedulerBase | None = None,
    ) -> abc.DisposableBase:
        """Subscribe as :meth:`Observable.subscribe`, defaulting to the loop's scheduler."""
        if scheduler is None:
            scheduler = loop_scheduler()
        return super().subscribe(on_next, on_error, on_completed, scheduler=scheduler)

    @overload
    def pipe(self) -> LoopObservable[T_co]: ...
    @overload
    def pipe(self, __op1: Callable[[Observable[T_co]], A]) -> A: ...
    @overload
    def pipe(self, __op1: Callable[[Observable[T_co]], A], __op2: Callable[[A], B]) -> B: ...
    @overload
    def pipe(
        self,
        __op1: Callable[[Observable[T_co]], A],
        __op2: Callable[[A], B],
        __op3: Callable[[B], C],
    ) -> C: ...
    @overload
    def pipe(
        self,
        __op1: Callable[[Observable[T_co]], A],
        __op2: Callable[[A], B],
        __op3: Callable[[B], C],
        __op4: Callable[[C], D],
    ) -> D: ...
    @overload
    def pipe(
        self,
        __op1: Callable[[Observable[T_co]], A],
        __op2: Callable[[A], B],
        __op3: Callable[[B], C],
        __op4: Callable[[C], D],
        __op5: Callable[[D], E],
    ) -> E: ...
    @overload
    def pipe(self, *operators: Callable[[Any], Any]) -> Any: ...

    def pipe(self, *operators: Callable[[Any], Any]) -> Any:
        """Compose operators left to right; an Observable result stays loop-bound."""
        return _bind(super().pipe(*operators))


def _bind(result: Any) -> Any:
    if isinstance(result, Observable) and not isinstance(result, LoopObservable):
        return LoopObservable(result._subscribe_core)
    return result


def _wrap_fluent(name: str) -> None:
    original = getattr(Observable, name)

    @functools.wraps(original)
    def method(self: Observable[Any], *args: Any, **kwargs: Any) -> Any:
        return _bind(original(self, *args, **kwargs))

    setattr(LoopObservable, name, method)


_FLUENT_MIXINS = (
    CombinationMixin,
    ConditionalMixin,
    ErrorHandlingMixin,
    FilteringMixin,
    MathematicalMixin,
    MulticastingMixin,
    TestingMixin,
    TimeBasedMixin,
    TransformationMixin,
    UtilityMixin,
    WindowingMixin,
)
for _mixin in _FLUENT_MIXINS:
    for _name, _value in vars(_mixin).items():
        if not _name.startswith("_") and callable(_value):
            _wrap_fluent(_name)


def _report_to_loop(error: Exception) -> None:
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        raise error from None
    loop.call_exception_handler(
        {"message": "unhandled exception in an EventSubject subscriber", "exception": error}
    )


def ignore(_value: object = None) -> None:
    """Does nothing: what a disposed subscriber is fed, and the default of a callback left
    out."""


def subscription_callbacks(
    on_next: abc.ObserverBase[Any] | abc.OnNext[Any] | None,
    on_error: abc.OnError | None,
    on_completed: abc.OnCompleted | None,
) -> tuple[Callable[[Any], None], Callable[[Exception], None], Callable[[], None]]:
    """The three plain callables of a ``subscribe`` call, as ``Observable.subscribe`` reads
    them: an observer's methods, else the functions given, with reactivex's defaults
    (nothing for values and completion; an error without a handler is raised)."""
    if isinstance(on_next, abc.ObserverBase) or callable(getattr(on_next, "on_next", None)):
        observer: Any = on_next
        return observer.on_next, observer.on_error, observer.on_completed
    return on_next or ignore, on_error or default_error, on_completed or ignore


class Subscriber(abc.DisposableBase):
    """One subscription to an :class:`EventSubject`: the subscriber's callables, called
    straight from the subject's loop (no observer wrapper), and its own disposable.

    Disposing it feeds nothing more to the callables from then on, even for a value whose
    delivery is under way, and removes it from its subject; a second call does nothing."""

    __slots__ = ("deliver", "on_completed", "on_error", "subject")

    def __init__(
        self,
        subject: EventSubject[Any],
        deliver: Callable[[Any], None],
        on_error: Callable[[Exception], None],
        on_completed: Callable[[], None],
    ) -> None:
        self.subject: EventSubject[Any] | None = subject
        self.deliver = deliver
        self.on_error = on_error
        self.on_completed = on_completed

    def close(self) -> None:
        """Feed nothing from now on."""
        self.deliver = self.on_completed = ignore
        self.on_error = ignore

    def dispose(self) -> None:
        """Unsubscribe (see the class)."""
        self.close()
        subject, self.subject = self.subject, None
        if subject is not None:
            subject._detach(self)


class _Calls(list[Callable[[Any], None]]):
    """The on_next callables of an :class:`EventSubject`'s subscribers at one moment, in
    subscription order, with the subscribers (``observers``, same positions)."""

    __slots__ = ("__weakref__", "observers")

    def __init__(self, observers: tuple[Subscriber, ...]) -> None:
        super().__init__(observer.deliver for observer in observers)
        self.observers = observers


class EventSubject(LoopObservable[T]):
    """A hot, loop-only multicast source with per-subscriber error isolation.

    ``on_next`` calls each current subscriber in subscription order. Changes made while a
    value is being delivered (from a subscriber's callback):

    * a subscriber added takes effect from the next value;
    * a subscriber disposed receives nothing more, not even the value under way (also
      when an earlier subscriber of that value disposed it);
    * a value sent from a callback (re-entrant ``on_next``) is delivered to every current
      subscriber at once, before the outer value reaches the subscribers after that
      callback;
    * ``on_completed`` / ``on_error`` end the delivery: no subscriber receives anything
      more, the value under way included.

    After ``on_completed`` or ``on_error`` the subject is stopped: later values are
    ignored and new subscribers receive the terminal notification at once; each
    subscriber is told once.

    ``subscribe`` registers the subscriber's callables (a function, or an observer's
    methods) directly, without reactivex's per-subscriber ``AutoDetachObserver``: a value
    costs one call per subscriber, as a plain loop over the functions would. An
    ``on_error`` left out raises the error into the error sink, as reactivex's default
    does.
    """

    # How delivery stays a bare loop: ``_calls`` holds the subscribers' on_next callables,
    # in order: a ``_Calls`` list (which also holds the subscribers, same positions) from
    # two subscribers on, a plain tuple for none or one (a tuple is cheaper to iterate, and
    # after its only call nothing is left in it that a disposal or a stop would have to
    # skip). A change replaces it (copy on write), so a delivery under way keeps iterating
    # what it started with: an added subscriber waits for the next value. A disposal also
    # sets the disposed subscriber's slot to ``ignore`` in every replaced list still alive,
    # i.e. still iterated by a delivery (``_replaced`` holds weak references: on CPython a
    # list no delivery iterates any more is freed at once), so the loop needs no check per
    # subscriber nor any bookkeeping per value. Stopping empties those lists in place,
    # which ends the loops iterating them.

    def __init__(self, error_sink: ErrorSink | None = None) -> None:
        super().__init__(self._attach)
        self._observers: tuple[Subscriber, ...] = ()
        self._calls: _Calls | tuple[Callable[[Any], None], ...] = ()
        self._replaced: list[weakref.ref[_Calls]] = []
        self._error_sink: ErrorSink = error_sink or _report_to_loop
        self._stopped = False
        self._error: Exception | None = None

    @property
    def has_observers(self) -> bool:
        """Whether anyone is subscribed now."""
        return bool(self._observers)

    def set_error_sink(self, sink: ErrorSink) -> None:
        """Route subscriber exceptions to ``sink`` from now on."""
        self._error_sink = sink

    def subscribe(
        self,
        on_next: abc.ObserverBase[T] | abc.OnNext[T] | None = None,
        on_error: abc.OnError | None = None,
        on_completed: abc.OnCompleted | None = None,
        *,
        scheduler: abc.SchedulerBase | None = None,
    ) -> abc.DisposableBase:
        """Subscribe (see the class): the returned disposable unsubscribes. ``scheduler``
        is accepted for compatibility; a subject delivers on its caller's thread."""
        return self._add(*subscription_callbacks(on_next, on_error, on_completed))

    def _attach(
        self, observer: abc.ObserverBase[T], scheduler: abc.SchedulerBase | None = None
    ) -> abc.DisposableBase:
        return self._add(observer.on_next, observer.on_error, observer.on_completed)

    def _add(
        self,
        on_next: Callable[[Any], None],
        on_error: Callable[[Exception], None],
        on_completed: Callable[[], None],
    ) -> abc.DisposableBase:
        if self._stopped:  # told at once; an error without a handler raises here
            if self._error is not None:
                on_error(self._error)
            else:
                on_completed()
            return Disposable()
        subscriber = Subscriber(self, on_next, on_error, on_completed)
        self._replace((*self._observers, subscriber))
        return subscriber

    def _replace(self, observers: tuple[Subscriber, ...]) -> None:
        """Make ``observers`` the subscribers; the list replaced is kept (weakly) for as
        long as a delivery iterates it (see the class comment)."""
        self._replaced = [ref for ref in self._replaced if ref() is not None]
        if isinstance(self._calls, _Calls):
            self._replaced.append(weakref.ref(self._calls))
        self._observers = observers
        if len(observers) > 1:
            self._calls = _Calls(observers)
        else:
            self._calls = tuple(observer.deliver for observer in observers)

    def _in_flight(self) -> list[_Calls]:
        """The replaced lists that a delivery may still be iterating."""
        return [calls for calls in (ref() for ref in self._replaced) if calls is not None]

    def _detach(self, subscriber: Subscriber) -> None:
        if subscriber not in self._observers:
            return
        self._replace(tuple(o for o in self._observers if o is not subscriber))
        for calls in self._in_flight():  # no delivery under way may reach it any more
            for i, observer in enumerate(calls.observers):
                if observer is subscriber:
                    calls[i] = ignore

    def on_next(self, value: T) -> None:
        """Deliver ``value`` to every subscriber; subscriber exceptions go to the sink."""
        sink = self._error_sink
        for call in self._calls:
            try:
                call(value)
            except Exception as exc:  # isolation is the point: report and go on
                sink(exc)

    def _stop(self) -> tuple[Subscriber, ...]:
        self._stopped = True
        subscribers = self._observers
        current = [self._calls] if isinstance(self._calls, _Calls) else []
        for calls in (*self._in_flight(), *current):
            calls.clear()  # ends every delivery under way
        self._observers, self._calls, self._replaced = (), (), []
        return subscribers

    def on_completed(self) -> None:
        """Complete every subscriber and stop the subject."""
        if self._stopped:
            return
        for subscriber in self._stop():
            notify = subscriber.on_completed
            subscriber.close()  # a value sent from within a callback reaches no one
            subscriber.subject = None
            try:
                notify()
            except Exception as exc:  # same isolation as on_next
                self._error_sink(exc)

    def on_error(self, error: Exception) -> None:
        """Fail every subscriber with ``error`` and stop the subject."""
        if self._stopped:
            return
        self._error = error
        for subscriber in self._stop():
            notify = subscriber.on_error
            subscriber.close()
            subscriber.subject = None
            try:
                notify(error)
            except Exception as exc:  # same isolation as on_next
                self._error_sink(exc)
