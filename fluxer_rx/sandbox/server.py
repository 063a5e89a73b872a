"""The :class:`Sandbox`: one aiohttp server on 127.0.0.1 with Fluxer's gateway and REST API.

::

    async with Sandbox(seed=1, heartbeat_interval=0.5) as sb:
        ...  # connect a bot to sb.gateway_url / sb.api_url with sb.token

The gateway answers at ``/`` (``ws://127.0.0.1:<port>/?v=1&encoding=json``); the REST API
under ``/v1`` (and at the root, as Fluxer mounts it). Everything is built from one
:class:`~fluxer_rx.sandbox.world.World`: the helpers below act as other users would, so a
REST write or a helper call produces exactly the dispatches the real server would send.
The sandbox is quiet: nothing is sent that a test, the traffic generator or a fault did
not ask for.
"""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import Sequence
from types import TracebackType
from typing import Any, Literal

from aiohttp import web

from fluxer_rx.sandbox.arguments import check_sandbox_arguments
from fluxer_rx.sandbox.config import HELLO_INTERVAL_S, SandboxConfig
from fluxer_rx.sandbox.faults import Faults
from fluxer_rx.sandbox.firehose import FirehoseResult, run_firehose
from fluxer_rx.sandbox.gateway import DispatchRecord, GatewayHub, MalformedKind, Session
from fluxer_rx.sandbox.gateway_clock import GatewayClock
from fluxer_rx.sandbox.rest import RestApi, add_routes
from fluxer_rx.sandbox.snowflakes import Clock
from fluxer_rx.sandbox.traffic import TrafficGenerator, TrafficKind
from fluxer_rx.sandbox.world import Json, World

__all__ = ["Sandbox"]


