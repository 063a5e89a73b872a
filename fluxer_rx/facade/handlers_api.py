"""``on`` / ``on_typed`` / ``listen`` / ``run_async``: handlers of the client's events."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, TypeVar, overload

from fluxer_rx.handlers import Handler, OverflowPolicy
from fluxer_rx.operators.effects import run_async

if TYPE_CHECKING:
    from reactivex import Observable

    from fluxer_rx.options import ClientOptions
    from fluxer_rx.pipeline import EventPipeline

__all__ = ["HandlerRegistration"]

E = TypeVar("E")
T = TypeVar("T")
R = TypeVar("R")
H = TypeVar("H", bound=Handler)
Returned = TypeVar("Returned", bound=Awaitable[None] | None)


class HandlerRegistration:
    """Registers handlers on the client's event pipeline."""

    options: ClientOptions
    _pipeline: EventPipeline

    @overload
    def on(self, name: str) -> Callable[[H], H]: ...
    @overload
    def on(self, name: str, handler: Handler) -> Callable[[], None]: ...

    def on(self, name: str, handler: Handler | None = None) -> Any:
        """Call ``handler(payload_dict)`` for every dispatch named ``name`` (``Events.*``).

        Several handlers per name run in registration order, after the cache fold. A
        sync handler runs inside the dispatch. An async handler (``async def``, or one
        that returns an awaitable) runs one call at a time, in event order, with at most
        ``options.handler_queue_size`` calls waiting; past that ``options.handler_overflow``
        drops one, reported on ``diagnostics`` (``handler_overflow``, with a
        :class:`~fluxer_rx.handlers.HandlerOverflow`). Errors go to ``diagnostics`` and
        the log. A payload whose ``d`` does not decode as JSON skips these handlers and
        is reported (``decode_error``, with the frame). See :mod:`fluxer_rx.handlers`.

        ``client.on(name, handler)`` returns a function that removes the handler;
        ``@client.on(name)`` registers the decorated function and returns it unchanged.
        """
        handlers = self._pipeline.handlers
        if handler is None:

            def register(function: H) -> H:
                handlers.add(function, name)
                return function

            return register
        return handlers.add(handler, name)

    def on_typed(self, handler: Handler) -> Callable[[], None]:
        """Call ``handler(event)`` with every typed event (as ``events`` emits it), under
        the rules of :meth:`on`. Returns a function that removes the handler."""
        return self._pipeline.handlers.add(handler)

    @overload
    def listen(
        self, event_type: type[E]
    ) -> Callable[[Callable[[E], Returned]], Callable[[E], Returned]]: ...
    @overload
    def listen(
        self, event_type: type[E], handler: Callable[[E], Awaitable[None] | None]
    ) -> Callable[[], None]: ...

    def listen(
        self, event_type: type[E], handler: Callable[[E], Awaitable[None] | None] | None = None
    ) -> Any:
        """Call ``handler(event)`` for every typed event that is an ``event_type``
        (``MessageCreate``...), under the rules of :meth:`on` (order, bounded queue of an
        async handler, errors on ``diagnostics``).

        The handler's parameter is typed: ``@client.listen(MessageCreate)`` accepts a
        function of a ``MessageCreate`` and mypy checks it. ``client.listen(cls,
        handler)`` returns a function that removes the handler; ``@client.listen(cls)``
        registers the decorated function and returns it unchanged (as :meth:`on`).

        The handler is a routed subscriber of ``events`` (a dict look-up by class, no
        cost for the other events), so it runs while the event is emitted, after the
        cache fold and before the :meth:`on` / :meth:`on_typed` handlers. Raises
        ``TypeError`` when ``event_type`` is not a class.
        """
        if not isinstance(event_type, type):
            raise TypeError(f"listen() takes an event class, not {event_type!r}")
        if handler is None:

            def register(function: Callable[[E], Returned]) -> Callable[[E], Returned]:
                self._route(event_type, function)
                return function

            return register
        return self._route(event_type, handler)

    def _route(
        self, event_type: type[E], handler: Callable[[E], Awaitable[None] | None]
    ) -> Callable[[], None]:
        call = self._pipeline.handlers.call_for(handler)
        return self._pipeline.events.stream(event_type).route(call).dispose

    def run_async(
        self,
        fn: Callable[[T], Awaitable[R]],
        *,
        concurrency: int = 1,
        ordered: bool = True,
        max_pending: int | None = None,
        overflow: OverflowPolicy | None = None,
    ) -> Callable[[Observable[T]], Observable[R]]:
        """:func:`~fluxer_rx.operators.run_async` bound to this client: ``fn``'s errors are
        logged and reported on ``diagnostics`` (``handler_error``), drops past
        ``max_pending`` waiting values (default ``options.handler_queue_size``, policy
        ``options.handler_overflow``) as ``handler_overflow`` with an
        :class:`~fluxer_rx.operators.EffectOverflow`, and the running tasks are cancelled
        when the client's run ends (``close()``); the subscription stays usable for the
        next run. ::

            client.events.pipe(of_type(MessageCreate), client.run_async(reply)).subscribe()
        """
        reporter = self._pipeline.reporter
        return run_async(
            fn,
            concurrency=concurrency,
            ordered=ordered,
            max_pending=self.options.handler_queue_size if max_pending is None else max_pending,
            overflow=self.options.handler_overflow if overflow is None else overflow,
            on_error=reporter.handler_failed,
            on_overflow=reporter.effect_overflowed,
            scope=self._pipeline.effects,
        )
