"""The :class:`Client`: shards -> decode -> cache fold -> ``events``, handlers, lifecycle.

Order of work for each dispatch, all on the event loop and in gateway order, with no task
per event: the shard decodes the frame, the protocol de-duplicates it, the client decodes
the typed payload, folds it into the cache, then emits it on :attr:`Client.events` and
calls the handlers. A handler therefore always sees the cache with its event applied.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import os
from collections.abc import Awaitable, Callable, Iterable, Sequence
from datetime import UTC, datetime
from types import TracebackType
from typing import Any, Self, TypeVar, overload
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from reactivex import Observable

from fluxer_rx.cache import Cache, CachedMember, GuildChunker
from fluxer_rx.diagnostics import Diagnostic, Kind
from fluxer_rx.discovery import discover_gateway_url
from fluxer_rx.errors import (
    AlreadyLoggedIn,
    ClientNotReady,
    DecodeError,
    FluxerError,
)
from fluxer_rx.gateway.actions import ConnectionState, SessionLost
from fluxer_rx.gateway.identify_queue import IdentifyQueue
from fluxer_rx.gateway.protocol import GatewayProtocol, bare_token
from fluxer_rx.gateway.shard import Shard
from fluxer_rx.handlers import Handler, HandlerOverflow, Handlers, OverflowPolicy
from fluxer_rx.lifecycle import ClientState, Lifecycle
from fluxer_rx.loop_monitor import LoopMonitor
from fluxer_rx.managers import (
    ChannelManager,
    GuildManager,
    MemberManager,
    MessageManager,
    UserManager,
)
from fluxer_rx.models import (
    GuildCreate,
    GuildMembersChunk,
    Member,
    MessageCreate,
    MessageReactionAdd,
    PrivateUser,
    Ready,
)
from fluxer_rx.models.frame import Frame
from fluxer_rx.operators import (
    Collector,
    EffectOverflow,
    EffectScope,
    message_collector,
    reaction_collector,
    run_async,
    wait_for,
)
from fluxer_rx.options import ClientOptions
from fluxer_rx.permissions import Permissions, permissions_for
from fluxer_rx.replay import (
    FramePlayer,
    PacingClock,
    RecordedFrame,
    Recorder,
    RecordingReader,
    ReplaySummary,
    open_recording,
)
from fluxer_rx.rest import Instance, Rest
from fluxer_rx.routing import RoutedEventSubject
from fluxer_rx.running import run_client
from fluxer_rx.streams import EventSubject

__all__ = ["Client", "ClientState", "gateway_url_with_query", "shard_for_guild"]

log = logging.getLogger("fluxer_rx.client")

E = TypeVar("E")
T = TypeVar("T")
R = TypeVar("R")
H = TypeVar("H", bound=Handler)
Returned = TypeVar("Returned", bound=Awaitable[None] | None)


_DESTROY_GRACE = 0.5
"""Seconds :meth:`Client.destroy` lets shards close politely before cancelling them."""


def gateway_url_with_query(url: str, version: str = "1") -> str:
    """``url`` with ``v`` and ``encoding=json`` added to its query unless already there
    (other query keys are kept).

    Raises ``ValueError`` for a URL that is not ``ws://`` or ``wss://`` with a host, and for
    a ``compress`` other than ``none``: fluxer_rx reads uncompressed JSON frames, and a
    zstd stream would make every frame undecodable (PROTOCOL §1.2).
    """
    parts = urlsplit(url)
    if parts.scheme not in ("ws", "wss") or not parts.hostname:
        raise ValueError(f"the gateway URL must be ws:// or wss:// with a host, got {url!r}")
    query = parse_qsl(parts.query, keep_blank_values=True)
    keys = {key for key, _ in query}
    for key, value in query:
        if key == "compress" and value.lower() != "none":
            raise ValueError(
                f"gateway compression {value!r} is not supported: fluxer_rx reads "
                "uncompressed JSON frames; remove 'compress' from the gateway URL"
            )
    if "v" not in keys:
        query.append(("v", version))
    if "encoding" not in keys:
        query.append(("encoding", "json"))
    return urlunsplit(
        (parts.scheme, parts.netloc, parts.path or "/", urlencode(query), parts.fragment)
    )


def shard_for_guild(guild_id: str | int, shard_count: int) -> int:
    """The shard that receives a guild's events: ``(guild_id >> 22) % shard_count``."""
    return (int(guild_id) >> 22) % shard_count


def _name_of(function: object) -> str:
    return str(getattr(function, "__qualname__", function))