class Sandbox:
    """A local Fluxer-compatible server; use as ``async with Sandbox(...) as sb``.

    World shape: ``seed``, ``guilds``, ``channels_per_guild`` (text channels, type 0),
    ``members_per_guild`` (besides the bot), ``messages_per_channel`` (seeded history).

    Gateway: ``heartbeat_interval`` (seconds; HELLO announces it in ms and the server's
    timers scale with it), ``resume_window`` (seconds, does not scale),
    ``client_rate_limit`` (``(payloads, seconds)``; default 120 per 60 s scaled by
    ``heartbeat_interval / 41.25``, as many heartbeats per window as the real server
    allows), ``replay_buffer_size`` (4096), ``record_dispatches`` (fill
    :attr:`dispatch_log`; turn off for long traffic runs), ``presence_subscriptions``
    (True: guild presences only for users subscribed with op 14, as the real gateway
    does for bots; default False: every guild presence).
    ``gateway_clock``: the gateway's time and timers (heartbeat checks, session expiry;
    default real time), e.g. a ``ManualGatewayClock`` for deterministic tests.

    REST: ``rate_limit_headers`` (``"S"`` or ``"N"``), ``rest_window_scale`` (factor on
    every rate-limit window), ``rest_global_limit`` (50/s) and ``rest_bucket_limits``
    (``{rule: (limit, seconds)}`` overrides).

    World time and people: ``world_clock`` (Unix seconds, default :func:`time.time`) is
    the world's clock, and every id it makes carries that clock's time (a simulated clock
    gives simulated ids); ``other_user=True`` seeds ``sandbox-user``, a human member of
    every guild with its own token (:attr:`other_user_id`, :attr:`other_user_token`), to
    poke a bot from a shell; :meth:`user_token` gives any other user a token.

    Traffic: ``traffic_rate`` (mean steps per second; ``None`` or 0: none) starts seeded
    background traffic when the sandbox starts, in bursts when ``traffic_bursts``.

    Bad arguments raise ``ValueError`` with a one-line message here, before anything is
    bound (``port`` outside 0..65535, ``heartbeat_interval <= 0``, ``guilds < 0``,
    ``traffic_rate < 0``, ...); a port in use raises ``OSError`` from :meth:`start`
    naming the address.

    ``port`` 0 picks a free port. Attributes once started: ``api_url``, ``gateway_url``,
    ``base_url``, ``port``, ``token``, ``bot_id``, ``guild_ids``, ``channel_ids``,
    ``world``, ``faults``, ``gateway`` (the :class:`GatewayHub`), ``traffic``,
    ``dispatch_log``, ``rest`` (the REST half's ``RestApi``).
    """

    def __init__(
        self,
        *,
        seed: int = 0,
        guilds: int = 2,
        channels_per_guild: int = 3,
        members_per_guild: int = 10,
        messages_per_channel: int = 5,
        heartbeat_interval: float = HELLO_INTERVAL_S,
        resume_window: float = 10.0,
        rate_limit_headers: Literal["S", "N"] = "N",
        rest_window_scale: float = 1.0,
        rest_global_limit: int = 50,
        rest_bucket_limits: dict[str, tuple[int, float]] | None = None,
        client_rate_limit: tuple[int, float] | None = None,
        replay_buffer_size: int = 4096,
        record_dispatches: bool = True,
        presence_subscriptions: bool = False,
        host: str = "127.0.0.1",
        port: int = 0,
        gateway_clock: GatewayClock | None = None,
        world_clock: Clock = time.time,
        other_user: bool = False,
        traffic_rate: float | None = None,
        traffic_bursts: bool = False,
    ) -> None:
        check_sandbox_arguments(
            heartbeat_interval=heartbeat_interval,
            resume_window=resume_window,
            rate_limit_headers=rate_limit_headers,
            rest_window_scale=rest_window_scale,
            rest_global_limit=rest_global_limit,
            rest_bucket_limits=rest_bucket_limits,
            client_rate_limit=client_rate_limit,
            replay_buffer_size=replay_buffer_size,
            host=host,
            port=port,
            traffic_rate=traffic_rate,
        )
        self.world = World(
            seed=seed,
            guilds=guilds,
            channels_per_guild=channels_per_guild,
            members_per_guild=members_per_guild,
            messages_per_channel=messages_per_channel,
            other_user=other_user,
            clock=world_clock,
        )
        self._traffic_rate = traffic_rate or None
        self._traffic_bursts = traffic_bursts
        self.seed = seed
        self._host = host
        self._port = port
        self._gateway_clock = gateway_clock
        self._options: dict[str, Any] = {
            "heartbeat_interval": heartbeat_interval,
            "resume_window": resume_window,
            "rate_limit_headers": rate_limit_headers,
            "rest_window_scale": rest_window_scale,
            "rest_global_limit": rest_global_limit,
            "rest_bucket_limits": dict(rest_bucket_limits or {}),
            "client_rate_limit": client_rate_limit
            or (120, 60.0 * heartbeat_interval / HELLO_INTERVAL_S),
            "replay_buffer_size": replay_buffer_size,
            "record_dispatches": record_dispatches,
            "presence_subscriptions": presence_subscriptions,
        }
        self.traffic = TrafficGenerator(self.world, seed=seed)
        self.rest: RestApi | None = None
        self._runner: web.AppRunner | None = None
        self._gateway: GatewayHub | None = None
        self._config: SandboxConfig | None = None

    # -- lifecycle ---------------------------------------------------------------------

    async def start(self) -> None:
        """Bind the socket, mount gateway and REST, and start serving (and the background
        traffic of ``traffic_rate``)."""
        if self._runner is not None:
            raise RuntimeError("the sandbox is already running")
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((self._host, self._port))
        except OSError as exc:
            sock.close()
            where = f"{self._host}:{self._port}"
            raise OSError(exc.errno, f"cannot listen on {where}: {exc.strerror}") from None
        port = sock.getsockname()[1]
        base = f"http://{self._host}:{port}"
        config = SandboxConfig(
            base_url=base,
            api_url=f"{base}/v1",
            gateway_url=f"ws://{self._host}:{port}",
            **self._options,
        )
        self._config = config
        self._gateway = GatewayHub(self.world, config, self._gateway_clock)
        app = web.Application()
        self.rest = add_routes(app, self.world, config)
        app.router.add_get("/", self._gateway.handle)
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await self._runner.setup()
        site = web.SockSite(self._runner, sock)
        await site.start()
        if self._traffic_rate is not None:
            self.start_traffic(rate=self._traffic_rate, bursts=self._traffic_bursts)

    async def close(self) -> None:
        """Stop traffic, close every socket (1001) and stop serving. Idempotent."""
        await self.traffic.stop()
        if self._gateway is not None:
            await self._gateway.close_all()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> Sandbox:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    def __repr__(self) -> str:
        where = self._config.base_url if self._config else "not started"
        return f"Sandbox(seed={self.seed}, {where})"

    # -- attributes --------------------------------------------------------------------

    @property
    def config(self) -> SandboxConfig:
        """The running configuration (raises ``RuntimeError`` before :meth:`start`)."""
        if self._config is None:
            raise RuntimeError("the sandbox is not started")
        return self._config

    @property
    def gateway(self) -> GatewayHub:
        """The gateway hub (sessions, connections, faults)."""
        if self._gateway is None:
            raise RuntimeError("the sandbox is not started")
        return self._gateway

    @property
    def api_url(self) -> str:
        """REST base URL, ``http://127.0.0.1:<port>/v1``."""
        return self.config.api_url

    @property
    def gateway_url(self) -> str:
        """Gateway URL without query string, ``ws://127.0.0.1:<port>``; clients add
        ``/?v=1&encoding=json``."""
        return self.config.gateway_url

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:<port>``."""
        return self.config.base_url

    @property
    def port(self) -> int:
        """The bound TCP port."""
        return int(self.config.base_url.rsplit(":", 1)[1])

    @property
    def token(self) -> str:
        """The bot token ``<bot_id>.<secret>`` (never printed by ``repr``)."""
        return self.world.token

    @property
    def bot_id(self) -> str:
        """The bot user's id (also the application id in the token)."""
        return self.world.bot.id

    @property
    def other_user_id(self) -> str:
        """The id of ``sandbox-user``, the human member seeded by ``other_user=True``
        (``RuntimeError`` without it)."""
        if self.world.other_user is None:
            raise RuntimeError("this sandbox has no other user (build it with other_user=True)")
        return self.world.other_user.id

    @property
    def other_user_token(self) -> str:
        """The user token of ``sandbox-user`` (``flx_...``, never printed by ``repr``):
        ``Authorization: <token>`` on the REST API (bare, as Fluxer takes user tokens, or
        after ``Bot ``), or IDENTIFY with it, acts as that user. ``RuntimeError`` without
        ``other_user=True``."""
        return self.world.user_token(self.other_user_id)

    def user_token(self, user_id: str) -> str:
        """A token acting as the non-bot user ``user_id``, issued on first call and the
        same afterwards (:meth:`World.user_token`); ``WorldError`` for an unknown user or
        the bot."""
        return self.world.user_token(user_id)

    @property
    def guild_ids(self) -> list[str]:
        """Seeded guild ids, in order."""
        return list(self.world.guild_ids)

    @property
    def channel_ids(self) -> list[str]:
        """Seeded text channel ids (type 0), guild by guild."""
        return list(self.world.channel_ids)

    @property
    def faults(self) -> Faults:
        """Persistent fault switches (``faults.rest`` is the REST half's)."""
        return self.world.faults

    @property
    def dispatch_log(self) -> list[DispatchRecord]:
        """Every dispatch sent or buffered, in order (see :class:`DispatchRecord`)."""
        return self.gateway.dispatch_log

    # -- helpers acting as other users ---------------------------------------------------

    def _some_member(self, guild_id: str) -> str:
        guild = self.world.get_guild(guild_id)
        for user_id in guild.members:
            if user_id != self.world.bot.id:
                return user_id
        return self.world.bot.id

    async def post_message(
        self, channel_id: str, content: str, author_id: str | None = None
    ) -> Json:
        """Post a message (default author: the guild's first non-bot member); return it.

        The MESSAGE_CREATE dispatch is written before this returns.
        """
        channel = self.world.get_channel(channel_id)
        author = author_id if author_id is not None else self._some_member(channel.guild_id)
        return self.world.create_message(channel.id, author, content)

    async def edit_message(self, channel_id: str, message_id: str, content: str) -> Json:
        """Edit a message's content (MESSAGE_UPDATE); return it."""
        return self.world.edit_message(channel_id, message_id, content=content)

    async def delete_message(self, channel_id: str, message_id: str) -> Json:
        """Delete a message (MESSAGE_DELETE); return the dispatch ``d``."""
        return self.world.delete_message(channel_id, message_id)

    async def add_member(self, guild_id: str) -> str:
        """A new user joins ``guild_id`` (GUILD_MEMBER_ADD); return the user id."""
        member = self.world.add_member(guild_id)
        return str(member["user"]["id"])

    async def remove_member(self, guild_id: str, user_id: str) -> Json:
        """``user_id`` leaves ``guild_id`` (GUILD_MEMBER_REMOVE, and GUILD_DELETE to the
        leaver's own sessions, e.g. the bot's); return the GUILD_MEMBER_REMOVE ``d``."""
        d = {"guild_id": str(guild_id), "user": {"id": str(user_id)}}
        self.world.leave_guild(guild_id, user_id)
        return d

    async def update_member(self, guild_id: str, user_id: str, *, nick: str | None) -> Json:
        """Change a member's nick (GUILD_MEMBER_UPDATE); return the member."""
        return self.world.update_member(guild_id, user_id, nick=nick)

    async def delete_channel(self, channel_id: str) -> Json:
        """Delete a channel (CHANNEL_DELETE); return the channel as it was."""
        return self.world.delete_channel(channel_id)

    async def create_channel(self, guild_id: str, name: str) -> Json:
        """Create a text channel (CHANNEL_CREATE); return it."""
        return self.world.create_channel(guild_id, name)

    async def add_reaction(
        self, channel_id: str, message_id: str, emoji: str, user_id: str | None = None
    ) -> Json:
        """React to a message (MESSAGE_REACTION_ADD); ``emoji`` is Unicode or ``name:id``;
        default user: the guild's first non-bot member. Return the dispatch ``d``."""
        channel = self.world.get_channel(channel_id)
        user = user_id if user_id is not None else self._some_member(channel.guild_id)
        return self.world.add_reaction(channel.id, message_id, emoji, user)

    async def trigger_typing(self, channel_id: str, user_id: str | None = None) -> Json:
        """A user starts typing (TYPING_START); return the ``d``."""
        channel = self.world.get_channel(channel_id)
        user = user_id if user_id is not None else self._some_member(channel.guild_id)
        return self.world.trigger_typing(channel.id, user)

    async def set_presence(self, user_id: str, status: str) -> list[Json]:
        """Change a user's status (PRESENCE_UPDATE per guild); return the ``d`` dicts."""
        return self.world.set_presence(user_id, status)

    # -- traffic -------------------------------------------------------------------------

    async def generate(
        self,
        count: int,
        *,
        rate: float | None = None,
        bursts: bool = False,
        kinds: tuple[TrafficKind, ...] | None = None,
        fault_rate: float = 0.0,
    ) -> int:
        """Run ``count`` seeded traffic steps now (see :meth:`TrafficGenerator.run`)."""
        return await self.traffic.run(
            count, rate=rate, bursts=bursts, kinds=kinds, fault_rate=fault_rate, hub=self.gateway
        )

    def start_traffic(
        self,
        *,
        rate: float | None = None,
        bursts: bool = False,
        kinds: tuple[TrafficKind, ...] | None = None,
        fault_rate: float = 0.0,
    ) -> None:
        """Start unbounded background traffic (``rate``: mean steps per second, ``bursts``:
        vary it in seeded bursts and lulls); stop it with :meth:`stop_traffic`. Bad
        arguments raise ``ValueError`` here."""
        self.traffic.start(
            rate=rate, bursts=bursts, kinds=kinds, fault_rate=fault_rate, hub=self.gateway
        )

    async def stop_traffic(self) -> int:
        """Stop background traffic; return the number of steps it ran."""
        return await self.traffic.stop()

    # -- firehose --------------------------------------------------------------------------

    async def firehose(
        self,
        count: int,
        *,
        session: Session | str | None = None,
        channel_id: str | None = None,
        batch_bytes: int = 1 << 18,
        channel_ids: Sequence[str] | None = None,
    ) -> FirehoseResult:
        """Write ``count`` pre-encoded MESSAGE_CREATE frames to one session, as fast as
        possible, in writes of about ``batch_bytes``; return once all bytes are sent.

        ``session``: a :class:`Session`, a session id, or ``None`` for the first attached
        session (waiting up to 10 s for one to IDENTIFY). ``channel_ids`` spreads the
        messages over those channels in turn instead of one ``channel_id``. See
        :mod:`fluxer_rx.sandbox.firehose` for what the frames hold.
        """
        target = await self._session(session)
        return await run_firehose(
            self.gateway,
            target,
            count,
            channel_id=channel_id,
            batch_bytes=batch_bytes,
            channel_ids=channel_ids,
        )

    async def _session(self, session: Session | str | None) -> Session:
        if isinstance(session, Session):
            return session
        if isinstance(session, str):
            found = self.gateway.sessions.get(session)
            if found is None:
                raise ValueError("unknown session id")
            return found
        async with asyncio.timeout(10.0):
            return await self.gateway.wait_for_session()

    async def wait_for_session(self) -> Session:
        """Return an attached gateway session, waiting for an IDENTIFY; bound the wait
        with ``asyncio.timeout``."""
        return await self.gateway.wait_for_session()

    # -- faults ----------------------------------------------------------------------------

    def drop_connections(self) -> int:
        """Abort every gateway socket without a close frame (sessions stay resumable for
        ``resume_window``); return how many were dropped."""
        return self.gateway.drop_connections()

    def set_zombie(self, zombie: bool = True) -> None:
        """Stop (or resume) answering heartbeats with op 11."""
        self.world.faults.ack_heartbeats = not zombie

    def invalidate_sessions(self) -> int:
        """Send INVALID_SESSION (``d: false``) to every attached session and end it."""
        return self.gateway.invalidate_sessions()

    def expire_sessions(self) -> int:
        """End every detached session now, so a RESUME gets INVALID_SESSION."""
        return self.gateway.expire_sessions()

    async def request_reconnect(self) -> int:
        """Send op 7 RECONNECT, then close 4000, to every attached session ([N])."""
        return await self.gateway.request_reconnect()

    def send_malformed(self, kind: MalformedKind, session: Session | None = None) -> int:
        """Send a malformed frame (``bad_json``, ``unknown_op``, ``unknown_event``,
        ``wrong_types``, ``missing_fields``) to every attached session or one."""
        return self.gateway.send_malformed(kind, session)
