"""The pipeline's reports on ``diagnostics``: handler errors and overflows, loop stalls,
undecodable payloads and cache issues, each logged and published as a
:class:`~fluxer_rx.diagnostics.Diagnostic`."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from fluxer_rx.diagnostics import Diagnostic, Kind
from fluxer_rx.errors import DecodeError
from fluxer_rx.handlers import HandlerOverflow
from fluxer_rx.models.frame import Frame
from fluxer_rx.streams import EventSubject

if TYPE_CHECKING:  # the operators are imported by their first use, not with the client
    from fluxer_rx.operators import EffectOverflow
    from fluxer_rx.operators.event_time import LateEvent

__all__ = ["Reporter"]

log = logging.getLogger("fluxer_rx.client")


def _name_of(function: object) -> str:
    return str(getattr(function, "__qualname__", function))


class Reporter:
    """Publishes reports on one diagnostics stream; every method is safe to call from the
    hot path (one ``on_next``; nothing raises back to the caller but a subscriber's
    error, which the stream itself isolates)."""

    def __init__(self) -> None:
        self.diagnostics: EventSubject[Diagnostic] = EventSubject(self.subscriber_failed)

    def report(
        self,
        kind: str,
        shard_id: int | None,
        detail: str,
        data: object = None,
        frame: Frame | None = None,
    ) -> None:
        """Publish one report."""
        self.diagnostics.on_next(Diagnostic(kind, shard_id, detail, data, frame))

    def subscriber_failed(self, exc: Exception) -> None:
        """A subscriber of one of the pipeline's streams raised: logged and reported (when
        someone listens), the other subscribers go on."""
        log.error("stream subscriber failed: %r", exc, exc_info=exc)
        if self.diagnostics.has_observers:
            self.report(Kind.HANDLER_ERROR, None, f"subscriber raised {exc!r}", exc)

    def handler_failed(self, exc: Exception) -> None:
        """A handler or a ``run_async`` effect raised."""
        log.exception("event handler failed", exc_info=exc)
        self.report(Kind.HANDLER_ERROR, None, f"handler raised {exc!r}", exc)

    def handler_overflowed(self, overflow: HandlerOverflow) -> None:
        """An async handler's queue was full and a call was dropped."""
        self._overflow(
            f"handler {_name_of(overflow.handler)} is behind: {overflow.dropped} call(s)",
            overflow.policy,
            overflow.queue_size,
            overflow,
        )

    def effect_overflowed(self, overflow: EffectOverflow) -> None:
        """A ``run_async`` effect's queue was full and a value was dropped."""
        self._overflow(
            f"run_async effect {_name_of(overflow.fn)} is behind: {overflow.dropped} value(s)",
            overflow.policy,
            overflow.max_pending,
            overflow,
        )

    def _overflow(self, what: str, policy: str, size: int, data: object) -> None:
        detail = f"{what} dropped so far ({policy}, queue of {size})"
        log.warning("%s", detail)
        self.report(Kind.HANDLER_OVERFLOW, None, detail, data)

    def loop_stalled(self, seconds: float) -> None:
        """The event loop was blocked for ``seconds``."""
        detail = f"the event loop was blocked for {seconds:.3f} s (a handler that does not await?)"
        log.warning("%s", detail)
        self.report(Kind.LOOP_STALL, None, detail, seconds)

    def undecodable(self, frame: Frame, exc: DecodeError) -> None:
        """A frame's payload did not decode; the frame goes with the report."""
        self.report(Kind.DECODE_ERROR, frame.shard_id, str(exc), exc, frame)

    def late_event(self, late: LateEvent) -> None:
        """An event-time operator met an event past its allowed lateness."""
        detail = (
            f"{type(late.event).__name__} at {late.time.isoformat()} came after the watermark"
            f" {late.watermark.isoformat()} ({late.late_so_far} late so far)"
        )
        self.report(Kind.LATE_EVENT, None, detail, late)

    def cache_issue(self, kind: str, detail: str) -> None:
        """The cache met an event it could not apply fully."""
        self.report(Kind.CACHE, None, f"{kind}: {detail}")
