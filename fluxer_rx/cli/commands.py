"""The sub-commands ``demo``, ``sandbox``, ``record``, ``replay`` and ``tail``.

Each takes the parsed arguments and returns the exit code: 0 done, 1 the run failed (the
instance is unreachable, the token is refused, the recording is broken), 2 the command
line asked for something impossible (a port in use, a missing file). A failure is one
line on stderr, ``fluxer-rx <command>: error: <what is wrong>``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import errno
import logging
import os
import signal
import sys
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, TypeVar

from fluxer_rx.cli.arguments import fail
from fluxer_rx.cli.parser import TOKEN_ENV
from fluxer_rx.cli.reach import check_reachable
from fluxer_rx.errors import FluxerError
from fluxer_rx.replay import RecordingError

if TYPE_CHECKING:
    from fluxer_rx.traffic_commands import LiveTarget

__all__ = ["run_demo_command", "run_record", "run_replay", "run_sandbox", "run_tail"]

T = TypeVar("T")

# Login and connection failures end record/tail with exit code 1.
_RUN_FAILURES = (FluxerError, OSError, TimeoutError, ValueError)
_REACH_TIMEOUT = 5.0


def _fail(args: argparse.Namespace, message: str, code: int) -> int:
    return fail(f"fluxer-rx {args.command}", message, code)


def _live_target(args: argparse.Namespace) -> LiveTarget | str | None:
    """The real instance to use, ``None`` for the sandbox, or a usage error message."""
    if args.api is None and args.gateway is None:
        return None
    if args.seed is not None or args.rate is not None:
        return "--seed and --rate apply to the sandbox, not with --api/--gateway"
    from fluxer_rx.traffic_commands import LiveTarget

    token = os.environ.get(TOKEN_ENV, "").strip()
    if not token:
        return f"set the bot token in the {TOKEN_ENV} environment variable"
    return LiveTarget(token=token, api_url=args.api, gateway_url=args.gateway)


async def _check_target(live: LiveTarget | None) -> None:
    """Fail fast, naming the URL and the cause, when a given URL is unreachable."""
    if live is None:
        return
    for url in (live.api_url, live.gateway_url):
        if url is not None:
            await check_reachable(url, timeout=_REACH_TIMEOUT)


def _until_interrupted(run: Callable[[asyncio.Event], Awaitable[T]]) -> T:
    """Run ``run(stop)`` in a new loop; SIGINT/SIGTERM set ``stop`` for a clean end."""

    async def main() -> T:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        signals = (signal.SIGINT, signal.SIGTERM)
        for sig in signals:
            with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
                loop.add_signal_handler(sig, stop.set)
        try:
            return await run(stop)
        finally:
            for sig in signals:
                with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
                    loop.remove_signal_handler(sig)

    return asyncio.run(main())


def _stdout_gone() -> int:
    """The reader of stdout went away (``| head``): end quietly, as Unix tools do."""
    with contextlib.suppress(OSError, ValueError):
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return 0


def _message(exc: BaseException) -> str:
    return str(exc) or type(exc).__name__


def _run_live(
    args: argparse.Namespace,
    default_rate: float,
    run: Callable[[LiveTarget | None, int, float, asyncio.Event], Awaitable[object]],
) -> int:
    """``record``/``tail``: resolve the target, check it is reachable, then ``run`` it
    until done or interrupted; map failures to one line and exit code 1."""
    target = _live_target(args)
    if isinstance(target, str):
        return _fail(args, target, 2)
    live = target
    seed = args.seed if args.seed is not None else 0
    rate = args.rate if args.rate is not None else default_rate

    async def checked(stop: asyncio.Event) -> object:
        await _check_target(live)
        return await run(live, seed, rate, stop)

    try:
        _until_interrupted(checked)
    except BrokenPipeError:
        return _stdout_gone()
    except _RUN_FAILURES as exc:
        return _fail(args, _message(exc), 1)
    return 0


def run_record(args: argparse.Namespace) -> int:
    """``fluxer-rx record OUT`` (``--simulate``: :mod:`fluxer_rx.cli.simulate`)."""
    from fluxer_rx.traffic_commands import run_record as record

    if args.simulate is not None:
        from fluxer_rx.cli.simulate import run_simulated_record

        return run_simulated_record(args)
    return _run_live(
        args,
        200.0,
        lambda live, seed, rate, stop: record(
            args.out, duration=args.duration, seed=seed, rate=rate, live=live, stop=stop
        ),
    )


def run_tail(args: argparse.Namespace) -> int:
    """``fluxer-rx tail``."""
    from fluxer_rx.traffic_commands import run_tail as tail

    return _run_live(
        args,
        20.0,
        lambda live, seed, rate, stop: tail(
            duration=args.duration, seed=seed, rate=rate, live=live, stop=stop
        ),
    )


def run_replay(args: argparse.Namespace) -> int:
    """``fluxer-rx replay FILE``."""
    from fluxer_rx.traffic_commands import run_replay as replay

    try:
        _until_interrupted(lambda stop: replay(args.file, speed=args.speed, stop=stop))
    except BrokenPipeError:
        return _stdout_gone()
    except RecordingError as exc:
        return _fail(args, _message(exc), 1)
    return 0


def _bind_failure(exc: OSError, port: int) -> str | None:
    """A usage message for a port the sandbox cannot listen on, else ``None``."""
    if exc.errno == errno.EADDRINUSE:
        return f"port {port} on 127.0.0.1 is in use (pick another, or --port 0 for a free one)"
    if exc.errno == errno.EACCES:
        return f"not allowed to listen on port {port} (ports below 1024 need privileges)"
    return None


def _log_sandbox_activity() -> None:
    """Show the sandbox's INFO log (connections, identifies, posts) on stderr, one line each
    with the time; tokens never appear in it."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(message)s", datefmt="%H:%M:%S"))
    logger = logging.getLogger("fluxer_rx.sandbox")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)


def run_sandbox(args: argparse.Namespace) -> int:
    """``fluxer-rx sandbox``: serve until SIGINT/SIGTERM, logging each connection and post
    on stderr unless ``--quiet``."""
    from fluxer_rx.sandbox import Sandbox
    from fluxer_rx.sandbox.standalone import serve

    if not args.quiet:
        _log_sandbox_activity()

    try:
        sandbox = Sandbox(
            seed=args.seed,
            guilds=args.guilds,
            channels_per_guild=args.channels,
            members_per_guild=args.members,
            heartbeat_interval=args.heartbeat_interval,
            port=args.port,
            other_user=True,
        )
    except ValueError as exc:  # the sandbox's own checks, should the parser's miss one
        return _fail(args, _message(exc), 2)
    try:
        asyncio.run(serve(sandbox, traffic_rate=args.traffic_rate, bursts=not args.steady))
    except OSError as exc:
        usage = _bind_failure(exc, args.port)
        if usage is not None:
            return _fail(args, usage, 2)
        return _fail(args, _message(exc), 1)
    return 0


def run_demo_command(args: argparse.Namespace) -> int:
    """``fluxer-rx demo``: the dashboard until ``--duration`` or Ctrl-C (both exit 0, after
    the summary); exit 1 when the demo's client could not log in or received nothing."""
    from fluxer_rx.demo import run_demo

    try:
        summary = asyncio.run(run_demo(duration=args.duration, rate=args.rate, seed=args.seed))
    except KeyboardInterrupt:  # before the demo's own SIGINT handling was in place
        return 0
    except _RUN_FAILURES as exc:
        return _fail(args, _message(exc), 1)
    return 0 if sum(summary.values()) > 0 else 1
