"""Chaos runs: a Client against the sandbox through a TCP fault proxy, under seeded faults,
checked by accounting against what the server logged.

One run (:func:`run_chaos`) is determined by its seed: the transport (unless chosen), the
shard count, the world, the traffic and the fault plan all derive from it (the timing of
the network does not, so a replay repeats the plan, not every interleaving). While the
sandbox's traffic generator and a REST sender run, the plan's faults are injected one at
a time, each followed by a wait until the client is back (bounded: a client that does not
come back fails the run) and a seeded pause:

* ``drop``: the server aborts every gateway socket (``sb.drop_connections``);
* ``cut``: the proxy refuses and resets connections for a while (``proxy.cut``);
* ``blackhole``: the proxy swallows every byte for a while, then restores;
* ``zombie``: the server stops acknowledging heartbeats for a few beats;
* ``op7``: the server asks for a reconnect (``sb.request_reconnect``);
* ``op9``: the server invalidates the sessions (``sb.invalidate_sessions``);
* ``expire``: the network is cut, the server ends the detached sessions, the network
  comes back (so the client's RESUME gets op 9);
* ``malformed:<kind>``: the server sends a malformed frame (``sb.send_malformed``);
* ``rest:<kind>``: the next message creates get a 5xx (``error``), a 429
  (``rate_limit``), a dropped connection (``drop``), or an answer later than the client's
  REST timeout, either before the write (``slow``) or after it (``late``: the client
  times out although the message was created) (``sb.faults.rest``).

Then traffic stops, a last GUILD_UPDATE per guild is written, and the run waits until
every shard's session has caught up with the server. The checks (:class:`RunResult`'s
``failures``; an empty list is a pass):

* per (shard, session), the delivered dispatches are strictly increasing in ``s`` and
  each was logged by the server for that session (none duplicated, reordered or
  invented);
* every ``s`` the server logged for a session the client knew but did not deliver is
  covered by a ``gap`` diagnostic of that shard and session, and the server could not
  have replayed it: an event it never buffers (reactions, member chunks, READY and its
  guild burst) or a session the server ended;
* no ``session_lost`` while the server still held the session, unless the server closed
  the socket with a code that ends it (4007...); and no session the client knew expired
  on the server's resume window (every outage here is shorter than the window);
* the cache equals the world (``tests/cache/world_compare.py``), leaving out only guilds
  whose GUILD_CREATE or member list fell into a server-caused gap;
* each REST send created at most one message (counted by the ``nonce`` each send
  carries), exactly one when the send returned, and a failing send raised a
  ``FluxerError``;
* ``login()`` raised nothing, ``destroy()`` returned within 1 s and left the client
  CLOSED, and no untyped exception reached the event loop's handler.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import random
import time
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Final, Literal, get_args

from fluxer_rx import Client, ClientOptions, ClientState, GatewayOptions, RestOptions
from fluxer_rx.diagnostics import Diagnostic, Kind
from fluxer_rx.errors import FluxerError
from fluxer_rx.gateway.actions import GapDetected, SessionLost
from fluxer_rx.gateway.close_codes import CloseOutcome, CloseReport, classify_close
from fluxer_rx.models.frame import Frame
from fluxer_rx.options import Transport
from fluxer_rx.sandbox import Sandbox
from fluxer_rx.sandbox.gateway import NEVER_BUFFERED, MalformedKind
from fluxer_rx.sandbox.gateway import Session as ServerSession
from tests.cache.world_compare import assert_cache_equals_world
from tests.faultproxy import FaultProxy
from tests.util import wait_until

__all__ = [
    "FULL",
    "PROFILES",
    "QUICK",
    "CutTrial",
    "Profile",
    "RunResult",
    "loop_errors",
    "run_chaos",
    "run_cut_trial",
    "transport_for",
]

TRANSPORTS: Final[tuple[Transport, ...]] = ("aiohttp", "websockets", "picows")
HEARTBEAT: Final = 1.0
SERVER_WINDOW: Final = 10.0
REST_BUCKET: Final = "channel:message:create"
REST_TIMEOUT: Final = 1.0
REST_RETRIES: Final = 3
SEND_BOUND: Final = (REST_RETRIES + 1) * (REST_TIMEOUT + 1.0) + 2.0
"""Seconds one REST send may take: every attempt timing out, plus backoffs and 429 waits."""
MALFORMED: Final[tuple[MalformedKind, ...]] = get_args(MalformedKind)
REST_FAULTS: Final = ("error", "rate_limit", "slow", "late", "drop")
FaultName = Literal[
    "drop", "cut", "blackhole", "zombie", "op7", "op9", "expire", "malformed", "rest"
]


@dataclass(frozen=True, slots=True)
class Profile:
    """How long and how hard a run is.

    ``faults``: (min, max) faults per run; ``cut``/``blackhole``: (min, max) seconds;
    ``zombie_beats``: (min, max) heartbeats without ACK; ``pause``: (min, max) seconds
    between faults; ``weights``: relative weight of each fault; ``traffic_rate``: sandbox
    traffic steps per second; ``rest_interval``: seconds between REST sends;
    ``recover``: seconds a client has to be back after a fault.
    """

    name: str
    faults: tuple[int, int]
    cut: tuple[float, float]
    blackhole: tuple[float, float]
    zombie_beats: tuple[int, int]
    pause: tuple[float, float]
    weights: dict[FaultName, float]
    traffic_rate: float = 25.0
    rest_interval: float = 0.4
    recover: float = 20.0


FULL: Final = Profile(
    name="full",
    faults=(4, 6),
    cut=(0.5, 8.0),
    blackhole=(1.0, 4.0),
    zombie_beats=(2, 4),
    pause=(0.3, 1.2),
    weights={
        "drop": 2,
        "cut": 3,
        "blackhole": 2,
        "zombie": 1.5,
        "op7": 1.5,
        "op9": 1,
        "expire": 1,
        "malformed": 1.5,
        "rest": 2,
    },
)
QUICK: Final = Profile(
    name="quick",
    faults=(2, 3),
    cut=(0.3, 1.5),
    blackhole=(0.5, 1.5),
    zombie_beats=(2, 2),
    pause=(0.1, 0.3),
    weights={
        "drop": 2,
        "cut": 3,
        "blackhole": 1,
        "zombie": 0.5,
        "op7": 1.5,
        "op9": 0.5,
        "expire": 0.5,
        "malformed": 1.5,
        "rest": 2,
    },
    recover=15.0,
)
PROFILES: Final = {p.name: p for p in (FULL, QUICK)}


def transport_for(seed: int, chosen: Transport | None = None) -> Transport:
    """``chosen``, else the transports take turns by seed (``seed % 3``: 0 aiohttp,
    1 websockets, 2 picows)."""
    return chosen if chosen is not None else TRANSPORTS[seed % len(TRANSPORTS)]


# ---------------------------------------------------------------------- result


@dataclass(slots=True)
class RunResult:
    """What one run did and found; ``failures`` empty means it passed."""

    seed: int
    transport: Transport
    shards: int
    profile: str
    faults: list[str] = field(default_factory=list)
    delivered: int = 0
    gaps: int = 0
    gap_events: int = 0
    sessions: int = 0
    rest_sends: int = 0
    rest_failed: int = 0
    excused: int = 0
    seconds: float = 0.0
    destroy_seconds: float = 0.0
    failures: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        """No check failed."""
        return not self.failures

    def line(self) -> str:
        """One line: seed, transport, shards, faults, events, gaps, sessions, verdict, time."""
        verdict = "PASS" if self.passed else f"FAIL({len(self.failures)})"
        return (
            f"seed={self.seed:<5d} {self.transport:<10s} shards={self.shards} "
            f"faults=[{', '.join(self.faults)}] delivered={self.delivered} "
            f"gaps={self.gaps}({self.gap_events} events) sessions={self.sessions} "
            f"rest={self.rest_sends - self.rest_failed}/{self.rest_sends} "
            f"{verdict} {self.seconds:.1f}s"
        )

    def replay_command(self, chosen: Transport | None = None) -> str:
        """The command that replays this run alone."""
        cmd = f"python benchmarks/chaos.py --seed {self.seed} --runs 1 --profile {self.profile}"
        return cmd + (f" --transport {chosen}" if chosen is not None else "")


# ---------------------------------------------------------------------- recording client


@dataclass(slots=True)
class _Delivered:
    shard: int
    session: str | None
    s: int | None
    t: str | None


@dataclass(slots=True)
class _Gap:
    shard: int
    session: str | None
    gap: GapDetected


class RecordingClient(Client):
    """A Client noting, as the shards hand them over, every delivered dispatch (with the
    shard's session, known from its READY), every gap and every lost session, and
    checking each lost session against the server at that moment."""

    def __init__(self, options: ClientOptions, sb: Sandbox) -> None:
        super().__init__(options)
        self.sb = sb
        self.current: dict[int, str] = {}
        self.sessions_seen: list[tuple[int, str]] = []
        self.delivered: list[_Delivered] = []
        self.gaps: list[_Gap] = []
        self.lost: list[tuple[int, SessionLost]] = []
        self.last_close: dict[int, CloseReport] = {}
        self.early_give_ups: list[str] = []
        # through the public streams, as the shards hand each over (both are synchronous:
        # a frame is noted before it is folded, a lost session checked the moment it is
        # reported)
        self.raw.subscribe(self._on_frame)
        self.diagnostics.subscribe(self._on_diagnostic)

    def _on_frame(self, frame: Frame) -> None:
        shard = frame.shard_id
        if frame.t == "READY":
            data = frame.data
            sid = data.get("session_id") if isinstance(data, dict) else None
            if isinstance(sid, str):
                self.current[shard] = sid
                self.sessions_seen.append((shard, sid))
        self.delivered.append(_Delivered(shard, self.current.get(shard), frame.s, frame.t))

    def _on_diagnostic(self, report: Diagnostic) -> None:
        shard = report.shard_id if report.shard_id is not None else -1
        data = report.data
        if report.kind == Kind.GAP and isinstance(data, GapDetected):
            self.gaps.append(_Gap(shard, self.current.get(shard), data))
        elif report.kind == Kind.CLOSED and isinstance(data, CloseReport):
            self.last_close[shard] = data
        elif report.kind == Kind.SESSION_LOST and isinstance(data, SessionLost):
            self.lost.append((shard, data))
            self._check_give_up(shard, data)

    def _check_give_up(self, shard: int, lost: SessionLost) -> None:
        held = self.sb.gateway.sessions.get(lost.session_id)
        if held is None or not held.alive:
            return  # the server had ended it
        close = self.last_close.get(shard)
        if (
            close is not None
            and close.by_server
            and classify_close(close.code).outcome is CloseOutcome.IDENTIFY
        ):
            return  # the server's close code ends the session (4007...)
        self.early_give_ups.append(
            f"shard {shard} gave up session {lost.session_id[:8]} (s={lost.last_seq}, "
            f"{lost.reason!r}) while the server still held it "
            f"({'attached' if held.conn is not None else 'detached, resumable'})"
        )


# ---------------------------------------------------------------------- server bookkeeping


class _ServerKills:
    """Why the server ended each session: what the harness asked for, or the resume
    window (the hub's expiry timer)."""

    WINDOW: Final = "expired on the server's resume window"

    def __init__(self, sb: Sandbox) -> None:
        self.why: dict[str, str] = {}
        self._action: str | None = None
        hub = sb.gateway
        original: Callable[[ServerSession], None] = hub._kill_session

        def kill(session: ServerSession) -> None:
            self.why.setdefault(session.session_id, self._action or self.WINDOW)
            original(session)

        # the expiry timer looks the method up on the instance when it is armed
        hub._kill_session = kill  # type: ignore[method-assign]

    @contextlib.contextmanager
    def acting(self, action: str) -> Iterator[None]:
        """Attribute the sessions ended inside the block to ``action``."""
        self._action = action
        try:
            yield
        finally:
            self._action = None


class _Sends:
    """REST sends with a nonce each, and the messages the world created per nonce."""

    def __init__(self, sb: Sandbox) -> None:
        self.created: dict[str, list[str]] = {}
        self.outcomes: dict[str, str | BaseException] = {}
        self.order: list[str] = []
        self.stopping = False
        sb.world.add_listener(self._on_world_event)

    def _on_world_event(
        self, event: str, d: Any, guild_id: str | None, user_ids: frozenset[str] | None
    ) -> None:
        if event == "MESSAGE_CREATE" and isinstance(d, dict):
            nonce = d.get("nonce")
            if isinstance(nonce, str) and nonce.startswith("chaos-"):
                self.created.setdefault(nonce, []).append(str(d.get("id")))

    async def run(self, client: Client, channel_id: str, seed: int, interval: float) -> None:
        n = 0
        while not self.stopping:
            n += 1
            nonce = f"chaos-{seed}-{n}"
            self.order.append(nonce)
            body = {"content": f"chaos {seed} send {n}", "nonce": nonce}
            try:
                message = await client.channels.send(channel_id, body)
            except FluxerError as exc:
                self.outcomes[nonce] = exc
            except Exception as exc:  # an untyped error: reported as a failure
                self.outcomes[nonce] = exc
            else:
                self.outcomes[nonce] = str(message.id)
            await asyncio.sleep(interval)  # the send rate, not a synchronisation

    async def stop(self, sender: asyncio.Task[None]) -> str | None:
        """Let the send in flight finish (bounded), then stop; why it failed, if it did."""
        self.stopping = True
        done, _ = await asyncio.wait((sender,), timeout=SEND_BOUND)
        if not done:
            sender.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await sender
            return f"a REST send did not end within {SEND_BOUND:g} s"
        return None

    def check(self) -> tuple[int, int, list[str]]:
        """(sends, failed sends, failures)."""
        failures: list[str] = []
        failed = 0
        for nonce in self.order:
            if nonce not in self.outcomes:
                continue  # still in flight when the sender stopped
            outcome = self.outcomes[nonce]
            made = self.created.get(nonce, [])
            if len(made) > 1:
                failures.append(f"REST send {nonce} created {len(made)} messages {made}")
            if isinstance(outcome, str):
                if outcome not in made:
                    failures.append(f"REST send {nonce} returned {outcome}, world made {made}")
            else:
                failed += 1
                if not isinstance(outcome, FluxerError):
                    failures.append(f"REST send {nonce} raised untyped {outcome!r}")
        return len(self.outcomes), failed, failures


# ---------------------------------------------------------------------- the run


@contextlib.contextmanager
def loop_errors() -> Iterator[list[str]]:
    """Collect what reaches the running loop's exception handler (an exception nobody
    retrieved, a failing callback) while the block runs."""
    loop = asyncio.get_running_loop()
    seen: list[str] = []
    previous = loop.get_exception_handler()

    def handler(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        exc = context.get("exception")
        seen.append(f"{context.get('message')}: {exc!r}")
        loop.default_exception_handler(context)

    loop.set_exception_handler(handler)
    try:
        yield seen
    finally:
        loop.set_exception_handler(previous)


def _plan(rng: random.Random, profile: Profile) -> list[tuple[FaultName, Any]]:
    names: list[FaultName] = list(profile.weights)
    weights = [profile.weights[n] for n in names]
    plan: list[tuple[FaultName, Any]] = []
    for _ in range(rng.randint(*profile.faults)):
        name = rng.choices(names, weights)[0]
        arg: Any = None
        if name == "cut":
            arg = round(rng.uniform(*profile.cut), 2)
        elif name == "blackhole":
            arg = round(rng.uniform(*profile.blackhole), 2)
        elif name == "zombie":
            arg = rng.randint(*profile.zombie_beats)
        elif name == "malformed":
            arg = rng.choice(MALFORMED)
        elif name == "rest":
            arg = (rng.choice(REST_FAULTS), rng.randint(1, 2))
        plan.append((name, arg))
    return plan


def _describe(name: FaultName, arg: Any) -> str:
    if name in ("cut", "blackhole"):
        return f"{name} {arg:g}s"
    if name == "zombie":
        return f"zombie {arg}hb"
    if name == "malformed":
        return f"malformed:{arg}"
    if name == "rest":
        return f"rest:{arg[0]}x{arg[1]}"
    return str(name)


class _Run:
    """The pieces of one running chaos run."""

    def __init__(
        self,
        sb: Sandbox,
        proxy: FaultProxy,
        client: RecordingClient,
        kills: _ServerKills,
        result: RunResult,
    ) -> None:
        self.sb = sb
        self.proxy = proxy
        self.client = client
        self.kills = kills
        self.result = result

    def settled(self) -> bool:
        """Ready, and every shard's session attached on the server."""
        client = self.client
        if not client.is_ready:
            return False
        for shard in client.shards.values():
            sid = shard.protocol.session_id
            held = self.sb.gateway.sessions.get(sid) if sid is not None else None
            if held is None or held.conn is None:
                return False
        return True

    def caught_up(self) -> bool:
        """Settled, and every shard has taken every ``s`` its server session sent."""
        if not self.settled():
            return False
        for shard in self.client.shards.values():
            sid = shard.protocol.session_id
            held = self.sb.gateway.sessions.get(sid) if sid is not None else None
            if held is None or shard.protocol.seq != held.seq:
                return False
        return True

    async def inject(self, name: FaultName, arg: Any) -> None:
        sb, proxy = self.sb, self.proxy
        if name == "drop":
            sb.drop_connections()
        elif name == "cut":
            await proxy.cut(arg)
            await asyncio.sleep(arg)  # the fault's duration
        elif name == "blackhole":
            await proxy.blackhole()
            await asyncio.sleep(arg)  # the fault's duration
            await proxy.restore()
        elif name == "zombie":
            sb.set_zombie(True)
            await asyncio.sleep(arg * HEARTBEAT)  # the fault's duration
            sb.set_zombie(False)
        elif name == "op7":
            await sb.request_reconnect()
        elif name == "op9":
            with self.kills.acting("op 9"):
                sb.invalidate_sessions()
        elif name == "expire":
            await proxy.cut()
            await wait_until(
                lambda: not sb.gateway.attached_sessions, within=5.0, what="sockets to detach"
            )
            with self.kills.acting("expired by the harness"):
                sb.expire_sessions()
            await proxy.restore()
        elif name == "malformed":
            sb.send_malformed(arg)
        elif name == "rest":
            kind, count = arg
            faults = sb.faults.rest
            assert faults is not None
            if kind == "error":
                faults.fail_next(count, status=503, bucket=REST_BUCKET)
            elif kind == "rate_limit":
                faults.rate_limit_next(count, retry_after=0.2, bucket=REST_BUCKET)
            elif kind == "slow":
                faults.slow_next(count, delay=REST_TIMEOUT * 1.5, bucket=REST_BUCKET)
            elif kind == "late":
                faults.late_next(count, delay=REST_TIMEOUT * 1.5, bucket=REST_BUCKET)
            else:
                faults.drop_next(count, bucket=REST_BUCKET)


def _rest_faults_used(sb: Sandbox) -> Callable[[], bool]:
    rest = sb.faults.rest
    assert rest is not None
    return lambda: rest.pending == 0


@contextlib.asynccontextmanager
async def _world(seed: int, shards: int, transport: Transport) -> AsyncIterator[_Run]:
    async with (
        Sandbox(
            seed=seed,
            guilds=2,
            channels_per_guild=2,
            members_per_guild=8,
            messages_per_channel=3,
            heartbeat_interval=HEARTBEAT,
            resume_window=SERVER_WINDOW,
        ) as sb,
        FaultProxy("127.0.0.1", sb.port) as proxy,
    ):
        options = ClientOptions(
            rest=RestOptions(
                api_url=sb.api_url,
                timeout=REST_TIMEOUT,
                retry_backoff=0.05,
                max_retries=REST_RETRIES,
            ),
            chunk_guilds=True,
            gateway=GatewayOptions(
                url=proxy.url(),
                transport=transport,
                shard_count=shards if shards > 1 else None,
                identify_interval=0.2,
            ),
        )
        client = RecordingClient(options, sb)
        result = RunResult(seed, transport, shards, "")
        yield _Run(sb, proxy, client, _ServerKills(sb), result)


async def run_chaos(
    seed: int, profile: Profile, *, transport: Transport | None = None
) -> RunResult:
    """One chaos run (see the module docstring); never raises for what it finds."""
    rng = random.Random(f"fluxer-chaos:{seed}")
    chosen = transport_for(seed, transport)
    shards = rng.choice((1, 2))
    plan = _plan(rng, profile)
    started = time.monotonic()
    async with _world(seed, shards, chosen) as run:
        result = run.result
        result.profile = profile.name
        try:
            await _drive(run, rng, profile, plan)
        except Exception as exc:  # the harness's own failure is the run's failure
            result.failures.append(f"harness error: {exc!r}")
    result.seconds = time.monotonic() - started
    return result


async def _drive(
    run: _Run, rng: random.Random, profile: Profile, plan: list[tuple[FaultName, Any]]
) -> None:
    sb, client, result = run.sb, run.client, run.result
    sends = _Sends(sb)
    login = asyncio.create_task(client.login(sb.token))
    sender: asyncio.Task[None] | None = None
    try:
        try:
            await wait_until(run.settled, within=profile.recover, what="first READY")
        except TimeoutError as exc:
            result.failures.append(f"login: {exc}")
            return
        sb.start_traffic(rate=profile.traffic_rate)
        sender = asyncio.create_task(
            sends.run(client, sb.channel_ids[0], result.seed, profile.rest_interval)
        )
        for name, arg in plan:
            await asyncio.sleep(rng.uniform(*profile.pause))  # the gap between faults
            result.faults.append(_describe(name, arg))
            await run.inject(name, arg)
            if name == "rest":  # the faults apply to the next sends: wait for them
                await wait_until(
                    _rest_faults_used(sb), within=SEND_BOUND * 2, what="REST faults used"
                )
            try:
                await wait_until(run.settled, within=profile.recover, what=f"recovery after {name}")
            except TimeoutError as exc:
                result.failures.append(f"hang: {exc} (client {client.state.value})")
                break
            if login.done():
                break
        await sb.stop_traffic()
        stuck = await sends.stop(sender)
        sender = None
        if stuck is not None:
            result.failures.append(f"hang: {stuck}")
        for i, guild_id in enumerate(sb.guild_ids):
            sb.world.update_guild(guild_id, name=f"chaos sentinel {result.seed}.{i}")
        try:
            await wait_until(
                run.caught_up, within=profile.recover, what="catch-up after the traffic"
            )
        except TimeoutError as exc:
            result.failures.append(f"hang: {exc} (client {client.state.value})")
        _account(run)
        result.rest_sends, result.rest_failed, rest_failures = sends.check()
        result.failures.extend(rest_failures)
    finally:
        if sender is not None:
            sender.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await sender
        await sb.stop_traffic()
        await _end(run, login)


async def _end(run: _Run, login: asyncio.Task[None]) -> None:
    client, result = run.client, run.result
    if login.done() and not login.cancelled() and login.exception() is not None:
        result.failures.append(f"login() raised {login.exception()!r} during the run")
    started = time.monotonic()
    try:
        await asyncio.wait_for(client.destroy(), 5.0)
    except TimeoutError:
        result.failures.append("destroy() did not return within 5 s")
    result.destroy_seconds = time.monotonic() - started
    if result.destroy_seconds >= 1.0:
        result.failures.append(f"destroy() took {result.destroy_seconds:.2f} s")
    try:
        await asyncio.wait_for(asyncio.shield(login), 5.0)
    except TimeoutError:
        result.failures.append("login() did not return within 5 s of destroy()")
        login.cancel()
    except Exception as exc:
        if not any("login() raised" in f for f in result.failures):
            result.failures.append(f"login() raised {exc!r}")
    if client.state is not ClientState.CLOSED:
        result.failures.append(f"client ended in state {client.state.value}, not closed")


# ---------------------------------------------------------------------- accounting


def _burst_end(log: Sequence[tuple[int, str]]) -> int:
    """The last ``s`` of READY's unbuffered guild burst (READY is s 1)."""
    end = 0
    for s, t in log:
        if s == end + 1 and (t == "READY" if s == 1 else t == "GUILD_CREATE"):
            end = s
        else:
            break
    return end


def _covered(gaps: Sequence[GapDetected], s: int) -> bool:
    return any(
        g.first_missing <= s and (g.last_missing is None or s <= g.last_missing) for g in gaps
    )


def _account(run: _Run) -> None:
    """The per-session checks, the lost-session checks and the cache check."""
    client, result, sb = run.client, run.result, run.sb
    server: dict[str, list[tuple[int, str]]] = {}
    payloads: dict[tuple[str, int], Any] = {}
    for record in list(sb.dispatch_log):
        if record.t == "RESUMED":
            continue
        server.setdefault(record.session_id, []).append((record.seq, record.t))
        payloads[(record.session_id, record.seq)] = record.d
    delivered: dict[tuple[int, str], list[_Delivered]] = {}
    for item in client.delivered:
        if item.t == "RESUMED" or item.session is None:
            continue
        delivered.setdefault((item.shard, item.session), []).append(item)
    gaps: dict[tuple[int, str], list[GapDetected]] = {}
    for g in client.gaps:
        if g.session is not None:
            gaps.setdefault((g.shard, g.session), []).append(g.gap)
    result.delivered = sum(len(v) for v in delivered.values())
    result.gaps = len(client.gaps)
    result.sessions = len(client.sessions_seen)
    if not client.sessions_seen or not result.delivered:
        # every run logs in, so a run that saw no READY or no dispatch checked nothing
        result.failures.append(
            f"nothing to account for: {result.sessions} sessions seen, "
            f"{result.delivered} dispatches delivered"
        )
    final = {shard.shard_id: shard.protocol.session_id for shard in client.shards.values()}
    excused_guilds: set[str] = set()
    excused_members: set[str] = set()
    for shard, sid in client.sessions_seen:
        got = delivered.get((shard, sid), [])
        seqs = [d.s for d in got if d.s is not None]
        for a, b in itertools.pairwise(seqs):
            if b <= a:
                result.failures.append(
                    f"shard {shard} session {sid[:8]}: s={b} delivered after s={a} "
                    f"({'duplicate' if b == a else 'reordered'})"
                )
                break
        log = server.get(sid, [])
        logged = {s for s, _ in log}
        phantom = sorted(set(seqs) - logged)
        if phantom:
            result.failures.append(
                f"shard {shard} session {sid[:8]}: delivered s={phantom[:5]} the server "
                "never sent to this session"
            )
        missing = [(s, t) for s, t in log if s not in set(seqs)]
        burst = _burst_end(log)
        ended = run.kills.why.get(sid)
        session_gaps = gaps.get((shard, sid), [])
        for s, t in missing:
            result.gap_events += 1
            if not _covered(session_gaps, s):
                result.failures.append(
                    f"shard {shard} session {sid[:8]}: s={s} {t} lost without a gap report"
                )
                break
            unbuffered = t in NEVER_BUFFERED or s <= burst
            if not unbuffered and ended is None:
                result.failures.append(
                    f"shard {shard} session {sid[:8]}: s={s} {t} reported as a gap, but "
                    "the server buffered it and still held the session"
                )
                break
            if final.get(shard) == sid and t in ("GUILD_CREATE", "GUILD_MEMBERS_CHUNK"):
                d = payloads.get((sid, s))
                guild = d.get("id" if t == "GUILD_CREATE" else "guild_id") if d else None
                if isinstance(guild, str):
                    (excused_guilds if t == "GUILD_CREATE" else excused_members).add(guild)
        if ended == _ServerKills.WINDOW:
            result.failures.append(
                f"shard {shard} session {sid[:8]} expired on the server's "
                f"{SERVER_WINDOW:g} s window: the client did not resume in time"
            )
    result.failures.extend(client.early_give_ups)
    result.excused = len(excused_guilds) + len(excused_members)
    try:
        assert_cache_equals_world(
            client.cache,
            sb.world,
            excused_guilds=excused_guilds,
            excused_members=excused_members,
        )
    except (AssertionError, KeyError) as exc:
        result.failures.append(f"cache differs from the world: {type(exc).__name__} {exc}")


# ---------------------------------------------------------------------- cut trials


@dataclass(frozen=True, slots=True)
class CutTrial:
    """One network cut of ``seconds`` while traffic flows: whether the session survived
    (``resumed``), how long the client took to be back, what failed."""

    transport: Transport
    seconds: float
    resumed: bool
    recovery: float
    failures: tuple[str, ...]


async def run_cut_trial(seed: int, transport: Transport, seconds: float) -> CutTrial:
    """Log in (one shard), cut the network for ``seconds`` under traffic, wait for the
    client, then check by the same accounting as a chaos run."""
    async with _world(seed, 1, transport) as run:
        sb, client, result = run.sb, run.client, run.result
        result.profile = "cut"
        login = asyncio.create_task(client.login(sb.token))
        recovery = float("nan")
        try:
            await wait_until(run.settled, within=20.0, what="first READY")
            sb.start_traffic(rate=FULL.traffic_rate)
            await asyncio.sleep(0.5)  # traffic before the cut
            before = client.shards[0].protocol.session_id
            await run.proxy.cut(seconds)
            await asyncio.sleep(seconds)  # the fault's duration
            restored = time.monotonic()
            await wait_until(run.settled, within=20.0, what="recovery after the cut")
            recovery = time.monotonic() - restored
            resumed = client.shards[0].protocol.session_id == before and not client.lost
            await sb.stop_traffic()
            for guild_id in sb.guild_ids:
                sb.world.update_guild(guild_id, name="cut sentinel")
            await wait_until(run.caught_up, within=20.0, what="catch-up after the traffic")
            _account(run)
        except Exception as exc:
            resumed = False
            result.failures.append(f"{exc!r}")
        finally:
            await sb.stop_traffic()
            await _end(run, login)
        return CutTrial(transport, seconds, resumed, recovery, tuple(result.failures))
