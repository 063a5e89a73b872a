"""Helpers of the ``fluxer-rx`` tests: run the command as a child process, find a closed
port."""

from __future__ import annotations

import asyncio
import os
import socket
import sys
from typing import NamedTuple


class Outcome(NamedTuple):
    """How a ``fluxer-rx`` run ended: exit code, stdout and stderr."""

    code: int
    out: str
    err: str


async def run_cli(*argv: str, env: dict[str, str] | None = None) -> Outcome:
    """``python -m fluxer_rx.cli ARGV`` with ``env`` added to this environment."""
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "fluxer_rx.cli",
        *argv,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env={**os.environ, **(env or {})},
    )
    async with asyncio.timeout(60):
        out, err = await proc.communicate()
    assert proc.returncode is not None
    return Outcome(proc.returncode, out.decode(), err.decode())


def closed_port() -> int:
    """A port on 127.0.0.1 that nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port
