"""The :class:`EventPipeline`: frames in; decode, cache fold, ``events``, handlers out.

Order of work for each dispatch, all on the event loop and in the source's order, with no
task per event: the payload is decoded, folded into the cache, then emitted on
:attr:`EventPipeline.events` and handed to the handlers, so a handler always sees the
cache with its event applied. The pipeline takes frames from any source that drives a
:class:`~fluxer_rx.gateway.shard.ShardSink` (it is one): the shards of one process, a
replay, or a broker's stream in a scale-out worker.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection, Sequence
from typing import TYPE_CHECKING, Any

from fluxer_rx.cache import Cache, GuildChunker
from fluxer_rx.diagnostics import Diagnostic, Kind
from fluxer_rx.errors import ClientNotReady, DecodeError
from fluxer_rx.handlers import Handlers, OverflowPolicy
from fluxer_rx.lifecycle import ClientState, Lifecycle
from fluxer_rx.loop_monitor import LoopMonitor
from fluxer_rx.models import GuildCreate, GuildMembersChunk, Member, PrivateUser, Ready
from fluxer_rx.models.frame import Frame
from fluxer_rx.operators import EffectScope
from fluxer_rx.pipeline.member_requests import MemberRequests
from fluxer_rx.pipeline.readiness import Readiness
from fluxer_rx.pipeline.reporting import Reporter
from fluxer_rx.routing import RoutedEventSubject
from fluxer_rx.streams import EventSubject

if TYPE_CHECKING:  # the gateway's modules are imported by login(), not with the client
    from fluxer_rx.gateway.actions import ConnectionState, SessionLost
    from fluxer_rx.pipeline.ports import GatewayCommands

__all__ = ["EventPipeline"]

# the dispatches the pipeline looks at besides folding and emitting them
_SESSION_EVENTS = frozenset({Ready, GuildCreate, GuildMembersChunk})

log = logging.getLogger("fluxer_rx.client")


class EventPipeline:
    """Decode -> fold -> emit -> handlers for the frames of one or many shards.

    Streams (hot, emitted on the event loop in the source's order): :attr:`raw` (every
    frame), :attr:`events` (typed payloads, each exactly once, after the fold) and
    :attr:`diagnostics`. ``make_cache`` builds the cache given the function that reports
    its issues. A run is framed by :meth:`begin` and :meth:`end`; between runs the
    streams, the cache and the handlers stay.
    """

    def __init__(
        self,
        make_cache: Callable[[Callable[[str, str], None]], Cache],
        *,
        wait_for_guilds: bool = False,
        guild_ready_timeout: float = 2.0,
        chunk_guilds: bool = False,
        handler_queue_size: int = 1000,
        handler_overflow: OverflowPolicy = "drop_oldest",
        loop_stall_threshold: float | None = 0.5,
    ) -> None:
        self.reporter = reporter = Reporter()
        self.diagnostics: EventSubject[Diagnostic] = reporter.diagnostics
        self.raw: EventSubject[Frame] = EventSubject(reporter.subscriber_failed)
        self.events = RoutedEventSubject(reporter.subscriber_failed)
        self.cache = make_cache(reporter.cache_issue)
        self.handlers = Handlers(
            queue_size=handler_queue_size,
            overflow=handler_overflow,
            on_error=reporter.handler_failed,
            on_overflow=reporter.handler_overflowed,
        )
        self.effects = EffectScope()
        self.lifecycle = Lifecycle(self._state_moved)
        self.readiness = Readiness(
            lifecycle=self.lifecycle,
            emit=self._emit,
            wait_for_guilds=wait_for_guilds,
            guild_ready_timeout=guild_ready_timeout,
            chunker=GuildChunker() if chunk_guilds else None,
        )
        self.members = MemberRequests()
        self.commands: GatewayCommands | None = None
        self.user: PrivateUser | None = None
        self._loop_monitor = LoopMonitor(loop_stall_threshold, reporter.loop_stalled)
        # the handler set's own containers: dispatch tests them, one attribute load each
        self._named = self.handlers.named
        self._typed = self.handlers.typed

    # ------------------------------------------------------------------ a run

    def begin(self, commands: GatewayCommands | None, shard_ids: Collection[int]) -> None:
        """A run starts: frames come from ``shard_ids`` (none for a replay), and
        ``commands`` reaches their connections (``None`` offline: READY is not held)."""
        self.commands = commands
        self._loop_monitor.start()
        self.readiness.begin(shard_ids, live=commands is not None)

    async def end(self) -> None:
        """The run is over: not ready, timers cancelled, open member requests failed with
        :class:`ClientNotReady`, async handler queues closed, the lifecycle CLOSED (also
        when closing a handler fails)."""
        self.commands = None
        self.members.fail_all(ClientNotReady("the run ended before the members arrived"))
        self._loop_monitor.stop()
        self.readiness.end()
        try:
            await self.handlers.close()
            await self.effects.close()
        finally:
            self.lifecycle.move(ClientState.CLOSING)
            self.lifecycle.move(ClientState.CLOSED)

    def _state_moved(self, old: ClientState, new: ClientState) -> None:
        log.info("client: %s -> %s", old.value, new.value)
        self.reporter.report(Kind.CLIENT_STATE, None, f"{old.value} -> {new.value}", (old, new))

    # ------------------------------------------------------------------ shard sink

    def frame(self, frame: Frame) -> None:
        """(Shard sink) publish a frame that is not an event on :attr:`raw`."""
        self.raw.on_next(frame)

    def dispatch(self, frame: Frame) -> None:
        """(Shard sink) publish on :attr:`raw`, then decode, fold, emit and call handlers
        for one dispatch.

        Never raises for what the frame holds: a payload that does not decode is reported
        on :attr:`diagnostics` (``decode_error``, the ``DecodeError`` with the frame) and
        skipped, the whole dispatch when the typed event fails, only the name handlers
        when just the plain JSON of ``d`` fails.

        The hot path, in one call: :attr:`raw` is skipped while nobody subscribes to it,
        the plain subscribers of :attr:`events` by its delivery loop written out here
        (routed subscriptions through the subject), and the handlers only when some are
        registered."""
        raw = self.raw
        if raw._observers:
            raw.on_next(frame)
        try:
            event = frame.event
        except DecodeError as exc:
            self.reporter.undecodable(frame, exc)
            return
        self.cache.apply(event)
        kind = type(event)
        if kind in _SESSION_EVENTS:
            if kind is Ready:
                self.user = event.user
                if self.readiness.on_ready(frame.shard_id, event, frame):
                    return  # held until the guild burst is over (wait_for_guilds)
            elif kind is GuildCreate:
                self._on_guild_create(frame.shard_id, event)
            else:
                self._on_members_chunk(event)
        events = self.events
        if events._entries:  # routed subscriptions: the subject's own delivery
            events.on_next(event)
        else:
            # RoutedEventSubject.on_next's plain loop, written out: the call to it costs
            # as much as the loop does for one subscriber (same order, same isolation)
            for call in events._calls:
                try:
                    call(event)
                except Exception as exc:  # isolation is the point: report and go on
                    events._error_sink(exc)
        if self._named or self._typed:
            self._call_handlers(frame, event)

    def _emit(self, frame: Frame, event: Any) -> None:
        """Emit a folded event on :attr:`events` and call the handlers."""
        self.events.on_next(event)
        if self._named or self._typed:
            self._call_handlers(frame, event)

    def _call_handlers(self, frame: Frame, event: Any) -> None:
        """The name handlers of ``frame.t`` with ``d`` as JSON, then the typed handlers;
        each set as it was when the call began (a handler removed meanwhile is still
        called for this event, one added is not)."""
        named = self._named.get(frame.t or "") if self._named else None
        if named:
            try:
                data = frame.data
            except DecodeError as exc:
                self.reporter.undecodable(frame, exc)
            else:
                for call in tuple(named):
                    call(data)
        if self._typed:
            for call in tuple(self._typed):
                call(event)

    def diagnostic(self, report: Diagnostic) -> None:
        """(Shard sink) publish a report on :attr:`diagnostics`."""
        self.diagnostics.on_next(report)

    def session_lost(self, shard_id: int, lost: SessionLost) -> None:
        """(Shard sink) a session ended for good: the shard is not ready until READY (whose
        reducer resets the shard's part of the cache)."""
        self.readiness.session_lost(shard_id)

    def state_changed(self, shard_id: int, old: ConnectionState, new: ConnectionState) -> None:
        """(Shard sink) track which shards have a live connection."""
        self.readiness.state_changed(shard_id, new)

    # ------------------------------------------------------------------ guilds and members

    def _on_guild_create(self, shard_id: int, event: GuildCreate) -> None:
        chunker = self.readiness.chunker
        if chunker is not None and self.commands is not None:
            request = chunker.request_for(event, shard_id)
            if request is not None:
                self.commands.request_guild_members(
                    shard_id, request.guild_id, **request.fields()
                )
        self.readiness.on_guild_create()

    def _on_members_chunk(self, chunk: GuildMembersChunk) -> None:
        chunker = self.readiness.chunker
        if chunker is not None and chunker.on_chunk(chunk) is not None:
            self.readiness.update()
            return
        self.members.on_chunk(chunk)

    async def request_members(
        self,
        shard_id: int,
        guild_id: str,
        *,
        query: str | None = None,
        limit: int | None = None,
        user_ids: Sequence[str] | None = None,
        presences: bool | None = None,
        timeout: float = 30.0,
    ) -> list[Member]:
        """REQUEST_GUILD_MEMBERS on ``shard_id`` through this run's commands, answered by
        the GUILD_MEMBERS_CHUNKs this pipeline sees (see
        :meth:`MemberRequests.request`)."""
        if self.commands is None:
            raise ClientNotReady("member requests need a live run; call login() first")
        return await self.members.request(
            self.commands,
            shard_id,
            guild_id,
            query=query,
            limit=limit,
            user_ids=user_ids,
            presences=presences,
            timeout=timeout,
        )