class _MemberRequest:
    """Gathers the GUILD_MEMBERS_CHUNK pieces answering one op 8 by nonce."""

    def __init__(self, future: asyncio.Future[list[Member]]) -> None:
        self.future = future
        self.members: list[Member] = []
        self.seen: set[int] = set()


class Client:
    """A Fluxer client: ``Client(options)``; ``options`` defaults to ``ClientOptions()``.

    Streams (hot, emitted on the event loop in gateway order):

    * :attr:`raw`: every decoded frame of every shard (``frame.shard_id`` tells which).
    * :attr:`events`: the typed dispatch payloads (``MessageCreate``, ``GuildCreate``...),
      each exactly once per session, in ``s`` order, after the cache fold. It is a
      :class:`~fluxer_rx.routing.RoutedEventSubject`: ``client.events.stream(MessageCreate,
      channel_id=...)`` subscribes by dict look-up instead of filtering every event.
    * :attr:`diagnostics`: :class:`~fluxer_rx.diagnostics.Diagnostic` reports.

    Every observable subscribes on the running loop's scheduler unless told otherwise.

    Managers over the cache and REST: :attr:`guilds`, :attr:`channels`, :attr:`users`
    (``Mapping[str, Cached*]`` with ``get`` / ``fetch`` / ``resolve``) and :attr:`members`
    (guild id -> user id -> member); :attr:`cache` is the fold itself, :attr:`rest` the
    REST client while logged in.
    """

    def __init__(self, options: ClientOptions | None = None) -> None:
        self.options = options if options is not None else ClientOptions()
        self.diagnostics: EventSubject[Diagnostic] = EventSubject(self._subscriber_failed)
        self.raw: EventSubject[Frame] = EventSubject(self._subscriber_failed)
        self.events = RoutedEventSubject(self._subscriber_failed)
        self.cache = Cache(self.options.cache, on_issue=self._cache_issue)
        self._chunker = GuildChunker() if self.options.chunk_guilds else None
        self._rest: Rest | None = None
        self.guilds = GuildManager(self.cache, lambda: self.rest)
        self.channels = ChannelManager(self.cache, lambda: self.rest)
        self.users = UserManager(self.cache, lambda: self.rest)
        self.members = MemberManager(self.cache, lambda: self.rest)
        self.messages = MessageManager(lambda: self.rest)
        self._effects = EffectScope()
        self._handler_set = Handlers(
            queue_size=self.options.handler_queue_size,
            overflow=self.options.handler_overflow,
            on_error=self._handler_failed,
            on_overflow=self._handler_overflowed,
        )
        # the handler set's own containers: dispatch tests them, one attribute load each
        self._handlers = self._handler_set.named
        self._typed_handlers = self._handler_set.typed
        self._loop_monitor = LoopMonitor(self.options.loop_stall_threshold, self._loop_stalled)
        self._shards: dict[int, Shard] = {}
        self._shard_count = 1
        self._running = False
        self._stopped: asyncio.Event | None = None
        self._replay_stop: asyncio.Event | None = None
        self._ready_event = asyncio.Event()
        self._ready_shards: set[int] = set()  # shards whose session's READY was handled
        self._live_shards: set[int] = set()  # shards whose connection is READY (live)
        self._held_ready: list[tuple[Frame, Ready]] = []  # READY events waiting for the burst
        self._lifecycle = Lifecycle(self._state_moved)
        self._destroy_requested: asyncio.Event | None = None
        self._guild_quiet: asyncio.TimerHandle | None = None
        self._burst_over = False
        self._member_requests: dict[str, _MemberRequest] = {}
        self._nonces = itertools.count(1)
        self.user: PrivateUser | None = None
        self.ready_at: datetime | None = None

    def __repr__(self) -> str:
        return f"<Client {self.state.value} shards={sorted(self._shards)}>"

    # ------------------------------------------------------------------ handlers

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
        drops one, reported on :attr:`diagnostics` (``handler_overflow``, with a
        :class:`~fluxer_rx.handlers.HandlerOverflow`). Errors go to :attr:`diagnostics`
        and the log. A payload whose ``d`` does not decode as JSON skips these handlers
        and is reported (``decode_error``, with the frame). See :mod:`fluxer_rx.handlers`.

        ``client.on(name, handler)`` returns a function that removes the handler;
        ``@client.on(name)`` registers the decorated function and returns it unchanged.
        """
        if handler is None:

            def register(function: H) -> H:
                self._handler_set.add(function, name)
                return function

            return register
        return self._handler_set.add(handler, name)

    def on_typed(self, handler: Handler) -> Callable[[], None]:
        """Call ``handler(event)`` with every typed event (as :attr:`events` emits it),
        under the rules of :meth:`on`. Returns a function that removes the handler."""
        return self._handler_set.add(handler)

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
        async handler, errors on :attr:`diagnostics`).

        The handler's parameter is typed: ``@client.listen(MessageCreate)`` accepts a
        function of a ``MessageCreate`` and mypy checks it. ``client.listen(cls,
        handler)`` returns a function that removes the handler; ``@client.listen(cls)``
        registers the decorated function and returns it unchanged (as :meth:`on`).

        The handler is a routed subscriber of :attr:`events` (a dict look-up by class, no
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
        call = self._handler_set.call_for(handler)
        return self.events.stream(event_type).route(call).dispose

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
        logged and reported on :attr:`diagnostics` (``handler_error``), drops past
        ``max_pending`` waiting values (default ``options.handler_queue_size``, policy
        ``options.handler_overflow``) as ``handler_overflow`` with an
        :class:`~fluxer_rx.operators.EffectOverflow`, and the running tasks are cancelled
        when the client's run ends (:meth:`destroy`); the subscription stays usable for
        the next run. ::

            client.events.pipe(of_type(MessageCreate), client.run_async(reply)).subscribe()
        """
        return run_async(
            fn,
            concurrency=concurrency,
            ordered=ordered,
            max_pending=self.options.handler_queue_size if max_pending is None else max_pending,
            overflow=self.options.handler_overflow if overflow is None else overflow,
            on_error=self._handler_failed,
            on_overflow=self._effect_overflowed,
            scope=self._effects,
        )

    def run(
        self,
        token: str,
        *,
        setup: Callable[[Self], Awaitable[None]] | None = None,
        log_level: int | None = logging.INFO,
    ) -> None:
        """Log in and run until SIGINT / SIGTERM or :meth:`destroy`, blocking (a bot
        script's ``client.run(token)``); see :mod:`fluxer_rx.running`.

        It runs its own event loop: ``await setup(client)`` runs on it first (subscribe
        streams there, so timers run on that loop). A signal ends the run cleanly and this
        returns normally (exit code 0, no traceback). Logging is set up at ``log_level``
        unless the root logger already has a handler (``None``: never). The errors of
        :meth:`login` and of ``setup`` are raised.
        """
        run_client(self, token, setup=setup, log_level=log_level)

    # ------------------------------------------------------------------ collectors, waiting

    def _guild_of(self, channel_id: str | int) -> str | None:
        channel = self.cache.channels.get(str(channel_id))
        return channel.guild_id if channel is not None else None

    def create_message_collector(
        self,
        channel_id: str | int,
        *,
        filter: Callable[[MessageCreate], bool] | None = None,
        max: int | None = None,
        max_processed: int | None = None,
        time: float | None = None,
        idle: float | None = None,
        dispose: bool = False,
        guild_id: str | int | None = None,
    ) -> Collector[MessageCreate]:
        """A :func:`~fluxer_rx.operators.message_collector` on :attr:`events`, started now
        (timers on the running loop). It ends on the deletion of the channel's guild: ``guild_id``,
        or else the guild of the cached channel."""
        return message_collector(
            self.events,
            channel_id,
            guild_id=guild_id if guild_id is not None else self._guild_of(channel_id),
            filter=filter,
            max=max,
            max_processed=max_processed,
            time=time,
            idle=idle,
            dispose=dispose,
        )

    def create_reaction_collector(
        self,
        channel_id: str | int,
        message_id: str | int,
        *,
        filter: Callable[[MessageReactionAdd], bool] | None = None,
        max: int | None = None,
        max_users: int | None = None,
        max_emojis: int | None = None,
        max_processed: int | None = None,
        time: float | None = None,
        idle: float | None = None,
        dispose: bool = False,
        guild_id: str | int | None = None,
    ) -> Collector[MessageReactionAdd]:
        """A :func:`~fluxer_rx.operators.reaction_collector` on :attr:`events`, started now
        (timers on the running loop). It ends on the deletion of the channel's guild: ``guild_id``,
        or else the guild of the cached channel."""
        return reaction_collector(
            self.events,
            channel_id,
            message_id,
            guild_id=guild_id if guild_id is not None else self._guild_of(channel_id),
            filter=filter,
            max=max,
            max_users=max_users,
            max_emojis=max_emojis,
            max_processed=max_processed,
            time=time,
            idle=idle,
            dispose=dispose,
        )

    async def wait_for(
        self,
        event_type: type[Any] | str,
        check: Callable[[Any], bool] | None = None,
        timeout: float | None = None,
    ) -> Any:
        """The next event of ``event_type`` passing ``check``; see
        :func:`fluxer_rx.operators.wait_for` (``TimeoutError``, ``StreamClosed``)."""
        return await wait_for(self.events, event_type, check, timeout)

    def _handler_failed(self, exc: Exception) -> None:
        log.exception("event handler failed", exc_info=exc)
        self._report(Kind.HANDLER_ERROR, None, f"handler raised {exc!r}", exc)

    def _handler_overflowed(self, overflow: HandlerOverflow) -> None:
        self._report_overflow(
            f"handler {_name_of(overflow.handler)} is behind: {overflow.dropped} call(s)",
            overflow.policy,
            overflow.queue_size,
            overflow,
        )

    def _effect_overflowed(self, overflow: EffectOverflow) -> None:
        self._report_overflow(
            f"run_async effect {_name_of(overflow.fn)} is behind: {overflow.dropped} value(s)",
            overflow.policy,
            overflow.max_pending,
            overflow,
        )

    def _report_overflow(self, what: str, policy: str, size: int, data: object) -> None:
        detail = f"{what} dropped so far ({policy}, queue of {size})"
        log.warning("%s", detail)
        self._report(Kind.HANDLER_OVERFLOW, None, detail, data)

    def _loop_stalled(self, seconds: float) -> None:
        detail = f"the event loop was blocked for {seconds:.3f} s (a handler that does not await?)"
        log.warning("%s", detail)
        self._report(Kind.LOOP_STALL, None, detail, seconds)

    def _undecodable(self, frame: Frame, exc: DecodeError) -> None:
        self._report(Kind.DECODE_ERROR, frame.shard_id, str(exc), exc, frame)

    def _subscriber_failed(self, exc: Exception) -> None:
        log.error("stream subscriber failed: %r", exc, exc_info=exc)
        if self.diagnostics.has_observers:
            self.diagnostics.on_next(
                Diagnostic(Kind.HANDLER_ERROR, None, f"subscriber raised {exc!r}", exc)
            )

    def _report(
        self,
        kind: str,
        shard_id: int | None,
        detail: str,
        data: object = None,
        frame: Frame | None = None,
    ) -> None:
        self.diagnostics.on_next(Diagnostic(kind, shard_id, detail, data, frame))

    # ------------------------------------------------------------------ shard sink

    def frame(self, frame: Frame) -> None:  # ShardSink
        """(Shard sink) publish a decoded frame on :attr:`raw`."""
        self.raw.on_next(frame)

    def dispatch(self, frame: Frame) -> None:  # ShardSink
        """(Shard sink) publish on :attr:`raw`, then decode, fold, emit and call handlers
        for one dispatch.

        Never raises for what the frame holds: a payload that does not decode is reported
        on :attr:`diagnostics` (``decode_error``, the ``DecodeError`` with the frame) and
        skipped, the whole dispatch when the typed event fails, only the :meth:`on`
        handlers when just the plain JSON of ``d`` fails."""
        self.raw.on_next(frame)
        try:
            event = frame.event
        except DecodeError as exc:
            self._undecodable(frame, exc)
            return
        self.cache.apply(event)
        kind = type(event)
        if kind is Ready:
            if self._on_ready(frame.shard_id, event, frame):
                return  # held until the guild burst is over (wait_for_guilds)
        elif kind is GuildCreate:
            self._on_guild_create(frame.shard_id, event)
        elif kind is GuildMembersChunk:
            self._on_members_chunk(event)
        self._emit(frame, event)

    def _emit(self, frame: Frame, event: Any) -> None:
        """Emit a folded event on :attr:`events` and call the handlers."""
        self.events.on_next(event)
        if self._handlers:
            named = self._handlers.get(frame.t or "")
            if named:
                try:
                    data = frame.data
                except DecodeError as exc:
                    self._undecodable(frame, exc)
                else:
                    for call in tuple(named):
                        call(data)
        if self._typed_handlers:
            for call in tuple(self._typed_handlers):
                call(event)

    def _cache_issue(self, kind: str, detail: str) -> None:
        self._report(Kind.CACHE, None, f"{kind}: {detail}")

    def _on_guild_create(self, shard_id: int, event: GuildCreate) -> None:
        if self._chunker is not None:
            request = self._chunker.request_for(event)
            shard = self._shards.get(shard_id)
            if request is not None and shard is not None:
                shard.request_guild_members(request.guild_id, **request.fields())
        if self._guild_quiet is not None:
            self._arm_guild_quiet()

    def diagnostic(self, report: Diagnostic) -> None:  # ShardSink
        """(Shard sink) publish a report on :attr:`diagnostics`."""
        self.diagnostics.on_next(report)

    def session_lost(self, shard_id: int, lost: SessionLost) -> None:  # ShardSink
        """(Shard sink) a session ended for good: the shard is not ready until READY (whose
        reducer resets the shard's part of the cache)."""
        self._ready_shards.discard(shard_id)
        if self._chunker is not None:
            self._chunker.reset()
        self._update_readiness()

    def state_changed(self, shard_id: int, old: ConnectionState, new: ConnectionState) -> None:
        """(Shard sink) track which shards have a live connection."""
        if new is ConnectionState.READY:
            self._live_shards.add(shard_id)
        else:
            self._live_shards.discard(shard_id)
        self._update_readiness()

    # ------------------------------------------------------------------ readiness

    def _on_ready(self, shard_id: int, ready: Ready, frame: Frame) -> bool:
        """Note a READY (folded already); True when its emission is held for the burst."""
        self.user = ready.user
        self._ready_shards.add(shard_id)
        held = False
        if self.options.wait_for_guilds:
            # a new session: its guilds arrive as a burst of GUILD_CREATEs, and the READY
            # event waits for them (live only: a replay has no wall-clock burst to wait on)
            self._burst_over = False
            self._arm_guild_quiet()
            if self._shards:
                self._held_ready.append((frame, ready))
                held = True
        self._update_readiness()
        return held

    def _arm_guild_quiet(self) -> None:
        if self._guild_quiet is not None:
            self._guild_quiet.cancel()
        loop = asyncio.get_running_loop()
        self._guild_quiet = loop.call_later(self.options.guild_ready_timeout, self._guilds_quiet)

    def _guilds_quiet(self) -> None:
        self._guild_quiet = None
        self._burst_over = True
        self._update_readiness()
        held, self._held_ready = self._held_ready, []
        for frame, ready in held:
            self._emit(frame, ready)

    def _readiness(self) -> bool:
        """Every shard live with a session whose READY was handled (a replay has no shards:
        one READY), and with ``wait_for_guilds`` the guild burst over and every member-list
        request answered."""
        if not self._running:
            return False
        if self._shards:
            for shard_id in self._shards:
                if shard_id not in self._live_shards or shard_id not in self._ready_shards:
                    return False
        elif not self._ready_shards:
            return False
        if self.options.wait_for_guilds:
            if not self._burst_over:
                return False
            if self._chunker is not None and not self._chunker.idle:
                return False
        return True

    def _update_readiness(self) -> None:
        ready = self._readiness()
        if ready == self._ready_event.is_set():
            return
        lifecycle = self._lifecycle
        if ready:
            self.ready_at = datetime.now(UTC)
            self._ready_event.set()
            if lifecycle.state in (ClientState.CONNECTING, ClientState.RECONNECTING):
                lifecycle.move(ClientState.READY)
        else:
            self._ready_event.clear()
            if lifecycle.state is ClientState.READY:
                lifecycle.move(ClientState.RECONNECTING)

    def _state_moved(self, old: ClientState, new: ClientState) -> None:
        log.info("client: %s -> %s", old.value, new.value)
        self._report(Kind.CLIENT_STATE, None, f"{old.value} -> {new.value}", (old, new))

    @property
    def state(self) -> ClientState:
        """Where the client stands in its lifecycle (see :mod:`fluxer_rx.lifecycle`); each
        change is also reported on :attr:`diagnostics` (kind ``client_state``)."""
        return self._lifecycle.state

    @property
    def is_ready(self) -> bool:
        """True only while every shard is connected with a live session (READY handled) and,
        with ``wait_for_guilds``, the guild burst is over. It goes False on a disconnect or a
        lost session and True again once resumed (or identified anew)."""
        return self._ready_event.is_set()

    async def wait_until_ready(self, timeout: float | None = None) -> None:
        """Return once :attr:`is_ready`; ``TimeoutError`` after ``timeout`` seconds.

        With ``wait_for_guilds=True`` readiness waits, after every shard's READY, until no
        GUILD_CREATE has arrived for ``options.guild_ready_timeout`` seconds: bots get READY
        with an empty guild list, so the end of the burst can only be told by a quiet period.
        It may be called before :meth:`login` starts (it waits for it), and while the client
        is reconnecting (it waits until the session is live again).
        """
        async with asyncio.timeout(timeout):
            await self._ready_event.wait()

    # ------------------------------------------------------------------ lifecycle

    async def login(self, token: str) -> None:
        """Connect every shard and run until :meth:`destroy`, then return normally.

        Raises :class:`AlreadyLoggedIn` on a second call, :class:`InvalidToken` when the
        gateway (4004) or the API (401) refuses the token, :class:`GatewayError` for the
        other fatal close codes, the REST errors of gateway discovery, and ``ValueError``
        for an empty token or an unusable gateway URL (see
        :func:`gateway_url_with_query`). Network faults are retried, never raised. The
        token is never logged or shown in an error.
        """
        if self._running:
            raise AlreadyLoggedIn("this client is already logged in")
        token = bare_token(token)  # ValueError for an empty token, before any state changes
        self._rest = Rest(token, self.options.rest)
        self._running = True
        self._loop_monitor.start()
        self._stopped = asyncio.Event()
        self._destroy_requested = asyncio.Event()
        self._ready_event.clear()
        self._ready_shards.clear()
        self._live_shards.clear()
        self._lifecycle.move(ClientState.DISCOVERING)
        try:
            await self._until_destroyed(self._connect(token), self._destroy_requested)
        finally:
            self._lifecycle.move(ClientState.CLOSING)
            await self._rest.close()
            self._rest = None
            self._shards.clear()
            await self._end_run()

    async def _connect(self, token: str) -> None:
        url = gateway_url_with_query(await self._gateway_url(), self.options.gateway_version)
        self._lifecycle.move(ClientState.CONNECTING)
        await self._run_shards(token, url)

    async def _until_destroyed(self, work: Awaitable[None], destroy: asyncio.Event) -> None:
        """Run ``work`` until it ends (its error is raised) or ``destroy`` is set: shards
        then get ``_DESTROY_GRACE`` seconds to close politely before ``work`` is cancelled,
        and this returns normally."""
        run = asyncio.ensure_future(work)
        stop = asyncio.ensure_future(destroy.wait())
        try:
            await asyncio.wait((run, stop), return_when=asyncio.FIRST_COMPLETED)
            if not run.done():
                self._lifecycle.move(ClientState.CLOSING)
                for shard in list(self._shards.values()):
                    await shard.close()
                await asyncio.wait((run,), timeout=_DESTROY_GRACE)
            if run.done() and not destroy.is_set():
                run.result()  # the run ended by itself: a fatal error, raised to the caller
        finally:
            stop.cancel()
            if not run.done():
                run.cancel()
                await asyncio.wait((run,))
            if not run.cancelled():
                run.exception()  # retrieved: raised above, or moot because destroy() came first

    async def _end_run(self) -> None:
        """What ends a run, a login or a replay: not ready, timers cancelled, async
        handler queues closed, the state CLOSED, and whoever awaits the end of the run
        released."""
        self._running = False
        self._loop_monitor.stop()
        self._ready_event.clear()
        self._live_shards.clear()
        self._held_ready.clear()
        if self._guild_quiet is not None:
            self._guild_quiet.cancel()
            self._guild_quiet = None
        try:
            await self._handler_set.close()
            await self._effects.close()
        finally:  # whatever happens above, the run is over for whoever waits on it
            self._lifecycle.move(ClientState.CLOSING)
            self._lifecycle.move(ClientState.CLOSED)
            if self._stopped is not None:
                self._stopped.set()

    async def _gateway_url(self) -> str:
        if self.options.gateway_url:
            return self.options.gateway_url
        return await discover_gateway_url(self.rest)

    @property
    def rest(self) -> Rest:
        """The REST client of this login (one aiohttp session, shared rate limits).

        Raises :class:`ClientNotReady` outside :meth:`login`.
        """
        if self._rest is None:
            raise ClientNotReady("the REST client exists while logged in; call login() first")
        return self._rest

    async def fetch_instance(self) -> Instance:
        """Instance discovery: ``/.well-known/fluxer`` at the origin of ``api_url``, falling
        back to ``{api_url}/instance``."""
        return await self.rest.fetch_instance()

    async def _run_shards(self, token: str, url: str) -> None:
        options = self.options
        count = options.shard_count or 1
        ids = list(options.shard_ids) if options.shard_ids is not None else list(range(count))
        sharded = options.shard_count is not None or options.shard_ids is not None
        self._shard_count = count
        gate = IdentifyQueue(options.identify_interval)
        for shard_id in ids:
            protocol = GatewayProtocol(
                token,
                presence=options.presence,
                ignored_events=options.ignored_events,
                shard=(shard_id, count) if sharded else None,
                resume_window=options.resume_window,
                reconnect_delay_max=options.reconnect_delay_max,
                hello_timeout=options.connect_timeout,
            )
            self._shards[shard_id] = Shard(
                shard_id,
                protocol,
                url,
                self,
                transport=options.transport,
                identify_gate=gate.wait,
                connect_timeout=options.connect_timeout,
            )
        tasks = [asyncio.create_task(shard.run()) for shard in self._shards.values()]
        try:
            while tasks:
                done, pending = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
                tasks = list(pending)
                for task in done:
                    error = task.exception()
                    if error is not None:
                        raise error
        except BaseException:
            for shard in self._shards.values():
                await shard.close()
            for task in tasks:
                with contextlib.suppress(FluxerError, asyncio.CancelledError):
                    await task
            raise

    async def destroy(self) -> None:
        """End the run from any state and return once it has ended, within about a second:
        shards are closed politely when the peer answers, dropped when it does not;
        discovery and connection attempts in flight are cancelled. :meth:`login` (and
        :meth:`replay`) then return normally. Harmless when nothing runs."""
        if self._replay_stop is not None:
            self._replay_stop.set()
        if not self._running:
            return
        if self._destroy_requested is not None:
            self._destroy_requested.set()
        if self._stopped is not None:
            await self._stopped.wait()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.destroy()

    # ------------------------------------------------------------------ record and replay

    def record(self, path: str | os.PathLike[str], *, redact: Iterable[str] = ()) -> Recorder:
        """Start recording every frame of :attr:`raw` to ``path``; returns the started
        :class:`~fluxer_rx.replay.Recorder` (``stop()`` it, or use it in a ``with``).

        Start it before :meth:`login` to record the whole session. ``redact``: secrets to
        keep out of the file besides tokens. Raises
        :class:`~fluxer_rx.replay.RecordingFileError` when ``path`` cannot be created.
        """
        return Recorder(self, path, redact=redact).start()

    async def replay(
        self,
        source: str | os.PathLike[str] | Iterable[RecordedFrame],
        *,
        speed: float | None = None,
        clock: PacingClock | None = None,
    ) -> ReplaySummary:
        """Drive this client offline from a recording (a path, or recorded frames) and
        return a summary once it has been replayed or :meth:`destroy` stopped it.

        Frames take the live path (``raw``, decode, cache fold, ``events``, handlers) in
        recorded order, each event exactly once (see :mod:`fluxer_rx.replay.player`);
        async handlers have run when it returns. ``speed=None`` replays as fast as
        possible, ``speed=x`` at x times the recorded pace on ``clock`` (the loop's by
        default). There is no network: :attr:`rest` raises :class:`ClientNotReady`, and
        the client is ready after the first READY. Raises :class:`AlreadyLoggedIn` while
        logged in or replaying, the errors of :func:`~fluxer_rx.replay.open_recording`,
        and ``MalformedRecording`` at a bad line (earlier frames were delivered).
        """
        if self._running:
            raise AlreadyLoggedIn("this client is already logged in or replaying")
        opened: RecordingReader | None = None
        frames: Iterable[RecordedFrame]
        if isinstance(source, str | os.PathLike):
            frames = opened = open_recording(source)
        else:
            frames = source
        try:
            player = FramePlayer(self, frames, speed=speed, clock=clock)
        except BaseException:
            if opened is not None:
                opened.close()
            raise
        self._running = True
        self._stopped = asyncio.Event()
        stop = self._replay_stop = asyncio.Event()
        self._destroy_requested = None
        self._ready_event.clear()
        self._ready_shards.clear()
        self._live_shards.clear()
        self._lifecycle.move(ClientState.DISCOVERING)
        self._lifecycle.move(ClientState.CONNECTING)
        try:
            feed = asyncio.ensure_future(player.run())
            halt = asyncio.ensure_future(stop.wait())
            try:
                await asyncio.wait({feed, halt}, return_when=asyncio.FIRST_COMPLETED)
            finally:
                halt.cancel()
                feed.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await halt
                with contextlib.suppress(asyncio.CancelledError):
                    await feed  # a failed feed raises its error (a malformed line)
            await self._handlers_idle(stop)
            return player.summary()
        finally:
            if opened is not None:
                opened.close()
            self._replay_stop = None
            await self._end_run()

    async def _handlers_idle(self, stop: asyncio.Event) -> None:
        """Wait until every async handler has handled what it was given, or ``stop``."""
        await self._handler_set.idle(stop)

    # ------------------------------------------------------------------ gateway commands

    @property
    def shards(self) -> dict[int, Shard]:
        """The running shards by id (empty before :meth:`login`)."""
        return dict(self._shards)

    @property
    def latency(self) -> float | None:
        """Mean heartbeat round trip over the shards, in seconds (``None`` before an ACK)."""
        values = [s.latency for s in self._shards.values() if s.latency is not None]
        return sum(values) / len(values) if values else None

    def _shard(self, shard_id: int) -> Shard:
        if not self._shards:
            raise ClientNotReady("the client is not connected; call login() first")
        try:
            return self._shards[shard_id]
        except KeyError:
            raise ValueError(f"this client runs no shard {shard_id}") from None

    def shard_for(self, guild_id: str) -> int:
        """The id of the shard that serves ``guild_id``."""
        return shard_for_guild(guild_id, self._shard_count)

    def send_to_shard(self, shard_id: int, op: int, d: Any) -> None:
        """Send ``{op, d}`` on one shard (queued under the send budget, size-checked)."""
        self._shard(shard_id).send(op, d)

    def send_to_gateway(self, op: int, d: Any) -> None:
        """Send ``{op, d}`` on every shard."""
        if not self._shards:
            raise ClientNotReady("the client is not connected; call login() first")
        for shard in self._shards.values():
            shard.send(op, d)

    def update_presence(
        self, status: str = "online", *, afk: bool | None = None, **extra: Any
    ) -> None:
        """Set the bot's presence on every shard (op 3) and for later IDENTIFYs."""
        if not self._shards:
            raise ClientNotReady("the client is not connected; call login() first")
        presence: dict[str, Any] = {"status": status, **extra}
        if afk is not None:
            presence["afk"] = afk
        for shard in self._shards.values():
            shard.update_presence(presence)

    async def request_guild_members(
        self,
        guild_id: str,
        *,
        query: str | None = None,
        limit: int | None = None,
        user_ids: Sequence[str] | None = None,
        presences: bool | None = None,
        timeout: float = 30.0,
    ) -> list[Member]:
        """Send REQUEST_GUILD_MEMBERS (op 8) and gather every GUILD_MEMBERS_CHUNK answer.

        Returns the members of all chunks, in chunk order. Raises ``TimeoutError`` when the
        chunks do not all arrive within ``timeout`` seconds (the server drops requests it
        does not allow silently, PROTOCOL §1.8).
        """
        shard = self._shard(self.shard_for(guild_id))
        nonce = f"m{next(self._nonces)}"
        future: asyncio.Future[list[Member]] = asyncio.get_running_loop().create_future()
        self._member_requests[nonce] = _MemberRequest(future)
        try:
            shard.request_guild_members(
                guild_id,
                query=query,
                limit=limit,
                user_ids=user_ids,
                presences=presences,
                nonce=nonce,
            )
            async with asyncio.timeout(timeout):
                return await future
        finally:
            self._member_requests.pop(nonce, None)

    def _on_members_chunk(self, chunk: GuildMembersChunk) -> None:
        if self._chunker is not None and self._chunker.on_chunk(chunk) is not None:
            self._update_readiness()
            return
        nonce = chunk.nonce
        request = self._member_requests.get(nonce) if isinstance(nonce, str) else None
        if request is None or request.future.done():
            return
        index = chunk.chunk_index if isinstance(chunk.chunk_index, int) else 0
        count = chunk.chunk_count if isinstance(chunk.chunk_count, int) else 1
        if index in request.seen:
            return
        request.seen.add(index)
        request.members.extend(chunk.members or ())
        if len(request.seen) >= count:
            request.future.set_result(request.members)

    # ------------------------------------------------------------------ permissions

    def permissions_for(
        self,
        member: CachedMember | str,
        *,
        channel_id: str | None = None,
        guild_id: str | None = None,
        roles: Iterable[str] | None = None,
    ) -> Permissions:
        """A member's permissions in ``channel_id`` (overwrites applied) or in ``guild_id``,
        computed from the cache as Fluxer computes them; see
        :func:`fluxer_rx.permissions.permissions_for` (``PermissionsUnknown`` when the cache
        cannot say, ``roles=`` for a member known only from a message)."""
        return permissions_for(
            self.cache, member, channel_id=channel_id, guild_id=guild_id, roles=roles
        )
