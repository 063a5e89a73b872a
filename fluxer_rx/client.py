"""The :class:`Client` façade: one process's shard group wired to its event pipeline.

The work is done by parts with one job each: a
:class:`~fluxer_rx.gateway.shard_group.ShardGroup` (connections, identify queue,
commands), an :class:`~fluxer_rx.pipeline.EventPipeline` (decode, cache fold,
``events``, handlers, readiness), the REST client and the managers. The client adds the
lifecycle of a run: :meth:`Client.login`, :meth:`Client.replay` and :meth:`Client.close`.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from types import TracebackType
from typing import TYPE_CHECKING, Self

from fluxer_rx.cache import Cache, CacheView
from fluxer_rx.credentials import bare_token
from fluxer_rx.diagnostics import Diagnostic
from fluxer_rx.discovery import discover_gateway_url
from fluxer_rx.errors import AlreadyLoggedIn, ClientNotReady
from fluxer_rx.facade.collectors_api import CollectorFactory
from fluxer_rx.facade.gateway_api import GatewayControl
from fluxer_rx.facade.handlers_api import HandlerRegistration
from fluxer_rx.facade.lookups_api import Lookups
from fluxer_rx.facade.replay_api import RecordReplay
from fluxer_rx.facade.status_api import RunStatus
from fluxer_rx.gateway.sharding import shard_for_guild
from fluxer_rx.gateway.url import gateway_url_with_query
from fluxer_rx.lifecycle import ClientState, run_until_stopped
from fluxer_rx.managers import (
    ChannelManager,
    GuildManager,
    MemberManager,
    MessageManager,
    UserManager,
)
from fluxer_rx.models.frame import Frame
from fluxer_rx.options import ClientOptions
from fluxer_rx.pipeline import EventPipeline
from fluxer_rx.routing import RoutedEventSubject
from fluxer_rx.running import run_client
from fluxer_rx.streams import EventSubject

if TYPE_CHECKING:
    # imported by login(): importing the client stays light
    from fluxer_rx.bus.worker_link import WorkerLink
    from fluxer_rx.gateway.shard_group import ShardGroup
    from fluxer_rx.rest import Rest

__all__ = ["Client", "ClientState", "gateway_url_with_query", "shard_for_guild"]

_CLOSE_GRACE = 0.5
"""Seconds :meth:`Client.close` lets shards close politely before cancelling them."""


class Client(
    RunStatus, HandlerRegistration, CollectorFactory, GatewayControl, RecordReplay, Lookups
):
    """A Fluxer client: ``Client(options)``; ``options`` defaults to ``ClientOptions()``.

    Streams (hot, emitted on the event loop in gateway order, subscribed on the running
    loop's scheduler unless told otherwise):

    * :attr:`raw`: every decoded frame of every shard (``frame.shard_id`` tells which).
    * :attr:`events`: the typed dispatch payloads (``MessageCreate``, ``GuildCreate``...),
      each exactly once per session, in ``s`` order, after the cache fold. It is a
      :class:`~fluxer_rx.routing.RoutedEventSubject`: ``client.events.stream(MessageCreate,
      channel_id=...)`` subscribes by dict look-up instead of filtering every event.
    * :attr:`diagnostics`: :class:`~fluxer_rx.diagnostics.Diagnostic` reports.

    Managers over the cache and REST: :attr:`guilds`, :attr:`channels`, :attr:`users`,
    :attr:`members` and :attr:`messages`; :attr:`cache` is a read-only view of the fold
    (:class:`~fluxer_rx.cache.CacheView`), :attr:`rest` the REST client while logged in.
    """

    def __init__(self, options: ClientOptions | None = None) -> None:
        self.options = options = options if options is not None else ClientOptions()
        self._pipeline = pipeline = EventPipeline(
            lambda on_issue: Cache(options.cache, on_issue=on_issue),
            wait_for_guilds=options.wait_for_guilds,
            guild_ready_timeout=options.guild_ready_timeout,
            chunk_guilds=options.chunk_guilds,
            handler_queue_size=options.handler_queue_size,
            handler_overflow=options.handler_overflow,
            loop_stall_threshold=options.loop_stall_threshold,
        )
        self.raw: EventSubject[Frame] = pipeline.raw
        self.events: RoutedEventSubject = pipeline.events
        self.diagnostics: EventSubject[Diagnostic] = pipeline.diagnostics
        fold = pipeline.cache
        self.cache: CacheView = fold.view
        self.guilds = GuildManager(self.cache, lambda: self.rest, fold)
        self.channels = ChannelManager(self.cache, lambda: self.rest, fold)
        self.users = UserManager(self.cache, lambda: self.rest, fold)
        self.members = MemberManager(self.cache, lambda: self.rest, fold)
        self.messages = MessageManager(lambda: self.rest)
        self._group: ShardGroup | None = None
        self._link: WorkerLink | None = None  # a scale-out worker's link to the bus
        self._rest: Rest | None = None
        self._running = False
        self._stopped: asyncio.Event | None = None  # set when the current run has ended
        self._close_requested: asyncio.Event | None = None
        self._replay_stop: asyncio.Event | None = None

    def __repr__(self) -> str:
        return f"<Client {self.state.value} shards={sorted(self.shards)}>"

    def run(
        self,
        token: str,
        *,
        setup: Callable[[Self], Awaitable[None]] | None = None,
        log_level: int | None = logging.INFO,
    ) -> None:
        """Log in and run until SIGINT / SIGTERM or :meth:`close`, blocking (a bot
        script's ``client.run(token)``); see :mod:`fluxer_rx.running`.

        It runs its own event loop: ``await setup(client)`` runs on it first (subscribe
        streams there, so timers run on that loop). A signal ends the run cleanly and this
        returns normally (exit code 0, no traceback). Logging is set up at ``log_level``
        unless the root logger already has a handler (``None``: never). The errors of
        :meth:`login` and of ``setup`` are raised.
        """
        run_client(self, token, setup=setup, log_level=log_level)

    @property
    def rest(self) -> Rest:
        """The REST client of this login (one aiohttp session, shared rate limits).

        Raises :class:`ClientNotReady` outside :meth:`login`.
        """
        if self._rest is None:
            raise ClientNotReady("the REST client exists while logged in; call login() first")
        return self._rest

    # ------------------------------------------------------------------ a run

    def _start_run(self) -> None:
        if self._running:
            raise AlreadyLoggedIn("this client is already logged in or replaying")
        self._running = True
        self._stopped = asyncio.Event()

    async def _end_run(self) -> None:
        """The run is over for whoever waits on it, whatever ending it raised."""
        try:
            await self._pipeline.end()
        finally:
            self._run_over()

    def _run_over(self) -> None:
        """A new run may start, and whoever waits for this one's end is woken."""
        self._running = False
        if self._stopped is not None:
            self._stopped.set()

    async def login(self, token: str) -> None:
        """Connect every shard and run until :meth:`close`, then return normally.

        With ``options.bus`` the client is a scale-out worker instead: it reads the shard
        streams it can lease from Redis into the same pipeline (see
        :mod:`fluxer_rx.bus.worker_link`); it is ready once every shard it holds has caught
        up with its stream and that shard's READY was seen (or came with a snapshot).

        Raises :class:`AlreadyLoggedIn` on a second call, :class:`InvalidToken` when the
        gateway (4004) or the API (401) refuses the token, :class:`GatewayError` for the
        other fatal close codes, :class:`WebSocketError` after
        ``max_connect_failures`` consecutive failed connects with no session, the REST
        errors of gateway discovery, and ``ValueError`` for an empty token or an unusable
        gateway URL (see :func:`gateway_url_with_query`). Other network faults are
        retried. The token is never logged or shown in an error.
        """
        if self._running:
            raise AlreadyLoggedIn("this client is already logged in")
        token = bare_token(token)  # ValueError for an empty token, before any state changes
        self._start_run()
        closing = self._close_requested = asyncio.Event()
        try:
            # a setup error (options the REST or Redis client refuses) still ends the run
            self._pipeline.lifecycle.move(ClientState.DISCOVERING)
            from fluxer_rx.rest import Rest

            self._rest = Rest(token, self.options.rest)
            if self.options.bus is not None:
                self._link = self._open_link()
            await run_until_stopped(
                self._connect(token), closing, on_stop=self._closing, grace=_CLOSE_GRACE
            )
        finally:
            self._pipeline.lifecycle.move(ClientState.CLOSING)
            try:
                if self._link is not None:
                    await self._link.close()
            finally:
                if self._rest is not None:
                    await self._rest.close()
                self._rest = None
                self._group = self._link = None
                await self._end_run()

    def _open_link(self) -> WorkerLink:
        from fluxer_rx.bus.worker_link import WorkerLink

        bus = self.options.bus
        assert bus is not None
        link = self._link = WorkerLink(bus, self._pipeline)  # closed by login's finally
        if bus.share_rest_limits:
            self.rest.http.shared_limits = link.rest_limits(self.options.rest.global_rate_limit)
        return link

    async def _connect(self, token: str) -> None:
        if self._link is not None:
            self._pipeline.lifecycle.move(ClientState.CONNECTING)
            # readiness follows the set of held shards as leases come and go
            self._pipeline.begin(self._link, self._link.worker.held_live)
            await self._link.run()
            return
        gateway = self.options.gateway
        url = gateway.url or await discover_gateway_url(self.rest)
        url = gateway_url_with_query(url, gateway.version)
        self._pipeline.lifecycle.move(ClientState.CONNECTING)
        from fluxer_rx.gateway.shard_group import ShardGroup

        group = self._group = ShardGroup(token, url, self._pipeline, gateway)
        self._pipeline.begin(group, tuple(group.shards))
        await group.run()

    async def _closing(self) -> None:
        self._pipeline.lifecycle.move(ClientState.CLOSING)
        if self._group is not None:
            await self._group.close()
        if self._link is not None:
            await self._link.close()

    async def close(self) -> None:
        """End the run from any state and return once it has ended, within about a second:
        shards are closed politely when the peer answers, dropped when it does not;
        discovery and connection attempts in flight are cancelled. :meth:`login` (and
        :meth:`replay`) then return normally. Harmless when nothing runs."""
        if self._replay_stop is not None:
            self._replay_stop.set()
        if not self._running:
            return
        if self._close_requested is not None:
            self._close_requested.set()
        if self._stopped is not None:
            await self._stopped.wait()

    async def destroy(self) -> None:
        """The seed's name for :meth:`close` (the same method)."""
        await self.close()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()
